import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * Build the browser console (`apps/console`) into `<repo>/dist/console/`: `index.html`,
 * `console.js` (one minified ES module: the page, the generated Connect-web clients, @noble
 * Ed25519), `console.css` and source maps. The gateway serves that folder at /console
 * (NETHICAL_CONSOLE_DIR). Built on every mesh start like the services (esbuild, well under a
 * second), so the page always matches the protos; files are staged and renamed into place.
 */
export async function bundleConsole(
  repoRoot: string,
  outDir = path.join(repoRoot, 'dist', 'console'),
): Promise<string> {
  const src = path.join(repoRoot, 'apps', 'console', 'src');
  const stage = path.join(path.dirname(outDir), `.console-${process.pid}-${Date.now()}`);
  mkdirSync(stage, { recursive: true });
  await build({
    absWorkingDir: repoRoot,
    entryPoints: { console: path.join(src, 'main.ts') },
    outdir: stage,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome111', 'firefox111', 'safari16.4'],
    minify: true,
    sourcemap: 'linked',
    tsconfig: path.join(repoRoot, 'apps', 'console', 'tsconfig.json'),
    logLevel: 'error',
    legalComments: 'linked',
  });
  copyFileSync(path.join(src, 'index.html'), path.join(stage, 'index.html'));
  mkdirSync(outDir, { recursive: true });
  for (const file of readdirSync(stage))
    renameSync(path.join(stage, file), path.join(outDir, file));
  rmSync(stage, { recursive: true, force: true });
  return outDir;
}
