import type { ApprovalStep } from '../report/print/approval-sheet.js';
import { DecidedDataSchema } from './event-data.js';
import type { ApproverStage, ReportEvent } from './model.js';

/**
 * The 签发单's rows: every decision taken on the signed version, in the order of the log. The sheet prints whatever
 * steps are here, so a longer review chain only has to name its steps.
 */

const STEP_LABELS: Readonly<Record<ApproverStage, { step: string; post: string }>> = {
  director: { step: '办公室主任审核（含保密审查）', post: '办公室主任' },
  leader: { step: '主管领导签发', post: '主管领导' },
};

const OUTCOMES = { approve: '同意', return: '退回修改' } as const;

export function approvalSteps(events: readonly ReportEvent[], version: number): ApprovalStep[] {
  return events.flatMap((event): ApprovalStep[] => {
    if (event.type !== 'decided' || event.version !== version) return [];
    const { decision } = DecidedDataSchema.parse(event.data);
    const labels = STEP_LABELS[decision.stage];
    return [
      {
        stepLabel: labels.step,
        name: decision.approverName.trim() === '' ? decision.approver : decision.approverName,
        post: labels.post,
        outcome: OUTCOMES[decision.outcome],
        comment: decision.comment,
        at: decision.decidedAt,
        ...(decision.stage === 'director' ? { confidentialityReviewed: decision.confidentialityReviewed } : {}),
      },
    ];
  });
}
