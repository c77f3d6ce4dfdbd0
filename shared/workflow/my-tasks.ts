import type { Principal } from '../auth/principal.js';
import { ForbiddenError, NotFoundError, TooManyRequestsError } from './errors.js';
import { deputisedBy, deputyMayDecide, isActive } from './delegation.js';
import { REVIEW_ID_PATTERN, type Delegation, type Review } from './model.js';
import { reviewLinkExpiry, reviewLinkPath, signReviewLink } from './links.js';
import { foldReport, versionOf } from './report-state.js';
import { isOpenFor } from './decide-review.js';
import type { Clock, DelegationStore, ReportLogStore, ReviewStore } from './ports.js';
import { emailReview, type RequestReviewDeps } from './review-delivery.js';
import { waitingReviewsOf } from './hand-over.js';
import { stepById } from './review-chain.js';

/** One review waiting for the signed-in person, as GET /api/me/tasks lists it. */
export interface Task {
  readonly reviewId: string;
  readonly reportId: string;
  readonly agencyName: string;
  readonly year: number;
  readonly version: number;
  readonly stepId: string;
  readonly stepLabel: string;
  readonly requestedAt: string;
  /** the review page, signed as the emailed link is */
  readonly url: string;
  /** the person whose review it is, when the signed-in person acts as their deputy (代理) */
  readonly onBehalfOf?: { readonly email: string; readonly name: string };
}

export const MAX_RESENDS_PER_HOUR = 3;

const HOUR_MS = 3_600_000;

export interface MyTasksDeps {
  readonly store: ReportLogStore & ReviewStore & DelegationStore;
  readonly clock: Clock;
  readonly linkKey: Buffer;
  readonly baseUrl: string;
}

/**
 * The person's open reviews: the reports of their agency in review whose current step waits on a review of theirs,
 * or of someone whose delegation to them runs today. A review handed to them when someone left the post has no slot
 * of its own: the log names it.
 */
async function openReviews(
  principal: Principal,
  deps: MyTasksDeps,
): Promise<Array<{ review: Review; head: { agencyName: string; year: number }; stepLabel: string; onBehalfOf: Delegation | undefined }>> {
  const delegations = await deputisedBy(principal.email, principal.agencyId, deps);
  const forWhom = new Map<string, Delegation | undefined>([
    [principal.email, undefined],
    ...delegations.map((delegation) => [delegation.delegator, delegation] as const),
  ]);
  const found = (await waitingReviewsOf([...forWhom.keys()], principal.agencyId, deps)).flatMap(({ review, state }) => {
    const onBehalfOf = forWhom.get(review.approverEmail);
    if (onBehalfOf !== undefined && !deputyMayDecide(principal.email, review.stage, state)) return [];
    return [{ review, head: state.head, stepLabel: stepById(state.chain, review.stage)?.label ?? review.stage, onBehalfOf }];
  });
  return found.sort((a, b) => a.review.createdAt.localeCompare(b.review.createdAt));
}

/** GET /api/me/tasks: every review waiting for the signed-in person (or whom they deputise), oldest first. */
export async function listMyTasks(principal: Principal, deps: MyTasksDeps): Promise<Task[]> {
  const expires = reviewLinkExpiry(deps.clock.now());
  return (await openReviews(principal, deps)).map(({ review, head, stepLabel, onBehalfOf }) => ({
    reviewId: review.reviewId,
    reportId: review.reportId,
    agencyName: head.agencyName,
    year: head.year,
    version: review.version,
    stepId: review.stage,
    stepLabel,
    requestedAt: review.createdAt,
    url: new URL(
      reviewLinkPath(review.reviewId, signReviewLink(deps.linkKey, review.reviewId, review.approverEmail, expires)),
      deps.baseUrl,
    ).toString(),
    ...(onBehalfOf === undefined ? {} : { onBehalfOf: { email: onBehalfOf.delegator, name: onBehalfOf.delegatorName } }),
  }));
}

/**
 * POST /api/me/tasks/{reviewId}/resend: emails the link again, at most three times an hour. Only the person the
 * review waits on may ask, and only while it is open; the resend times are written before the email, conditionally,
 * so two requests at once cannot both pass the limit.
 */
export async function resendTask(reviewId: string, principal: Principal, deps: RequestReviewDeps): Promise<{ sent: true }> {
  const review = REVIEW_ID_PATTERN.test(reviewId) ? await deps.store.getReview(reviewId) : undefined;
  if (!review) throw new NotFoundError('找不到该待办审核。');
  const delegation = review.approverEmail === principal.email ? undefined : await deps.store.getDelegation(review.approverEmail);
  const deputising = delegation !== undefined && delegation.deputy === principal.email && isActive(delegation, deps.clock.now());
  if (review.approverEmail !== principal.email && !deputising) throw new NotFoundError('找不到该待办审核。');
  const events = await deps.store.listEvents(review.reportId);
  const state = foldReport(events);
  const step = state && stepById(state.chain, review.stage);
  const content = versionOf(events, review.version);
  if (!state || !step || !content || review.replacedBy || !isOpenFor(state, review)) {
    throw new ForbiddenError('该审核已不在等待您处理，不能重新发送。', 'TASK_CLOSED');
  }
  const holder = deputising
    ? await deps.store.getRosterEntry(review.approverEmail)
    : { agencyId: principal.agencyId, roles: principal.roles };
  if (state.head.agencyId !== principal.agencyId || holder?.agencyId !== principal.agencyId || !holder.roles.includes(step.role)) {
    throw new ForbiddenError(`您目前不担任“${step.label}”所需的职务。`, 'ROLE_NOT_HELD');
  }
  const now = deps.clock.now();
  const recent = (review.resentAt ?? []).filter((at) => Date.parse(at) > now.getTime() - HOUR_MS);
  if (recent.length >= MAX_RESENDS_PER_HOUR)
    throw new TooManyRequestsError(`一小时内最多重新发送 ${MAX_RESENDS_PER_HOUR} 次，请稍后再试。`);
  await deps.store.setReviewResends(review.reviewId, [...recent, now.toISOString()], review.resentAt);
  const deputy = deputising ? await deps.store.getRosterEntry(principal.email) : undefined;
  await emailReview(review, step, state, content.report, true, deps, undefined, deputy);
  return { sent: true };
}
