export * from './env';
export * from './redis-cluster';
export * from './shared-tools';
export * from './otlp-receiver';
export * from './postgres-server';
export * from './scratch-database';
export * from './quota-limits-file';
