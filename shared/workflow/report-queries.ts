import { canRead, type Principal } from '../auth/principal.js';
import { diffReports, type ReportDiff } from '../report/diff.js';
import { parseReport, type Report } from '../report/schema.js';
import type { HistoryTrust } from './history-ports.js';
import { verifyHistory, type HistoryVerification } from './history-verification.js';
import { isReportId } from './contracts.js';
import { NotFoundError } from './errors.js';
import type { ReportEvent, ReportHead } from './model.js';
import type { ExecutionHistoryEvent, ExecutionSummary, Store, Workflow } from './ports.js';
import { typedEvents, type TypedEvent } from './event-data.js';
import { foldReport, versionOf } from './report-state.js';
import { stepLabel, type Chain } from './review-chain.js';
import { signOffSheet, type SignOffSheet } from './sign-off-sheet.js';

/** The latest request (or reminder) of a review in the log. */
function requestOf(
  events: readonly ReportEvent[],
  reviewId: string,
): Extract<TypedEvent, { type: 'review_requested' | 'reminder_sent' }> | undefined {
  return typedEvents(events)
    .flatMap((event) =>
      (event.type === 'review_requested' || event.type === 'reminder_sent') && event.data.reviewId === reviewId ? [event] : [],
    )
    .at(-1);
}

/** What people may read. Another agency's report is 404, never 403: its existence is not theirs to learn. */

export interface QueryDeps {
  readonly store: Store;
}

async function readableHead(reportId: string, principal: Principal, store: Store): Promise<ReportHead> {
  if (!isReportId(reportId)) throw new NotFoundError('找不到该报告。');
  const head = await store.getHead(reportId);
  if (!head || !canRead(principal, head.agencyId)) throw new NotFoundError('找不到该报告。');
  return head;
}

export interface ReportView {
  readonly id: string;
  readonly agencyId: string;
  readonly agencyName: string;
  readonly year: number;
  readonly template: string;
  readonly status: ReportHead['status'];
  readonly stage: ReportHead['stage'];
  readonly version: number;
  readonly versions: ReadonlyArray<{ version: number; submittedAt: string; submittedBy: string | undefined; contentSha256: string }>;
  readonly content: Record<string, unknown>;
  readonly pendingReview: { stage: string; stepLabel: string; approverName: string; since: string } | undefined;
  /** the round's review chain: the steps the pages show, in order */
  readonly chain: Chain;
  /** on a 会签 step: who was asked and who has approved */
  readonly cosign: { readonly asked: readonly string[]; readonly approved: readonly string[] } | undefined;
  readonly returnComment: string | undefined;
  readonly publishedVersion: number | undefined;
  readonly decisions: ReadonlyArray<Record<string, unknown>>;
  readonly sheet: SignOffSheet;
}

export async function getReport(reportId: string, principal: Principal, deps: QueryDeps): Promise<ReportView> {
  await readableHead(reportId, principal, deps.store);
  const events = await deps.store.listEvents(reportId);
  const state = foldReport(events);
  if (!state) throw new NotFoundError('找不到该报告。');
  const { head } = state;
  const latest = versionOf(events, head.version);
  const pending = head.pendingReviewId === undefined ? undefined : requestOf(events, head.pendingReviewId);
  return {
    id: reportId,
    agencyId: head.agencyId,
    agencyName: head.agencyName,
    year: head.year,
    template: head.template,
    status: head.status,
    stage: head.stage,
    version: head.version,
    versions: events
      .filter((event) => event.type === 'submitted' || event.type === 'resubmitted')
      .map((event) => ({
        version: event.version,
        submittedAt: event.at,
        submittedBy: event.actor.name ?? event.actor.email,
        contentSha256: event.contentSha256,
      })),
    content: latest?.report ?? {},
    pendingReview:
      pending && head.status === 'in_review' && pending.data.stage === head.stage
        ? {
            stage: head.stage,
            stepLabel: stepLabel(state.chain, head.stage),
            approverName: pending.data.approverName,
            since: head.pendingSince ?? pending.at,
          }
        : undefined,
    chain: state.chain,
    cosign:
      head.status === 'in_review' && state.cursor.kind === 'cosign'
        ? { asked: state.cursor.cosigners, approved: state.cosigned }
        : undefined,
    returnComment: head.status === 'returned' ? head.returnComment : undefined,
    publishedVersion: head.publishedVersion,
    decisions: state.decisions.map((decision) => ({ ...decision })),
    sheet: signOffSheet(events),
  };
}

/** Reports the caller may see: their own agency's, or every agency in an auditor's scope. */
export async function listReports(
  principal: Principal,
  filter: { agency?: string | undefined; year?: number | undefined },
  deps: QueryDeps,
): Promise<ReportHead[]> {
  const scope =
    principal.roles.includes('auditor') && principal.auditScope === '*'
      ? (await deps.store.listAgencies()).map((agency) => agency.id)
      : [
          ...new Set([
            principal.agencyId,
            ...(principal.roles.includes('auditor') && principal.auditScope !== '*' ? principal.auditScope : []),
          ]),
        ];
  const agencies = scope.filter((agencyId) => (filter.agency === undefined || filter.agency === agencyId) && canRead(principal, agencyId));
  const heads = (await Promise.all(agencies.map((agencyId) => deps.store.listHeads(agencyId)))).flat();
  return heads
    .filter((head) => filter.year === undefined || head.year === filter.year)
    .sort((a, b) => b.year - a.year || a.agencyId.localeCompare(b.agencyId));
}

export interface HistoryDeps extends QueryDeps {
  readonly workflow: Workflow;
  readonly history: HistoryTrust;
}

export interface ReportHistory {
  readonly events: readonly ReportEvent[];
  readonly chain: HistoryVerification;
  readonly sheet: SignOffSheet;
  readonly executions: ReadonlyArray<ExecutionSummary & { history: readonly ExecutionHistoryEvent[] }>;
}

/** The audit view: every event, whether the chain, its signatures and its anchors hold, and what Step Functions recorded. */
export async function reportHistory(reportId: string, principal: Principal, deps: HistoryDeps): Promise<ReportHistory> {
  await readableHead(reportId, principal, deps.store);
  const events = await deps.store.listEvents(reportId);
  const names = [...new Set(typedEvents(events).flatMap((event) => (event.type === 'submitted' ? [event.data.executionName] : [])))];
  const executions = (await Promise.all(names.map((name) => deps.workflow.describe(name)))).filter((execution) => execution !== undefined);
  return {
    events,
    chain: await verifyHistory(reportId, events, deps.history),
    sheet: signOffSheet(events),
    executions: await Promise.all(
      executions.map(async (execution) => ({ ...execution, history: await deps.workflow.history(execution.name) })),
    ),
  };
}

/** The report as it was in one version, when the log has that version and it still reads as a report. */
export function reportAt(events: readonly ReportEvent[], version: number): Report | undefined {
  const content = versionOf(events, version);
  if (!content) return undefined;
  try {
    return parseReport(content.report);
  } catch {
    return undefined;
  }
}

/** What changed from one version to another (either order), for the audit page. */
export function compareVersions(events: readonly ReportEvent[], from: number, to: number): ReportDiff | undefined {
  const before = reportAt(events, from);
  const after = reportAt(events, to);
  return before && after ? diffReports(before, after) : undefined;
}
