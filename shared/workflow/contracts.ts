import { z } from 'zod';
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

export const PublishFailureInputSchema = ExecutionInputSchema.extend({
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type PublishFailureInput = z.infer<typeof PublishFailureInputSchema>;

export const reportIdOf = (agencyId: string, year: number): string => `${agencyId}-${year}`;
export const executionNameOf = (reportId: string, round: number): string => `${reportId}-r${round}`;
