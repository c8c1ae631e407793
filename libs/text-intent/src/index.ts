export * from './intent-model.js';
export * from './train-intent.js';
export * from './word-features.js';
