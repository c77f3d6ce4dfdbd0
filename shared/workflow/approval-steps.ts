import type { ApprovalStep } from '../report/print/approval-sheet.js';
import { DecidedDataSchema } from './event-data.js';
import type { ReportEvent } from './model.js';
import { stepLabel } from './review-chain.js';

/**
 * The 签发单's rows: every decision taken on the signed version, in the order of the log. The sheet prints whatever
 * steps are here, so a longer review chain only has to name its steps.
 */

/** The posts of the default chain's roles; a step of another chain is named by its label alone. */
const POSTS: Readonly<Record<string, string>> = { director: '办公室主任', leader: '主管领导' };

const OUTCOMES = { approve: '同意', return: '退回修改' } as const;

export function approvalSteps(events: readonly ReportEvent[], version: number): ApprovalStep[] {
  return events.flatMap((event): ApprovalStep[] => {
    if (event.type !== 'decided' || event.version !== version) return [];
    const { decision } = DecidedDataSchema.parse(event.data);
    const label = decision.stepLabel ?? stepLabel(undefined, decision.stage);
    return [
      {
        stepLabel: label,
        name: decision.approverName.trim() === '' ? decision.approver : decision.approverName,
        post: POSTS[decision.stage] ?? label,
        outcome: OUTCOMES[decision.outcome],
        comment: decision.comment,
        at: decision.decidedAt,
        ...(decision.confidentialityReviewed ? { confidentialityReviewed: true } : {}),
      },
    ];
  });
}
