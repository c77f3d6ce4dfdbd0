import type { Principal } from '../auth/principal.js';
import { ConflictError, ForbiddenError, NotFoundError, TaskGoneError, ValidationError } from './errors.js';
import { logDecision } from './decision-log.js';
import { verifyReviewLink } from './links.js';
import { REVIEW_ID_PATTERN, type Decision, type Review } from './model.js';
import type { Workflow } from './ports.js';
import type { LogDeps } from './report-log.js';
import { foldReport } from './report-state.js';

export interface DecideDeps extends LogDeps {
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

export async function loadReviewForApprover(reviewId: string, sig: string | undefined, principal: Principal | undefined, deps: DecideDeps) {
  const review = REVIEW_ID_PATTERN.test(reviewId) ? await deps.store.getReview(reviewId) : undefined;
  if (!review) throw new NotFoundError('找不到该审核。');
  verifyReviewLink(deps.linkKey, review.reviewId, review.approverEmail, sig, deps.clock.now());
  if (principal && principal.email !== review.approverEmail) {
    throw new ForbiddenError('该审核链接发给了另一位审核人，请用收到邮件的账号登录。', 'NOT_YOUR_REVIEW');
  }
  return review;
}

/**
 * A review can be decided only while the report waits on it: the same version, at that stage, in review. A link
 * kept from before a withdrawal or a newer version decides nothing.
 */
export async function requireOpenReview(review: Review, deps: LogDeps): Promise<void> {
  const state = foldReport(await deps.store.listEvents(review.reportId));
  const open = state?.head.status === 'in_review' && state.head.version === review.version && state.head.stage === review.stage;
  if (!open) {
    throw new ConflictError('该报告已撤回或已有新的版本，这个审核链接已不再需要处理。', 'REVIEW_CLOSED', { status: state?.head.status, stage: state?.head.stage });
  }
}

function validate(request: DecisionRequest, review: Review): void {
  const comment = request.comment.trim();
  if (comment.length > MAX_COMMENT_CHARS) throw new ValidationError(`意见不能超过 ${MAX_COMMENT_CHARS} 字。`, 'COMMENT_TOO_LONG');
  if (request.outcome === 'return' && comment === '') throw new ValidationError('退回时请填写修改意见。', 'COMMENT_REQUIRED');
  if (review.stage === 'director' && request.outcome === 'approve' && !request.confidentialityReviewed) {
    throw new ValidationError('办公室主任审核通过前，须确认已完成保密审查。', 'CONFIDENTIALITY_REVIEW_REQUIRED');
  }
}

/**
 * An approver's decision. It is written to the review first, conditionally, so the first of two clicks or two
 * approvers' races wins and the other is told what won; only then is the workflow told. If the workflow no longer
 * waits on that token (a reminder replaced it), the task that issued the new token delivers the decision.
 */
export async function decideReview(request: DecisionRequest, principal: Principal, deps: DecideDeps): Promise<Decision> {
  const review = await loadReviewForApprover(request.reviewId, request.sig, principal, deps);
  if (review.decision) throw new AlreadyDecidedError(review.decision);
  validate(request, review);
  try {
    await requireOpenReview(review, deps);
  } catch (error) {
    // a decision that won meanwhile has already moved the report on: say what won, as the conditional write would
    if (!(error instanceof ConflictError)) throw error;
    const winner = (await deps.store.getReview(review.reviewId))?.decision;
    if (winner) throw new AlreadyDecidedError(winner);
    throw error;
  }
  const decision: Decision = {
    outcome: request.outcome,
    comment: request.comment.trim(),
    approver: principal.email,
    approverName: principal.name,
    stage: review.stage,
    confidentialityReviewed: review.stage === 'director' ? request.confidentialityReviewed : false,
    version: review.version,
    decidedAt: deps.clock.now().toISOString(),
  };
  let recorded: Review;
  try {
    recorded = await deps.store.recordDecision(review.reviewId, decision);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const winner = (await deps.store.getReview(review.reviewId))?.decision;
    if (!winner) throw error;
    throw new AlreadyDecidedError(winner);
  }
  await logDecision(recorded, decision, deps);
  if (recorded.taskToken !== undefined) {
    try {
      await deps.workflow.sendTaskSuccess(recorded.taskToken, decision);
      await deps.store.markDecisionDelivered(recorded.reviewId, recorded.tokenSeq);
    } catch (error) {
      if (!(error instanceof TaskGoneError)) throw error;
    }
  }
  return decision;
}
