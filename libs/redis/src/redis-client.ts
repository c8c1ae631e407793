import { Cluster, Redis } from 'ioredis';

/** A standalone client or a Redis Cluster client; the stores use only single-slot commands. */
export type RedisClient = Redis | Cluster;

/** Options of `connectRedis`. */
export interface ConnectRedisOptions {
  /** `redis://[user:pass@]host:port[/db]`; with `cluster`, one seed node (db must be 0). */
  url: string;
  /** Treat `url` as a seed node of a Redis Cluster (`NETHICAL_REDIS_CLUSTER`). */
  cluster?: boolean;
  /** Give up on a TCP connect after this long, ms (default 1000). */
  connectTimeoutMs?: number;
  /** ioredis rejects a command not answered within this long, ms (default 1000). */
  commandTimeoutMs?: number;
  /** Batch commands issued in one tick into one write (default true). */
  autoPipelining?: boolean;
}

/**
 * A client that fails fast while Redis is away, for stores behind `createStoreAvailability`:
 * no offline queue (a command issued while disconnected rejects at once instead of waiting for a
 * reconnect), one retry per command, bounded connect and command timeouts, and reconnects every
 * 100-500 ms in the background. The caller owns the client (and its `error` events).
 */
export function connectRedis(options: ConnectRedisOptions): RedisClient {
  const common = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    retryStrategy: (times: number) => Math.min(100 * times, 500),
  };
  const autoPipelining = options.autoPipelining ?? true;
  if (!options.cluster)
    return new Redis(options.url, { ...common, enableAutoPipelining: autoPipelining });
  const parsed = new URL(options.url);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && db !== '0') {
    throw new Error(`NETHICAL_REDIS_URL: Redis Cluster has only database 0 (got /${db})`);
  }
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    enableOfflineQueue: false,
    enableAutoPipelining: autoPipelining,
    clusterRetryStrategy: (times: number) => Math.min(100 * times, 500),
    redisOptions: {
      ...common,
      username: parsed.username || undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    },
  });
}

/** Resolves when Redis answers; on a cluster, only when every slot is served (`cluster_state:ok`). */
export async function pingRedis(client: RedisClient): Promise<void> {
  if (client.isCluster) {
    const info = String(await (client as Cluster).cluster('INFO'));
    if (!info.includes('cluster_state:ok')) throw new Error('redis cluster_state is not ok');
    return;
  }
  await client.ping();
}

/** Wait for the first connection (so a service does not boot in fallback); false after `ms`. */
export function waitRedisReady(client: RedisClient, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Close without waiting on a dead server: QUIT when connected, else disconnect. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
