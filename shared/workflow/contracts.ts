import * as z from 'zod';
import { ApproverStageSchema, DecisionSchema } from './model.js';

/**
 * The payloads between the state machine and the task Lambdas. The CDK construct builds its states from these
 * names, and each task handler parses its input with them.
 */

export const ExecutionInputSchema = z.object({ reportId: z.string().min(1), version: z.int().min(1) });
export type ExecutionInput = z.infer<typeof ExecutionInputSchema>;

export const RequestReviewInputSchema = z.object({
  taskToken: z.string().min(1),
  reportId: z.string().min(1),
  version: z.int().min(1),
  stage: ApproverStageSchema,
});
export type RequestReviewInput = z.infer<typeof RequestReviewInputSchema>;

/** What a review task returns to the state machine: the decision itself (its Choice reads `outcome`). */
export const DecisionOutputSchema = DecisionSchema;

export const RequestRevisionInputSchema = z.object({
  taskToken: z.string().min(1),
  reportId: z.string().min(1),
  version: z.int().min(1),
  decision: DecisionSchema,
});
export type RequestRevisionInput = z.infer<typeof RequestRevisionInputSchema>;

export const RevisionOutputSchema = z.object({ outcome: z.literal('resubmitted'), version: z.int().min(1) });
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
