/**
 * Prepare the build context of the service images on the host (npm inside a build container
 * cannot reach the registry here, and the bundles need the repository anyway):
 *
 *   dist/image-context/<service>/app/dist/services/<service>.mjs   the esbuild bundle (as `npm start`)
 *   dist/image-context/<service>/app/node_modules/…                 only the files the bundle loads
 *   dist/image-context/<service>/app/<data>                         policies, limits, model
 *
 * The node_modules subset is traced with @vercel/nft (the file tracer Next.js and Vercel use to
 * ship serverless functions): it follows the bundle's imports and `require`s into node_modules,
 * including native `.node` files and assets, so each image carries what its service loads and
 * no dev tooling. Packages a service loads in ways a tracer cannot see are listed in `extras`.
 *
 * Usage: `npx tsx tools/deploy/build-context.ts [service…]` (default: all six).
 */
import { nodeFileTrace } from '@vercel/nft';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bundleServices } from '../../apps/cli/src/bundle-services';
import { repoRoot, services, type MeshService } from '../../apps/cli/src/mesh';

/** Data files each service reads at start-up (paths relative to the repo, as in the config defaults). */
const data: Record<MeshService, string[]> = {
  gateway: [],
  quota: ['config/quota'],
  'policy-judge': ['config/policies', 'config/taxonomy'],
  'ml-scorer': ['apps/ml-scorer/models'],
  'audit-store': [],
  'merkle-anchor': [],
};

/**
 * Whole packages to copy besides the trace: PGlite (embedded PostgreSQL, used when
 * NETHICAL_DATABASE_URL is unset) loads its WebAssembly and data bundle by computed URLs.
 */
const extras: Record<MeshService, string[]> = {
  gateway: [],
  quota: [],
  'policy-judge': [],
  'ml-scorer': [],
  'audit-store': ['node_modules/@electric-sql/pglite'],
  'merkle-anchor': ['node_modules/@electric-sql/pglite'],
};

/** Copy one repo-relative path into the service's context, keeping its relative location. */
function copyInto(appDir: string, relative: string): void {
  const target = path.join(appDir, relative);
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(path.join(repoRoot, relative), target, { recursive: true, dereference: true });
}

/** Build the context of each service; returns the context folder. */
export async function buildContext(wanted: readonly MeshService[]): Promise<string> {
  const contextRoot = path.join(repoRoot, 'dist', 'image-context');
  const bundles = await bundleServices(repoRoot, wanted);
  // One analysis cache for the six traces: they share most of node_modules.
  const cache = {};
  for (const service of wanted) {
    const appDir = path.join(contextRoot, service, 'app');
    rmSync(path.join(contextRoot, service), { recursive: true, force: true });
    mkdirSync(appDir, { recursive: true });
    const bundle = bundles[service] as string;
    const trace = await nodeFileTrace([bundle], {
      base: repoRoot,
      processCwd: repoRoot,
      cache,
      ignore: (file) => !file.startsWith('node_modules/') && !file.startsWith('dist/services/'),
    });
    // Only node_modules: our own code is in the bundle, and the tracer also matches computed
    // paths (the storage dir's kept keys) against whatever lies in the work tree (.data/…).
    const files = [...trace.fileList].filter((f) => f.startsWith('node_modules/'));
    for (const file of files) copyInto(appDir, file);
    for (const file of [...data[service], ...extras[service]]) copyInto(appDir, file);
    const bundleRel = path.relative(repoRoot, bundle);
    copyInto(appDir, bundleRel);
    copyInto(appDir, `${bundleRel}.map`);
    process.stderr.write(`build-context: ${service}: ${files.length} traced files\n`);
  }
  return contextRoot;
}

const isMain =
  process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !(services as readonly string[]).includes(a));
  if (unknown.length > 0) {
    process.stderr.write(`build-context: unknown service(s): ${unknown.join(', ')}\n`);
    process.exit(2);
  }
  const wanted = args.length > 0 ? (args as MeshService[]) : [...services];
  process.stdout.write(`${await buildContext(wanted)}\n`);
}
