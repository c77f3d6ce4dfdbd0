import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/nianbao.js';
import { FAULTS_FILE_VARIABLE, LocalFaults, type FaultAttempt } from '../../infra/local/faults.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import type { PublishedReport } from '#shared/workflow/model.js';
import type { SiteObject } from '#shared/workflow/ports.js';
import { reportPageKey } from '#shared/workflow/publish-report.js';
import { ROOT_INDEX_KEY, agencyIndexKey } from '#shared/workflow/site-indexes.js';
import { until } from './support/client.js';
import { ReportDriver } from './support/driver.js';
import { publishedOnceProblems } from './support/invariants.js';
import { seedAgency, seedAuditor, withDataDirStore } from './support/people.js';
import { freePort, StackProcess } from './support/process-stack.js';

/**
 * The site-index writer when things go wrong: the process killed while a rebuild is writing, the bucket refusing
 * writes, two rebuilds asked for at once, and reports published while a rebuild runs. In every case the indexes end
 * up listing every published report, and never list one whose page is not there.
 */

const dirs: string[] = [];
const stacks: LocalStack[] = [];
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nianbao-index-writer-'));
  dirs.push(dir);
  return dir;
}

async function inProcess(faults = new LocalFaults()): Promise<{ stack: LocalStack; faults: LocalFaults }> {
  const stack = await startLocalStack({ port: 0, dataDir: await dataDir(), faults, indexRetryMs: 20 });
  stacks.push(stack);
  await stack.indexes.idle();
  return { stack, faults };
}

const siteText = async (stack: LocalStack, key: string): Promise<{ status: number; text: string }> => {
  const response = await fetch(new URL(`/site/${key}`, stack.url));
  return { status: response.status, text: await response.text() };
};

/** What Publish does for the site: the page first, then the publication recorded and the writer asked. */
async function publication(stack: LocalStack, agencyId: string, version = 1): Promise<PublishedReport> {
  const record: PublishedReport = {
    reportId: `${agencyId}-2020`,
    agencyId,
    agencyName: `${agencyId}测试局`,
    year: 2020,
    version,
    contentSha256: 'c'.repeat(64),
    publishedAt: new Date().toISOString(),
  };
  await stack.deps.site.put({
    key: reportPageKey(agencyId, 2020),
    body: `<p>${agencyId} 第${version}版</p>`,
    contentType: 'text/html; charset=utf-8',
    cacheControl: 'public, max-age=300',
  });
  await stack.deps.store.putPublished(record);
  await stack.deps.indexes.request({ kind: 'published', report: record });
  return record;
}

/** Every agency the root lists has its agency page and its report pages in the bucket. */
async function everyListedPageIsThere(stack: LocalStack): Promise<string[]> {
  const root = (await siteText(stack, ROOT_INDEX_KEY)).text;
  const listed = [...root.matchAll(/data-agency="([^"]+)"/g)].map((match) => match[1] ?? '');
  for (const agencyId of listed) {
    expect((await siteText(stack, agencyIndexKey(agencyId))).status, agencyId).toBe(200);
    expect((await siteText(stack, reportPageKey(agencyId, 2020))).status, agencyId).toBe(200);
  }
  return listed.sort();
}

describe('the site-index writer under faults', () => {
  it('killed mid-rebuild (SIGKILL): the next start rebuilds the indexes whole, and the report is published once', async () => {
    const dir = await dataDir();
    const faultsFile = join(dir, 'faults.json');
    const { seeded, auditor } = await withDataDirStore(dir, async (store) => ({
      seeded: await seedAgency(store, { id: 'kill-index', name: '索引故障测试局' }),
      auditor: await seedAuditor(store, 'kill-index'),
    }));
    const stack = new StackProcess(await freePort(), dir, { [FAULTS_FILE_VARIABLE]: faultsFile });
    try {
      await stack.start();
      const report = new ReportDriver(() => stack.url, dir, seeded);
      await report.submit();
      await report.decide(seeded.director, await report.reviewLink(seeded.director, 1), 'approve');
      const leaderLink = await report.reviewLink(seeded.leader, 1);
      // every site write now takes 3 s: the kill lands while the writer is writing the agency's index page
      await writeFile(faultsFile, JSON.stringify({ site: { delayMs: 3000 } }));
      await report.decide(seeded.leader, leaderLink, 'approve');
      const log = async (): Promise<FaultAttempt[]> =>
        (await readFile(`${faultsFile}.log`, 'utf8').catch(() => ''))
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as FaultAttempt);
      await until(
        'the writer to start the agency index',
        async () => (await log()).some((attempt) => attempt.key === agencyIndexKey('kill-index') && attempt.outcome === 'started'),
        90_000,
        50,
      );
      await stack.kill();
      const written = (await log()).filter((attempt) => attempt.outcome === 'ok').map((attempt) => attempt.key);
      expect(written).toContain(reportPageKey('kill-index', 2020));
      expect(written).not.toContain(agencyIndexKey('kill-index'));

      await writeFile(faultsFile, '{}');
      await stack.start();
      const root = await until('the root index to list the agency', async () => {
        const response = await fetch(`${stack.url}/site/index.html`);
        const text = await response.text();
        return response.status === 200 && text.includes('data-agency="kill-index"') ? text : undefined;
      });
      // the page's body, not its style sheet, is what tells a failure apart
      expect(root.slice(root.indexOf('<body'))).toContain('索引故障测试局');
      expect(await (await fetch(`${stack.url}/site/${agencyIndexKey('kill-index')}`)).text()).toContain('2020/index.html');
      await report.finish(() => ({}));
      expect(publishedOnceProblems(report.reportId, await report.finishedHistory(auditor))).toEqual([]);
    } finally {
      await stack.kill();
    }
  }, 240_000);

  it('a failed S3 write: the rebuild is retried (each failure logged) until the bucket takes it', async () => {
    const { stack, faults } = await inProcess();
    await publication(stack, 'before-outage');
    await stack.indexes.idle();
    const failuresBefore = stack.indexes.stats.failures;
    // the report page is written, then the bucket refuses everything, index pages included
    await stack.deps.site.put({
      key: reportPageKey('during-outage', 2020),
      body: '<p>page</p>',
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'public, max-age=300',
    });
    faults.set({ site: { fail: true } });
    const record: PublishedReport = {
      reportId: 'during-outage-2020',
      agencyId: 'during-outage',
      agencyName: '停机测试局',
      year: 2020,
      version: 1,
      contentSha256: 'd'.repeat(64),
      publishedAt: new Date().toISOString(),
    };
    await stack.deps.store.putPublished(record);
    await stack.deps.indexes.request({ kind: 'published', report: record });
    await until('three failed rebuilds', async () => stack.indexes.stats.failures - failuresBefore >= 3, 10_000, 10);
    expect((await siteText(stack, ROOT_INDEX_KEY)).text).not.toContain('during-outage');
    faults.set({});
    await stack.indexes.idle();
    expect(await everyListedPageIsThere(stack)).toEqual(['before-outage', 'during-outage']);
  });

  it('two rebuild requests at once (`nianbao rebuild-indexes` twice): never two writers, and the result is the whole list', async () => {
    const { stack } = await inProcess();
    for (const agency of ['two-a', 'two-b', 'two-c']) await publication(stack, agency);
    await stack.indexes.idle();
    // a clobbered root and one agency page, then two forced rebuilds side by side
    await stack.deps.site.put({ key: ROOT_INDEX_KEY, body: 'broken', contentType: 'text/html; charset=utf-8', cacheControl: 'no-store' });
    let writing = 0;
    let mostAtOnce = 0;
    const put = stack.deps.site.put.bind(stack.deps.site);
    stack.deps.site.put = async (object: SiteObject) => {
      writing += 1;
      mostAtOnce = Math.max(mostAtOnce, writing);
      try {
        return await put(object);
      } finally {
        writing -= 1;
      }
    };
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    const runs = await Promise.all([
      main(['rebuild-indexes', '--local', stack.url], io),
      main(['rebuild-indexes', '--local', stack.url], io),
    ]);
    expect(runs).toEqual([0, 0]);
    await stack.indexes.idle();
    expect(mostAtOnce).toBe(1);
    expect(await everyListedPageIsThere(stack)).toEqual(['two-a', 'two-b', 'two-c']);
  });

  it('reports published while a rebuild runs are in the next rebuild, and none is listed before its page is there', async () => {
    const faults = new LocalFaults();
    const { stack } = await inProcess(faults);
    // each index write takes 300 ms: a rebuild is running while the next reports are published
    faults.set({ site: { delayMs: 300 } });
    const rebuildsBefore = stack.indexes.stats.rebuilds;
    // a reader polling the root the whole time, following every link it lists to the report page
    const seen: string[][] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const listed = [...(await siteText(stack, ROOT_INDEX_KEY)).text.matchAll(/data-agency="([^"]+)"/g)].map((match) => match[1] ?? '');
        const missing = [];
        for (const agencyId of listed) if ((await siteText(stack, reportPageKey(agencyId, 2020))).status !== 200) missing.push(agencyId);
        seen.push(missing);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const agencies = Array.from({ length: 8 }, (_, i) => `while-${i + 1}`);
      await Promise.all(agencies.map((agency) => publication(stack, agency)));
      await stack.indexes.idle();
      expect(await everyListedPageIsThere(stack)).toEqual([...agencies].sort());
      // eight publications, far fewer rebuilds: the ones published during a rebuild share the next one
      expect(stack.indexes.stats.rebuilds - rebuildsBefore).toBeLessThanOrEqual(3);
    } finally {
      reading = false;
      await reader;
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.flat()).toEqual([]);
  });
});
