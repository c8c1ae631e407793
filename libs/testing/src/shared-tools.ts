/**
 * The real gRPC command-line tools (`grpcurl`, `ghz`) that tests and CI scripts run, from
 * `../shared/bin` beside the checkout (or `NETHICAL_TOOLS_DIR`). They are not in the repository
 * and not on npm, so a test skips locally when one is absent and fails in CI (`CI=true`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Folder holding the tool binaries. */
export const sharedToolsDir =
  process.env.NETHICAL_TOOLS_DIR ?? path.resolve(repoRoot, '../shared/bin');

/** Absolute path of a shared tool, or undefined when it is not installed here. */
export function sharedTool(name: 'grpcurl' | 'ghz'): string | undefined {
  const file = path.join(sharedToolsDir, name);
  return existsSync(file) ? file : undefined;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a tool to completion; a non-zero exit is returned, not thrown. */
export async function runTool(
  file: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, {
      timeout: timeoutMs,
      maxBuffer: 32 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? e.message,
    };
  }
}
