import { testDatabaseUrl, integrationMandatory } from '@nethical/testing';
import { describe, expect, it } from 'vitest';
import { openSql } from '@nethical/postgres';
import { ensureDatabase, splitDatabaseUrl, storageStats } from './database';

describe('splitDatabaseUrl', () => {
  it('points at the maintenance database and rejects odd names', () => {
    expect(splitDatabaseUrl('postgres://postgres@127.0.0.1:5432/nethical_perf')).toEqual({
      name: 'nethical_perf',
      adminUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    expect(() => splitDatabaseUrl('postgres://h/x";DROP')).toThrow(/unsupported/);
  });
});

const reachable = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 1 })
  .then(async (sql) => {
    await sql.query('SELECT 1');
    await sql.close();
    return true;
  })
  .catch(() => false);

describe.runIf(reachable || integrationMandatory)('ensureDatabase (real PostgreSQL)', () => {
  it('creates a missing database once, then measures it', async () => {
    const name = `nethical_perf_t${process.pid}_${Date.now().toString(36)}`;
    const url = new URL(testDatabaseUrl);
    url.pathname = `/${name}`;
    try {
      expect(await ensureDatabase(url.toString())).toBe(true);
      expect(await ensureDatabase(url.toString())).toBe(false);
      const stats = await storageStats(url.toString());
      expect(stats.databaseBytes).toBeGreaterThan(0);
      expect(stats.auditRecords).toBeNull();
    } finally {
      const admin = await openSql({
        databaseUrl: splitDatabaseUrl(url.toString()).adminUrl,
        poolSize: 1,
      });
      await admin.exec(`DROP DATABASE IF EXISTS "${name}"`);
      await admin.close();
    }
  });
});
