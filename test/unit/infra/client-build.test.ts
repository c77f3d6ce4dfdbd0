import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildClientAssets } from '#infra/client-build.js';
import { CLIENT_ASSET_NAMES, CLIENT_ENTRIES, CLIENT_MANIFEST_FILE, HASHED_FILE, type ClientAssetName } from '#shared/http/assets.js';

const work = await mkdtemp(join(tmpdir(), 'nianbao-client-build-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** A project of four plain entries, so one can be edited without touching the real client/. */
async function tinyProject(sources: Partial<Record<ClientAssetName, string>> = {}): Promise<string> {
  const root = await mkdtemp(join(work, 'project-'));
  await mkdir(join(root, 'client'));
  for (const name of CLIENT_ASSET_NAMES)
    await writeFile(join(root, CLIENT_ENTRIES[name]), sources[name] ?? `document.title = ${JSON.stringify(name)};\n`);
  return root;
}

describe('the build of the browser scripts', () => {
  it('names each file for its content: an edited entry gets a new name, the others keep theirs', async () => {
    const before = await buildClientAssets(join(work, 'before'), await tinyProject());
    const again = await buildClientAssets(join(work, 'again'), await tinyProject());
    const after = await buildClientAssets(join(work, 'after'), await tinyProject({ 'import.js': 'document.title = "导入";\n' }));
    expect(again).toEqual(before);
    expect(after['import.js']).not.toBe(before['import.js']);
    expect({ ...after, 'import.js': '' }).toEqual({ ...before, 'import.js': '' });
    for (const file of Object.values(after)) expect(file).toMatch(HASHED_FILE);
  });

  it('writes exactly the manifest’s files and the manifest, which names each entry once', async () => {
    const out = join(work, 'real');
    const manifest = await buildClientAssets(out);
    expect(Object.keys(manifest).sort()).toEqual(Object.keys(CLIENT_ENTRIES).sort());
    expect((await readdir(out)).sort()).toEqual([...Object.values(manifest), CLIENT_MANIFEST_FILE].sort());
    expect(JSON.parse(await readFile(join(out, CLIENT_MANIFEST_FILE), 'utf8'))).toEqual(manifest);
    // a rebuild into the same folder leaves no file of the previous build behind
    await writeFile(join(out, 'app.OLDHASH1.js'), 'old');
    await buildClientAssets(out);
    expect(await readdir(out)).not.toContain('app.OLDHASH1.js');
  });

  it('bundles each entry for the browser: ES modules, no Node built-ins, without zod’s locales', async () => {
    const out = join(work, 'bundled');
    const manifest = await buildClientAssets(out);
    const body = (name: ClientAssetName) => readFile(join(out, manifest[name]), 'utf8');
    for (const name of CLIENT_ASSET_NAMES) {
      expect(await body(name)).not.toMatch(/\bfrom\s*["']node:/u);
      expect(await body(name)).not.toMatch(/\brequire\(/u);
    }
    // the checks are inside the form's script (its Chinese messages with them), and the locales are not
    expect(await body('form.js')).toContain('未填写');
    expect(await body('form.js')).not.toContain('Ungültige Eingabe');
    expect((await body('form.js')).length).toBeLessThan(350_000);
    // the small script every page loads carries no schema library; the import page's needs none either
    expect((await body('app.js')).length).toBeLessThan(20_000);
    expect((await body('import.js')).length).toBeLessThan(10_000);
  });
});
