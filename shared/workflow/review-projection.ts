import { ConflictError } from './errors.js';
import type { Decision } from './model.js';
import type { ReviewStore } from './ports.js';

/**
 * Writes a logged decision onto its review item (what the review page shows). The log already holds it, so a
 * decision found there by an earlier writer is the same one and a lost race changes nothing.
 */
export async function projectDecision(
  reviewId: string,
  decision: Decision,
  seq: number,
  deps: { readonly store: ReviewStore },
): Promise<void> {
  try {
    await deps.store.recordDecision(reviewId, decision);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  await deps.store.markDecisionLogged(reviewId, seq);
}
