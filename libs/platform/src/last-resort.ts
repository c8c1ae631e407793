import { Counter, type Registry } from 'prom-client';
import type { Logger } from './logger';

/**
 * The process-level last resort: an exception that escapes every request handler (a bug in a
 * library's event handler, a throw in a timer) is logged and counted, and the process keeps
 * serving instead of dropping every connection it holds; the mesh's restart would take seconds
 * and lose every request in flight. Node documents that state after an uncaught exception may
 * be inconsistent, so a storm of them (more than `maxPerMinute`) still exits, and a supervisor
 * restarts a clean process. Unhandled rejections are logged and counted the same way.
 */
export function installLastResort(opts: {
  logger: Logger;
  registry: Registry;
  maxPerMinute?: number;
  exit?: (code: number) => void;
  now?: () => number;
}): void {
  const { logger } = opts;
  const max = opts.maxPerMinute ?? 100;
  const now = opts.now ?? Date.now;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const counter = new Counter({
    name: 'nethical_uncaught_errors_total',
    help: 'Exceptions and rejections that escaped every handler and were caught by the process last resort.',
    labelNames: ['kind'],
    registers: [opts.registry],
  });
  const recent: number[] = [];
  const onError = (kind: 'exception' | 'rejection') => (err: unknown) => {
    counter.inc({ kind });
    logger.error({ err, kind }, `uncaught ${kind}: logged and kept serving`);
    const t = now();
    recent.push(t);
    while (recent.length > 0 && recent[0]! < t - 60_000) recent.shift();
    if (recent.length > max) {
      logger.fatal({ count: recent.length }, `more than ${max} uncaught errors in a minute: exiting for a clean restart`);
      exit(70);
    }
  };
  process.on('uncaughtException', onError('exception'));
  process.on('unhandledRejection', onError('rejection'));
}
