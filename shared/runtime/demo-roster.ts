import type { Agency, District, RosterEntry } from '../workflow/model.js';
import type { Store } from '../workflow/ports.js';

/** The demo district, seeded on the local stack's first start and used by the tests. */
export const DEMO_DISTRICT: District = { id: 'daxing', name: '北京市大兴区' };

/** The demo agency the single-agency walkthroughs use. */
export const DEMO_AGENCY: Agency = { id: 'daxing-kw', name: '北京市大兴区科学技术委员会', district: DEMO_DISTRICT.id };

/** The district's agencies on the dashboard, and the office its administrator sits in (in no district of its own). */
export const DEMO_AGENCIES: readonly Agency[] = [
  DEMO_AGENCY,
  { id: 'daxing-czj', name: '北京市大兴区财政局', district: DEMO_DISTRICT.id },
  { id: 'daxing-jw', name: '北京市大兴区教育委员会', district: DEMO_DISTRICT.id },
  { id: 'daxing-gkb', name: '北京市大兴区人民政府办公室（区政务公开办）' },
];

export const DEMO_ROSTER: readonly RosterEntry[] = [
  { email: 'officer@kw.example.cn', name: '李信息员', agencyId: 'daxing-kw', roles: ['officer'] },
  { email: 'director@kw.example.cn', name: '王主任', agencyId: 'daxing-kw', roles: ['director'] },
  { email: 'leader@kw.example.cn', name: '张副主任', agencyId: 'daxing-kw', roles: ['leader'] },
  { email: 'auditor@audit.example.cn', name: '赵监督', agencyId: 'daxing-kw', roles: ['auditor'], auditScope: '*' },
  { email: 'officer@czj.example.cn', name: '陈信息员', agencyId: 'daxing-czj', roles: ['officer'] },
  { email: 'director@czj.example.cn', name: '刘主任', agencyId: 'daxing-czj', roles: ['director'] },
  { email: 'leader@czj.example.cn', name: '孙局长', agencyId: 'daxing-czj', roles: ['leader'] },
  { email: 'officer@jw.example.cn', name: '周信息员', agencyId: 'daxing-jw', roles: ['officer'] },
  { email: 'director@jw.example.cn', name: '吴主任', agencyId: 'daxing-jw', roles: ['director'] },
  { email: 'leader@jw.example.cn', name: '郑主任', agencyId: 'daxing-jw', roles: ['leader'] },
  {
    email: 'admin@daxing.example.cn',
    name: '区政务公开办管理员',
    agencyId: 'daxing-gkb',
    roles: ['admin'],
    adminScope: [DEMO_DISTRICT.id],
  },
];

export async function seedDemo(store: Store): Promise<void> {
  await store.putDistrict(DEMO_DISTRICT);
  for (const agency of DEMO_AGENCIES) await store.putAgency(agency);
  for (const entry of DEMO_ROSTER) await store.putRosterEntry(entry);
}
