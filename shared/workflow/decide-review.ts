import type { Principal } from '../auth/principal.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors.js';
import { verifyReviewLink } from './links.js';
import { actingFor } from './delegation.js';
import { REVIEW_ID_PATTERN, type Decision, type Review, type RosterEntry, type UnsealedEvent } from './model.js';
import type { DelegationStore, ReportLogStore, ReviewStore, RosterStore, Workflow } from './ports.js';
import { commit, type LogDeps } from './report-log.js';
import { decidedEventOf, foldReport, versionOf, type ReportState } from './report-state.js';
import { cursorAt, returnCursor, stepById, stepIndex, stepLabel, type Step } from './review-chain.js';
import { projectDecision } from './review-projection.js';
import { cosignersFor } from './step-people.js';
import { sendTaskAnswer, taskAnswerOf } from './task-answer.js';

export interface DecideDeps extends LogDeps {
  readonly store: ReportLogStore & ReviewStore & RosterStore & DelegationStore;
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

/**
 * The review a link names, for the person signed in: its approver, or their deputy while a delegation runs
 * (`delegation` is then set). The link's signature names the approver, so the emailed link works for either.
 */
export async function loadReviewForApprover(reviewId: string, sig: string | undefined, principal: Principal | undefined, deps: DecideDeps) {
  const review = REVIEW_ID_PATTERN.test(reviewId) ? await deps.store.getReview(reviewId) : undefined;
  if (!review) throw new NotFoundError('找不到该审核。');
  verifyReviewLink(deps.linkKey, review.reviewId, review.approverEmail, sig, deps.clock.now());
  if (review.replacedBy && !review.decision) throw new ReviewReassignedError(review.replacedBy);
  const delegation = principal ? await actingFor(review.approverEmail, principal, deps) : undefined;
  return { review, delegation };
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
  throw new ConflictError('该报告已撤回或已有新的版本，这个审核链接已不再需要处理。', 'REVIEW_CLOSED', {
    status: state?.head.status,
    stage: state?.head.stage,
  });
}

/**
 * Who may decide a step, checked against the roster as it is now (the principal is read from it on every request):
 * the person holds the step's role in the report's agency, did not submit this round, and decided no other step of it.
 * A deputy acts on the delegator's role: the delegator (their current roster entry) must still hold it, and
 * separation of duties holds for both of them.
 */
export function requireEntitled(
  principal: Principal,
  state: ReportState,
  step: Step,
  delegator?: { readonly email: string; readonly entry: RosterEntry | undefined },
): void {
  if (principal.agencyId !== state.head.agencyId) {
    throw new ForbiddenError(`您目前不担任“${step.label}”所需的职务，不能处理这项审核。`, 'ROLE_NOT_HELD');
  }
  if (delegator === undefined) {
    if (!principal.roles.includes(step.role))
      throw new ForbiddenError(`您目前不担任“${step.label}”所需的职务，不能处理这项审核。`, 'ROLE_NOT_HELD');
  } else if (delegator.entry?.agencyId !== state.head.agencyId || !delegator.entry.roles.includes(step.role)) {
    throw new ForbiddenError(`您代理的人员目前已不担任“${step.label}”所需的职务，不能代为处理这项审核。`, 'ROLE_NOT_HELD');
  }
  const people = delegator === undefined ? [principal.email] : [principal.email, delegator.email];
  if (people.some((email) => state.roundSubmitters.includes(email))) {
    throw new ForbiddenError(
      delegator === undefined ? '不能审核或签发自己提交的报告，请由其他人员处理。' : '代理人或被代理人提交了本轮报告，不能代为审核或签发。',
      'OWN_SUBMISSION',
    );
  }
  for (const email of people) {
    const other = state.roundDeciders.get(email);
    if (other !== undefined && other !== step.id) {
      const who = email === principal.email ? '您' : '您代理的人员';
      throw new ForbiddenError(`${who}在本轮已处理“${stepLabel(state.chain, other)}”，同一轮中不能再处理“${step.label}”。`, 'SECOND_STEP');
    }
  }
}

/** The round as it will be once this person's decision is in: they are then ruled out of the steps after. */
const withDecider = (state: ReportState, emails: readonly string[], stepId: string): ReportState => {
  const roundDeciders = new Map(state.roundDeciders);
  for (const email of emails) roundDeciders.set(email, stepId);
  return { ...state, roundDeciders };
};

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
  const { review, delegation } = await loadReviewForApprover(request.reviewId, request.sig, principal, deps);
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
      const delegator = delegation && { email: review.approverEmail, entry: roster.find((entry) => entry.email === review.approverEmail) };
      requireEntitled(principal, state, step, delegator);
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
        ...(delegator === undefined ? {} : { onBehalfOf: { email: delegator.email, name: delegator.entry?.name ?? review.approverName } }),
      };
      const index = stepIndex(state.chain, step.id);
      const waitingOn =
        step.kind === 'cosign'
          ? state.cursor.cosigners.filter((email) => email !== review.approverEmail && !state.cosigned.includes(email))
          : [];
      const next =
        request.outcome === 'return'
          ? returnCursor(index, step.id)
          : waitingOn.length > 0
            ? undefined
            : cursorAt(
                state.chain,
                index + 1,
                'approve',
                cosignersFor(
                  roster,
                  state.head.agencyId,
                  withDecider(state, delegator === undefined ? [principal.email] : [principal.email, delegator.email], step.id),
                ),
              );
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
