import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, servicePort, shownValue } from './config';

describe('loadConfig', () => {
  it('applies defaults and parses flags and numbers', () => {
    const { config, unknown } = loadConfig({ NETHICAL_ENABLE_QUOTA: 'false', NETHICAL_REQUESTS_PER_SECOND: '150.0' });
    expect(config.NETHICAL_ENABLE_QUOTA).toBe(false);
    expect(config.NETHICAL_REQUESTS_PER_SECOND).toBe(150);
    expect(config.NETHICAL_MAX_PAYLOAD_BYTES).toBe(1_000_000);
    expect(servicePort(config, 'gateway')).toBe(8000);
    expect(unknown).toEqual([]);
  });

  it('reports every invalid variable at once', () => {
    try {
      loadConfig({ NETHICAL_ENABLE_QUOTA: 'maybe', NETHICAL_MAX_PAYLOAD_BYTES: '-1', NETHICAL_REDACTION_POLICY: 'lax' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('NETHICAL_ENABLE_QUOTA');
      expect(problems).toContain('NETHICAL_MAX_PAYLOAD_BYTES');
      expect(problems).toContain('NETHICAL_REDACTION_POLICY');
    }
  });

  it('names a bad secret setting without printing it, and masks URL passwords', () => {
    const problems = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
      return '';
    };
    const keyTenants = problems({ NETHICAL_API_KEY_TENANTS: 'acme:k-good-1,sk-live-SECRET-no-tenant,beta:k-good-1' });
    expect(keyTenants).toContain('NETHICAL_API_KEY_TENANTS: entry 2 is not <tenant>:<key>');
    expect(keyTenants).toContain('entry 3 binds a key already bound to tenant acme');
    expect(keyTenants).not.toContain('SECRET');
    expect(keyTenants).not.toContain('k-good-1');
    const digest = problems({ NETHICAL_REQUEST_DIGEST_KEY: 'short-secret-value' });
    expect(digest).toContain('NETHICAL_REQUEST_DIGEST_KEY');
    expect(digest).toContain('18 characters, not shown');
    expect(digest).not.toContain('short-secret-value');
    expect(shownValue('NETHICAL_DATABASE_URL', 'postgres://app:hunter2@db:5432/x')).toBe('"postgres://app:***@db:5432/x"');
    expect(shownValue('NETHICAL_REDIS_URL', 'redis://:hunter2@cache:6379')).toBe('"redis://:***@cache:6379"');
    expect(shownValue('NETHICAL_REGION_ID', 'eu-west-1')).toBe('"eu-west-1"');
    expect(loadConfig({ NETHICAL_API_KEY_TENANTS: 'acme:k1, beta:k:2=x , acme:k1' }).config.NETHICAL_API_KEY_TENANTS).toBeTruthy();
  });

  it('names unknown NETHICAL_* variables', () => {
    expect(loadConfig({ NETHICAL_ENABLE_QUOTAS: 'true' }).unknown).toEqual(['NETHICAL_ENABLE_QUOTAS']);
  });

  it('reads every variable of the region env files', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseEnv } = await import('node:util');
    for (const region of ['us-east-1', 'eu-west-1', 'ap-south-1']) {
      const env = parseEnv(readFileSync(new URL(`../../../config/${region}.env`, import.meta.url), 'utf8'));
      const { config, unknown } = loadConfig(env);
      expect(unknown).toEqual([]);
      expect(config.NETHICAL_REGION_ID).toBe(region);
      for (const key of Object.keys(env)) expect(key in config).toBe(true);
    }
  });
});

describe('docs/configuration.md', () => {
  it('documents every setting', async () => {
    const { readFileSync } = await import('node:fs');
    const { configSchema } = await import('./config');
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    for (const key of Object.keys(configSchema.shape)) expect(doc).toContain(`\`${key}\``);
  });
});
