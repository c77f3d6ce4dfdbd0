import { executionNameOf } from './contracts.js';
import { ConflictError, NotFoundError } from './errors.js';
import type { ReportLogStore, RosterStore, Workflow } from './ports.js';
import { commit, type LogDeps } from './report-log.js';
import { foldReport, versionOf } from './report-state.js';
import { DEFAULT_CHAIN } from './review-chain.js';
import { firstCursor, startRound } from './submit-report.js';

export interface RestartRoundDeps extends LogDeps {
  readonly store: ReportLogStore & RosterStore;
  readonly workflow: Workflow;
}

export interface RoundRestarted {
  readonly reportId: string;
  readonly round: number;
  readonly executionName: string;
  readonly version: number;
}

/**
 * An operator starts a new round for a report whose round's execution ended without publishing (failed, timed out,
 * stopped) and cannot or should not be redriven: a `submitted` event by the system, the same version, the next round
 * number and execution name, recorded in the log before the execution starts. Refused while the round's execution
 * still runs, and for a withdrawn or published report.
 */
export async function restartRound(reportId: string, deps: RestartRoundDeps): Promise<RoundRestarted> {
  const before = await deps.store.listEvents(reportId);
  const current = foldReport(before);
  if (!current) throw new NotFoundError('找不到该报告。');
  const running = current.head.executionName === undefined ? undefined : await deps.workflow.describe(current.head.executionName);
  if (running?.status === 'RUNNING') {
    throw new ConflictError('本轮审核流程仍在进行，不能重新开始。', 'ROUND_RUNNING', { executionName: current.head.executionName });
  }
  // the new round walks the chain in force now, from its first step, as a submission would
  const agency = await deps.store.getAgency(current.head.agencyId);
  const chain = agency?.chain ?? DEFAULT_CHAIN;
  const roster = await deps.store.listRoster(current.head.agencyId);
  const committed = await commit(
    reportId,
    (state, events) => {
      if (!state) throw new NotFoundError('找不到该报告。');
      // checked against the log the execution's status was read with
      if (events.length !== before.length) throw new ConflictError('报告在检查期间发生了变化，请重新执行。', 'CONFLICT');
      if (state.head.status === 'withdrawn' || state.head.status === 'published') {
        throw new ConflictError('报告已撤回或已发布，不能重新开始审核。', 'ROUND_NOT_RESTARTABLE', { status: state.head.status });
      }
      const content = versionOf(events, state.head.version);
      if (!content) throw new Error(`report ${reportId} has no version ${state.head.version}`);
      const round = state.round + 1;
      return {
        reportId,
        type: 'submitted',
        at: deps.clock.now().toISOString(),
        actor: { role: 'system' },
        version: state.head.version,
        contentSha256: content.contentSha256,
        data: {
          report: content.report,
          agencyId: state.head.agencyId,
          agencyName: state.head.agencyName,
          year: state.head.year,
          template: state.head.template,
          round,
          executionName: executionNameOf(reportId, round),
          restartedFrom: state.head.executionName,
          chain,
          next: firstCursor(chain, roster, state.head.agencyId, undefined, 'start'),
        },
      };
    },
    deps,
  );
  const head = committed.state?.head;
  if (!head?.executionName || !committed.state) throw new Error(`report ${reportId} has no execution after the restart`);
  await startRound(deps.workflow, head.executionName, reportId, committed.state);
  return { reportId, round: committed.state.round, executionName: head.executionName, version: head.version };
}
