import { checkReport } from '../report/checks.js';
import { reviewRequestMessage } from '../mail/messages.js';
import type { RequestReviewInput } from './contracts.js';
import { ConflictError, TaskGoneError } from './errors.js';
import { newReviewId, REVIEW_LINK_DAYS, reviewLinkPath, signReviewLink } from './links.js';
import type { Review } from './model.js';
import { approverFor } from './notify.js';
import type { Mailer, Workflow } from './ports.js';
import { previousYearReport } from './previous-year.js';
import { commit, systemEvent, type LogDeps } from './report-log.js';
import { foldReport, versionOf } from './report-state.js';
import { logDecision } from './decision-log.js';

export interface RequestReviewDeps extends LogDeps {
  readonly workflow: Workflow;
  readonly mailer: Mailer;
  readonly linkKey: Buffer;
  readonly baseUrl: string;
}

export type RequestReviewOutcome = 'emailed' | 'already-emailed' | 'delivered-recorded-decision' | 'withdrawn';

/** The review for (report, version, stage): the first call creates it; every later call (reminders, retries) finds it. */
async function findOrCreateReview(input: RequestReviewInput, agencyId: string, deps: RequestReviewDeps): Promise<Review> {
  const approver = await approverFor(deps.store, agencyId, input.stage);
  const pointer = await deps.store.claimReviewSlot({
    reviewId: newReviewId(),
    reportId: input.reportId,
    version: input.version,
    stage: input.stage,
    approverEmail: approver.email,
  });
  const existing = await deps.store.getReview(pointer.reviewId);
  if (existing) return existing;
  const now = deps.clock.now();
  const review: Review = {
    reviewId: pointer.reviewId,
    reportId: input.reportId,
    version: input.version,
    stage: input.stage,
    approverEmail: pointer.approverEmail,
    approverName: approver.email === pointer.approverEmail ? approver.name : pointer.approverEmail,
    createdAt: now.toISOString(),
    linkExpiresAt: new Date(now.getTime() + REVIEW_LINK_DAYS * 86_400_000).toISOString(),
    tokenSeq: 0,
    emailedTokenSeq: 0,
  };
  try {
    await deps.store.createReview(review);
    return review;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const raced = await deps.store.getReview(pointer.reviewId);
    if (!raced) throw error;
    return raced;
  }
}

/** Keeps the task token on the review (never anywhere else); a retried invocation with the same token changes nothing. */
async function holdToken(review: Review, taskToken: string, deps: RequestReviewDeps): Promise<Review> {
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

/**
 * The waitForTaskToken task of DirectorReview and LeaderReview. Stores the token under the review and emails the
 * approver a link carrying only the review id and a signature. Reminders (after a timeout) come back here with a new
 * token for the same review, so older links keep working. A decision recorded while no token was live is delivered
 * at once with the new one.
 */
export async function requestReview(input: RequestReviewInput, deps: RequestReviewDeps): Promise<RequestReviewOutcome> {
  const events = await deps.store.listEvents(input.reportId);
  const head = foldReport(events)?.head;
  const content = versionOf(events, input.version);
  if (!head || !content) throw new Error(`report ${input.reportId} has no version ${input.version}`);
  if (head.status === 'withdrawn') return 'withdrawn';

  const review = await holdToken(await findOrCreateReview(input, head.agencyId, deps), input.taskToken, deps);

  if (review.decision) {
    await logDecision(review, review.decision, deps);
    try {
      await deps.workflow.sendTaskSuccess(input.taskToken, review.decision);
      await deps.store.markDecisionDelivered(review.reviewId, review.tokenSeq);
    } catch (error) {
      if (!(error instanceof TaskGoneError)) throw error;
    }
    return 'delivered-recorded-decision';
  }

  const type = review.tokenSeq === 1 ? 'review_requested' : 'reminder_sent';
  await commit(
    input.reportId,
    (state, log) => {
      if (!state) throw new Error(`report ${input.reportId} has no log`);
      const done = log.some((event) => (event.type === 'review_requested' || event.type === 'reminder_sent') && event.data['reviewId'] === review.reviewId && event.data['tokenSeq'] === review.tokenSeq);
      if (done) return undefined;
      return systemEvent(
        input.reportId,
        type,
        state,
        content.contentSha256,
        { reviewId: review.reviewId, stage: review.stage, approverEmail: review.approverEmail, approverName: review.approverName, tokenSeq: review.tokenSeq },
        deps.clock,
        input.version,
      );
    },
    deps,
  );

  if (review.emailedTokenSeq >= review.tokenSeq) return 'already-emailed';
  const now = deps.clock.now();
  const sig = signReviewLink(deps.linkKey, review.reviewId, review.approverEmail, new Date(now.getTime() + REVIEW_LINK_DAYS * 86_400_000));
  const previous = await previousYearReport(deps.store, head.agencyId, head.year);
  const warnings = checkReport(content.report, previous === undefined ? {} : { previous }).warnings;
  await deps.mailer.send(
    reviewRequestMessage({
      to: review.approverEmail,
      approverName: review.approverName,
      agencyName: head.agencyName,
      year: head.year,
      version: input.version,
      stage: review.stage,
      reviewUrl: new URL(reviewLinkPath(review.reviewId, sig), deps.baseUrl).toString(),
      warningsCount: warnings.length,
      reminder: type === 'reminder_sent',
      baseUrl: deps.baseUrl,
    }),
  );
  await deps.store.markReviewEmailed(review.reviewId, review.tokenSeq);
  return 'emailed';
}
