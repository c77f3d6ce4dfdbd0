import { canRead, isOfficerOf, type Principal } from '../auth/principal.js';
import { withdrawnMessage } from '../mail/messages.js';
import { isReportId } from './contracts.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors.js';
import { typedEvents } from './event-data.js';
import type { ReportEvent } from './model.js';
import type { Mailer, ReportLogStore, Workflow } from './ports.js';
import { commit, type LogDeps } from './report-log.js';
import { foldReport, versionOf } from './report-state.js';
import { stepLabel } from './review-chain.js';
import type { SubmitResult } from './submit-report.js';

export interface WithdrawDeps extends LogDeps {
  readonly store: ReportLogStore;
  readonly workflow: Workflow;
  readonly mailer: Mailer;
  readonly baseUrl: string;
}

export const MAX_WITHDRAW_REASON = 500;

/** The people whose review of the current version was still open: the links the withdrawal makes dead. */
export function openReviewers(events: readonly ReportEvent[]): Array<{ email: string; name: string; stepLabel: string }> {
  const state = foldReport(events);
  if (!state) return [];
  const open = new Map<string, { email: string; name: string; stepLabel: string }>();
  for (const event of typedEvents(events)) {
    if ((event.type !== 'review_requested' && event.type !== 'reminder_sent') || event.version !== state.head.version) continue;
    if (state.decidedReviews.has(event.data.reviewId)) continue;
    if (event.data.replaces !== undefined) open.delete(event.data.replaces.reviewId);
    open.set(event.data.reviewId, {
      email: event.data.approverEmail,
      name: event.data.approverName,
      stepLabel: event.data.stepLabel ?? stepLabel(state.chain, event.data.stage),
    });
  }
  return [...new Map([...open.values()].map((person) => [person.email, person])).values()];
}

/**
 * 撤回: the officer takes a report out of review, saying why. The event (with the reason) is written first; then the
 * execution is stopped, and whoever held an open review is told, with the reason, that their link is dead.
 */
export async function withdrawReport(reportId: string, given: string, principal: Principal, deps: WithdrawDeps): Promise<SubmitResult> {
  const reason = given.trim();
  if (reason === '' || reason.length > MAX_WITHDRAW_REASON)
    throw new ValidationError(`请填写撤回原因（${MAX_WITHDRAW_REASON} 字以内），原因会告知正在审批的人员。`, 'REASON_REQUIRED');
  if (!isReportId(reportId)) throw new NotFoundError('找不到该报告。');
  const head = await deps.store.getHead(reportId);
  if (!head || !canRead(principal, head.agencyId)) throw new NotFoundError('找不到该报告。');
  if (!isOfficerOf(principal, head.agencyId)) throw new ForbiddenError('只有本机关的信息员可以撤回报告。');
  const committed = await commit(
    reportId,
    (state, events) => {
      if (!state) throw new NotFoundError('找不到该报告。');
      if (state.head.status === 'withdrawn') return undefined;
      if (state.head.status !== 'in_review' && state.head.status !== 'returned') {
        throw new ConflictError('只有审核中或被退回修改的报告可以撤回。', 'NOT_WITHDRAWABLE', { status: state.head.status });
      }
      // signed off (签发): the Publish task may already be writing the site, which a withdrawal cannot undo
      if (state.head.stage === 'publishing') {
        throw new ConflictError('主管领导已签发，报告正在发布，不能撤回。', 'NOT_WITHDRAWABLE', {
          status: state.head.status,
          stage: state.head.stage,
        });
      }
      const content = versionOf(events, state.head.version);
      if (!content) throw new Error(`report ${reportId} has no version ${state.head.version}`);
      return {
        reportId,
        type: 'withdrawn',
        at: deps.clock.now().toISOString(),
        actor: { email: principal.email, name: principal.name, role: 'officer' },
        version: state.head.version,
        contentSha256: content.contentSha256,
        data: { executionName: state.head.executionName, reason },
      };
    },
    deps,
  );
  const state = committed.state;
  if (!state) throw new NotFoundError('找不到该报告。');
  if (state.head.executionName !== undefined) await deps.workflow.stop(state.head.executionName, 'withdrawn by the officer');
  // only the call that wrote the withdrawal tells the approvers, so a retried request does not email twice
  if (committed.event !== undefined) {
    const before = committed.events.slice(0, -1);
    for (const person of openReviewers(before)) {
      await deps.mailer.send(
        withdrawnMessage({
          to: person.email,
          approverName: person.name,
          stepLabel: person.stepLabel,
          agencyName: state.head.agencyName,
          year: state.head.year,
          version: state.head.version,
          officerName: principal.name,
          reason,
        }),
      );
    }
  }
  return { id: reportId, version: state.head.version, status: state.head.status, stage: state.head.stage };
}
