export * from './sql-client';
export * from './migrate';
export * from './storage-size';
