import type { Principal } from '../auth/principal.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors.js';
import { verifyReviewLink } from './links.js';
import { REVIEW_ID_PATTERN, type Decision, type Review, type UnsealedEvent } from './model.js';
import type { ReportLogStore, ReviewStore, RosterStore, Workflow } from './ports.js';
import { commit, type LogDeps } from './report-log.js';
import { decidedEventOf, foldReport, versionOf, type ReportState } from './report-state.js';
import { cursorAt, returnCursor, stepById, stepIndex, stepLabel, type Step } from './review-chain.js';
import { projectDecision } from './review-projection.js';
import { cosignersFor } from './step-people.js';
import { sendTaskAnswer, taskAnswerOf } from './task-answer.js';

export interface DecideDeps extends LogDeps {
  readonly store: ReportLogStore & ReviewStore & RosterStore;
  readonly workflow: Workflow;
  readonly linkKey: Buffer;
}

export interface DecisionRequest {
  readonly reviewId: string;
  readonly sig: string | undefined;
  readonly outcome: 'approve' | 'return';
  readonly comment: string;
  readonly confidentialityReviewed: boolean;
}

export const MAX_COMMENT_CHARS = 2000;

/** The decision already on a review: answered with 409 and the decision that stands. */
export class AlreadyDecidedError extends ConflictError {
  constructor(readonly decision: Decision) {
    super('该报告已有审核结果，不能重复提交。', 'ALREADY_DECIDED', { decision });
  }
}

/** A review handed to the step's current holder after its approver left the post: 409 with who holds it now. */
export class ReviewReassignedError extends ConflictError {
  constructor(holder: { readonly reviewId: string; readonly approverEmail: string; readonly approverName: string }) {
    super(`该审核已转交${holder.approverName}（${holder.approverEmail}）处理，这个链接已不再有效。`, 'REVIEW_REASSIGNED', {
      holder: { email: holder.approverEmail, name: holder.approverName },
    });
  }
}

export async function loadReviewForApprover(reviewId: string, sig: string | undefined, principal: Principal | undefined, deps: DecideDeps) {
  const review = REVIEW_ID_PATTERN.test(reviewId) ? await deps.store.getReview(reviewId) : undefined;
  if (!review) throw new NotFoundError('找不到该审核。');
  verifyReviewLink(deps.linkKey, review.reviewId, review.approverEmail, sig, deps.clock.now());
  if (review.replacedBy && !review.decision) throw new ReviewReassignedError(review.replacedBy);
  if (principal && principal.email !== review.approverEmail) {
    throw new ForbiddenError('该审核链接发给了另一位审核人，请用收到邮件的账号登录。', 'NOT_YOUR_REVIEW');
  }
  return review;
}

/** Whether the report waits on this review: in review, this version, at this step, and (会签) this co-signer not done. */
export function isOpenFor(state: ReportState | undefined, review: Review): boolean {
  if (state?.head.status !== 'in_review' || state.head.version !== review.version) return false;
  if (state.cursor.stepId !== review.stage || state.cursor.kind === 'publish' || state.cursor.kind === 'return') return false;
  if (state.cursor.kind !== 'cosign') return true;
  return state.cursor.cosigners.includes(review.approverEmail) && !state.cosigned.includes(review.approverEmail);
}

/**
 * A review can be decided only while the report waits on it. A link kept from before a withdrawal or a newer version
 * decides nothing.
 */
export function requireOpenReview(state: ReportState | undefined, review: Review): void {
  if (isOpenFor(state, review)) return;
  throw new ConflictError('该报告已撤回或已有新的版本，这个审核链接已不再需要处理。', 'REVIEW_CLOSED', { status: state?.head.status, stage: state?.head.stage });
}

/**
 * Who may decide a step, checked against the roster as it is now (the principal is read from it on every request):
 * the person holds the step's role in the report's agency, did not submit this round, and decided no other step of it.
 */
export function requireEntitled(principal: Principal, state: ReportState, step: Step): void {
  if (principal.agencyId !== state.head.agencyId || !principal.roles.includes(step.role)) {
    throw new ForbiddenError(`您目前不担任“${step.label}”所需的职务，不能处理这项审核。`, 'ROLE_NOT_HELD');
  }
  if (state.roundSubmitters.includes(principal.email)) {
    throw new ForbiddenError('不能审核或签发自己提交的报告，请由其他人员处理。', 'OWN_SUBMISSION');
  }
  const other = state.roundDeciders.get(principal.email);
  if (other !== undefined && other !== step.id) {
    throw new ForbiddenError(`您在本轮已处理“${stepLabel(state.chain, other)}”，同一轮中不能再处理“${step.label}”。`, 'SECOND_STEP');
  }
}

/** The round as it will be once this person's decision is in: they are then ruled out of the steps after. */
const withDecider = (state: ReportState, email: string, stepId: string): ReportState => ({ ...state, roundDeciders: new Map(state.roundDeciders).set(email, stepId) });

function validateComment(request: DecisionRequest): string {
  const comment = request.comment.trim();
  if (comment.length > MAX_COMMENT_CHARS) throw new ValidationError(`意见不能超过 ${MAX_COMMENT_CHARS} 字。`, 'COMMENT_TOO_LONG');
  if (request.outcome === 'return' && comment === '') throw new ValidationError('退回时请填写修改意见。', 'COMMENT_REQUIRED');
  return comment;
}

/**
 * An approver's decision. The `decided` event is the commit point: it is appended conditionally on the log's next
 * sequence number, after the log as it then is says the report still waits on this review and this person may
 * decide it. Two decisions, or a decision and a withdrawal or resubmission, cannot both win: the loser folds the log
 * again and is refused with what happened. Only then is the review item written and the workflow told; if the
 * workflow no longer waits on the token (a reminder replaced it), the task holding the new token finds the decision
 * in the log and delivers it.
 */
export async function decideReview(request: DecisionRequest, principal: Principal, deps: DecideDeps): Promise<Decision> {
  const review = await loadReviewForApprover(request.reviewId, request.sig, principal, deps);
  const comment = validateComment(request);
  const head = await deps.store.getHead(review.reportId);
  const roster = head === undefined ? [] : await deps.store.listRoster(head.agencyId);
  const decidedAt = deps.clock.now().toISOString();

  const committed = await commit(
    review.reportId,
    (state, events): UnsealedEvent => {
      if (!state) throw new NotFoundError('找不到该报告。');
      const already = state.decidedReviews.get(review.reviewId);
      if (already) throw new AlreadyDecidedError(already);
      // the log says who holds the review, whatever the review's own record shows yet
      const holder = state.handedOver.get(review.reviewId);
      if (holder) throw new ReviewReassignedError(holder);
      requireOpenReview(state, review);
      const step = stepById(state.chain, review.stage);
      if (!step) throw new Error(`report ${review.reportId} has no step ${review.stage} in its chain`);
      requireEntitled(principal, state, step);
      if (step.confidentiality === true && request.outcome === 'approve' && !request.confidentialityReviewed) {
        throw new ValidationError(`${step.label}通过前，须确认已完成保密审查。`, 'CONFIDENTIALITY_REVIEW_REQUIRED');
      }
      const decision: Decision = {
        outcome: request.outcome,
        comment,
        approver: principal.email,
        approverName: principal.name,
        stage: step.id,
        confidentialityReviewed: step.confidentiality === true ? request.confidentialityReviewed : false,
        version: review.version,
        decidedAt,
        stepLabel: step.label,
      };
      const index = stepIndex(state.chain, step.id);
      const waitingOn = step.kind === 'cosign' ? state.cursor.cosigners.filter((email) => email !== principal.email && !state.cosigned.includes(email)) : [];
      const next =
        request.outcome === 'return'
          ? returnCursor(index, step.id)
          : waitingOn.length > 0
            ? undefined
            : cursorAt(state.chain, index + 1, 'approve', cosignersFor(roster, state.head.agencyId, withDecider(state, principal.email, step.id)));
      const content = versionOf(events, review.version);
      if (!content) throw new Error(`report ${review.reportId} has no version ${review.version}`);
      return {
        reportId: review.reportId,
        type: 'decided',
        at: decidedAt,
        actor: { email: principal.email, name: principal.name, role: step.role },
        version: review.version,
        contentSha256: content.contentSha256,
        data: { reviewId: review.reviewId, decision, ...(next === undefined ? {} : { next }) },
      };
    },
    deps,
  );
  const event = decidedEventOf(committed.events, review.reviewId);
  const state = committed.state;
  if (!event || !state) throw new Error(`report ${review.reportId} has no decision of ${review.reviewId} after committing it`);
  await projectDecision(review.reviewId, event.data.decision, event.seq, deps);
  const current = await deps.store.getReview(review.reviewId);
  if (current?.taskToken !== undefined && (await sendTaskAnswer(deps.workflow, current.taskToken, taskAnswerOf(state.chain, event)))) {
    await deps.store.markDecisionDelivered(current.reviewId, current.tokenSeq);
  }
  return event.data.decision;
}

/** The round's state as the review page needs it: whether the report still waits on this review. */
export async function reviewIsOpen(review: Review, deps: LogDeps): Promise<boolean> {
  return isOpenFor(foldReport(await deps.store.listEvents(review.reportId)), review);
}
