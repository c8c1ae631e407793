import type { Logger } from './logger';

/** One ordered step of shutdown (drain, flush, close). */
interface Step {
  name: string;
  run: () => Promise<void> | void;
}

export interface Shutdown {
  /** Add a step; steps run in the order they were added. */
  add(name: string, run: () => Promise<void> | void): void;
  /** Run every step once, each bounded by what is left of the deadline. */
  run(reason: string): Promise<void>;
  /** Install SIGINT/SIGTERM handlers that run the steps and exit. */
  installSignalHandlers(): void;
}

/**
 * Ordered graceful shutdown: callers register steps in the order STYLE.md gives (not ready →
 * stop accepting → drain → flush batches → close stores → flush telemetry). A step that throws
 * or overruns is logged and the next one still runs.
 */
export function createShutdown(logger: Logger, deadlineMs: number): Shutdown {
  const steps: Step[] = [];
  let running: Promise<void> | undefined;
  const run = (reason: string) => {
    running ??= (async () => {
      const end = Date.now() + deadlineMs;
      logger.info({ reason }, 'shutting down');
      for (const step of steps) {
        const left = Math.max(100, end - Date.now());
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(step.run),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${left} ms`)), left);
            }),
          ]);
          logger.debug({ step: step.name }, 'shutdown step done');
        } catch (err) {
          logger.error({ err, step: step.name }, 'shutdown step failed');
        } finally {
          clearTimeout(timer);
        }
      }
      logger.info('stopped');
    })();
    return running;
  };
  return {
    add: (name, fn) => void steps.push({ name, run: fn }),
    run,
    installSignalHandlers() {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          logger.warn({ signal }, 'second signal: exiting now');
          process.exit(130);
        }
        void run(signal).then(() => process.exit(0));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    },
  };
}
