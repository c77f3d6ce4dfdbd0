import { publishedMessage } from '../mail/messages.js';
import { renderReportDocx } from '../report/print/docx.js';
import { renderReportPdf, type PdfFonts } from '../report/print/pdf.js';
import { printDocument } from '../report/print/print-model.js';
import { renderReportHtml, renderReportJson } from '../report/render.js';
import { parseReport } from '../report/schema.js';
import { renderAgencyIndex, renderRootIndex } from '../site/pages.js';
import type { PublishInput } from './contracts.js';
import { DecidedDataSchema } from './event-data.js';
import type { Decision, PublishedReport, ReportEvent } from './model.js';
import { rosterWith } from './notify.js';
import { approvalSteps } from './approval-steps.js';
import { DOCX_CONTENT_TYPE, type Mailer, type Site, type SiteObject } from './ports.js';
import { commit, systemEvent, type LogDeps } from './report-log.js';
import { foldReport, versionOf } from './report-state.js';
import { agencyIndexKey, reportDocxKey, reportJsonKey, reportPageKey, reportPdfKey, ROOT_INDEX_KEY } from './site-keys.js';

export interface PublishDeps extends LogDeps {
  readonly site: Site;
  readonly mailer: Mailer;
  /** the public site's address, for the email that says where the report now is */
  readonly siteBaseUrl: string;
  /** the CJK fonts the PDF embeds */
  readonly pdfFonts: () => Promise<PdfFonts>;
}

const REPORT_CACHE = 'public, max-age=300';
const INDEX_CACHE = 'public, max-age=60';

export { agencyIndexKey, reportDocxKey, reportJsonKey, reportPageKey, reportPdfKey, ROOT_INDEX_KEY } from './site-keys.js';
export { recordPublishFailure } from './record-publish-failure.js';

export class NotSignedError extends Error {
  override readonly name = 'NotSignedError';
}

/** The 主管领导's approval of exactly this version: nothing else may be published. */
function leaderSignOff(events: readonly ReportEvent[], version: number): Decision {
  for (const event of [...events].reverse()) {
    if (event.type !== 'decided' || event.version !== version) continue;
    const { decision } = DecidedDataSchema.parse(event.data);
    if (decision.stage === 'leader' && decision.outcome === 'approve') return decision;
  }
  throw new NotSignedError(`version ${version} has no approval by the leader`);
}

const html = (key: string, body: string, cacheControl: string): SiteObject => ({ key, body, contentType: 'text/html; charset=utf-8', cacheControl });

/**
 * Publishes the version the 主管领导 signed: the page (with its sign-off block) and the canonical JSON, then both
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
  const decision = leaderSignOff(events, input.version);
  const report = parseReport(content.report);
  const { agencyId, agencyName, year } = state.head;

  const signOff = { approvedBy: decision.approverName, approvedAt: decision.decidedAt, version: input.version, contentSha256: content.contentSha256 };
  // the files people print and file: the same signed content, with the 签发单 of every step that approved it. Written
  // first (the PDF takes a second or two to render): the page, report.json, the indexes and the event then follow one
  // another as closely as before, so nobody sees the page without its index entry.
  const printed = printDocument(report, { contentSha256: content.contentSha256, signOff, steps: approvalSteps(events, input.version) });
  const signedAt = new Date(decision.decidedAt);
  const pdfBytes = (await renderReportPdf(printed, await deps.pdfFonts(), signedAt)).bytes;
  const docxBytes = await renderReportDocx(printed, signedAt);

  const pdf = await deps.site.put({ key: reportPdfKey(agencyId, year), body: pdfBytes, contentType: 'application/pdf', cacheControl: REPORT_CACHE });
  const docx = await deps.site.put({ key: reportDocxKey(agencyId, year), body: docxBytes, contentType: DOCX_CONTENT_TYPE, cacheControl: REPORT_CACHE });
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
    { key: reportPdfKey(agencyId, year), ...pdf },
    { key: reportDocxKey(agencyId, year), ...docx },
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
