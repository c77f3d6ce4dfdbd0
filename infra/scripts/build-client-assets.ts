import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { buildClientAssets } from '../../shared/http/assets.js';

/**
 * Writes the browser's scripts (client/*.ts, bundled as shared/http/assets.ts bundles them) into
 * `<dir>/client-assets/`, where the web-pages Lambda looks for them beside its handler: the Lambda has neither
 * esbuild nor the client sources. Run by the web-pages function's bundling (infra/project-function.ts):
 * `node --import tsx infra/scripts/build-client-assets.ts <bundle output dir>`.
 */
const outputDir = process.argv[2];
if (outputDir === undefined) {
  process.stderr.write('usage: node --import tsx infra/scripts/build-client-assets.ts <bundle output dir>\n');
  process.exit(2);
}
const target = path.join(outputDir, 'client-assets');
await mkdir(target, { recursive: true });
for (const [name, body] of await buildClientAssets()) await writeFile(path.join(target, name), body, 'utf8');
