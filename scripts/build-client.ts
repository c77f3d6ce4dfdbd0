import * as path from 'node:path';
import { buildClientAssets } from '../infra/client-build.js';

/**
 * `node --import tsx scripts/build-client.ts <folder>`: bundles the browser's scripts into <folder> as
 * `<entry>.<contenthash>.js` plus manifest.json (infra/client-build.ts). CDK synth runs it; so can anyone.
 */
const outDir = process.argv[2];
if (outDir === undefined) {
  process.stderr.write('usage: node --import tsx scripts/build-client.ts <folder>\n');
  process.exit(2);
}
// silent on success: synth runs it, and its output is CDK's
await buildClientAssets(path.resolve(outDir));
