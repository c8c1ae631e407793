import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compilePolicy, type CompiledPolicy } from '../domain/policy/compile-policy.js';
import { compileTaxonomy, type Taxonomy } from '../domain/taxonomy/taxonomy.js';

/** Default policy file name inside the policy directory. */
export const DEFAULT_POLICY_FILE = 'default.json';

export interface LoadPolicyOptions {
  /** Policy file name inside `dir`. */
  file?: string;
}

/**
 * Read and compile `<dir>/<file>`. Throws PolicyValidationError listing every problem.
 */
export async function loadPolicy(dir: string, options: LoadPolicyOptions = {}): Promise<CompiledPolicy> {
  const path = join(dir, options.file ?? DEFAULT_POLICY_FILE);
  return compilePolicy(await readFile(path, 'utf8'), path);
}

/** Read and validate `<dir>/<file>` as an ethical taxonomy. */
export async function loadTaxonomy(dir: string, file = 'ethical-dimensions.json'): Promise<Taxonomy> {
  const path = join(dir, file);
  return compileTaxonomy(JSON.parse(await readFile(path, 'utf8')) as unknown, path);
}

export interface WatchPolicyOptions extends LoadPolicyOptions {
  /** A reload failed: the previous policy stays in force. Log it. */
  onError?: (err: unknown) => void;
  /** Editors write files in several steps; reload once they settle. */
  debounceMs?: number;
  /** Revision already in force (e.g. `handle.current().revision`): an unchanged file is not re-announced. */
  currentRevision?: string;
}

/** Stops watching. */
export interface PolicyWatcher {
  close(): void;
}

/**
 * Watch the policy directory and call `onChange` with each successfully compiled new revision
 * (typically `handle.swap`). A file that fails validation is reported through `onError` and
 * the old policy stays in force. The directory is watched (not the file) so atomic
 * rename-on-save works.
 */
export function watchPolicy(dir: string, onChange: (p: CompiledPolicy) => void, options: WatchPolicyOptions = {}): PolicyWatcher {
  const file = options.file ?? DEFAULT_POLICY_FILE;
  const debounceMs = options.debounceMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  let lastRevision = options.currentRevision;
  let closed = false;
  const reload = async () => {
    try {
      const policy = await loadPolicy(dir, options);
      if (closed || policy.revision === lastRevision) return;
      lastRevision = policy.revision;
      onChange(policy);
    } catch (err) {
      if (!closed) options.onError?.(err);
    }
  };
  const watcher: FSWatcher = watch(dir, (_event, name) => {
    if (name !== null && name !== file) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
  });
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
