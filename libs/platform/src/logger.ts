import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs for one service; `base` fields go on every line. */
export function createLogger(service: string, level: string, region?: string): Logger {
  return pino({
    level,
    base: { service, region, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
