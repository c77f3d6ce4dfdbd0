import type { RosterEntry } from '../model.js';
import type { Store } from '../ports.js';
import { waitingReviewsOf } from '../hand-over.js';
import { stepById } from '../review-chain.js';

/** A review waiting for a person, and whether a roster change takes it from them. */
export interface OpenReview {
  readonly reviewId: string;
  readonly reportId: string;
  readonly agencyName: string;
  readonly year: number;
  readonly stepLabel: string;
  /** the step's role in the round's chain */
  readonly role: string;
  /** true when the person, as changed, no longer holds that role in the report's agency: the review passes to the current holder */
  readonly reassigned: boolean;
}

/**
 * The reviews waiting for `email` in the agency's reports under review, each judged against the person as they would
 * be after the change (`after` undefined: removed). Shown before an administrator saves, so nobody loses a review
 * unknowingly.
 */
export async function openReviewsOf(
  store: Store,
  email: string,
  agencyId: string,
  after: Pick<RosterEntry, 'agencyId' | 'roles'> | undefined,
): Promise<OpenReview[]> {
  return (await waitingReviewsOf([email], agencyId, { store })).flatMap(({ review, state }): OpenReview[] => {
    const step = stepById(state.chain, review.stage);
    if (step === undefined) return [];
    const keeps = after !== undefined && after.agencyId === state.head.agencyId && after.roles.includes(step.role);
    const { reportId, agencyName, year } = state.head;
    return [{ reviewId: review.reviewId, reportId, agencyName, year, stepLabel: step.label, role: step.role, reassigned: !keeps }];
  });
}
