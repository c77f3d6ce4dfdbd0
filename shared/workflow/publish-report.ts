import { publishedMessage } from '../mail/messages.js';
import type { PrintFilesRenderer } from '../report/print/print-files.js';
import { printDocument } from '../report/print/print-model.js';
import { renderReportHtml, renderReportJson } from '../report/render.js';
import { parseReport } from '../report/schema.js';
import type { PublishInput } from './contracts.js';
import { typedEvents } from './event-data.js';
import type { Decision, PublishedReport, ReportEvent } from './model.js';
import type { Chain } from './review-chain.js';
import { rosterWith } from './notify.js';
import { approvalSteps } from './approval-steps.js';
import type { HistoryTrust } from './history-ports.js';
import {
  DOCX_CONTENT_TYPE,
  type IndexQueue,
  type Mailer,
  type PublishedStore,
  type ReportLogStore,
  type RosterStore,
  type Site,
  type SiteObject,
} from './ports.js';
import { commit, systemEvent, type LogDeps } from './report-log.js';
import { foldReport, versionOf } from './report-state.js';
import { requestIndexes } from './site-indexes.js';
import { reportDocxKey, reportJsonKey, reportPageKey, reportPageLinks, reportPdfKey } from './site-keys.js';

export interface PublishDeps extends LogDeps {
  readonly store: ReportLogStore & PublishedStore & RosterStore;
  readonly site: Site;
  readonly mailer: Mailer;
  /** the site-index writer's queue: the indexes are its to write, never this task's */
  readonly indexes: IndexQueue;
  /** the public site's address, for the email that says where the report now is */
  readonly siteBaseUrl: string;
  /** the public half of the history key, published beside the reports for auditors */
  readonly history: Pick<HistoryTrust, 'publicKeyPem'>;
  /** renders the PDF and the Word file */
  readonly printFiles: PrintFilesRenderer;
}

const REPORT_CACHE = 'public, max-age=300';

export { agencyIndexKey, reportDocxKey, reportJsonKey, reportPageKey, reportPdfKey, ROOT_INDEX_KEY } from './site-keys.js';
export const HISTORY_KEY_KEY = 'keys/history.pem';
const KEY_CACHE = 'public, max-age=3600';

export class NotSignedError extends Error {
  override readonly name = 'NotSignedError';
}

/** The approval of exactly this version at the round's 签发 step: nothing else may be published. */
function signOffOf(events: readonly ReportEvent[], chain: Chain, version: number): { decision: Decision; event: ReportEvent } {
  const sign = chain.steps.find((step) => step.kind === 'sign');
  for (const event of typedEvents(events).reverse()) {
    if (event.type !== 'decided' || event.version !== version) continue;
    const { decision } = event.data;
    if (decision.stage === sign?.id && decision.outcome === 'approve') return { decision, event };
  }
  throw new NotSignedError(`version ${version} has no approval at the 签发 step ${sign?.id ?? '(none)'}`);
}

const html = (key: string, body: string, cacheControl: string): SiteObject => ({
  key,
  body,
  contentType: 'text/html; charset=utf-8',
  cacheControl,
});

/**
 * Publishes the version signed at the round's 签发 step: the page (with its sign-off block) and the canonical JSON, then
 * the publication recorded in the store and handed to the site-index writer (site-indexes.ts: only after the page is
 * in the bucket, so no index can link to a page that is not there), then the `published` event. Every step can run
 * again: the same version renders to the same bytes, a repeated index request is one more harmless rebuild, and the
 * event is written once.
 */
export async function publishReport(input: PublishInput, deps: PublishDeps): Promise<{ published: boolean }> {
  const events = await deps.store.listEvents(input.reportId);
  const state = foldReport(events);
  if (!state) throw new Error(`report ${input.reportId} has no log`);
  if (state.head.status === 'withdrawn') return { published: false };
  const content = versionOf(events, input.version);
  if (!content) throw new Error(`report ${input.reportId} has no version ${input.version}`);
  const { decision, event: signedAt } = signOffOf(events, state.chain, input.version);
  const report = parseReport(content.report);
  const { agencyId, agencyName, year } = state.head;

  const signOff = {
    approvedBy: decision.approverName,
    approvedAt: decision.decidedAt,
    version: input.version,
    contentSha256: content.contentSha256,
  };
  // the files people print and file: the same signed content, with the 签发单 of every step that approved it. Written
  // first (the PDF takes a second or two to render): the page, report.json, the indexes and the event then follow one
  // another as closely as before, so nobody sees the page without its index entry.
  const printed = printDocument(report, { contentSha256: content.contentSha256, signOff, steps: approvalSteps(events, input.version) });
  const signedOn = new Date(decision.decidedAt);
  const files = await deps.printFiles(printed, signedOn);

  const pdf = await deps.site.put({
    key: reportPdfKey(agencyId, year),
    body: files.pdf,
    contentType: 'application/pdf',
    cacheControl: REPORT_CACHE,
  });
  const docx = await deps.site.put({
    key: reportDocxKey(agencyId, year),
    body: files.docx,
    contentType: DOCX_CONTENT_TYPE,
    cacheControl: REPORT_CACHE,
  });
  const page = await deps.site.put(
    html(reportPageKey(agencyId, year), renderReportHtml(report, signOff, agencyName, reportPageLinks(agencyId, year)), REPORT_CACHE),
  );
  // report.json stays the canonical content whose sha256 the page prints; the chain head the leader signed at travels
  // with it as object metadata, which a reader checks against the audit history (AUDIT.md)
  const json = await deps.site.put({
    key: reportJsonKey(agencyId, year),
    body: renderReportJson(report),
    contentType: 'application/json',
    cacheControl: REPORT_CACHE,
    metadata: { 'chain-report': input.reportId, 'chain-seq': String(signedAt.seq), 'chain-hash': signedAt.hash },
  });

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
  await deps.site.put({
    key: HISTORY_KEY_KEY,
    body: await deps.history.publicKeyPem(),
    contentType: 'application/x-pem-file',
    cacheControl: KEY_CACHE,
  });
  await requestIndexes(deps.indexes, record);

  const objects = [
    { key: reportPageKey(agencyId, year), ...page },
    { key: reportJsonKey(agencyId, year), ...json },
    { key: reportPdfKey(agencyId, year), ...pdf },
    { key: reportDocxKey(agencyId, year), ...docx },
  ];
  // The officers are told before the event is written: nothing marks the email as sent, so a mail failure must fail
  // this attempt while the log still says "not published", and the retry emails again. Once the event is there, no
  // retry emails.
  if (!already) {
    const publicUrl = new URL(
      reportPageKey(agencyId, year),
      deps.siteBaseUrl.endsWith('/') ? deps.siteBaseUrl : `${deps.siteBaseUrl}/`,
    ).toString();
    for (const officer of await rosterWith(deps.store, agencyId, 'officer')) {
      await deps.mailer.send(
        publishedMessage({ to: officer.email, agencyName, year, version: input.version, publicUrl, baseUrl: deps.siteBaseUrl }),
      );
    }
  }
  await commit(
    input.reportId,
    (current, log) => {
      if (!current) throw new Error(`report ${input.reportId} has no log`);
      if (log.some((event) => event.type === 'published' && event.version === input.version)) return undefined;
      return systemEvent(
        input.reportId,
        'published',
        current,
        content.contentSha256,
        { objects, publishedAt: deps.clock.now().toISOString() },
        deps.clock,
        input.version,
      );
    },
    deps,
  );
  return { published: true };
}
