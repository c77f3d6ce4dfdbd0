import { canRead, hasRole, type Principal } from '../auth/principal.js';
import { checkReport } from '../report/checks.js';
import { diffReports, type ReportDiff } from '../report/diff.js';
import { parseReport, type Report } from '../report/schema.js';
import { findingKey, type AcknowledgedWarning } from './acknowledgements.js';
import { isOpenFor, ReviewReassignedError, type DecideDeps } from './decide-review.js';
import { actingFor } from './delegation.js';
import type { ImportedReportStore } from './ports.js';
import { NotFoundError } from './errors.js';
import { verifyReviewLink } from './links.js';
import { REVIEW_ID_PATTERN, type Delegation, type Review } from './model.js';
import { previousYearReport } from './previous-year.js';
import { typedEvents } from './event-data.js';
import { reviewLinkExpiry, reviewLinkPath, signReviewLink } from './links.js';
import type { ReportEvent } from './model.js';
import { foldReport, versionOf, type ReportState } from './report-state.js';
import { DEFAULT_CHAIN, stepById, stepIndex, stepKind, stepLabel, type Step, type StepKind } from './review-chain.js';
import { signOffSheet, type SignOffSheet } from './sign-off-sheet.js';

export interface ReviewView {
  readonly review: Review;
  readonly report: Report;
  /**
   * the checks' warnings on this version with the officer's answers as submitted; checked again when the version
   * was submitted before answers were asked, and then with none
   */
  readonly warnings: readonly AcknowledgedWarning[];
  /** the officer answered each warning when submitting (versions from before answers were asked were not) */
  readonly warningsAnswered: boolean;
  /** the version this approver last reviewed of the same report, and what changed since */
  readonly changes: { readonly sinceVersion: number; readonly diff: ReportDiff } | undefined;
  /** whoever is signed in is the approver the review names, or their deputy today (and may decide) */
  readonly signedInAsApprover: boolean;
  /** the approver's name, when the person signed in acts as their deputy (代理) */
  readonly deputyFor: string | undefined;
  /**
   * the report still waits on this review (in review, this version, this stage): the same test requireOpenReview
   * applies to a decision, so the page offers no form that would be refused
   */
  readonly open: boolean;
  /** the step of the round's chain this review is for */
  readonly step: Step;
  /** the step an approval sends the report to, undefined when it is then published */
  readonly nextStep: Step | undefined;
  /** every step of every round so far: what the approver reads before deciding */
  readonly sheet: SignOffSheet;
  /** why an undecided review no longer waits: what the dead link's page says */
  readonly closedBecause: ClosedBecause | undefined;
  /** the name the agency is registered under, which the published page will carry */
  readonly agencyName: string | undefined;
}

/** What a review link shows before anyone signs in: which report, which step, and nothing of its content. */
export interface ReviewTeaser {
  readonly reviewId: string;
  readonly stage: Review['stage'];
  readonly version: number;
  /** the step's label in the round's chain (办公室主任审核, 主管领导签发, …) */
  readonly stepLabel: string;
  /** what the step does (审核, 会签, 签发), which titles the page */
  readonly stepKind: StepKind;
  readonly agencyName: string;
  readonly year: number;
  readonly decided: boolean;
}

async function linkedReview(reviewId: string, sig: string | undefined, deps: DecideDeps): Promise<Review> {
  const review = REVIEW_ID_PATTERN.test(reviewId) ? await deps.store.getReview(reviewId) : undefined;
  if (!review) throw new NotFoundError('找不到该审核。');
  verifyReviewLink(deps.linkKey, review.reviewId, review.approverEmail, sig, deps.clock.now());
  return review;
}

export type ClosedBecause =
  | { readonly kind: 'withdrawn'; readonly reason: string | undefined; readonly by: string | undefined; readonly at: string }
  | { readonly kind: 'newer'; readonly version: number; readonly url: string | undefined }
  | { readonly kind: 'moved_on' };

/** What happened to a review that was not decided and no longer waits: a withdrawal (why), or a newer version (a link to it, when it is theirs too). */
async function closedBecause(
  review: Review,
  state: ReportState | undefined,
  events: readonly ReportEvent[],
  deps: DecideDeps,
): Promise<ClosedBecause | undefined> {
  if (!state || review.decision || isOpenFor(state, review)) return undefined;
  if (state.head.version > review.version) {
    const next = (await deps.store.listReviewPointers(review.reportId)).find(
      (pointer) => pointer.version === state.head.version && pointer.approverEmail === review.approverEmail,
    );
    const expires = reviewLinkExpiry(deps.clock.now());
    return {
      kind: 'newer',
      version: state.head.version,
      url:
        next === undefined
          ? undefined
          : reviewLinkPath(next.reviewId, signReviewLink(deps.linkKey, next.reviewId, next.approverEmail, expires)),
    };
  }
  if (state.head.status === 'withdrawn') {
    const withdrawn = typedEvents(events).findLast((event) => event.type === 'withdrawn');
    if (withdrawn?.type === 'withdrawn')
      return { kind: 'withdrawn', reason: withdrawn.data.reason, by: withdrawn.actor.name, at: withdrawn.at };
  }
  return { kind: 'moved_on' };
}

/**
 * The review page's gate, for someone not signed in: the link must be valid, and then only what the report is shows.
 * A link alone (forwarded, leaked, kept in a mail archive) reads nothing of the report.
 */
export async function reviewTeaser(reviewId: string, sig: string | undefined, deps: DecideDeps): Promise<ReviewTeaser> {
  const review = await linkedReview(reviewId, sig, deps);
  const state = foldReport(await deps.store.listEvents(review.reportId));
  if (!state) throw new NotFoundError('找不到该审核。');
  const { head } = state;
  return {
    reviewId: review.reviewId,
    stage: review.stage,
    version: review.version,
    stepLabel: stepLabel(state.chain, review.stage),
    stepKind: stepKind(state.chain, review.stage) ?? 'review',
    agencyName: head.agencyName,
    year: head.year,
    decided: review.decision !== undefined,
  };
}

/**
 * Everything the review page shows, to the approver the review names or to an auditor of the agency (who reads and
 * never decides). Anyone else signed in is told the link is someone else's. Reading it changes nothing: mail scanners open every link, so a GET only
 * checks the signature and reads.
 */
export async function reviewView(
  reviewId: string,
  sig: string | undefined,
  principal: Principal,
  deps: DecideDeps & { readonly store: ImportedReportStore },
): Promise<ReviewView> {
  const review = await linkedReview(reviewId, sig, deps);
  // the approver's own link after their review passed to the step's new holder: who holds it now
  if (principal.email === review.approverEmail && review.replacedBy && !review.decision) throw new ReviewReassignedError(review.replacedBy);
  let deputyFor: Delegation | undefined;
  if (principal.email !== review.approverEmail) {
    const head = await deps.store.getHead(review.reportId);
    const auditor = head !== undefined && hasRole(principal, 'auditor') && canRead(principal, head.agencyId);
    try {
      deputyFor = await actingFor(review.approverEmail, principal, deps);
    } catch (error) {
      // an auditor of the agency reads every review; anyone else is told why the link is not theirs
      if (!auditor) throw error;
    }
  }
  const events = await deps.store.listEvents(review.reportId);
  const content = versionOf(events, review.version);
  if (!content) throw new Error(`report ${review.reportId} has no version ${review.version}`);
  const report = parseReport(content.report);
  const previous = await previousYearReport(deps.store, report.agency.id, report.year);
  const warnings =
    content.acknowledgements ??
    checkReport(report, previous === undefined ? {} : { previous }).warnings.map((warning) => ({
      key: findingKey(warning),
      code: warning.code,
      path: warning.path,
      message: warning.message,
    }));
  const seen = (await deps.store.listReviewPointers(review.reportId))
    .filter((pointer) => pointer.approverEmail === review.approverEmail && pointer.version < review.version)
    .map((pointer) => pointer.version);
  const sinceVersion = seen.length === 0 ? undefined : Math.max(...seen);
  const before = sinceVersion === undefined ? undefined : versionOf(events, sinceVersion);
  const state = foldReport(events);
  const chain = state?.chain ?? DEFAULT_CHAIN;
  const step = stepById(chain, review.stage) ?? { id: review.stage, label: review.stage, kind: 'review', role: review.stage };
  return {
    review,
    report,
    agencyName: state?.head.agencyName,
    open: isOpenFor(state, review),
    step,
    nextStep: chain.steps[stepIndex(chain, review.stage) + 1],
    sheet: signOffSheet(events),
    closedBecause: await closedBecause(review, state, events, deps),
    warnings,
    warningsAnswered: content.acknowledgements !== undefined,
    changes: sinceVersion === undefined || !before ? undefined : { sinceVersion, diff: diffReports(parseReport(before.report), report) },
    signedInAsApprover: principal.email === review.approverEmail || deputyFor !== undefined,
    deputyFor: deputyFor?.delegatorName,
  };
}
