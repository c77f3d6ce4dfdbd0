import * as z from 'zod';
import { ApproverStageSchema, DecisionSchema, EmailSchema } from './model.js';
import { ChainSchema, CursorSchema } from './review-chain.js';

/**
 * The payloads between the state machine and the task Lambdas. The CDK construct builds its states from these
 * names, and each task handler parses its input with them.
 */

export const ExecutionInputSchema = z.object({ reportId: z.string().min(1), version: z.int().min(1) });
export type ExecutionInput = z.infer<typeof ExecutionInputSchema>;

/** What a round's execution starts with: the round's chain, and the cursor at its first step (`at`). */
export const RoundInputSchema = ExecutionInputSchema.extend({ chain: ChainSchema, at: CursorSchema });
export type RoundInput = z.infer<typeof RoundInputSchema>;

/**
 * The review task's input: the step of the round's chain by index, and for a 会签 the co-signer this Map iteration
 * asks. `stage` is what executions started before chains were data send instead (a step id of the default chain).
 */
export const RequestReviewInputSchema = z
  .object({
    taskToken: z.string().min(1),
    reportId: z.string().min(1),
    version: z.int().min(1),
    step: z.int().min(0).optional(),
    stage: ApproverStageSchema.optional(),
    approver: EmailSchema.optional(),
  })
  .refine((input) => input.step !== undefined || input.stage !== undefined, { message: 'step or stage is required' });
export type RequestReviewInput = z.infer<typeof RequestReviewInputSchema>;

/** What a review task returns to the state machine: where the round goes next (its Choice reads `outcome` and `kind`). */
export const DecisionOutputSchema = CursorSchema;

export const RequestRevisionInputSchema = z.object({
  taskToken: z.string().min(1),
  reportId: z.string().min(1),
  version: z.int().min(1),
  /** sent by executions started before the decision was read from the log */
  decision: DecisionSchema.optional(),
});
export type RequestRevisionInput = z.infer<typeof RequestRevisionInputSchema>;

/** The new version, and the cursor at the first step of the chain for it (`at`). */
export const RevisionOutputSchema = z.object({ outcome: z.literal('resubmitted'), version: z.int().min(1), at: CursorSchema.optional() });
export type RevisionOutput = z.infer<typeof RevisionOutputSchema>;

export const PublishInputSchema = ExecutionInputSchema;
export type PublishInput = ExecutionInput;

/** The execution statuses that end a round without publishing: each is recorded in the report's log. */
export const FAILED_EXECUTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/**
 * The part of an EventBridge "Step Functions Execution Status Change" event (source aws.states) the failure recorder
 * reads; the local engine delivers the same shape.
 */
export const ExecutionStatusChangeSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string(),
    name: z.string().min(1),
    status: z.enum(FAILED_EXECUTION_STATUSES),
    input: z.string(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
    redriveCount: z.int().min(0).nullish(),
  }),
});
export type ExecutionStatusChange = z.infer<typeof ExecutionStatusChangeSchema>;

export const reportIdOf = (agencyId: string, year: number): string => `${agencyId}-${year}`;

/**
 * Whether a string could be a report id (what reportIdOf makes of an agency id and a year). Ids from a URL are checked
 * before they are looked up: anything else names no report, and a key longer than DynamoDB allows (2 KiB) would make
 * the lookup itself fail.
 */
export const isReportId = (id: string): boolean => /^[a-z0-9][a-z0-9-]{1,39}-\d{4}$/.test(id);
export const executionNameOf = (reportId: string, round: number): string => `${reportId}-r${round}`;
