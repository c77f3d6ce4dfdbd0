import { sealEvent } from './chain.js';
import { ConflictError } from './errors.js';
import type { ReportEvent, UnsealedEvent } from './model.js';
import type { Clock, ReportLogStore } from './ports.js';
import { foldReport, type ReportState } from './report-state.js';

export interface LogDeps {
  readonly store: ReportLogStore;
  readonly clock: Clock;
}

export interface Committed {
  /** the event this call appended, or undefined when `decide` found it already done */
  readonly event: ReportEvent | undefined;
  readonly state: ReportState | undefined;
  readonly events: readonly ReportEvent[];
}

const MAX_ATTEMPTS = 8;

/**
 * Appends one event to a report's log. `decide` sees the log as it is and returns the event to add, or undefined when
 * the work is already done (that is how retries stay idempotent); it may throw a domain error to refuse. The put is
 * conditional on the sequence number, so two writers never both win: the loser folds the new log and decides again.
 * The head projection is written afterwards and never moves backwards.
 */
export async function commit(
  reportId: string,
  decide: (state: ReportState | undefined, events: readonly ReportEvent[]) => UnsealedEvent | undefined,
  deps: LogDeps,
): Promise<Committed> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const events = await deps.store.listEvents(reportId);
    const state = foldReport(events);
    const unsealed = decide(state, events);
    if (!unsealed) {
      if (state) await deps.store.putHead(state.head);
      return { event: undefined, state, events };
    }
    const last = events.at(-1);
    const event = sealEvent(unsealed, last && { seq: last.seq, hash: last.hash });
    try {
      await deps.store.appendEvent(event);
    } catch (error) {
      if (error instanceof ConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    const after = [...events, event];
    const next = foldReport(after);
    if (next) await deps.store.putHead(next.head);
    return { event, state: next, events: after };
  }
  throw new ConflictError();
}

/** The common fields of an event the workflow writes itself. */
export function systemEvent(
  reportId: string,
  type: UnsealedEvent['type'],
  state: ReportState,
  contentSha256: string,
  data: Record<string, unknown>,
  clock: Clock,
  version = state.head.version,
): UnsealedEvent {
  return { reportId, type, at: clock.now().toISOString(), actor: { role: 'system' }, version, contentSha256, data };
}
