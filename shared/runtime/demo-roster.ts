import type { Agency, RosterEntry } from '../workflow/model.js';
import type { Store } from '../workflow/ports.js';

/** The demo agency, seeded on the local stack's first start and used by the tests. */
export const DEMO_AGENCY: Agency = { id: 'daxing-kw', name: '北京市大兴区科学技术委员会' };

export const DEMO_ROSTER: readonly RosterEntry[] = [
  { email: 'officer@kw.example.cn', name: '李信息员', agencyId: 'daxing-kw', roles: ['officer'] },
  { email: 'director@kw.example.cn', name: '王主任', agencyId: 'daxing-kw', roles: ['director'] },
  { email: 'leader@kw.example.cn', name: '张副主任', agencyId: 'daxing-kw', roles: ['leader'] },
  { email: 'auditor@audit.example.cn', name: '赵监督', agencyId: 'daxing-kw', roles: ['auditor'], auditScope: '*' },
];

export async function seedDemo(store: Store): Promise<void> {
  await store.putAgency(DEMO_AGENCY);
  for (const entry of DEMO_ROSTER) await store.putRosterEntry(entry);
}
