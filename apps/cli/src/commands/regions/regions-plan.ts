import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/** The three regions of the seed topology, in the order their ports are assigned. */
export const defaultRegions = ['us-east-1', 'eu-west-1', 'ap-south-1'] as const;

/** What `nethical regions up` was asked for (flags, with defaults applied). */
export interface RegionsOptions {
  /** Repository root: `config/<region>.env` is read from here. */
  repoRoot: string;
  /** Folder for state, logs and each region's storage (default `.data/regions`). */
  stateDir: string;
  regions: readonly string[];
  /** Gateway port of the first region; region i uses basePort + 10·i … + 5 (default 9000). */
  basePort: number;
  /** First port of the Redis Cluster's six nodes (bus: + 10000) (default 7000). */
  redisPort: number;
  /** Use this Redis Cluster (a seed node URL) instead of starting one. */
  redisUrl?: string | undefined;
  /** HAProxy listens here (default 8080). */
  lbPort: number;
  /** PostgreSQL server (a database per region is created on it); PGlite per region when unset. */
  databaseUrl?: string | undefined;
  /** Name prefix of the region databases (default `nethical_`). */
  databasePrefix: string;
  /** Quota limits file of every region (`NETHICAL_QUOTA_LIMITS_FILE`), e.g. a benchmark's. */
  quotaLimits?: string | undefined;
}

/** One region as it is laid out on this machine. */
export interface RegionPlan {
  region: string;
  basePort: number;
  gatewayUrl: string;
  storageDir: string;
  /** PostgreSQL database name, or undefined for PGlite under `storageDir`. */
  database?: string | undefined;
  /** Environment of every service of the region (the region file, then the overrides below). */
  env: NodeJS.ProcessEnv;
}

/** PostgreSQL database name of a region: `<prefix><region with _>`. */
export function databaseName(prefix: string, region: string): string {
  return `${prefix}${region.replace(/[^a-zA-Z0-9]/g, '_')}`;
}

/** Replace the database of a `postgres://` URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Lay out the regions: each one reads its `config/<region>.env` and gets, on top, what a region
 * on a shared machine must differ in: its ports, its storage dir (Merkle signer key, logs, PGlite),
 * its own PostgreSQL database (so its own audit log and Merkle tree), the shared Redis Cluster, and
 * no OpenTelemetry exporter (the file's collector hostname is for deployment). Pure apart from
 * reading the region files.
 */
export function planRegions(options: RegionsOptions, redisSeedUrl: string): RegionPlan[] {
  // Every gateway knows every region's gateway, to forward tenants to their home region.
  const regionGateways = options.regions
    .map((region, i) => `${region}=http://127.0.0.1:${options.basePort + 10 * i}`)
    .join(',');
  return options.regions.map((region, i) => {
    const file = path.join(options.repoRoot, 'config', `${region}.env`);
    const fileEnv = parseEnv(readFileSync(file, 'utf8'));
    const basePort = options.basePort + 10 * i;
    const storageDir = path.join(options.stateDir, region);
    const database = options.databaseUrl ? databaseName(options.databasePrefix, region) : undefined;
    const env: NodeJS.ProcessEnv = {
      ...fileEnv,
      NETHICAL_REGION_ID: region,
      NETHICAL_STORAGE_DIR: storageDir,
      NETHICAL_REDIS_URL: redisSeedUrl,
      NETHICAL_REDIS_CLUSTER: 'true',
      NETHICAL_REGION_GATEWAYS: regionGateways,
      NETHICAL_ENABLE_OTEL: 'false',
      OTEL_EXPORTER: 'none',
    };
    if (options.quotaLimits) env.NETHICAL_QUOTA_LIMITS_FILE = options.quotaLimits;
    if (options.databaseUrl && database)
      env.NETHICAL_DATABASE_URL = withDatabase(options.databaseUrl, database);
    else delete env.NETHICAL_DATABASE_URL;
    return {
      region,
      basePort,
      gatewayUrl: `http://127.0.0.1:${basePort}`,
      storageDir,
      database,
      env,
    };
  });
}
