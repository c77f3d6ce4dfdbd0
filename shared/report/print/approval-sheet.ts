import * as z from 'zod';

/**
 * One step of the approval chain as the 签发单 prints it. The workflow passes what its review chain recorded, so the
 * sheet names whatever steps the agency's chain has rather than a fixed director and leader.
 */
export const ApprovalStepSchema = z.strictObject({
  /** what the step is called (办公室主任审核, 主管领导签发, …) */
  stepLabel: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(100),
  /** the person's post (职务) */
  post: z.string().max(100),
  /** 同意, 退回修改, … as the chain words it */
  outcome: z.string().trim().min(1).max(50),
  comment: z.string().max(2000),
  /** ISO 8601 with a zone */
  at: z.iso.datetime({ offset: true }),
  /** whether this step included the 保密审查; absent where the step has none */
  confidentialityReviewed: z.boolean().optional(),
});
export type ApprovalStep = z.infer<typeof ApprovalStepSchema>;
