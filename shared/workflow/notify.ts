import type { ApproverStage, RosterEntry } from './model.js';
import type { Store } from './ports.js';

/** Who is asked to act: the agency's roster, by role, in a stable order. */
export async function rosterWith(store: Store, agencyId: string, role: RosterEntry['roles'][number]): Promise<RosterEntry[]> {
  const roster = await store.listRoster(agencyId);
  return roster.filter((entry) => entry.roles.includes(role)).sort((a, b) => a.email.localeCompare(b.email));
}

export class NoApproverError extends Error {
  override readonly name = 'NoApproverError';
}

/** The approver for a stage. With several on the roster the first by address is asked, so retries ask the same person. */
export async function approverFor(store: Store, agencyId: string, stage: ApproverStage): Promise<RosterEntry> {
  const [approver] = await rosterWith(store, agencyId, stage);
  if (!approver) throw new NoApproverError(`agency ${agencyId} has no ${stage} on its roster`);
  return approver;
}
