/** `npm run build:console`: build the browser console into dist/console (see bundle-console.ts). */
import { bundleConsole } from './bundle-console';
import { repoRoot } from './mesh';

const started = performance.now();
const dir = await bundleConsole(repoRoot);
process.stderr.write(`console built in ${dir} (${Math.round(performance.now() - started)} ms)\n`);
