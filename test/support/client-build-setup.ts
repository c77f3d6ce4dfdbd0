import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClientAssets } from '../../infra/client-build.js';
import { CLIENT_ASSETS_DIR_ENV } from '../../shared/http/assets.js';

/**
 * Vitest's global setup: the browser scripts are built once per run, as `npm start` builds them, and every test
 * process renders pages with that build's manifest (handlers called directly have no local server to name one).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'nianbao-test-client-'));
  await buildClientAssets(dir);
  process.env[CLIENT_ASSETS_DIR_ENV] = dir;
  return () => rm(dir, { recursive: true, force: true });
}
