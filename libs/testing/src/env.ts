/**
 * Where integration tests find real servers. In CI (`CI=true`) they are mandatory: a test that
 * needs one fails instead of skipping when it is not reachable.
 */
export const testRedisUrl = process.env.NETHICAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
export const testDatabaseUrl =
  process.env.NETHICAL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const integrationMandatory = process.env.CI === 'true';
