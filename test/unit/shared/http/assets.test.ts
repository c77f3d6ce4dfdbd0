import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildClientAssets, CLIENT_ASSETS_DIR_ENV } from '#shared/http/assets.js';

describe('the browser scripts', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('bundles each entry for the browser: ES modules, no Node built-ins, without zod’s locales', async () => {
    const built = await buildClientAssets();
    expect([...built.keys()].sort()).toEqual(['admin.js', 'app.js', 'form.js', 'import.js']);
    // the import page's script needs no schema library
    expect(built.get('import.js')?.length).toBeLessThan(10_000);
    for (const [, body] of built) {
      expect(body).not.toMatch(/\bfrom\s*["']node:/u);
      expect(body).not.toMatch(/\brequire\(/u);
    }
    // the checks are inside the form's script (its Chinese messages with them), and the locales are not
    expect(built.get('form.js')).toContain('未填写');
    expect(built.get('form.js')).not.toContain('Ungültige Eingabe');
    expect(built.get('form.js')?.length).toBeLessThan(350_000);
    // the small script every page loads carries no schema library
    expect(built.get('app.js')?.length).toBeLessThan(20_000);
  }, 30_000);

  it('serves prebuilt files when a package carries them, and builds nothing then', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nianbao-assets-'));
    try {
      await writeFile(join(dir, 'app.js'), 'console.log("app")');
      await writeFile(join(dir, 'form.js'), 'console.log("form")');
      await writeFile(join(dir, 'import.js'), 'console.log("import")');
      await writeFile(join(dir, 'admin.js'), 'console.log("admin")');
      vi.stubEnv(CLIENT_ASSETS_DIR_ENV, dir);
      const fresh = await import('#shared/http/assets.js');
      const response = await fresh.assetResponse('form.js', undefined);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('console.log("form")');
      expect((await fresh.assetResponse('form.js', response.headers['etag'])).statusCode).toBe(304);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
