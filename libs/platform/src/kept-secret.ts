import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger';

export interface KeptSecretOptions {
  /** The configured value (an environment variable); used as it is when set. */
  configured: string | undefined;
  /** Where the generated value is kept when nothing is configured. */
  file: string;
  generate(): string;
  logger: Logger;
  /** What to tell the operator when a value is generated (e.g. which variable to set). */
  warning: string;
}

/**
 * A secret that is configured, or else generated once and kept (mode 0600) in the storage dir,
 * so a single host keeps it across restarts; hosts that must agree set it explicitly. Two
 * processes starting together agree too: the file is created exclusively and the loser reads
 * the winner's value.
 */
export function keptSecret(options: KeptSecretOptions): string {
  if (options.configured) return options.configured;
  mkdirSync(path.dirname(options.file), { recursive: true });
  try {
    writeFileSync(options.file, `${options.generate()}\n`, { mode: 0o600, flag: 'wx' });
    options.logger.warn({ file: options.file }, options.warning);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(options.file, 'utf8').trim();
}
