export * from './availability';
export * from './redis-client';
export * from './telemetry';
