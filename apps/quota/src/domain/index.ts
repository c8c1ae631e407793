/** The quota domain: GCRA limits over a narrow store interface (no Redis client here). */
export * from './cost';
export * from './errors';
export * from './fallback-quota-store';
export * from './gcra';
export * from './limits-config';
export * from './memory-quota-store';
export * from './quota';
export * from './quota-store';
