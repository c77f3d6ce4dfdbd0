import { hasRole, isOfficerOf, type Principal } from '../auth/principal.js';
import { readPath } from '../report/cells.js';
import { checkReport } from '../report/checks.js';
import { parseReport } from '../report/schema.js';
import { acknowledgeWarnings, type AcknowledgementsInput } from './acknowledgements.js';
import { executionNameOf, reportIdOf, type RoundInput } from './contracts.js';
import { contentSha256 } from './digest.js';
import { ConflictError, ForbiddenError, ReportRejectedError, ValidationError } from './errors.js';
import type { ImportedReportStore, ReportLogStore, RosterStore, Workflow } from './ports.js';
import { previousYearReport } from './previous-year.js';
import { commit, type LogDeps } from './report-log.js';
import { canStartRound } from './report-state.js';
import type { ReportHead, RosterEntry } from './model.js';
import { chainProblems, cursorAt, DEFAULT_CHAIN, type Chain } from './review-chain.js';
import type { ReportState } from './report-state.js';
import { cosignersFor, unstaffedSteps } from './step-people.js';

export interface SubmitDeps extends LogDeps {
  readonly store: ReportLogStore & RosterStore & ImportedReportStore;
  readonly workflow: Workflow;
}

export interface SubmitResult {
  readonly id: string;
  readonly version: number;
  readonly status: ReportHead['status'];
  readonly stage: ReportHead['stage'];
}

/** The officer may act only for their own agency; anything else is refused before the report is even read. */
export function requireOfficerOf(principal: Principal, input: unknown): { agencyId: string; year: number } {
  const agencyId = readPath(input, ['agency', 'id']);
  const year = readPath(input, ['year']);
  if (!hasRole(principal, 'officer')) throw new ForbiddenError('只有信息员可以提交年度报告。');
  if (typeof agencyId !== 'string' || typeof year !== 'number') {
    throw new ValidationError('报告缺少机关代码或年度。', 'REPORT_INVALID');
  }
  if (!isOfficerOf(principal, agencyId)) throw new ForbiddenError('只能提交本机关的年度报告。');
  return { agencyId, year };
}

/**
 * Checks a report as the officer will see it: against last year's published report. Errors refuse it; each warning
 * must have been ticked or explained, and comes back with the officer's answer, to be stored with the version.
 */
export async function checkForSubmission(
  input: unknown,
  agencyId: string,
  year: number,
  deps: { readonly store: ReportLogStore & ImportedReportStore },
  answers: AcknowledgementsInput = {},
) {
  const previous = await previousYearReport(deps.store, agencyId, year);
  const result = checkReport(input, previous === undefined ? {} : { previous });
  if (!result.valid) throw new ReportRejectedError(result.errors, result.warnings);
  return { report: parseReport(input), acknowledgements: acknowledgeWarnings(result.warnings, answers) };
}

/**
 * The chain a new round walks: the agency's, else the default. Refused when its roles are not held by enough
 * distinct people to keep separation of duties (the officer decides nothing; nobody decides two steps).
 */
export function roundChain(agencyChain: Chain | undefined, roster: readonly RosterEntry[], agencyId: string, submitter: string): Chain {
  const chain = agencyChain ?? DEFAULT_CHAIN;
  const problems = chainProblems(chain);
  if (problems.length > 0)
    throw new ValidationError(
      `本机关的审批链设置有误：${problems.map((problem) => problem.message).join('')}请联系管理员。`,
      'CHAIN_INVALID',
      { problems },
    );
  const missing = unstaffedSteps(chain, roster, agencyId, submitter);
  if (missing.length > 0) {
    const named = missing.map((step) => `“${step.label}”（角色 ${step.role}）`).join('、');
    throw new ConflictError(
      `本机关人员不足，无法提交：${named}还缺少一位既不是提交人、也不处理其他步骤的人员。请联系管理员在人员名单中补充后再提交。`,
      'CHAIN_UNSTAFFED',
      { missing: missing.map((step) => ({ stepId: step.id, label: step.label, role: step.role })) },
    );
  }
  return chain;
}

/** The cursor at the chain's first step for a new version (a 会签 first asks who may decide it now). */
/** Starts the round's execution at the step the log stands on, with the chain the round copied. */
export async function startRound(workflow: Workflow, executionName: string, reportId: string, state: ReportState): Promise<void> {
  await workflow.start(executionName, {
    reportId,
    version: state.head.version,
    chain: state.chain,
    at: state.cursor,
  } satisfies RoundInput);
}

export const firstCursor = (
  chain: Chain,
  roster: readonly RosterEntry[],
  agencyId: string,
  state: ReportState | undefined,
  outcome: 'start' | 'resubmitted',
) => cursorAt(chain, 0, outcome, cosignersFor(roster, agencyId, state));

/**
 * Submits a report into review: the `submitted` event is the commit point, then the version projection, then the
 * execution (started under a name derived from the report and round, so a retry cannot start a second one).
 */
export async function submitReport(
  input: unknown,
  principal: Principal,
  deps: SubmitDeps,
  answers: AcknowledgementsInput = {},
): Promise<SubmitResult> {
  const { agencyId, year } = requireOfficerOf(principal, input);
  const { report, acknowledgements } = await checkForSubmission(input, agencyId, year, deps, answers);
  const reportId = reportIdOf(agencyId, year);
  const sha = contentSha256(report);
  const agency = await deps.store.getAgency(agencyId);
  const agencyName = agency?.name ?? report.agency.name;
  const roster = await deps.store.listRoster(agencyId);
  const chain = roundChain(agency?.chain, roster, agencyId, principal.email);
  const committed = await commit(
    reportId,
    (state, events) => {
      const last = events.at(-1);
      // the same officer sending the same report again before anything happened: the first submission stands
      if (state?.head.status === 'in_review' && last?.type === 'submitted' && last.contentSha256 === sha) return undefined;
      if (!canStartRound(state)) {
        throw new ConflictError('该机关该年度的报告已在审核中或已发布，不能重复提交。', 'REPORT_EXISTS', {
          id: reportId,
          status: state?.head.status,
          stage: state?.head.stage,
        });
      }
      const round = (state?.round ?? 0) + 1;
      const next = firstCursor(chain, roster, agencyId, undefined, 'start');
      return {
        reportId,
        type: 'submitted',
        at: deps.clock.now().toISOString(),
        actor: { email: principal.email, name: principal.name, role: 'officer' },
        version: (state?.head.version ?? 0) + 1,
        contentSha256: sha,
        data: {
          report,
          agencyId,
          agencyName,
          year,
          template: report.template,
          round,
          executionName: executionNameOf(reportId, round),
          chain,
          next,
          acknowledgements,
        },
      };
    },
    deps,
  );
  const head = committed.state?.head;
  if (!head || head.executionName === undefined) throw new Error(`report ${reportId} has no execution after submission`);
  const submission = committed.events.findLast((event) => event.type === 'submitted');
  await deps.store.putVersion({
    reportId,
    version: head.version,
    content: report,
    contentSha256: sha,
    createdAt: submission?.at ?? deps.clock.now().toISOString(),
    createdBy: submission?.actor.email ?? principal.email,
  });
  const started = committed.state;
  if (!started) throw new Error(`report ${reportId} has no state after submission`);
  await startRound(deps.workflow, head.executionName, reportId, started);
  return { id: reportId, version: head.version, status: head.status, stage: head.stage };
}
