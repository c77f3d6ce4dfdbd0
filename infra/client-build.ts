import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import {
  CLIENT_ASSET_NAMES,
  CLIENT_ENTRIES,
  CLIENT_MANIFEST_FILE,
  ClientManifestSchema,
  type ClientManifest,
} from '../shared/http/assets.js';

/**
 * The one build of the browser's scripts: client/*.ts bundled by esbuild to `<entry>.<contenthash>.js` and a
 * manifest.json mapping each entry to its file. CDK synth runs it (through scripts/build-client.ts, as synth is
 * synchronous) and deploys the folder to the site bucket; `npm start` and the tests' setup call it directly.
 */

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * zod's namespace re-exports every locale (≈ 250 KB minified) and nothing here uses them: the checks write their own
 * Chinese messages. The namespace is replaced by an empty module; zod still configures its English default.
 */
const withoutZodLocales: esbuild.Plugin = {
  name: 'without-zod-locales',
  setup(build) {
    build.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      /node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const entryOf = (name: string): string => name.replace(/\.js$/u, '');

/**
 * Bundles every entry into `outDir` (emptied first): ES modules for the browser, minified, no source maps. `root` is
 * the project whose client/ is built (this one; a test gives a folder of its own).
 */
export async function buildClientAssets(outDir: string, root: string = PROJECT_ROOT): Promise<ClientManifest> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(CLIENT_ASSET_NAMES.map((name) => [entryOf(name), CLIENT_ENTRIES[name]])),
    outdir: outDir,
    entryNames: '[name].[hash]',
    // every import is bundled into its entry: no shared chunks whose names a page would also need
    splitting: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    metafile: true,
    plugins: [withoutZodLocales],
  });
  const files = new Map<string, string>();
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint !== undefined) files.set(path.basename(meta.entryPoint, '.ts'), path.basename(output));
  }
  const manifest = ClientManifestSchema.parse(Object.fromEntries(CLIENT_ASSET_NAMES.map((name) => [name, files.get(entryOf(name))])));
  await writeFile(path.join(outDir, CLIENT_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  return manifest;
}

let synthBuild: { readonly dir: string; readonly manifest: ClientManifest } | undefined;

/**
 * The build CDK synth deploys and inlines (once per process: every stack of an app shares it). Synth cannot wait for
 * a promise, so the same function runs in a child process.
 */
export function clientBuildForSynth(): { readonly dir: string; readonly manifest: ClientManifest } {
  if (synthBuild !== undefined) return synthBuild;
  const dir = mkdtempSync(path.join(tmpdir(), 'nianbao-client-'));
  // synthesis stages the folder into the cloud assembly; the temporary copy goes with the process
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  execFileSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'build-client.ts'), dir], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  synthBuild = { dir, manifest: ClientManifestSchema.parse(JSON.parse(readFileSync(path.join(dir, CLIENT_MANIFEST_FILE), 'utf8'))) };
  return synthBuild;
}
