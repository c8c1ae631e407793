import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { keptSecret } from './kept-secret';

const logger = () => ({ warn: vi.fn() }) as unknown as Parameters<typeof keptSecret>[0]['logger'];

describe('keptSecret', () => {
  it('uses the configured value and writes nothing', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kept-')), 'k');
    expect(keptSecret({ configured: 'configured-value', file, generate: () => 'x', logger: logger(), warning: 'w' })).toBe('configured-value');
    expect(() => statSync(file)).toThrow();
  });

  it('generates once, keeps the value 0600 and warns once; later calls read it', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kept-')), 'sub', 'k');
    const log = logger();
    let n = 0;
    const generate = () => `secret-${++n}`;
    const first = keptSecret({ configured: undefined, file, generate, logger: log, warning: 'set X' });
    const second = keptSecret({ configured: '', file, generate, logger: log, warning: 'set X' });
    expect(first).toBe('secret-1');
    expect(second).toBe('secret-1');
    expect(readFileSync(file, 'utf8')).toBe('secret-1\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(log.warn).toHaveBeenCalledTimes(1);
  });
});
