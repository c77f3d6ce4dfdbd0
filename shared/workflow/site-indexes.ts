import * as z from 'zod';
import { renderAgencyIndex, renderRootIndex } from '../site/pages.js';
import { PublishedReportSchema, type PublishedReport } from './model.js';
import type { IndexQueue, Site, SiteObject, Store } from './ports.js';
import { agencyIndexKey, ROOT_INDEX_KEY } from './site-keys.js';

/**
 * The public site's index pages (`index.html` and `reports/{agencyId}/index.html`), written by one serialized writer
 * and nobody else. Publishing a report writes the report's own objects, records the publication in the store and
 * asks for a rebuild (IndexQueue); the writer takes every request that arrived since its last run and makes one
 * rebuild of them: each named agency's page, then the root once. Two writers never race, so the last write is always
 * made from a list that holds everything recorded before it was read.
 */

export { agencyIndexKey, ROOT_INDEX_KEY };
export const INDEX_CACHE = 'public, max-age=60';

/** `published`: this report was recorded (its objects are in the bucket); `all`: every agency's page (the CLI). */
export const IndexRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('published'), report: PublishedReportSchema }),
  z.object({ kind: z.literal('all') }),
]);
export type IndexRequest = z.infer<typeof IndexRequestSchema>;

export interface IndexRebuildDeps {
  readonly store: Pick<Store, 'listPublished'>;
  readonly site: Site;
  /** waits between reads of a list that does not show a requested report yet (a GSI read lags its write) */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RebuildOutcome {
  /** the agency pages written, in order, then the root */
  readonly keys: readonly string[];
  readonly listed: number;
}

/** how often the list is read again while it does not yet show a report a request names, and how long apart */
const LIST_READS = 5;
const LIST_RETRY_MS = 200;

const html = (key: string, body: string): SiteObject => ({ key, body, contentType: 'text/html; charset=utf-8', cacheControl: INDEX_CACHE });

const shows = (listed: readonly PublishedReport[], report: PublishedReport): boolean =>
  listed.some((entry) => entry.agencyId === report.agencyId && entry.year === report.year && entry.version >= report.version);

/**
 * The store's list, read again (a few times, briefly) until it shows every report the requests name: DynamoDB's
 * gsi1 is eventually consistent, and a rebuild made from a list missing an earlier publication would drop it from
 * the root until the next rebuild. The named reports go in regardless (the pages render the highest version of each
 * agency-year, so a stale request never wins over a newer entry).
 */
async function readList(announced: readonly PublishedReport[], deps: IndexRebuildDeps): Promise<PublishedReport[]> {
  let listed = await deps.store.listPublished();
  for (let read = 1; read < LIST_READS && !announced.every((report) => shows(listed, report)); read++) {
    await (deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(LIST_RETRY_MS);
    listed = await deps.store.listPublished();
  }
  return [...listed, ...announced];
}

/**
 * One rebuild for any number of requests. Agency pages first, the root last: the root links to agency pages, and a
 * reader following it must find them. Any failure throws, and the requests stay to be retried (every write is the
 * whole page from the store's list, so a repeat is harmless).
 */
export async function rebuildSiteIndexes(requests: readonly IndexRequest[], deps: IndexRebuildDeps): Promise<RebuildOutcome> {
  const announced = requests.flatMap((request) => (request.kind === 'published' ? [request.report] : []));
  const everything = await readList(announced, deps);
  const agencies = requests.some((request) => request.kind === 'all')
    ? everything.map((entry) => entry.agencyId)
    : announced.map((entry) => entry.agencyId);
  const keys: string[] = [];
  for (const agencyId of [...new Set(agencies)].sort()) {
    await deps.site.put(html(agencyIndexKey(agencyId), renderAgencyIndex(agencyId, everything)));
    keys.push(agencyIndexKey(agencyId));
  }
  await deps.site.put(html(ROOT_INDEX_KEY, renderRootIndex(everything, {})));
  keys.push(ROOT_INDEX_KEY);
  return { keys, listed: everything.length - announced.length };
}

/**
 * Many requests as few: one `all` stands for every agency, and of one agency-year only the highest version is kept.
 * The result asks for the same pages as the input.
 */
export function coalesceIndexRequests(requests: readonly IndexRequest[]): IndexRequest[] {
  const byYear = new Map<string, PublishedReport>();
  let all = false;
  for (const request of requests) {
    if (request.kind === 'all') {
      all = true;
      continue;
    }
    const key = `${request.report.agencyId}#${request.report.year}`;
    const held = byYear.get(key);
    if (
      held === undefined ||
      request.report.version > held.version ||
      (request.report.version === held.version && request.report.publishedAt > held.publishedAt)
    ) {
      byYear.set(key, request.report);
    }
  }
  return [...(all ? [{ kind: 'all' } as const] : []), ...[...byYear.values()].map((report) => ({ kind: 'published', report }) as const)];
}

/** For the publisher: the report is recorded, now its indexes. */
export const requestIndexes = (queue: IndexQueue, report: PublishedReport): Promise<void> => queue.request({ kind: 'published', report });
