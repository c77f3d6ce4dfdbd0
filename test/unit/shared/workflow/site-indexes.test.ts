import { describe, expect, it } from 'vitest';
import type { PublishedReport } from '#shared/workflow/model.js';
import type { SiteObject } from '#shared/workflow/ports.js';
import { coalesceIndexRequests, rebuildSiteIndexes, type IndexRequest } from '#shared/workflow/site-indexes.js';

const report = (agencyId: string, version = 1, year = 2020): PublishedReport => ({
  reportId: `${agencyId}-${year}`,
  agencyId,
  agencyName: `${agencyId}局`,
  year,
  version,
  contentSha256: String(version).repeat(64).slice(0, 64),
  publishedAt: `2021-01-2${version}T01:00:00.000Z`,
});
const published = (entry: PublishedReport): IndexRequest => ({ kind: 'published', report: entry });

function fakeSite() {
  const writes: SiteObject[] = [];
  return {
    writes,
    site: {
      put: async (object: SiteObject) => {
        writes.push(object);
        return { sha256: 'x' };
      },
    },
  };
}

/** A store whose list is given read by read (the last one repeats): a lagging index shows up as older lists first. */
function listing(...reads: PublishedReport[][]) {
  let count = 0;
  return { reads: () => count, store: { listPublished: async () => reads[Math.min(count++, reads.length - 1)] ?? [] } };
}

const noSleep = async () => undefined;

describe('rebuilding the site indexes', () => {
  it("writes the named agencies' pages, then the root once, from the store's whole list", async () => {
    const { writes, site } = fakeSite();
    const { store } = listing([report('aa'), report('bb'), report('cc')]);
    const outcome = await rebuildSiteIndexes([published(report('cc')), published(report('aa'))], { store, site, sleep: noSleep });
    expect(writes.map((write) => write.key)).toEqual(['reports/aa/index.html', 'reports/cc/index.html', 'index.html']);
    expect(outcome.keys).toEqual(['reports/aa/index.html', 'reports/cc/index.html', 'index.html']);
    const root = writes.at(-1)?.body ?? '';
    for (const agency of ['aa', 'bb', 'cc']) expect(root).toContain(`data-agency="${agency}"`);
    expect(writes.every((write) => write.cacheControl === 'public, max-age=60' && write.contentType === 'text/html; charset=utf-8')).toBe(
      true,
    );
  });

  it('a full rebuild writes every agency on the list', async () => {
    const { writes, site } = fakeSite();
    const { store } = listing([report('bb'), report('aa'), report('aa', 1, 2019)]);
    await rebuildSiteIndexes([{ kind: 'all' }], { store, site, sleep: noSleep });
    expect(writes.map((write) => write.key)).toEqual(['reports/aa/index.html', 'reports/bb/index.html', 'index.html']);
    expect(writes[0]?.body).toContain('data-year="2019"');
    expect(writes[0]?.body).toContain('data-year="2020"');
  });

  it('with nothing published, a full rebuild writes the empty root', async () => {
    const { writes, site } = fakeSite();
    await rebuildSiteIndexes([{ kind: 'all' }], { store: listing([]).store, site, sleep: noSleep });
    expect(writes.map((write) => write.key)).toEqual(['index.html']);
    expect(writes[0]?.body).toContain('暂无已发布的年度报告。');
  });

  it('reads the list again while it does not show a requested report yet, so an earlier publication is not dropped', async () => {
    const { writes, site } = fakeSite();
    // the first read (a lagging index) has neither the earlier report e nor the requested n
    const { store, reads } = listing([], [report('ee')], [report('ee'), report('nn')]);
    await rebuildSiteIndexes([published(report('nn'))], { store, site, sleep: noSleep });
    expect(reads()).toBe(3);
    const root = writes.at(-1)?.body ?? '';
    expect(root).toContain('data-agency="ee"');
    expect(root).toContain('data-agency="nn"');
  });

  it('gives up waiting for a lagging list after five reads and still lists the requested report', async () => {
    const { writes, site } = fakeSite();
    const { store, reads } = listing([]);
    await rebuildSiteIndexes([published(report('nn'))], { store, site, sleep: noSleep });
    expect(reads()).toBe(5);
    expect(writes.at(-1)?.body).toContain('data-agency="nn"');
  });

  it('a stale request (a lower version than the list holds) does not bring the old version back', async () => {
    const { writes, site } = fakeSite();
    const { store } = listing([report('aa', 2)]);
    await rebuildSiteIndexes([published(report('aa', 1))], { store, site, sleep: noSleep });
    expect(writes[0]?.body).toContain('第2版');
    expect(writes[0]?.body).not.toContain('第1版');
  });

  it('fails as a whole when a write fails, writing no root after a missing agency page', async () => {
    const writes: string[] = [];
    const site = {
      put: async (object: SiteObject) => {
        if (object.key === 'reports/bb/index.html') throw new Error('SlowDown');
        writes.push(object.key);
        return { sha256: 'x' };
      },
    };
    const { store } = listing([report('aa'), report('bb')]);
    await expect(rebuildSiteIndexes([published(report('aa')), published(report('bb'))], { store, site, sleep: noSleep })).rejects.toThrow(
      'SlowDown',
    );
    expect(writes).toEqual(['reports/aa/index.html']);
  });
});

describe('coalescing index requests', () => {
  it('keeps the highest version of each agency-year and one full rebuild', () => {
    const requests = [
      published(report('aa', 1)),
      { kind: 'all' } as const,
      published(report('aa', 3)),
      published(report('aa', 2)),
      published(report('aa', 1, 2019)),
      { kind: 'all' } as const,
    ];
    expect(coalesceIndexRequests(requests)).toEqual([{ kind: 'all' }, published(report('aa', 3)), published(report('aa', 1, 2019))]);
  });

  it('of the same version, keeps the later publication', () => {
    const early = report('aa');
    const late = { ...early, publishedAt: '2021-01-29T01:00:00.000Z' };
    expect(coalesceIndexRequests([published(late), published(early)])).toEqual([published(late)]);
    expect(coalesceIndexRequests([published(early), published(late)])).toEqual([published(late)]);
  });
});
