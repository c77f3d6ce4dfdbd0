import type { Principal } from '../auth/principal.js';
import { logAdminEvent } from './admin/admin-log.js';
import { beijingDate } from './deadline.js';
import { ForbiddenError, NotFoundError, ValidationError } from './errors.js';
import type { Actor, Delegation, RosterEntry } from './model.js';
import type { Clock, DelegationStore, Store } from './ports.js';
import type { ReportState } from './report-state.js';

/**
 * Delegation (代理): a person who decides a step of the chain names a colleague of the same agency to act for them
 * over a span of Beijing calendar days, both ends included. While it runs, the deputy receives the delegator's new
 * review emails and may decide their open reviews; the decision is the deputy's, recorded as made for the delegator.
 */

export interface DelegationDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** what finding who deputises for whom needs */
export interface DelegationReadDeps {
  readonly store: DelegationStore;
  readonly clock: Clock;
}

export interface DelegationRequest {
  readonly to: string;
  readonly from: string;
  readonly until: string;
}

/** The longest delegation, in calendar days counting both ends: long enough for leave, short enough to be looked at again. */
export const MAX_DELEGATION_DAYS = 90;

/** Roles that decide no step: an officer submits, an auditor reads, an administrator manages. */
const NON_STEP_ROLES: readonly string[] = ['officer', 'auditor', 'admin'];

const stepRolesOf = (roles: readonly string[]): string[] => roles.filter((role) => !NON_STEP_ROLES.includes(role));

/** Only a person who decides a step of a chain has reviews to hand over. */
export const mayDelegate = (principal: Pick<Principal, 'roles'>): boolean => stepRolesOf(principal.roles).length > 0;

const DAY_MS = 86_400_000;
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** Whether the delegation runs on this instant's Beijing date (and was not ended). */
export function isActive(delegation: Delegation, now: Date): boolean {
  const today = beijingDate(now);
  return delegation.endedAt === undefined && delegation.from <= today && today <= delegation.until;
}

/** Whether it still matters: running, or planned for later. */
const isCurrent = (delegation: Delegation, now: Date): boolean => delegation.endedAt === undefined && beijingDate(now) <= delegation.until;

function actorOf(principal: Principal): Actor {
  return { email: principal.email, name: principal.name, role: stepRolesOf(principal.roles)[0] ?? 'system' };
}

/** PUT /api/me/delegation: sets (or replaces) the signed-in person's delegation, after every rule below holds. */
export async function setDelegation(request: DelegationRequest, principal: Principal, deps: DelegationDeps): Promise<Delegation> {
  if (!mayDelegate(principal)) {
    throw new ForbiddenError('只有担任审核、会签或签发职务的人员可以设置代理。', 'DELEGATOR_DECIDES_NO_STEP');
  }
  const to = request.to.trim().toLowerCase();
  if (to === principal.email) throw new ValidationError('不能指定自己为代理人。', 'DEPUTY_IS_SELF');
  const deputy = await deps.store.getRosterEntry(to);
  // one answer for "not on the roster" and "in another agency": the roster of other agencies is not disclosed
  if (!deputy || deputy.agencyId !== principal.agencyId) {
    throw new ValidationError('代理人须是本单位已登记的人员，请检查邮箱地址。', 'DEPUTY_NOT_IN_AGENCY');
  }
  if (request.from > request.until) throw new ValidationError('代理的开始日期不能晚于结束日期。', 'DELEGATION_DATES_REVERSED');
  const today = beijingDate(deps.clock.now());
  if (request.until < today) throw new ValidationError('代理的结束日期已经过去，请重新选择。', 'DELEGATION_IN_PAST');
  const days = dayNumber(request.until) - dayNumber(request.from) + 1;
  if (days > MAX_DELEGATION_DAYS) {
    throw new ValidationError(`代理期限最长 ${MAX_DELEGATION_DAYS} 天（含起止两天），请缩短后再设置。`, 'DELEGATION_TOO_LONG');
  }
  const delegation: Delegation = {
    delegator: principal.email,
    delegatorName: principal.name,
    deputy: deputy.email,
    deputyName: deputy.name,
    agencyId: principal.agencyId,
    from: request.from,
    until: request.until,
    setAt: deps.clock.now().toISOString(),
  };
  await deps.store.putDelegation(delegation);
  await logAdminEvent(deps, actorOf(principal), 'delegation_set', principal.email, {
    agencyId: delegation.agencyId,
    deputy: delegation.deputy,
    deputyName: delegation.deputyName,
    from: delegation.from,
    until: delegation.until,
  });
  return delegation;
}

/** DELETE /api/me/delegation: ends the person's running or planned delegation at once. */
export async function endDelegation(principal: Principal, deps: DelegationDeps): Promise<Delegation> {
  const current = await deps.store.getDelegation(principal.email);
  if (!current || !isCurrent(current, deps.clock.now())) throw new NotFoundError('您目前没有设置代理。');
  const ended: Delegation = { ...current, endedAt: deps.clock.now().toISOString() };
  await deps.store.putDelegation(ended);
  await logAdminEvent(deps, actorOf(principal), 'delegation_ended', principal.email, {
    agencyId: ended.agencyId,
    deputy: ended.deputy,
    deputyName: ended.deputyName,
  });
  return ended;
}

/** GET /api/me/delegation: the person's running or planned delegation, or null. */
export async function myDelegation(principal: Principal, deps: DelegationDeps): Promise<Delegation | null> {
  const current = await deps.store.getDelegation(principal.email);
  return current && isCurrent(current, deps.clock.now()) ? current : null;
}

/**
 * The deputy acting for `delegator` right now: their delegation runs and the deputy is on the agency's roster as it
 * is now (`roster`, the agency's entries).
 */
export async function activeDeputyOf(
  delegator: string,
  agencyId: string,
  roster: readonly RosterEntry[],
  deps: DelegationReadDeps,
): Promise<RosterEntry | undefined> {
  const delegation = await deps.store.getDelegation(delegator);
  if (!delegation || delegation.agencyId !== agencyId || !isActive(delegation, deps.clock.now())) return undefined;
  return roster.find((entry) => entry.email === delegation.deputy && entry.agencyId === agencyId);
}

/** The people of the agency whom `deputy` acts for today. */
export async function deputisedBy(deputy: string, agencyId: string, deps: DelegationReadDeps): Promise<Delegation[]> {
  const now = deps.clock.now();
  return (await deps.store.listDelegations(agencyId)).filter((delegation) => delegation.deputy === deputy && isActive(delegation, now));
}

/**
 * Whom the principal acts for on a review of `approverEmail`: nobody (their own review), or the delegator, when the
 * principal is the delegator's deputy today. Anyone else is refused: a deputy whose delegation ended (or has not
 * begun) is told so.
 */
export async function actingFor(approverEmail: string, principal: Principal, deps: DelegationReadDeps): Promise<Delegation | undefined> {
  if (principal.email === approverEmail) return undefined;
  const delegation = await deps.store.getDelegation(approverEmail);
  if (delegation && delegation.deputy === principal.email && delegation.agencyId === principal.agencyId) {
    if (isActive(delegation, deps.clock.now())) return delegation;
    throw new ForbiddenError(`您代理${delegation.delegatorName}的期限已结束或尚未开始，不能处理这项审核。`, 'DELEGATION_NOT_ACTIVE');
  }
  throw new ForbiddenError('该审核链接发给了另一位审核人，请用收到邮件的账号登录。', 'NOT_YOUR_REVIEW');
}

/**
 * Whether separation of duties leaves the deputy free to decide this step of the round: they submitted none of it and
 * decided no other step. A deputy it rules out is neither emailed the review nor shown it as a task.
 */
export const deputyMayDecide = (deputy: string, stepId: string, state: ReportState): boolean =>
  !state.roundSubmitters.includes(deputy) && (state.roundDeciders.get(deputy) ?? stepId) === stepId;
