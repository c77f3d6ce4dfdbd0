import type { Decision, Review } from './model.js';
import { commit, type LogDeps } from './report-log.js';
import { versionOf } from './report-state.js';

/**
 * Writes the `decided` event for a decision already recorded on its review. Called by whoever gets there first —
 * the decision request itself, or the next review task if that request died in between — and never twice.
 */
export async function logDecision(review: Review, decision: Decision, deps: LogDeps): Promise<void> {
  if (review.decisionEventSeq !== undefined) return;
  const committed = await commit(
    review.reportId,
    (state, events) => {
      if (!state) throw new Error(`report ${review.reportId} has no log`);
      if (events.some((event) => event.type === 'decided' && event.data['reviewId'] === review.reviewId)) return undefined;
      // a decision that raced a withdrawal or a newer version is kept on its review, but the log has moved on
      if (state.head.status !== 'in_review' || state.head.version !== review.version) return undefined;
      const content = versionOf(events, review.version);
      if (!content) throw new Error(`report ${review.reportId} has no version ${review.version}`);
      return {
        reportId: review.reportId,
        type: 'decided',
        at: decision.decidedAt,
        actor: { email: decision.approver, name: decision.approverName, role: decision.stage },
        version: review.version,
        contentSha256: content.contentSha256,
        data: { reviewId: review.reviewId, decision },
      };
    },
    deps,
  );
  const seq = committed.events.find((event) => event.type === 'decided' && event.data['reviewId'] === review.reviewId)?.seq;
  if (seq !== undefined) await deps.store.markDecisionLogged(review.reviewId, seq);
}
