export * from './env';
export * from './redis-cluster';
