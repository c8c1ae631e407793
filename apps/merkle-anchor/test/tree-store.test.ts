import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSql, type SqlClient } from '@nethical/postgres';
import { integrationMandatory, testDatabaseUrl } from '@nethical/testing';
import { afterAll } from 'vitest';
import { createMemoryTreeStore } from '../src/domain/memory-tree-store';
import { openSqlTreeStore } from '../src/adapters/sql-tree-store';
import { describeTreeStoreContract } from './tree-store.contract';

describeTreeStoreContract('memory', async () => {
  const store = createMemoryTreeStore();
  return { store, reopen: async () => store, cleanup: async () => {} };
});

// One on-disk PGlite database for the whole file (creating one costs seconds); each test gets
// its own table prefix, and `reopen` closes and reopens the database files like a restart.
const pgliteDir = await mkdtemp(join(tmpdir(), 'merkle-store-'));
// Opened at import, outside any test timeout: the first PGlite start (initdb) is slow on a busy host.
let pglite: SqlClient = await openSql({ dataDir: pgliteDir });
afterAll(async () => {
  await pglite.close();
  await rm(pgliteDir, { recursive: true, force: true });
});

const uniquePrefix = () => `mt${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}_`;

async function dropTables(sql: SqlClient, prefix: string): Promise<void> {
  for (const t of ['tree', 'tiles', 'checkpoints', 'migrations']) {
    await sql.exec(`DROP TABLE IF EXISTS ${prefix}${t}`);
  }
}

describeTreeStoreContract('PGlite (on disk, reopened)', async () => {
  const prefix = uniquePrefix();
  return {
    store: await openSqlTreeStore({ sql: pglite, tablePrefix: prefix }),
    async reopen() {
      await pglite.close();
      pglite = await openSql({ dataDir: pgliteDir });
      return openSqlTreeStore({ sql: pglite, tablePrefix: prefix });
    },
    cleanup: () => dropTables(pglite, prefix),
  };
});

async function postgresReachable(): Promise<boolean> {
  try {
    const sql = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 1 });
    await sql.query('SELECT 1');
    await sql.close();
    return true;
  } catch (err) {
    if (integrationMandatory) throw err;
    console.warn(
      `PostgreSQL not reachable at ${testDatabaseUrl}: TreeStore contract skipped there`,
    );
    return false;
  }
}

if (await postgresReachable()) {
  describeTreeStoreContract('PostgreSQL', async () => {
    // A unique table prefix per test: the server is shared with other engineers and runs.
    const prefix = uniquePrefix();
    let sql: SqlClient = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 2 });
    return {
      store: await openSqlTreeStore({ sql, tablePrefix: prefix }),
      async reopen() {
        await sql.close();
        sql = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 2 });
        return openSqlTreeStore({ sql, tablePrefix: prefix });
      },
      async cleanup() {
        await dropTables(sql, prefix);
        await sql.close();
      },
    };
  });
}
