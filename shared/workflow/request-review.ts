import type { RequestReviewInput } from './contracts.js';
import { activeDeputyOf, deputyMayDecide } from './delegation.js';
import { typedEvent } from './event-data.js';
import { newReviewId } from './links.js';
import type { Review, RosterEntry } from './model.js';
import { commit, systemEvent } from './report-log.js';
import { decidedEventOf, foldReport, versionOf, type ReportState } from './report-state.js';
import { stepAt, stepIndex, type Step } from './review-chain.js';
import { projectDecision } from './review-projection.js';
import { handOverReview } from './hand-over.js';
import { approverFor } from './step-people.js';
import { sendTaskAnswer, taskAnswerOf } from './task-answer.js';

import { emailReview, holdToken, newReview, type RequestReviewDeps, storeNewReview } from './review-delivery.js';

export type RequestReviewOutcome = 'emailed' | 'already-emailed' | 'delivered-recorded-decision' | 'withdrawn';

export class NoApproverError extends Error {
  override readonly name = 'NoApproverError';
}

/** The step a task asks about: by index in the round's chain, or (executions from before chains were data) by id. */
function stepOf(input: RequestReviewInput, state: ReportState): Step {
  const index = input.step ?? stepIndex(state.chain, input.stage ?? '');
  const step = stepAt(state.chain, index);
  if (!step) throw new Error(`report ${input.reportId} has no step ${input.step ?? input.stage} in its chain`);
  return step;
}

/** The review for (report, version, step[, co-signer]): the first call creates it; every later call (reminders, retries) finds it. */
async function findOrCreateReview(
  input: RequestReviewInput,
  step: Step,
  approver: RosterEntry | undefined,
  deps: RequestReviewDeps,
): Promise<Review> {
  const seat = step.kind === 'cosign' ? input.approver : undefined;
  const email = seat ?? approver?.email;
  if (email === undefined) throw new NoApproverError(`report ${input.reportId}: nobody may decide step ${step.id}`);
  const pointer = await deps.store.claimReviewSlot({
    reviewId: newReviewId(),
    reportId: input.reportId,
    version: input.version,
    stage: step.id,
    approverEmail: email,
    seat,
  });
  let review = await deps.store.getReview(pointer.reviewId);
  // a review handed on to the step's new holder: the task now waits on theirs
  for (let hops = 0; review?.replacedBy && hops < 20; hops++) review = await deps.store.getReview(review.replacedBy.reviewId);
  if (review) return review;
  const created = newReview(
    {
      reviewId: pointer.reviewId,
      reportId: input.reportId,
      version: input.version,
      stage: step.id,
      approverEmail: pointer.approverEmail,
      approverName: approver?.email === pointer.approverEmail ? approver.name : pointer.approverEmail,
      tokenSeq: 0,
    },
    deps.clock.now(),
  );
  return storeNewReview(created, deps.store);
}

/**
 * The waitForTaskToken task of every step (and of each co-signer of a 会签). Stores the token under the review and
 * emails the approver a link carrying only the review id and a signature. Reminders (after a timeout) come back here
 * with a new token for the same review, so older links keep working. A decision already in the log (made while no
 * token was live) is delivered at once with the new one: the log is read after the token is stored, and a decision
 * reads the token after its event is in the log, so one of the two always delivers.
 */
export async function requestReview(input: RequestReviewInput, deps: RequestReviewDeps): Promise<RequestReviewOutcome> {
  const before = foldReport(await deps.store.listEvents(input.reportId));
  if (!before) throw new Error(`report ${input.reportId} has no log`);
  if (before.head.status === 'withdrawn') return 'withdrawn';
  const step = stepOf(input, before);
  const roster = await deps.store.listRoster(before.head.agencyId);
  const approver =
    step.kind === 'cosign'
      ? roster.find((entry) => entry.email === input.approver)
      : approverFor(step, before.chain, roster, before.head.agencyId, before);
  const found = await findOrCreateReview(input, step, approver, deps);
  // the token first, so that a review handed on (its approver left the post) passes the live token to the new one
  const held = await holdToken(found, input.taskToken, deps);
  const { review } = await handOverReview(held, deps);
  // handed on just now: the new holder was emailed by the hand-over
  const emailedHere = review.reviewId !== held.reviewId;

  const events = await deps.store.listEvents(input.reportId);
  const state = foldReport(events);
  const content = versionOf(events, input.version);
  if (!state || !content) throw new Error(`report ${input.reportId} has no version ${input.version}`);
  const decided = decidedEventOf(events, review.reviewId);
  if (decided) {
    await projectDecision(review.reviewId, decided.data.decision, decided.seq, deps);
    if (await sendTaskAnswer(deps.workflow, input.taskToken, taskAnswerOf(state.chain, decided)))
      await deps.store.markDecisionDelivered(review.reviewId, review.tokenSeq);
    return 'delivered-recorded-decision';
  }
  if (state.head.status === 'withdrawn') return 'withdrawn';
  // emailed for this token means logged for it too (the line is written before the email, here and at a hand-over)
  if (review.emailedTokenSeq >= review.tokenSeq) return emailedHere ? 'emailed' : 'already-emailed';

  // while the approver's delegation runs, the email goes to the deputy (the review stays the approver's), unless
  // separation of duties rules the deputy out of this step: then the approver is asked as usual
  const candidate = await activeDeputyOf(review.approverEmail, state.head.agencyId, roster, deps);
  const deputy = candidate !== undefined && deputyMayDecide(candidate.email, step.id, state) ? candidate : undefined;

  // a review handed over is asked for the first time, whatever token it carries
  const type =
    review.tokenSeq === 1 || (review.takesOverFrom !== undefined && review.emailedTokenSeq === 0) ? 'review_requested' : 'reminder_sent';
  await commit(
    input.reportId,
    (current, log) => {
      if (!current) throw new Error(`report ${input.reportId} has no log`);
      const done = log.some((raw) => {
        if (raw.type !== 'review_requested' && raw.type !== 'reminder_sent') return false;
        const event = typedEvent(raw);
        return (
          (event.type === 'review_requested' || event.type === 'reminder_sent') &&
          event.data.reviewId === review.reviewId &&
          event.data.tokenSeq === review.tokenSeq
        );
      });
      if (done) return undefined;
      return systemEvent(
        input.reportId,
        type,
        current,
        content.contentSha256,
        {
          reviewId: review.reviewId,
          stage: review.stage,
          stepLabel: step.label,
          approverEmail: review.approverEmail,
          approverName: review.approverName,
          tokenSeq: review.tokenSeq,
          ...(review.takesOverFrom === undefined ? {} : { replaces: review.takesOverFrom }),
          ...(deputy === undefined ? {} : { deputy: { email: deputy.email, name: deputy.name } }),
        },
        deps.clock,
        input.version,
      );
    },
    deps,
  );

  await emailReview(
    review,
    step,
    state,
    content.report,
    type === 'reminder_sent' && review.takesOverFrom === undefined,
    deps,
    review.takesOverFrom?.approverName,
    deputy,
  );
  await deps.store.markReviewEmailed(review.reviewId, review.tokenSeq);
  return 'emailed';
}
