import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { integrationMandatory, testDatabaseUrl } from './env';

/** A database of its own on the test PostgreSQL server, for one suite. */
export interface ScratchDatabase {
  /** `postgres://…/<name>`. */
  url: string;
  name: string;
  /** Drop it (sessions still connected are ended). */
  drop(): Promise<void>;
}

/**
 * Create `<prefix>_<random>` on the test PostgreSQL server (NETHICAL_TEST_DATABASE_URL).
 * Undefined when the server cannot be reached locally; in CI (`CI=true`) that throws instead.
 */
export async function scratchDatabase(prefix: string): Promise<ScratchDatabase | undefined> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  try {
    await admin.connect();
  } catch (err) {
    if (integrationMandatory) throw err;
    return undefined;
  }
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: testDatabaseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
