import type { RosterEntry } from './model.js';
import type { ReportState } from './report-state.js';
import type { Chain, Step } from './review-chain.js';

/**
 * Who may be asked to decide a step, from the roster as it is now: people of the report's agency holding the step's
 * role, minus anyone separation of duties rules out (they submitted this round, or decided another step of it).
 */
export function eligibleFor(step: Step, roster: readonly RosterEntry[], agencyId: string, state: ReportState | undefined): RosterEntry[] {
  return roster
    .filter((entry) => entry.agencyId === agencyId && entry.roles.includes(step.role))
    .filter(
      (entry) => !state || (!state.roundSubmitters.includes(entry.email) && (state.roundDeciders.get(entry.email) ?? step.id) === step.id),
    )
    .sort((a, b) => a.email.localeCompare(b.email));
}

/** The addresses a 会签 step asks when it starts. */
export const cosignersFor =
  (roster: readonly RosterEntry[], agencyId: string, state: ReportState | undefined) =>
  (step: Step): string[] =>
    eligibleFor(step, roster, agencyId, state).map((entry) => entry.email);

/**
 * The one approver of a 审核 or 签发 step. Among those eligible, the one holding the fewest roles of the chain's
 * later steps is asked (so a person who could also take a later step is kept for it), then the first by address, so
 * retries ask the same person.
 */
export function approverFor(
  step: Step,
  chain: Chain,
  roster: readonly RosterEntry[],
  agencyId: string,
  state: ReportState | undefined,
): RosterEntry | undefined {
  const later = chain.steps.slice(chain.steps.findIndex((candidate) => candidate.id === step.id) + 1).map((candidate) => candidate.role);
  const load = (entry: RosterEntry) => later.filter((role) => entry.roles.includes(role)).length;
  return eligibleFor(step, roster, agencyId, state).sort((a, b) => load(a) - load(b) || a.email.localeCompare(b.email))[0];
}

/**
 * Whether the agency has enough distinct people to walk the chain with separation of duties: every step someone
 * other than the submitter, and nobody on two steps (a 会签 needs at least one co-signer). Returns the steps that
 * cannot be staffed; empty when the round may start.
 */
export function unstaffedSteps(chain: Chain, roster: readonly RosterEntry[], agencyId: string, submitter: string): Step[] {
  const people = roster.filter((entry) => entry.agencyId === agencyId && entry.email !== submitter);
  const candidates = chain.steps.map((step) => people.filter((entry) => entry.roles.includes(step.role)).map((entry) => entry.email));
  // a matching of steps to distinct people (augmenting paths; chains have at most 8 steps)
  const holder = new Map<string, number>();
  const assign = (index: number, seen: Set<string>): boolean => {
    for (const email of candidates[index] ?? []) {
      if (seen.has(email)) continue;
      seen.add(email);
      const other = holder.get(email);
      if (other === undefined || assign(other, seen)) {
        holder.set(email, index);
        return true;
      }
    }
    return false;
  };
  return chain.steps.filter((_, index) => !assign(index, new Set()));
}
