import { revisionRequestMessage } from '../mail/messages.js';
import type { RequestRevisionInput } from './contracts.js';
import { sha256Hex } from './digest.js';
import { TaskGoneError } from './errors.js';
import { rosterWith } from './notify.js';
import type { Mailer, ReportLogStore, RevisionStore, RosterStore, Workflow } from './ports.js';
import { typedEvents, type TypedEvent } from './event-data.js';
import type { Decision, ReportEvent } from './model.js';
import { commit, systemEvent, type LogDeps } from './report-log.js';
import { versionOf } from './report-state.js';

export interface RequestRevisionDeps extends LogDeps {
  readonly store: ReportLogStore & RevisionStore & RosterStore;
  readonly workflow: Workflow;
  readonly mailer: Mailer;
  readonly baseUrl: string;
}

/** The return that sent this version back, from the log (the decision is logged before the workflow hears of it). */
function returnOf(events: readonly ReportEvent[], version: number): Decision {
  const decision = typedEvents(events)
    .flatMap((event) =>
      event.type === 'decided' && event.version === version && event.data.decision.outcome === 'return' ? [event.data.decision] : [],
    )
    .at(-1);
  if (!decision) throw new Error(`version ${version} was not returned`);
  return decision;
}

/** The resubmission that answered a return of `returnedVersion`, when the officer already made it. */
export function resubmissionOf(
  events: readonly ReportEvent[],
  returnedVersion: number,
): Extract<TypedEvent, { type: 'resubmitted' }> | undefined {
  for (const event of typedEvents(events)) if (event.type === 'resubmitted' && event.data.returnedVersion === returnedVersion) return event;
  return undefined;
}

/** What the OfficerRevision task answers: the new version and the cursor at the chain's first step for it. */
export const revisionOutput = (event: Extract<TypedEvent, { type: 'resubmitted' }>) => ({
  outcome: 'resubmitted' as const,
  version: event.version,
  ...(event.data.next === undefined ? {} : { at: event.data.next }),
});

export type RequestRevisionOutcome = 'emailed' | 'already-emailed' | 'delivered-resubmission' | 'withdrawn';

/**
 * The waitForTaskToken task of OfficerRevision: keeps the token, records the return in the log and emails the
 * agency's officers the comment and a link to the report. If the officer already resubmitted (before this task ran,
 * or while an older token was live), the new version is delivered at once.
 */
export async function requestRevision(input: RequestRevisionInput, deps: RequestRevisionDeps): Promise<RequestRevisionOutcome> {
  const decision = input.decision ?? returnOf(await deps.store.listEvents(input.reportId), input.version);
  const now = deps.clock.now().toISOString();
  await deps.store.putRevision({
    reportId: input.reportId,
    returnedVersion: input.version,
    taskToken: input.taskToken,
    comment: decision.comment,
    returnedBy: decision.approver,
    createdAt: now,
  });

  const committed = await commit(
    input.reportId,
    (state, events) => {
      if (!state) throw new Error(`report ${input.reportId} has no log`);
      if (state.head.status === 'withdrawn') return undefined;
      const recorded = events.some((event) => event.type === 'revision_requested' && event.version === input.version);
      const resubmitted = resubmissionOf(events, input.version) !== undefined;
      if (recorded || resubmitted) return undefined;
      const content = versionOf(events, input.version);
      if (!content) throw new Error(`report ${input.reportId} has no version ${input.version}`);
      return systemEvent(
        input.reportId,
        'revision_requested',
        state,
        content.contentSha256,
        { comment: decision.comment, returnedBy: decision.approver, returnedByName: decision.approverName, stage: decision.stage },
        deps.clock,
        input.version,
      );
    },
    deps,
  );
  const state = committed.state;
  if (!state || state.head.status === 'withdrawn') return 'withdrawn';

  const resubmission = resubmissionOf(committed.events, input.version);
  if (resubmission) {
    try {
      await deps.workflow.sendTaskSuccess(input.taskToken, revisionOutput(resubmission));
    } catch (error) {
      if (!(error instanceof TaskGoneError)) throw error;
    }
    return 'delivered-resubmission';
  }

  const tokenHash = sha256Hex(input.taskToken);
  if ((await deps.store.getRevision(input.reportId, input.version))?.emailedTokenHash === tokenHash) return 'already-emailed';
  const reportUrl = new URL(`/reports/${encodeURIComponent(input.reportId)}`, deps.baseUrl).toString();
  for (const officer of await rosterWith(deps.store, state.head.agencyId, 'officer')) {
    await deps.mailer.send(
      revisionRequestMessage({
        to: officer.email,
        baseUrl: deps.baseUrl,
        officerName: officer.name,
        agencyName: state.head.agencyName,
        year: state.head.year,
        version: input.version,
        returnedByName: decision.approverName,
        comment: decision.comment,
        reportUrl,
        stepLabels: state.chain.steps.map((step) => step.label),
      }),
    );
  }
  await deps.store.markRevisionEmailed(input.reportId, input.version, tokenHash);
  return 'emailed';
}
