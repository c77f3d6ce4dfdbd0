import type { Principal } from '../auth/principal.js';
import type { AcknowledgementsInput } from './acknowledgements.js';
import { isReportId } from './contracts.js';
import { contentSha256 } from './digest.js';
import { ConflictError, NotFoundError, TaskGoneError, ValidationError } from './errors.js';
import { typedEvent, type TypedEvent } from './event-data.js';
import type { ImportedReportStore, ReportLogStore, RevisionStore, RosterStore } from './ports.js';
import { commit } from './report-log.js';
import { revisionOutput } from './request-revision.js';
import { checkForSubmission, firstCursor, requireOfficerOf, type SubmitDeps, type SubmitResult } from './submit-report.js';

export interface ResubmitDeps extends SubmitDeps {
  readonly store: ReportLogStore & RosterStore & ImportedReportStore & RevisionStore;
}

/**
 * The officer's new version after a return. The `resubmitted` event is the commit point; then the OfficerRevision
 * task is released. If its token is not there yet or no longer live, request-revision finds the resubmission in the
 * log and releases itself.
 */
export async function resubmitReport(
  reportId: string,
  input: unknown,
  principal: Principal,
  deps: ResubmitDeps,
  answers: AcknowledgementsInput = {},
): Promise<SubmitResult> {
  const head = isReportId(reportId) ? await deps.store.getHead(reportId) : undefined;
  const { agencyId, year } = requireOfficerOf(principal, input);
  if (!head || head.agencyId !== principal.agencyId) throw new NotFoundError('找不到该报告。');
  if (agencyId !== head.agencyId || year !== head.year) {
    throw new ValidationError('新版本的机关和年度须与原报告一致。', 'REPORT_MISMATCH');
  }
  const { report, acknowledgements } = await checkForSubmission(input, agencyId, year, deps, answers);
  const sha = contentSha256(report);
  const roster = await deps.store.listRoster(agencyId);
  const committed = await commit(
    reportId,
    (state, events) => {
      const last = events.at(-1);
      if (state?.head.status === 'in_review' && last?.type === 'resubmitted' && last.contentSha256 === sha) return undefined;
      if (state?.head.status !== 'returned' || state.openRevision === undefined) {
        throw new ConflictError('只有被退回的报告才能修改后重新提交。', 'NOT_RETURNED', {
          status: state?.head.status,
          stage: state?.head.stage,
        });
      }
      return {
        reportId,
        type: 'resubmitted',
        at: deps.clock.now().toISOString(),
        actor: { email: principal.email, name: principal.name, role: 'officer' },
        version: state.head.version + 1,
        contentSha256: sha,
        data: {
          report,
          returnedVersion: state.openRevision,
          chain: state.chain,
          next: firstCursor(state.chain, roster, agencyId, state, 'resubmitted'),
          acknowledgements,
        },
      };
    },
    deps,
  );
  const raw = committed.events.findLast((candidate) => candidate.type === 'resubmitted');
  const event = raw && typedEvent(raw);
  const state = committed.state;
  if (event?.type !== 'resubmitted' || !state) throw new Error(`report ${reportId} has no resubmission after committing one`);
  await deps.store.putVersion({
    reportId,
    version: event.version,
    content: report,
    contentSha256: sha,
    createdAt: event.at,
    createdBy: event.actor.email ?? principal.email,
  });
  await releaseRevision(reportId, event, deps);
  return { id: reportId, version: state.head.version, status: state.head.status, stage: state.head.stage };
}

/** Tells the waiting OfficerRevision task about the new version, once. */
export async function releaseRevision(
  reportId: string,
  event: Extract<TypedEvent, { type: 'resubmitted' }>,
  deps: ResubmitDeps,
): Promise<void> {
  const { returnedVersion } = event.data;
  const revision = await deps.store.getRevision(reportId, returnedVersion);
  if (!revision) return;
  try {
    await deps.store.resolveRevision(reportId, returnedVersion, event.version);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  try {
    await deps.workflow.sendTaskSuccess(revision.taskToken, revisionOutput(event));
  } catch (error) {
    if (!(error instanceof TaskGoneError)) throw error;
  }
}
