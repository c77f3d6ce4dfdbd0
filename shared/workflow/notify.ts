import type { RosterEntry } from './model.js';
import type { RosterStore } from './ports.js';

/** Who is told: the agency's roster, by role, in a stable order. */
export async function rosterWith(store: RosterStore, agencyId: string, role: RosterEntry['roles'][number]): Promise<RosterEntry[]> {
  const roster = await store.listRoster(agencyId);
  return roster.filter((entry) => entry.roles.includes(role)).sort((a, b) => a.email.localeCompare(b.email));
}
