import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateK8sDir } from './validate-k8s';

const k8sDir = path.resolve(import.meta.dirname, '../../deploy/k8s');
const copies: string[] = [];

/** A copy of deploy/k8s with `file` edited by `edit`, so each rule is shown to fire. */
function mutated(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nethical-k8s-'));
  copies.push(dir);
  cpSync(k8sDir, dir, { recursive: true });
  const target = path.join(dir, file);
  const before = readFileSync(target, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(target, after);
  return dir;
}

afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('deploy/k8s manifests', () => {
  it('pass the Kubernetes schemas and our rules', () => {
    expect(validateK8sDir(k8sDir)).toEqual([]);
  });

  it('reject a schema error (a string where the API wants an integer)', () => {
    const dir = mutated('gateway.yaml', (t) => t.replace('replicas: 2', 'replicas: two'));
    expect(validateK8sDir(dir).join('\n')).toMatch(/gateway.*replicas must be integer/);
  });

  it('reject a readiness probe that is not /readyz', () => {
    const dir = mutated('quota.yaml', (t) => t.replace('path: /readyz', 'path: /healthz'));
    expect(validateK8sDir(dir)).toContain('quota: readiness probe is not /readyz');
  });

  it('reject a second merkle-anchor (the log has one signer)', () => {
    const dir = mutated('merkle-anchor.yaml', (t) => t.replace('replicas: 1', 'replicas: 2'));
    expect(validateK8sDir(dir)).toContain('merkle-anchor: a single writer must run 1 replica');
  });

  it('reject a writable root filesystem and a missing memory limit', () => {
    const dir = mutated('audit-store.yaml', (t) =>
      t
        .replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false')
        .replace(/\n\s+limits: \{ memory: \w+ \}/, ''),
    );
    expect(validateK8sDir(dir)).toEqual(
      expect.arrayContaining([
        'audit-store: root filesystem is writable',
        'audit-store: no memory limit',
      ]),
    );
  });
});
