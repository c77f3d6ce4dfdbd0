import * as z from 'zod';
import type { Principal } from '../../auth/principal.js';
import { TemplateIdSchema } from '../../report/templates/index.js';
import { ValidationError } from '../errors.js';
import { AgencySchema, DistrictIdSchema, type Agency } from '../model.js';
import { ChainSchema, chainProblems, unheldRoles, type ChainProblem } from '../review-chain.js';
import { actorOf, logAdminEvent, type AdminLogDeps } from './admin-log.js';
import { agencyInScope, requireAdmin, requireAgencyInScope, requireDistrictInScope } from './scope.js';

/** The body of PUT /api/admin/agencies/{agencyId}. */
export const AgencyChangeSchema = z.object({
  name: AgencySchema.shape.name,
  district: DistrictIdSchema,
  template: TemplateIdSchema.optional(),
  chain: ChainSchema.optional(),
});
export type AgencyChange = z.infer<typeof AgencyChangeSchema>;

export async function listAgenciesInScope(principal: Principal, deps: Pick<AdminLogDeps, 'store'>): Promise<Agency[]> {
  requireAdmin(principal);
  const agencies = await deps.store.listAgencies();
  return agencies.filter((agency) => agencyInScope(principal, agency)).sort((a, b) => a.id.localeCompare(b.id));
}

export interface SavedAgency {
  readonly agency: Agency;
  /** steps whose role nobody in the agency holds: saved, but a report cannot be submitted until someone does */
  readonly warnings: readonly ChainProblem[];
}

/**
 * Creates or changes an agency: both where it is and where it goes must be in the administrator's districts. A chain
 * with problems is refused with every problem at its step; the new chain applies to rounds started after.
 */
export async function saveAgency(principal: Principal, agencyId: string, change: AgencyChange, deps: AdminLogDeps): Promise<SavedAgency> {
  requireAdmin(principal);
  const existing = await deps.store.getAgency(agencyId);
  if (existing !== undefined) requireAgencyInScope(principal, existing);
  requireDistrictInScope(principal, change.district);
  const problems = change.chain === undefined ? [] : chainProblems(change.chain);
  if (problems.length > 0) throw new ValidationError('审批链有问题，请按提示修改后再保存。', 'CHAIN_INVALID', { problems });
  const parsed = AgencySchema.safeParse({
    id: agencyId,
    name: change.name,
    district: change.district,
    template: change.template,
    chain: change.chain,
  });
  if (!parsed.success) throw new ValidationError('单位代码只能由小写字母、数字和连字符组成。', 'BAD_AGENCY_ID');
  const agency = parsed.data;
  const people = await deps.store.listRoster(agencyId);
  const warnings = (agency.chain === undefined ? [] : unheldRoles(agency.chain, people)).map((step) => ({
    code: 'CHAIN_ROLE_UNHELD',
    message: `本单位还没有人担任“${step.role}”，步骤“${step.label}”无人办理：在人员管理中指定后才能提交报告。`,
    stepId: step.id,
  }));
  await deps.store.putAgency(agency);
  await logAdminEvent(deps, actorOf(principal), 'agency_saved', agency.id, { before: existing ?? null, after: agency });
  return { agency, warnings };
}
