import type { AcknowledgedWarning } from './acknowledgements.js';
import { CorruptLogError, typedEvent, type TypedEvent } from './event-data.js';
import type { Decision, ReportEvent, ReportHead } from './model.js';
import { cursorAt, DEFAULT_CHAIN, stepById, stepIndex, type Chain, type Cursor } from './review-chain.js';

export { CorruptLogError };

/**
 * A report's state, folded from its events. The head item in the table is this fold written down; anything that
 * must be right (may this be submitted? is it still returned? may this person decide?) folds the log itself.
 */
export interface ReportState {
  readonly head: ReportHead;
  readonly round: number;
  /** the round's review chain, as copied into its submission */
  readonly chain: Chain;
  /** the step the round is at (the last cursor logged); `publish` once the 签发 step approved */
  readonly cursor: Cursor;
  /** the version each decision was about, newest last */
  readonly decisions: readonly Decision[];
  /** every review decided in the log, by review id */
  readonly decidedReviews: ReadonlyMap<string, Decision>;
  /** every review handed to another person in the log (its approver lost the step's role), by review id: who holds it now */
  readonly handedOver: ReadonlyMap<string, Holder>;
  /** who approved the current 会签 step on the current version */
  readonly cosigned: readonly string[];
  /** the step each person decided in this round, for separation of duties */
  readonly roundDeciders: ReadonlyMap<string, string>;
  /** who submitted or resubmitted a version in this round */
  readonly roundSubmitters: readonly string[];
  /** versions returned to the officer in this round and not yet resubmitted */
  readonly openRevision: number | undefined;
}

/** The stage (and its label) the head shows for a cursor. */
function stageOf(chain: Chain, cursor: Cursor): { stage: string; stageLabel?: string } {
  if (cursor.kind === 'publish') return { stage: 'publishing' };
  if (cursor.kind === 'return') return { stage: 'officer' };
  const label = stepById(chain, cursor.stepId)?.label;
  return { stage: cursor.stepId, ...(label === undefined ? {} : { stageLabel: label }) };
}

const none = (): readonly string[] => [];

/** The person a review was handed to, and their review. */
export interface Holder {
  readonly reviewId: string;
  readonly approverEmail: string;
  readonly approverName: string;
}

function step(state: ReportState | undefined, event: TypedEvent): ReportState {
  const common = { lastSeq: event.seq, lastHash: event.hash, updatedAt: event.at, version: event.version };
  if (event.type === 'submitted') {
    const { data } = event;
    const chain = data.chain ?? DEFAULT_CHAIN;
    const cursor = data.next ?? cursorAt(chain, 0, 'start', none);
    return {
      head: {
        reportId: event.reportId,
        agencyId: data.agencyId,
        agencyName: data.agencyName,
        year: data.year,
        template: data.template,
        status: 'in_review',
        ...stageOf(chain, cursor),
        executionName: data.executionName,
        createdAt: state?.head.createdAt ?? event.at,
        ...(state?.head.publishedVersion === undefined ? {} : { publishedVersion: state.head.publishedVersion }),
        ...common,
      },
      round: data.round,
      chain,
      cursor,
      decisions: state?.decisions ?? [],
      decidedReviews: state?.decidedReviews ?? new Map(),
      handedOver: state?.handedOver ?? new Map(),
      cosigned: [],
      roundDeciders: new Map(),
      roundSubmitters: event.actor.email === undefined ? [] : [event.actor.email],
      openRevision: undefined,
    };
  }
  if (!state) throw new CorruptLogError(`${event.reportId} starts with ${event.type}, not submitted`);
  const { pendingReviewId: _pending, pendingSince: _since, returnComment: _comment, stageLabel: _label, ...rest } = state.head;
  const head = { ...rest, ...common };
  switch (event.type) {
    case 'review_requested':
    case 'reminder_sent': {
      const { data } = event;
      const since = event.type === 'reminder_sent' && state.head.pendingReviewId === data.reviewId ? state.head.pendingSince : event.at;
      const label = stepById(state.chain, data.stage)?.label ?? data.stepLabel;
      // a 会签 seat handed to the role's new holder: they are asked instead of the one who left
      const replaced = data.replaces?.approverEmail;
      const cursor =
        replaced !== undefined && state.cursor.kind === 'cosign' && state.cursor.stepId === data.stage
          ? { ...state.cursor, cosigners: state.cursor.cosigners.map((email) => (email === replaced ? data.approverEmail : email)) }
          : state.cursor;
      const holder = { reviewId: data.reviewId, approverEmail: data.approverEmail, approverName: data.approverName };
      const handedOver = data.replaces === undefined ? state.handedOver : new Map(state.handedOver).set(data.replaces.reviewId, holder);
      return {
        ...state,
        cursor,
        handedOver,
        head: {
          ...head,
          stage: data.stage,
          ...(label === undefined ? {} : { stageLabel: label }),
          pendingReviewId: data.reviewId,
          pendingSince: since ?? event.at,
        },
      };
    }
    case 'decided': {
      const { decision, reviewId } = event.data;
      const decisions = [...state.decisions, decision];
      const decidedReviews = new Map(state.decidedReviews).set(reviewId, decision);
      // a deputy's decision rules out both the deputy and the person they acted for from the round's other steps
      const roundDeciders = new Map(state.roundDeciders).set(decision.approver, decision.stage);
      if (decision.onBehalfOf !== undefined) roundDeciders.set(decision.onBehalfOf.email, decision.stage);
      // a 会签 seat is the co-signer's, whoever decided it for them
      const seat = decision.onBehalfOf?.email ?? decision.approver;
      if (decision.outcome === 'return') {
        return {
          ...state,
          head: { ...head, stage: 'officer', status: 'returned', returnComment: decision.comment },
          decisions,
          decidedReviews,
          roundDeciders,
          cosigned: [],
          openRevision: event.version,
        };
      }
      // a decision logged before the cursor was: the next step of the chain (the default chain has no 会签)
      const next =
        event.data.next ??
        (decision.stage === state.cursor.stepId && state.cursor.kind !== 'cosign'
          ? cursorAt(state.chain, stepIndex(state.chain, decision.stage) + 1, 'approve', none)
          : undefined);
      if (!next) {
        // one co-signer of several: the step waits for the others
        return {
          ...state,
          head: { ...state.head, ...common },
          decisions,
          decidedReviews,
          roundDeciders,
          cosigned: [...state.cosigned, seat],
        };
      }
      return {
        ...state,
        head: { ...head, status: 'in_review', ...stageOf(state.chain, next) },
        cursor: next,
        decisions,
        decidedReviews,
        roundDeciders,
        cosigned: [],
      };
    }
    case 'revision_requested':
      return {
        ...state,
        head: { ...head, status: 'returned', stage: 'officer', returnComment: event.data.comment, pendingSince: event.at },
        openRevision: event.version,
      };
    case 'resubmitted': {
      const cursor = event.data.next ?? cursorAt(state.chain, 0, 'resubmitted', none);
      const submitters =
        event.actor.email === undefined || state.roundSubmitters.includes(event.actor.email)
          ? state.roundSubmitters
          : [...state.roundSubmitters, event.actor.email];
      return {
        ...state,
        head: { ...head, status: 'in_review', ...stageOf(state.chain, cursor) },
        cursor,
        cosigned: [],
        roundSubmitters: submitters,
        openRevision: undefined,
      };
    }
    case 'withdrawn':
      return { ...state, head: { ...head, status: 'withdrawn', stage: 'none' }, openRevision: undefined };
    case 'published':
      return { ...state, head: { ...head, status: 'published', stage: 'published', publishedVersion: event.version } };
    case 'publish_failed':
      return { ...state, head: { ...head, status: 'publish_failed', stage: 'publishing' } };
    case 'workflow_failed':
      // the round stops where it was; a redrive continues it, or an operator starts a new round
      return { ...state, head: { ...state.head, ...common } };
  }
}

export function foldReport(events: readonly ReportEvent[]): ReportState | undefined {
  let state: ReportState | undefined;
  for (const event of events) state = step(state, typedEvent(event));
  return state;
}

/** States from which a new round may begin with a fresh submission. */
export const canStartRound = (state: ReportState | undefined): boolean => state === undefined || state.head.status === 'withdrawn';

/** The report content of a version and its sha256, from the submission that made it. */
export function versionOf(
  events: readonly ReportEvent[],
  version: number,
): { report: Record<string, unknown>; contentSha256: string; acknowledgements: readonly AcknowledgedWarning[] | undefined } | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const raw = events[i];
    if (!raw || raw.version !== version || (raw.type !== 'submitted' && raw.type !== 'resubmitted')) continue;
    const event = typedEvent(raw);
    if (event.type !== 'submitted' && event.type !== 'resubmitted') continue;
    return { report: event.data.report, contentSha256: event.contentSha256, acknowledgements: event.data.acknowledgements };
  }
  return undefined;
}

/** The `decided` event of a review, when it is in the log. */
export function decidedEventOf(events: readonly ReportEvent[], reviewId: string): Extract<TypedEvent, { type: 'decided' }> | undefined {
  for (const raw of events) {
    if (raw.type !== 'decided') continue;
    const event = typedEvent(raw);
    if (event.type === 'decided' && event.data.reviewId === reviewId) return event;
  }
  return undefined;
}
