import * as z from 'zod';
import { ApproverStageSchema, DecisionSchema, EmailSchema, IsoTimeSchema, Sha256Schema } from './model.js';

/**
 * What each event type records in `data`. The log alone must be enough to rebuild every projection, so submissions
 * carry the report itself.
 */

export const SubmittedDataSchema = z.object({
  report: z.record(z.string(), z.unknown()),
  agencyId: z.string(),
  agencyName: z.string(),
  year: z.int(),
  template: z.string(),
  round: z.int().min(1),
  executionName: z.string(),
});

export const ResubmittedDataSchema = z.object({
  report: z.record(z.string(), z.unknown()),
  returnedVersion: z.int().min(1),
});

export const ReviewRequestedDataSchema = z.object({
  reviewId: z.string(),
  stage: ApproverStageSchema,
  approverEmail: EmailSchema,
  approverName: z.string(),
  tokenSeq: z.int().min(1),
});

export const DecidedDataSchema = z.object({ reviewId: z.string(), decision: DecisionSchema });

export const RevisionRequestedDataSchema = z.object({
  comment: z.string(),
  returnedBy: EmailSchema,
  returnedByName: z.string(),
  stage: ApproverStageSchema,
});

export const WithdrawnDataSchema = z.object({ executionName: z.string().optional() });

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
