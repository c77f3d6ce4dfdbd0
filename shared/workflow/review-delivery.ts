import { checkReport } from '../report/checks.js';
import { reviewRequestMessage } from '../mail/messages.js';
import { ConflictError } from './errors.js';
import { reviewLinkExpiry, reviewLinkPath, signReviewLink } from './links.js';
import type { Review, RosterEntry } from './model.js';
import type { DelegationStore, ImportedReportStore, Mailer, ReportLogStore, ReviewStore, RosterStore, Workflow } from './ports.js';
import { previousYearReport } from './previous-year.js';
import type { LogDeps } from './report-log.js';
import type { ReportState } from './report-state.js';
import type { Step } from './review-chain.js';

/**
 * What every way of asking for a review shares (the step's task, a reminder, a hand-over, a resend): the task token
 * kept on the review, and the email with its signed link.
 */

/** a step's review beside the report's log */
export interface ReviewLogDeps extends LogDeps {
  readonly store: ReportLogStore & ReviewStore;
}

export interface RequestReviewDeps extends LogDeps {
  readonly store: ReportLogStore & ReviewStore & RosterStore & ImportedReportStore & DelegationStore;
  readonly workflow: Workflow;
  readonly mailer: Mailer;
  readonly linkKey: Buffer;
  readonly baseUrl: string;
}

/** A review made at `now`: its link valid from then, no email sent yet for any token. */
export function newReview(fields: Omit<Review, 'createdAt' | 'linkExpiresAt' | 'emailedTokenSeq'>, now: Date): Review {
  return { ...fields, createdAt: now.toISOString(), linkExpiresAt: reviewLinkExpiry(now).toISOString(), emailedTokenSeq: 0 };
}

/**
 * Stores a review made just now. When another call stored the same review first (a retried task, two hand-overs at
 * once), the stored one is answered: its token and marks are the ones that count.
 */
export async function storeNewReview(review: Review, store: ReviewStore): Promise<Review> {
  try {
    await store.createReview(review);
    return review;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const stored = await store.getReview(review.reviewId);
    if (!stored) throw error;
    return stored;
  }
}

/** Keeps the task token on the review (never anywhere else); a retried invocation with the same token changes nothing. */
export async function holdToken(review: Review, taskToken: string, deps: ReviewLogDeps): Promise<Review> {
  let current = review;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (current.taskToken === taskToken) return current;
    try {
      return await deps.store.issueReviewToken(current.reviewId, taskToken, current.tokenSeq);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const again = await deps.store.getReview(current.reviewId);
      if (!again) throw error;
      current = again;
    }
  }
  throw new ConflictError();
}

/** The review email: the step's wording, the signed link, how many warnings the checks give. */
export async function emailReview(
  review: Review,
  step: Step,
  state: ReportState,
  report: Record<string, unknown>,
  reminder: boolean,
  deps: Omit<RequestReviewDeps, 'workflow'>,
  replaces?: string,
  deputy?: RosterEntry,
): Promise<void> {
  const now = deps.clock.now();
  const sig = signReviewLink(deps.linkKey, review.reviewId, review.approverEmail, reviewLinkExpiry(now));
  const previous = await previousYearReport(deps.store, state.head.agencyId, state.head.year);
  const warnings = checkReport(report, previous === undefined ? {} : { previous }).warnings;
  await deps.mailer.send(
    reviewRequestMessage({
      to: deputy?.email ?? review.approverEmail,
      approverName: deputy?.name ?? review.approverName,
      onBehalfOf: deputy === undefined ? undefined : review.approverName,
      agencyName: state.head.agencyName,
      year: state.head.year,
      version: review.version,
      step,
      replaces,
      reviewUrl: new URL(reviewLinkPath(review.reviewId, sig), deps.baseUrl).toString(),
      warningsCount: warnings.length,
      reminder,
      baseUrl: deps.baseUrl,
    }),
  );
}
