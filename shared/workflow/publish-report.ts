import { publishedMessage } from '../mail/messages.js';
import { renderReportHtml, renderReportJson } from '../report/render.js';
import { parseReport } from '../report/schema.js';
import { renderAgencyIndex, renderRootIndex } from '../site/pages.js';
import type { PublishFailureInput, PublishInput } from './contracts.js';
import { typedEvents } from './event-data.js';
import type { Decision, PublishedReport, ReportEvent } from './model.js';
import type { Chain } from './review-chain.js';
import { rosterWith } from './notify.js';
import type { Mailer, Site, SiteObject } from './ports.js';
import { commit, systemEvent, type LogDeps } from './report-log.js';
import { foldReport, versionOf } from './report-state.js';

export interface PublishDeps extends LogDeps {
  readonly site: Site;
  readonly mailer: Mailer;
  /** the public site's address, for the email that says where the report now is */
  readonly siteBaseUrl: string;
}

const REPORT_CACHE = 'public, max-age=300';
const INDEX_CACHE = 'public, max-age=60';

export const reportPageKey = (agencyId: string, year: number) => `reports/${agencyId}/${year}/index.html`;
export const reportJsonKey = (agencyId: string, year: number) => `reports/${agencyId}/${year}/report.json`;
export const agencyIndexKey = (agencyId: string) => `reports/${agencyId}/index.html`;
export const ROOT_INDEX_KEY = 'index.html';

export class NotSignedError extends Error {
  override readonly name = 'NotSignedError';
}

/** The approval of exactly this version at the round's 签发 step: nothing else may be published. */
function signOffOf(events: readonly ReportEvent[], chain: Chain, version: number): Decision {
  const sign = chain.steps.find((step) => step.kind === 'sign');
  for (const event of typedEvents(events).reverse()) {
    if (event.type !== 'decided' || event.version !== version) continue;
    const { decision } = event.data;
    if (decision.stage === sign?.id && decision.outcome === 'approve') return decision;
  }
  throw new NotSignedError(`version ${version} has no approval at the 签发 step ${sign?.id ?? '(none)'}`);
}

const html = (key: string, body: string, cacheControl: string): SiteObject => ({ key, body, contentType: 'text/html; charset=utf-8', cacheControl });

/**
 * Publishes the version signed at the round's 签发 step: the page (with its sign-off block) and the canonical JSON, then both
 * indexes rebuilt from the store's list of published reports, then the `published` event. Every step can run again:
 * the same version renders to the same bytes and the event is written once.
 */
export async function publishReport(input: PublishInput, deps: PublishDeps): Promise<{ published: boolean }> {
  const events = await deps.store.listEvents(input.reportId);
  const state = foldReport(events);
  if (!state) throw new Error(`report ${input.reportId} has no log`);
  if (state.head.status === 'withdrawn') return { published: false };
  const content = versionOf(events, input.version);
  if (!content) throw new Error(`report ${input.reportId} has no version ${input.version}`);
  const decision = signOffOf(events, state.chain, input.version);
  const report = parseReport(content.report);
  const { agencyId, agencyName, year } = state.head;

  const signOff = { approvedBy: decision.approverName, approvedAt: decision.decidedAt, version: input.version, contentSha256: content.contentSha256 };
  const page = await deps.site.put(html(reportPageKey(agencyId, year), renderReportHtml(report, signOff), REPORT_CACHE));
  const json = await deps.site.put({ key: reportJsonKey(agencyId, year), body: renderReportJson(report), contentType: 'application/json', cacheControl: REPORT_CACHE });

  const already = events.find((event) => event.type === 'published' && event.version === input.version);
  const record: PublishedReport = {
    reportId: input.reportId,
    agencyId,
    agencyName,
    year,
    version: input.version,
    contentSha256: content.contentSha256,
    publishedAt: already?.at ?? deps.clock.now().toISOString(),
  };
  await deps.store.putPublished(record);
  await writeIndexes(record, deps);

  const objects = [
    { key: reportPageKey(agencyId, year), ...page },
    { key: reportJsonKey(agencyId, year), ...json },
  ];
  // The officers are told before the event is written: nothing marks the email as sent, so a mail failure must fail
  // this attempt while the log still says "not published", and the retry emails again. Once the event is there, no
  // retry emails.
  if (!already) {
    const publicUrl = new URL(reportPageKey(agencyId, year), deps.siteBaseUrl.endsWith('/') ? deps.siteBaseUrl : `${deps.siteBaseUrl}/`).toString();
    for (const officer of await rosterWith(deps.store, agencyId, 'officer')) {
      await deps.mailer.send(publishedMessage({ to: officer.email, agencyName, year, version: input.version, publicUrl, baseUrl: deps.siteBaseUrl }));
    }
  }
  await commit(
    input.reportId,
    (current, log) => {
      if (!current) throw new Error(`report ${input.reportId} has no log`);
      if (log.some((event) => event.type === 'published' && event.version === input.version)) return undefined;
      return systemEvent(input.reportId, 'published', current, content.contentSha256, { objects, publishedAt: deps.clock.now().toISOString() }, deps.clock, input.version);
    },
    deps,
  );
  return { published: true };
}

const MAX_INDEX_WRITES = 5;

/**
 * Rebuilds both indexes from the store's list, then reads the list again and writes again until what was written is
 * what the store holds. Two reports published at once would otherwise let the one that read the list first write
 * last, dropping the other from the root index; with the check after each write, whoever writes last has read a list
 * holding everyone published before that write. A page is written again only when it changed: while others publish,
 * the root index changes round after round and the agency's own page hardly ever does (the check still covers both:
 * each page was last written by this call from a list no older than the one it is compared with).
 */
async function writeIndexes(own: PublishedReport, deps: PublishDeps): Promise<void> {
  const { agencyId } = own;
  let written: { agencyPage: string; rootPage: string } | undefined;
  for (let attempt = 0; attempt <= MAX_INDEX_WRITES; attempt++) {
    // DynamoDB's index may not show our own entry yet (GSI reads are eventually consistent): it goes in regardless
    const listed = await deps.store.listPublished();
    const everything = [...listed.filter((entry) => entry.agencyId !== own.agencyId || entry.year !== own.year), own];
    const agencyPage = renderAgencyIndex(agencyId, everything.filter((entry) => entry.agencyId === agencyId));
    const rootPage = renderRootIndex(everything, {});
    if (written?.agencyPage === agencyPage && written.rootPage === rootPage) return;
    if (attempt === MAX_INDEX_WRITES) break;
    if (written?.agencyPage !== agencyPage) await deps.site.put(html(agencyIndexKey(agencyId), agencyPage, INDEX_CACHE));
    if (written?.rootPage !== rootPage) await deps.site.put(html(ROOT_INDEX_KEY, rootPage, INDEX_CACHE));
    written = { agencyPage, rootPage };
  }
  throw new Error(`the site indexes kept changing while ${agencyId} was published`);
}

/** After Publish exhausted its retries: the failure goes into the log, where the audit page and alarms see it. */
export async function recordPublishFailure(input: PublishFailureInput, deps: LogDeps): Promise<void> {
  await commit(
    input.reportId,
    (state, events) => {
      if (!state) throw new Error(`report ${input.reportId} has no log`);
      const last = events.at(-1);
      if (last?.type === 'publish_failed' && last.version === input.version) return undefined;
      const content = versionOf(events, input.version);
      if (!content) throw new Error(`report ${input.reportId} has no version ${input.version}`);
      const data = { error: input.error?.Error ?? 'Unknown', cause: (input.error?.Cause ?? '').slice(0, 1000) };
      return systemEvent(input.reportId, 'publish_failed', state, content.contentSha256, data, deps.clock, input.version);
    },
    deps,
  );
}
