import { build } from 'esbuild';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * Bundle each service's `main.ts` into one plain ES module under `<repo>/dist/services/`, so
 * the mesh runs services on bare `node`: no TypeScript loader at start-up (tsx took 20–60 s per
 * service on a loaded machine) and no source-map stack formatting on every error at run time.
 * npm packages stay external (resolved from `node_modules`, as before, so OpenTelemetry's
 * instrumentation still hooks them); `@nethical/*` libraries are resolved through
 * tsconfig.json's `paths` and bundled in.
 *
 * The bundles are rebuilt on every mesh start (esbuild takes about a second for all six), so a
 * stale build can never run. Each bundle is written to a temporary name and renamed, so two
 * meshes starting at once (the e2e tests) never run a half-written file. Source maps are
 * written beside the bundles: `NETHICAL_MESH_NODE_ARGS=--enable-source-maps` maps stacks back.
 */
export async function bundleServices(repoRoot: string, services: readonly string[]): Promise<Record<string, string>> {
  const outDir = path.join(repoRoot, 'dist', 'services');
  const stage = path.join(outDir, `.build-${process.pid}-${Date.now()}`);
  mkdirSync(stage, { recursive: true });
  await build({
    absWorkingDir: repoRoot,
    entryPoints: Object.fromEntries(services.map((s) => [s, path.join(repoRoot, 'apps', s, 'src', 'main.ts')])),
    outdir: stage,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(repoRoot, 'tsconfig.json'),
    sourcemap: 'linked',
    logLevel: 'error',
  });
  const out: Record<string, string> = {};
  for (const s of services) {
    const file = path.join(outDir, `${s}.mjs`);
    renameSync(path.join(stage, `${s}.mjs.map`), `${file}.map`);
    renameSync(path.join(stage, `${s}.mjs`), file);
    out[s] = file;
  }
  rmSync(stage, { recursive: true, force: true });
  return out;
}
