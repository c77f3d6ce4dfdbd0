import * as z from 'zod';
import {
  DecidedDataSchema,
  PublishedDataSchema,
  ResubmittedDataSchema,
  ReviewRequestedDataSchema,
  RevisionRequestedDataSchema,
  SubmittedDataSchema,
  WorkflowFailedDataSchema,
} from './event-data.js';
import type { Decision, ReportEvent, ReportHead } from './model.js';

/**
 * A report's state, folded from its events. The head item in the table is this fold written down; anything that
 * must be right (may this be submitted? is it still returned?) folds the log itself.
 */
export interface ReportState {
  readonly head: ReportHead;
  readonly round: number;
  /** the version each decision was about, newest last */
  readonly decisions: readonly Decision[];
  /** versions returned to the officer in this round and not yet resubmitted */
  readonly openRevision: number | undefined;
}

export class CorruptLogError extends Error {
  override readonly name = 'CorruptLogError';
}

function parse<T>(schema: z.ZodType<T>, event: ReportEvent): T {
  const result = schema.safeParse(event.data);
  if (!result.success) throw new CorruptLogError(`event ${event.seq} (${event.type}) of ${event.reportId} has malformed data`);
  return result.data;
}

function step(state: ReportState | undefined, event: ReportEvent): ReportState {
  const common = { lastSeq: event.seq, lastHash: event.hash, updatedAt: event.at, version: event.version };
  if (event.type === 'submitted') {
    const data = parse(SubmittedDataSchema, event);
    return {
      head: {
        reportId: event.reportId,
        agencyId: data.agencyId,
        agencyName: data.agencyName,
        year: data.year,
        template: data.template,
        status: 'in_review',
        stage: 'director',
        executionName: data.executionName,
        createdAt: state?.head.createdAt ?? event.at,
        ...(state?.head.publishedVersion === undefined ? {} : { publishedVersion: state.head.publishedVersion }),
        ...common,
      },
      round: data.round,
      decisions: state?.decisions ?? [],
      openRevision: undefined,
    };
  }
  if (!state) throw new CorruptLogError(`${event.reportId} starts with ${event.type}, not submitted`);
  const { pendingReviewId: _pending, pendingSince: _since, returnComment: _comment, ...rest } = state.head;
  const head = { ...rest, ...common };
  switch (event.type) {
    case 'review_requested':
    case 'reminder_sent': {
      const data = parse(ReviewRequestedDataSchema, event);
      const since = event.type === 'reminder_sent' && state.head.pendingReviewId === data.reviewId ? state.head.pendingSince : event.at;
      return { ...state, head: { ...head, stage: data.stage, pendingReviewId: data.reviewId, pendingSince: since ?? event.at } };
    }
    case 'decided': {
      const { decision } = parse(DecidedDataSchema, event);
      const next = decision.outcome === 'return' ? 'officer' : decision.stage === 'director' ? 'leader' : 'publishing';
      return {
        ...state,
        head: { ...head, stage: next, status: decision.outcome === 'return' ? 'returned' : 'in_review', ...(decision.outcome === 'return' ? { returnComment: decision.comment } : {}) },
        decisions: [...state.decisions, decision],
        openRevision: decision.outcome === 'return' ? event.version : state.openRevision,
      };
    }
    case 'revision_requested': {
      const data = parse(RevisionRequestedDataSchema, event);
      return { ...state, head: { ...head, status: 'returned', stage: 'officer', returnComment: data.comment, pendingSince: event.at }, openRevision: event.version };
    }
    case 'resubmitted': {
      parse(ResubmittedDataSchema, event);
      return { ...state, head: { ...head, status: 'in_review', stage: 'director' }, openRevision: undefined };
    }
    case 'withdrawn':
      return { ...state, head: { ...head, status: 'withdrawn', stage: 'none' }, openRevision: undefined };
    case 'published':
      parse(PublishedDataSchema, event);
      return { ...state, head: { ...head, status: 'published', stage: 'published', publishedVersion: event.version } };
    case 'publish_failed':
      return { ...state, head: { ...head, status: 'publish_failed', stage: 'publishing' } };
    case 'workflow_failed':
      // the round stops where it was; a redrive continues it, or an operator starts a new round
      parse(WorkflowFailedDataSchema, event);
      return { ...state, head: { ...state.head, ...common } };
  }
}

export function foldReport(events: readonly ReportEvent[]): ReportState | undefined {
  let state: ReportState | undefined;
  for (const event of events) state = step(state, event);
  return state;
}

/** States from which a new round may begin with a fresh submission. */
export const canStartRound = (state: ReportState | undefined): boolean => state === undefined || state.head.status === 'withdrawn';

/** The report content of a version and its sha256, from the submission that made it. */
export function versionOf(events: readonly ReportEvent[], version: number): { report: Record<string, unknown>; contentSha256: string } | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (!event || event.version !== version || (event.type !== 'submitted' && event.type !== 'resubmitted')) continue;
    const data = event.type === 'submitted' ? parse(SubmittedDataSchema, event) : parse(ResubmittedDataSchema, event);
    return { report: data.report, contentSha256: event.contentSha256 };
  }
  return undefined;
}
