import { ConfigError, loadConfig, servicePort, type NethicalConfig, type ServiceName } from './config';
import { createHealth, type Health } from './health';
import { createLogger, type Logger } from './logger';
import { createServiceMetrics, type ServiceMetrics } from './metrics';
import { installLastResort } from './last-resort';
import { createShutdown, type Shutdown } from './shutdown';
import { startTelemetry } from './telemetry';

/** What every service's composition root starts from. */
export interface ServiceBase {
  name: ServiceName;
  config: NethicalConfig;
  port: number;
  logger: Logger;
  metrics: ServiceMetrics;
  health: Health;
  shutdown: Shutdown;
}

/**
 * Load and validate configuration (every error at once, exit 2), report unknown `NETHICAL_*`
 * variables, start telemetry, and create logger, metrics, health and the shutdown sequence.
 */
export async function bootstrap(name: ServiceName, env: NodeJS.ProcessEnv = process.env): Promise<ServiceBase> {
  let loaded;
  try {
    loaded = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { config, unknown } = loaded;
  const logger = createLogger(name, config.NETHICAL_LOG_LEVEL, config.NETHICAL_REGION_ID);
  if (unknown.length > 0) logger.warn({ unknown }, `unknown NETHICAL_* variables ignored: ${unknown.join(', ')}`);
  const telemetry = await startTelemetry(config, name, logger);
  const shutdown = createShutdown(logger, config.NETHICAL_SHUTDOWN_TIMEOUT_MS);
  const health = createHealth();
  const base: ServiceBase = {
    name,
    config,
    port: servicePort(config, name),
    logger,
    metrics: createServiceMetrics(name),
    health,
    shutdown,
  };
  // Telemetry is flushed last: registered by the caller after its own steps via finish().
  process.once('beforeExit', () => void telemetry.stop());
  shutdownTail.set(shutdown, () => telemetry.stop());
  return base;
}

const shutdownTail = new WeakMap<Shutdown, () => Promise<void>>();

/** Add the final shutdown step (flush telemetry) after the service's own steps, and arm signals. */
export function armShutdown(base: ServiceBase): void {
  const tail = shutdownTail.get(base.shutdown);
  if (tail) base.shutdown.add('flush telemetry', tail);
  base.shutdown.installSignalHandlers();
  installLastResort({ logger: base.logger, registry: base.metrics.registry });
}
