import * as z from 'zod';
import { AcknowledgedWarningSchema } from './acknowledgements.js';
import { ChainSchema, CursorSchema } from './review-chain.js';
import { ApproverStageSchema, DecisionSchema, EmailSchema, IsoTimeSchema, Sha256Schema, type ReportEvent } from './model.js';

/**
 * What each event type records in `data`. The log alone must be enough to rebuild every projection, so submissions
 * carry the report itself, and the round's review chain.
 */

export const SubmittedDataSchema = z.object({
  report: z.record(z.string(), z.unknown()),
  agencyId: z.string(),
  agencyName: z.string(),
  year: z.int(),
  template: z.string(),
  round: z.int().min(1),
  executionName: z.string(),
  /** the chain in force when the round started (absent in older logs: the default chain) */
  chain: ChainSchema.optional(),
  /** the first step, as the execution input gives it to the state machine */
  next: CursorSchema.optional(),
  /** the checks' warnings on this version with the officer's answers (absent in logs from before answers were asked) */
  acknowledgements: z.array(AcknowledgedWarningSchema).optional(),
});

export const ResubmittedDataSchema = z.object({
  report: z.record(z.string(), z.unknown()),
  returnedVersion: z.int().min(1),
  /** the round's chain again, so a version can be read without the round's start */
  chain: ChainSchema.optional(),
  next: CursorSchema.optional(),
  acknowledgements: z.array(AcknowledgedWarningSchema).optional(),
});

export const ReviewRequestedDataSchema = z.object({
  reviewId: z.string(),
  stage: ApproverStageSchema,
  approverEmail: EmailSchema,
  approverName: z.string(),
  tokenSeq: z.int().min(1),
  stepLabel: z.string().optional(),
  /** the review this one took over (the approver before lost the step's role) */
  replaces: z.object({ reviewId: z.string(), approverEmail: EmailSchema, approverName: z.string() }).optional(),
  /** the approver's deputy (代理), when the link went to them while the approver's delegation ran */
  deputy: z.object({ email: EmailSchema, name: z.string() }).optional(),
});

export const DecidedDataSchema = z.object({
  reviewId: z.string(),
  decision: DecisionSchema,
  /** where the round goes on: written with the decision, answered to the state machine with it */
  next: CursorSchema.optional(),
});

export const RevisionRequestedDataSchema = z.object({
  comment: z.string(),
  returnedBy: EmailSchema,
  returnedByName: z.string(),
  stage: ApproverStageSchema,
});

/** `reason`: why the officer withdrew (absent in logs written before a reason was asked for) */
export const WithdrawnDataSchema = z.object({ executionName: z.string().optional(), reason: z.string().optional() });

export const PublishedObjectSchema = z.object({ key: z.string(), sha256: Sha256Schema, versionId: z.string().optional() });
export const PublishedDataSchema = z.object({ objects: z.array(PublishedObjectSchema), publishedAt: IsoTimeSchema });

export const PublishFailedDataSchema = z.object({ error: z.string(), cause: z.string() });

/** A round's execution ended without publishing (failed, timed out, or stopped other than by a withdrawal). */
export const WorkflowFailedDataSchema = z.object({
  executionName: z.string(),
  status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
  error: z.string(),
  cause: z.string(),
  redriveCount: z.int().min(0),
});

/** A report event with its `data` parsed for its type: narrowing on `type` gives the right fields. */
export type TypedEvent = Omit<ReportEvent, 'type' | 'data'> &
  (
    | { type: 'submitted'; data: z.infer<typeof SubmittedDataSchema> }
    | { type: 'resubmitted'; data: z.infer<typeof ResubmittedDataSchema> }
    | { type: 'review_requested' | 'reminder_sent'; data: z.infer<typeof ReviewRequestedDataSchema> }
    | { type: 'decided'; data: z.infer<typeof DecidedDataSchema> }
    | { type: 'revision_requested'; data: z.infer<typeof RevisionRequestedDataSchema> }
    | { type: 'withdrawn'; data: z.infer<typeof WithdrawnDataSchema> }
    | { type: 'published'; data: z.infer<typeof PublishedDataSchema> }
    | { type: 'publish_failed'; data: z.infer<typeof PublishFailedDataSchema> }
    | { type: 'workflow_failed'; data: z.infer<typeof WorkflowFailedDataSchema> }
  );

const DATA_SCHEMAS = {
  submitted: SubmittedDataSchema,
  resubmitted: ResubmittedDataSchema,
  review_requested: ReviewRequestedDataSchema,
  reminder_sent: ReviewRequestedDataSchema,
  decided: DecidedDataSchema,
  revision_requested: RevisionRequestedDataSchema,
  withdrawn: WithdrawnDataSchema,
  published: PublishedDataSchema,
  publish_failed: PublishFailedDataSchema,
  workflow_failed: WorkflowFailedDataSchema,
} as const satisfies Record<ReportEvent['type'], z.ZodType>;

export class CorruptLogError extends Error {
  override readonly name = 'CorruptLogError';
}

const typed = new WeakMap<ReportEvent, TypedEvent>();

/**
 * The event with its data parsed by its type. The stored event (what the hash chain covers) is left as it is; a
 * malformed `data` makes the log unreadable rather than be guessed at.
 */
export function typedEvent(event: ReportEvent): TypedEvent {
  const cached = typed.get(event);
  if (cached) return cached;
  const result = DATA_SCHEMAS[event.type].safeParse(event.data);
  if (!result.success) throw new CorruptLogError(`event ${event.seq} (${event.type}) of ${event.reportId} has malformed data`);
  // the schema was chosen by `type`, so the pair is one member of the union
  const value = { ...event, data: result.data } as TypedEvent;
  typed.set(event, value);
  return value;
}

export const typedEvents = (events: readonly ReportEvent[]): TypedEvent[] => events.map(typedEvent);
