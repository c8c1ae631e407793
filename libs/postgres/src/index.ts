export * from './sql-client';
export * from './migrate';
