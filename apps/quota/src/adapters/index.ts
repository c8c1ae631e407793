/** Quota adapters: Redis store (standalone/cluster), limits file, RPC messages, runtime wiring. */
export * from './check-messages';
export * from './limits-file';
export * from './quota-runtime';
export * from './redis-quota-store';
