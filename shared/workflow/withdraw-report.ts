import { canRead, isOfficerOf, type Principal } from '../auth/principal.js';
import { isReportId } from './contracts.js';
import { ConflictError, ForbiddenError, NotFoundError } from './errors.js';
import { commit } from './report-log.js';
import { versionOf } from './report-state.js';
import type { SubmitDeps, SubmitResult } from './submit-report.js';

/** 撤回: the officer takes a report out of review. The event is written first; then the execution is stopped. */
export async function withdrawReport(reportId: string, principal: Principal, deps: SubmitDeps): Promise<SubmitResult> {
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
        throw new ConflictError('主管领导已签发，报告正在发布，不能撤回。', 'NOT_WITHDRAWABLE', { status: state.head.status, stage: state.head.stage });
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
        data: { executionName: state.head.executionName },
      };
    },
    deps,
  );
  const state = committed.state;
  if (!state) throw new NotFoundError('找不到该报告。');
  if (state.head.executionName !== undefined) await deps.workflow.stop(state.head.executionName, 'withdrawn by the officer');
  return { id: reportId, version: state.head.version, status: state.head.status, stage: state.head.stage };
}
