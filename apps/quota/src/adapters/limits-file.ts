import { readFile } from 'node:fs/promises';
import { QuotaConfigError } from '../domain/errors';
import { parseQuotaLimits, type QuotaLimits } from '../domain/limits-config';

/**
 * Read and validate a limits file (`config/quota/limits.json`); throws `QuotaConfigError`
 * with every problem at once, so boot can print them all and exit non-zero.
 */
export async function loadQuotaLimits(file: string): Promise<QuotaLimits> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new QuotaConfigError([`${file}: cannot read: ${(error as Error).message}`], {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new QuotaConfigError([`${file}: invalid JSON: ${(error as Error).message}`], {
      cause: error,
    });
  }
  return parseQuotaLimits(json, file);
}
