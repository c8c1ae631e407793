import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, servicePort } from './config';

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
