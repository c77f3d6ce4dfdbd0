import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_BUILD_FOLDER } from '#infra/local/stack.js';
import { ASSET_CACHE_CONTROL, ASSET_CONTENT_TYPE, CLIENT_MANIFEST_FILE } from '#shared/http/assets.js';
import { Person } from '../../e2e/http-client.js';
import { startTestStack } from '../../e2e/stack.js';
import { byTag, parseHtml } from '../../functions/html.js';

/**
 * `npm start` builds the browser scripts once at start into DATA_DIR and serves them as CloudFront does: every script
 * a page names is there, with a year's immutable cache lifetime; names that are not the build's files are 404.
 */

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack({ reminders: false });
}, 60_000);
afterAll(() => stack.dispose());

const scriptsOf = async (response: Response): Promise<string[]> => {
  expect(response.status).toBe(200);
  return byTag(parseHtml(await response.text()), 'script').map((script) => script.attrs['src'] ?? '');
};

describe('the browser scripts, locally', () => {
  it('are built into DATA_DIR at start', () => {
    expect(existsSync(join(stack.dataDir, CLIENT_BUILD_FOLDER, CLIENT_MANIFEST_FILE))).toBe(true);
  });

  it('resolve from every page that names one: 200, JavaScript, cached for a year and never revalidated', async () => {
    const officer = new Person(stack.url, 'officer@kw.example.cn');
    const admin = new Person(stack.url, 'admin@daxing.example.cn');
    const signedOut = new Person(stack.url, 'nobody@example.cn');
    await officer.signIn();
    await admin.signIn();
    const scripts = new Set<string>();
    for (const src of await scriptsOf(await signedOut.request('GET', '/login'))) scripts.add(src);
    for (const path of ['/', `/drafts/daxing-kw/${new Date().getUTCFullYear() - 1}`, '/previous/import']) {
      for (const src of await scriptsOf(await officer.request('GET', path))) scripts.add(src);
    }
    for (const src of await scriptsOf(await admin.request('GET', '/admin'))) scripts.add(src);
    // the four entries, each by its hashed name
    expect([...scripts].map((src) => /^\/assets\/([a-z]+)\.[A-Z0-9]{8,}\.js$/u.exec(src)?.[1]).sort()).toEqual([
      'admin',
      'app',
      'form',
      'import',
    ]);
    for (const src of scripts) {
      const response = await fetch(new URL(src, stack.url));
      expect(response.status, src).toBe(200);
      expect(response.headers.get('content-type'), src).toBe(ASSET_CONTENT_TYPE);
      expect(response.headers.get('cache-control'), src).toBe(ASSET_CACHE_CONTROL);
      expect(response.headers.get('x-content-type-options'), src).toBe('nosniff');
      expect((await response.text()).length, src).toBeGreaterThan(1000);
    }
  });

  it('answer 404 for an unhashed name, an old build’s name, the manifest and anything else', async () => {
    for (const path of [
      '/assets/app.js',
      '/assets/form.js',
      '/assets/app.AAAAAAAA.js',
      `/assets/${CLIENT_MANIFEST_FILE}`,
      '/assets/',
      '/assets/../package.json',
    ]) {
      const response = await fetch(new URL(path, stack.url));
      expect(response.status, path).toBe(404);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
  });
});
