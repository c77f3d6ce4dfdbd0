import type { Principal } from '../auth/principal.js';
import { checkReport } from '../report/checks.js';
import { diffReports, type ReportDiff } from '../report/diff.js';
import type { Finding } from '../report/findings.js';
import { parseReport, type Report } from '../report/schema.js';
import { loadReviewForApprover, type DecideDeps } from './decide-review.js';
import type { Review } from './model.js';
import { previousYearReport } from './previous-year.js';
import { foldReport, versionOf } from './report-state.js';

export interface ReviewView {
  readonly review: Review;
  readonly report: Report;
  readonly warnings: readonly Finding[];
  /** the version this approver last reviewed of the same report, and what changed since */
  readonly changes: { readonly sinceVersion: number; readonly diff: ReportDiff } | undefined;
  /** whoever is signed in is the approver the review names (and may decide) */
  readonly signedInAsApprover: boolean;
  /**
   * the report still waits on this review (in review, this version, this stage): the same test requireOpenReview
   * applies to a decision, so the page offers no form that would be refused
   */
  readonly open: boolean;
  /** the name the agency is registered under, which the published page will carry */
  readonly agencyName: string | undefined;
}

/**
 * Everything the review page shows. Reading it changes nothing: mail scanners open every link, so a GET only
 * checks the signature and reads.
 */
export async function reviewView(reviewId: string, sig: string | undefined, principal: Principal | undefined, deps: DecideDeps): Promise<ReviewView> {
  const review = await loadReviewForApprover(reviewId, sig, principal, deps);
  const events = await deps.store.listEvents(review.reportId);
  const content = versionOf(events, review.version);
  if (!content) throw new Error(`report ${review.reportId} has no version ${review.version}`);
  const report = parseReport(content.report);
  const previous = await previousYearReport(deps.store, report.agency.id, report.year);
  const { warnings } = checkReport(report, previous === undefined ? {} : { previous });
  const seen = (await deps.store.listReviewPointers(review.reportId))
    .filter((pointer) => pointer.approverEmail === review.approverEmail && pointer.version < review.version)
    .map((pointer) => pointer.version);
  const sinceVersion = seen.length === 0 ? undefined : Math.max(...seen);
  const before = sinceVersion === undefined ? undefined : versionOf(events, sinceVersion);
  const head = foldReport(events)?.head;
  return {
    review,
    report,
    agencyName: head?.agencyName,
    open: head?.status === 'in_review' && head.version === review.version && head.stage === review.stage,
    warnings,
    changes: sinceVersion === undefined || !before ? undefined : { sinceVersion, diff: diffReports(parseReport(before.report), report) },
    signedInAsApprover: principal?.email === review.approverEmail,
  };
}
