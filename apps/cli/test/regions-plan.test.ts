import { describe, expect, it } from 'vitest';
import { haproxyConfig } from '../src/commands/regions/haproxy-config';
import {
  databaseName,
  defaultRegions,
  planRegions,
  withDatabase,
} from '../src/commands/regions/regions-plan';
import { repoRoot } from '../src/mesh';

describe('regions plan', () => {
  const options = {
    repoRoot,
    stateDir: '/tmp/regions',
    regions: defaultRegions,
    basePort: 9000,
    redisPort: 7000,
    lbPort: 8080,
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    databasePrefix: 'nethical_',
  };
  const plans = planRegions(options, 'redis://127.0.0.1:7000');

  it('gives each region its ports, storage, database and the shared cluster, over its region file', () => {
    expect(plans.map((p) => [p.region, p.basePort, p.database, p.storageDir])).toEqual([
      ['us-east-1', 9000, 'nethical_us_east_1', '/tmp/regions/us-east-1'],
      ['eu-west-1', 9010, 'nethical_eu_west_1', '/tmp/regions/eu-west-1'],
      ['ap-south-1', 9020, 'nethical_ap_south_1', '/tmp/regions/ap-south-1'],
    ]);
    const eu = plans[1]!.env;
    expect(eu).toMatchObject({
      NETHICAL_REGION_ID: 'eu-west-1',
      NETHICAL_REDIS_URL: 'redis://127.0.0.1:7000',
      NETHICAL_REDIS_CLUSTER: 'true',
      NETHICAL_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/nethical_eu_west_1',
      NETHICAL_ENABLE_OTEL: 'false',
      NETHICAL_REGION_GATEWAYS:
        'us-east-1=http://127.0.0.1:9000,eu-west-1=http://127.0.0.1:9010,ap-south-1=http://127.0.0.1:9020',
      // From config/eu-west-1.env, untouched:
      NETHICAL_DATA_RESIDENCY_POLICY: 'EU_GDPR',
      NETHICAL_REDACTION_POLICY: 'aggressive',
    });
  });

  it('gives every region the quota limits file it is asked for', () => {
    expect(plans[0]!.env.NETHICAL_QUOTA_LIMITS_FILE).toBeUndefined();
    const withLimits = planRegions(
      { ...options, quotaLimits: '/tmp/limits.json' },
      'redis://127.0.0.1:7000',
    );
    expect(withLimits.map((p) => p.env.NETHICAL_QUOTA_LIMITS_FILE)).toEqual([
      '/tmp/limits.json',
      '/tmp/limits.json',
      '/tmp/limits.json',
    ]);
  });

  it('names databases safely and swaps the database of a URL', () => {
    expect(databaseName('h15_', 'ap-south-1')).toBe('h15_ap_south_1');
    expect(withDatabase('postgres://u:p@h:5432/postgres?sslmode=disable', 'x')).toBe(
      'postgres://u:p@h:5432/x?sslmode=disable',
    );
  });

  it('balances over every gateway with /readyz checks and redispatch', () => {
    const cfg = haproxyConfig({
      bindPort: 8080,
      servers: plans.map((p) => ({ region: p.region, host: '127.0.0.1', port: p.basePort })),
    });
    expect(cfg).toContain('bind 127.0.0.1:8080');
    expect(cfg).toContain('option httpchk GET /readyz');
    expect(cfg).toContain('option redispatch');
    expect(cfg).toContain('mode tcp');
    expect(cfg).toContain('server eu-west-1 127.0.0.1:9010 check');
  });
});
