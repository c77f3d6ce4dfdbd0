import { ConflictError } from './errors.js';
import { isOpenFor } from './decide-review.js';
import { newReviewId } from './links.js';
import type { Review, RosterEntry } from './model.js';
import type { ReportLogStore, ReviewStore } from './ports.js';
import { commit, systemEvent } from './report-log.js';
import { foldReport, versionOf, type Holder, type ReportState } from './report-state.js';
import { emailReview, holdToken, newReview, type RequestReviewDeps, storeNewReview } from './review-delivery.js';
import { stepById, type Step } from './review-chain.js';
import { approverFor, eligibleFor } from './step-people.js';

/**
 * Open reviews follow the roster: a review whose approver no longer holds the step's role in the report's agency
 * (moved, the post taken away, removed) passes to whoever holds it now. The hand-over is written to the report's log
 * first, by the same conditional append a decision uses, so of a decision and a hand-over of one review exactly one
 * lands: a decision already in the log keeps the review where it is; a hand-over already in the log refuses the old
 * approver's decision (409 naming the new holder). Everything after the log (the new review's record, the old one's
 * mark, the task token, the email) is redone by a retry from what the log says, so a retry creates no second review
 * and sends no second email once the first is recorded.
 */

export type HandOverDeps = Omit<RequestReviewDeps, 'workflow'>;

/** what reading the reviews a report waits on needs: its log and its reviews */
interface ReadReviewsDeps {
  readonly store: ReportLogStore & ReviewStore;
}

/** A review passed on, or kept because nobody else may take it. */
export interface HandOver {
  readonly reportId: string;
  readonly agencyName: string;
  readonly year: number;
  readonly stepLabel: string;
  readonly from: { readonly email: string; readonly name: string };
  /** absent: nobody else holds the step's role (the review stays where it is) */
  readonly to?: { readonly email: string; readonly name: string };
}

/** kept: the approver may still decide it, or it is decided or closed; stranded: nobody else may take it. */
type Outcome = 'kept' | 'stranded' | 'handed';

/** Whether the approver still holds the step's role in the report's agency. */
const stillHolds = (review: Review, step: Step, state: ReportState, roster: readonly RosterEntry[]): boolean => {
  const holder = roster.find((entry) => entry.email === review.approverEmail);
  return holder !== undefined && holder.agencyId === state.head.agencyId && holder.roles.includes(step.role);
};

/** Who takes the review: the chain's choice for a step one person decides; for a 会签, a holder of the role not already asked. */
function successorFor(review: Review, step: Step, state: ReportState, roster: readonly RosterEntry[]): RosterEntry | undefined {
  if (step.kind !== 'cosign') return approverFor(step, state.chain, roster, state.head.agencyId, state);
  const asked = state.cursor.kind === 'cosign' ? state.cursor.cosigners : [];
  return eligibleFor(step, roster, state.head.agencyId, state).find(
    (entry) => entry.email !== review.approverEmail && !asked.includes(entry.email),
  );
}

/** The new review's record, made from the hand-over the log holds: the same slot, the old review's task token. */
async function ensureSuccessorRecord(old: Review, holder: Holder, deps: HandOverDeps): Promise<Review> {
  const existing = await deps.store.getReview(holder.reviewId);
  if (existing) return existing;
  const next = newReview(
    {
      reviewId: holder.reviewId,
      reportId: old.reportId,
      version: old.version,
      stage: old.stage,
      approverEmail: holder.approverEmail,
      approverName: holder.approverName,
      // the waiting task completes from the new review: it carries the token the workflow gave the old one
      ...(old.taskToken === undefined ? {} : { taskToken: old.taskToken }),
      tokenSeq: old.tokenSeq,
      takesOverFrom: { reviewId: old.reviewId, approverEmail: old.approverEmail, approverName: old.approverName },
    },
    deps.clock.now(),
  );
  return storeNewReview(next, deps.store);
}

/** Marks the old review handed on; a mark already there (a retry) is fine. */
async function markReplaced(old: Review, holder: Holder, deps: HandOverDeps): Promise<void> {
  try {
    await deps.store.markReviewReplaced(old.reviewId, holder);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

/**
 * Hands one review on when its approver lost the step's role and someone else may take it. Answers the review the
 * report now waits on (the new one, or the same one when it is kept, decided or closed).
 */
export async function handOverReview(review: Review, deps: HandOverDeps): Promise<{ review: Review; outcome: Outcome }> {
  const before = foldReport(await deps.store.listEvents(review.reportId));
  const step = before === undefined ? undefined : stepById(before.chain, review.stage);
  if (!before || !step) return { review, outcome: 'kept' };
  const logged = before.handedOver.get(review.reviewId);
  let holder = logged;
  if (holder === undefined) {
    // a review without a token yet is not waited on: the task that asks for it hands it over when it holds one
    if (review.decision || review.replacedBy || review.tokenSeq < 1 || !isOpenFor(before, review)) return { review, outcome: 'kept' };
    const roster = await deps.store.listRoster(before.head.agencyId);
    if (stillHolds(review, step, before, roster)) return { review, outcome: 'kept' };
    const successor = successorFor(review, step, before, roster);
    if (!successor) return { review, outcome: 'stranded' };
    const reviewId = newReviewId();
    const committed = await commit(
      review.reportId,
      (state, events) => {
        // a decision, a withdrawal, a new version or another hand-over got there first: theirs stands
        if (!state || state.handedOver.has(review.reviewId) || state.decidedReviews.has(review.reviewId) || !isOpenFor(state, review))
          return undefined;
        const content = versionOf(events, review.version);
        if (!content) throw new Error(`report ${review.reportId} has no version ${review.version}`);
        return systemEvent(
          review.reportId,
          'review_requested',
          state,
          content.contentSha256,
          {
            reviewId,
            stage: review.stage,
            stepLabel: step.label,
            approverEmail: successor.email,
            approverName: successor.name,
            tokenSeq: review.tokenSeq,
            replaces: { reviewId: review.reviewId, approverEmail: review.approverEmail, approverName: review.approverName },
          },
          deps.clock,
          review.version,
        );
      },
      deps,
    );
    holder = committed.state?.handedOver.get(review.reviewId);
    if (holder === undefined) return { review, outcome: 'kept' };
  }
  return { review: await completeHandOver(review, holder, step, deps), outcome: 'handed' };
}

/**
 * After the log: the new record, the live token moved onto it, the new holder emailed (once), then the old review
 * marked (its link answers 409 from then on; a decision on it is refused by the log already). The mark comes last, so
 * a review handed over in the log and not yet marked is a hand-over a retry still has to finish.
 */
async function completeHandOver(review: Review, holder: Holder, step: Step, deps: HandOverDeps): Promise<Review> {
  let next = await ensureSuccessorRecord(review, holder, deps);
  // a reminder may have given the old review a newer token meanwhile: the waiting task holds that one
  const old = (await deps.store.getReview(review.reviewId)) ?? review;
  if (old.taskToken !== undefined && old.taskToken !== next.taskToken && old.tokenSeq > next.tokenSeq)
    next = await holdToken(next, old.taskToken, deps);
  if (next.emailedTokenSeq < next.tokenSeq) {
    const events = await deps.store.listEvents(review.reportId);
    const state = foldReport(events);
    const content = versionOf(events, review.version);
    if (state && content && !state.decidedReviews.has(next.reviewId) && isOpenFor(state, next)) {
      await emailReview(next, step, state, content.report, false, deps, review.approverName);
      await deps.store.markReviewEmailed(next.reviewId, next.tokenSeq);
      next = (await deps.store.getReview(next.reviewId)) ?? next;
    }
  }
  await markReplaced(review, holder, deps);
  return next;
}

/** Every review asked for the current version of a report under review, with the report's state. */
async function reviewsAskedIn(reportId: string, deps: ReadReviewsDeps): Promise<Array<{ review: Review; state: ReportState }>> {
  const state = foldReport(await deps.store.listEvents(reportId));
  if (state?.head.status !== 'in_review') return [];
  const ids = new Set<string>();
  if (state.head.pendingReviewId !== undefined) ids.add(state.head.pendingReviewId);
  for (const pointer of await deps.store.listReviewPointers(reportId))
    if (pointer.version === state.head.version) ids.add(pointer.reviewId);
  // reviews made by a hand-over have no slot of their own
  for (const holder of state.handedOver.values()) ids.add(holder.reviewId);
  const reviews = await Promise.all([...ids].map((id) => deps.store.getReview(id)));
  return reviews.flatMap((review) => (review !== undefined && review.version === state.head.version ? [{ review, state }] : []));
}

/** Every review of the current version of the agency's reports under review that was asked of one of `emails`. */
async function reviewsAskedOf(
  emails: readonly string[],
  agencyId: string,
  deps: ReadReviewsDeps,
): Promise<Array<{ review: Review; state: ReportState }>> {
  const heads = (await deps.store.listHeads(agencyId)).filter((head) => head.status === 'in_review');
  const found = await Promise.all(heads.map((head) => reviewsAskedIn(head.reportId, deps)));
  return found.flat().filter(({ review }) => emails.includes(review.approverEmail));
}

const waiting = ({ review, state }: { review: Review; state: ReportState }): boolean =>
  !state.handedOver.has(review.reviewId) && !state.decidedReviews.has(review.reviewId) && isOpenFor(state, review);

const unfinished = ({ review, state }: { review: Review; state: ReportState }): boolean =>
  state.handedOver.has(review.reviewId) && review.replacedBy === undefined;

/** The reviews a report waits on now: open, undecided, and not handed on in the log. */
export async function waitingReviewsIn(reportId: string, deps: ReadReviewsDeps): Promise<Review[]> {
  return (await reviewsAskedIn(reportId, deps)).filter(waiting).map(({ review }) => review);
}

/**
 * The reviews any of `emails` is asked for in the agency's reports under review: open, and not handed on in the log.
 * The reports are read once however many people are asked about (a deputy's own and their delegators').
 */
export async function waitingReviewsOf(
  emails: readonly string[],
  agencyId: string,
  deps: ReadReviewsDeps,
): Promise<Array<{ review: Review; state: ReportState }>> {
  return (await reviewsAskedOf(emails, agencyId, deps)).filter(waiting);
}

/**
 * After a roster write: every open review of the person, as they were (`before`), that they can no longer decide is
 * handed to the step's current holder. Reviews nobody else may take are answered too (no `to`), so the administrator
 * is told; they stay where they are.
 */
export async function handOverReviewsOf(before: Pick<RosterEntry, 'email' | 'agencyId'>, deps: HandOverDeps): Promise<HandOver[]> {
  const open = (await reviewsAskedOf([before.email], before.agencyId, deps)).filter((found) => waiting(found) || unfinished(found));
  const results: HandOver[] = [];
  for (const { review, state } of open) {
    const step = stepById(state.chain, review.stage);
    if (!step) continue;
    const { review: now, outcome } = await handOverReview(review, deps);
    if (outcome === 'kept') continue;
    const common = {
      reportId: review.reportId,
      agencyName: state.head.agencyName,
      year: state.head.year,
      stepLabel: step.label,
      from: { email: review.approverEmail, name: review.approverName },
    };
    results.push(outcome === 'handed' ? { ...common, to: { email: now.approverEmail, name: now.approverName } } : common);
  }
  return results;
}

/** The administrator's warning for a review nobody may take. */
export const strandedWarning = (handOver: HandOver): string =>
  `${handOver.agencyName}${handOver.year}年度报告的“${handOver.stepLabel}”无人可转交：${handOver.from.name}的待办审核仍保留在原处，请先为该单位指定接替人员。`;
