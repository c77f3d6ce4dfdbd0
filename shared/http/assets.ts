import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * The browser's scripts (client/*.ts). They are bundled once, before anything runs (infra/client-build.ts: at CDK
 * synth, at `npm start`, in a test run's setup), to files named for their content, `app.<hash>.js`, and a manifest
 * that maps each entry's name to its file. Pages name a script by its entry and get the hashed URL from `assetUrl`.
 * Such a URL never changes content, so it is served with a year's cache lifetime: in AWS by CloudFront from the site
 * bucket's `assets/` prefix, locally by the HTTP server from the build folder. No function serves or carries them.
 */

export const CLIENT_ENTRIES = {
  'app.js': 'client/app.ts',
  'form.js': 'client/form.ts',
  'import.js': 'client/import.ts',
  'admin.js': 'client/admin.ts',
} as const;
export type ClientAssetName = keyof typeof CLIENT_ENTRIES;
export const CLIENT_ASSET_NAMES = Object.keys(CLIENT_ENTRIES) as ClientAssetName[];

/** the URL path under which the hashed files are served, and the site bucket's key prefix that holds them */
export const ASSETS_PATH = '/assets/';
/** a hashed file's content never changes: caches keep it a year and never revalidate */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const ASSET_CONTENT_TYPE = 'text/javascript; charset=utf-8';

export const CLIENT_MANIFEST_FILE = 'manifest.json';
/** the folder of the build pages are rendered with (`npm start` and the tests set it); a Lambda reads its package's copy */
export const CLIENT_ASSETS_DIR_ENV = 'NIANBAO_CLIENT_ASSETS_DIR';

/** `<entry>.<hash>.js`: the hash is esbuild's content hash, upper-case letters and digits */
export const HASHED_FILE = /^[a-z]+\.[A-Z0-9]{8,}\.js$/u;

export const ClientManifestSchema = z.strictObject(
  Object.fromEntries(CLIENT_ASSET_NAMES.map((name) => [name, z.string().regex(HASHED_FILE)])) as Record<ClientAssetName, z.ZodString>,
);
export type ClientManifest = z.infer<typeof ClientManifestSchema>;

/** what a Lambda package holds beside its handler (infra/project-function.ts copies the build's manifest there) */
export const PACKAGED_MANIFEST_FILE = 'client-manifest.json';

let manifest: ClientManifest | undefined;

/** The manifest this process renders pages with: the build folder's when one is named, else the one in the package. */
export function clientManifest(): ClientManifest {
  if (manifest !== undefined) return manifest;
  const dir = process.env[CLIENT_ASSETS_DIR_ENV];
  const file = dir === undefined ? new URL(`./${PACKAGED_MANIFEST_FILE}`, import.meta.url) : join(dir, CLIENT_MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `no client build: ${CLIENT_ASSETS_DIR_ENV} names no folder and no ${PACKAGED_MANIFEST_FILE} is beside the code (infra/client-build.ts)`,
      {
        cause: error,
      },
    );
  }
  manifest = ClientManifestSchema.parse(JSON.parse(text));
  return manifest;
}

/** Renders pages with this build's manifest from now on (`npm start` builds at start and names its own). */
export function useClientManifest(built: ClientManifest): void {
  manifest = ClientManifestSchema.parse(built);
}

/** The URL of an entry's current file, e.g. `/assets/app.3KQ7ZC4M.js`: what every page's script tag points to. */
export const assetUrl = (name: ClientAssetName): string => `${ASSETS_PATH}${clientManifest()[name]}`;
