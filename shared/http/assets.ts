import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import { SECURITY_HEADERS, type HttpResponse } from './response.js';

/**
 * The browser's scripts (client/*.ts), served at /assets/{name}. They are bundled once per process: from prebuilt
 * files when there are any (a Lambda package carries them in `client-assets/` beside its handler, or wherever
 * NIANBAO_CLIENT_ASSETS_DIR points), otherwise by esbuild from the sources at the first request (`npm start`, tests).
 * Either way the same bytes: `buildClientAssets` is what a packaging step calls to write the prebuilt files.
 */

export const CLIENT_ENTRIES = { 'app.js': 'client/app.ts', 'form.js': 'client/form.ts', 'import.js': 'client/import.ts', 'admin.js': 'client/admin.ts' } as const;
export type ClientAssetName = keyof typeof CLIENT_ENTRIES;

export const CLIENT_ASSETS_DIR_ENV = 'NIANBAO_CLIENT_ASSETS_DIR';

export interface Asset {
  readonly body: string;
  readonly etag: string;
}

const isAssetName = (name: string): name is ClientAssetName => Object.hasOwn(CLIENT_ENTRIES, name);

const projectRoot = (): string => fileURLToPath(new URL('../../', import.meta.url));

/**
 * zod's namespace re-exports every locale (≈ 250 KB minified) and nothing here uses them: the checks write their own
 * Chinese messages. The namespace is replaced by an empty module; zod still configures its English default.
 */
const withoutZodLocales: Esbuild.Plugin = {
  name: 'without-zod-locales',
  setup(build) {
    build.onResolve({ filter: /locales\/index\.js$/ }, (args) => (/node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/** Bundles every entry with esbuild: ES modules for the browser, minified, no source maps. */
export async function buildClientAssets(): Promise<Map<ClientAssetName, string>> {
  // a computed specifier keeps a Lambda bundler from pulling esbuild (a native binary) into the package
  const specifier = 'esbuild';
  const esbuild = (await import(specifier)) as typeof Esbuild;
  const names = Object.keys(CLIENT_ENTRIES) as ClientAssetName[];
  const result = await esbuild.build({
    absWorkingDir: projectRoot(),
    entryPoints: Object.fromEntries(names.map((name) => [name.replace(/\.js$/, ''), CLIENT_ENTRIES[name]])),
    outdir: 'client-assets',
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    plugins: [withoutZodLocales],
  });
  const built = new Map<ClientAssetName, string>();
  for (const file of result.outputFiles) {
    const name = file.path.split(/[\\/]/).at(-1) ?? '';
    if (isAssetName(name)) built.set(name, file.text);
  }
  for (const name of names) if (!built.has(name)) throw new Error(`esbuild produced no ${name}`);
  return built;
}

async function prebuilt(): Promise<Map<ClientAssetName, string> | undefined> {
  const dir = process.env[CLIENT_ASSETS_DIR_ENV] ?? fileURLToPath(new URL('./client-assets/', import.meta.url));
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return undefined;
  }
  const names = (Object.keys(CLIENT_ENTRIES) as ClientAssetName[]).filter((name) => files.includes(name));
  if (names.length !== Object.keys(CLIENT_ENTRIES).length) return undefined;
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(`${dir}/${name}`, 'utf8')] as const)));
}

let loading: Promise<ReadonlyMap<string, Asset>> | undefined;

export function clientAssets(): Promise<ReadonlyMap<string, Asset>> {
  loading ??= (async () => {
    const sources = (await prebuilt()) ?? (await buildClientAssets());
    return new Map(
      [...sources].map(([name, body]) => [name, { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }] as const),
    );
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** The asset's response: revalidated on each load (ETag), so a new deployment is picked up at once. */
export async function assetResponse(name: string, ifNoneMatch: string | undefined): Promise<HttpResponse> {
  const asset = (await clientAssets()).get(name);
  const headers = { ...SECURITY_HEADERS, 'cache-control': 'no-cache' };
  if (!asset) return { statusCode: 404, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }, body: '未找到该文件。' };
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === asset.etag)) {
    return { statusCode: 304, headers: { ...headers, etag: asset.etag }, body: '' };
  }
  return { statusCode: 200, headers: { ...headers, 'content-type': 'text/javascript; charset=utf-8', etag: asset.etag }, body: asset.body };
}
