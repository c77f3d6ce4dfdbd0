import { ExecutionInputSchema, type ExecutionStatusChange } from './contracts.js';
import { commit, systemEvent, type LogDeps } from './report-log.js';
import { versionOf } from './report-state.js';

export type FailureRecorded = 'publish_failed' | 'workflow_failed' | 'nothing';

const MAX_CAUSE = 1000;

/**
 * A round's execution ended FAILED, TIMED_OUT or ABORTED: the log says so, once. When the report was being published
 * (signed, or publishing failed before) it is `publish_failed`; otherwise `workflow_failed`, naming the execution and
 * the attempt (a redriven execution that fails again is a new failure). Nothing is written for an execution that is
 * not the report's current round, nor for a withdrawn report (withdrawing stops the execution on purpose) or a
 * published one. Delivered at least once (EventBridge retries): a repeat finds its event already there.
 */
export async function recordExecutionFailure(change: ExecutionStatusChange, deps: LogDeps): Promise<FailureRecorded> {
  const { detail } = change;
  const input = ExecutionInputSchema.safeParse(JSON.parse(detail.input));
  if (!input.success) return 'nothing';
  const { reportId } = input.data;
  const error = detail.error ?? detail.status;
  const cause = (detail.cause ?? '').slice(0, MAX_CAUSE);
  const redriveCount = detail.redriveCount ?? 0;
  let recorded: FailureRecorded = 'nothing';
  await commit(
    reportId,
    (state, events) => {
      recorded = 'nothing';
      if (!state || state.head.executionName !== detail.name) return undefined;
      if (state.head.status === 'withdrawn' || state.head.status === 'published') return undefined;
      const { version } = state.head;
      const content = versionOf(events, version);
      if (!content) throw new Error(`report ${reportId} has no version ${version}`);
      const last = events.at(-1);
      if (state.head.stage === 'publishing') {
        if (last?.type === 'publish_failed' && last.version === version) return undefined;
        recorded = 'publish_failed';
        return systemEvent(reportId, 'publish_failed', state, content.contentSha256, { error, cause }, deps.clock, version);
      }
      if (last?.type === 'workflow_failed' && last.data['executionName'] === detail.name && last.data['redriveCount'] === redriveCount)
        return undefined;
      recorded = 'workflow_failed';
      const data = { executionName: detail.name, status: detail.status, error, cause, redriveCount };
      return systemEvent(reportId, 'workflow_failed', state, content.contentSha256, data, deps.clock, version);
    },
    deps,
  );
  return recorded;
}
