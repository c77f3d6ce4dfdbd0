import type { Role, RosterEntry } from '../workflow/model.js';

/** Who is asking: the roster entry of a live session, plus the session's CSRF token for form posts. */
export interface Principal {
  readonly email: string;
  readonly name: string;
  readonly agencyId: string;
  readonly roles: readonly Role[];
  readonly auditScope: '*' | readonly string[];
  /** the districts an administrator manages ('*' for all); empty for everybody else */
  readonly adminScope: '*' | readonly string[];
  readonly csrfToken: string;
}

export function principalOf(entry: RosterEntry, csrfToken: string): Principal {
  return {
    email: entry.email,
    name: entry.name,
    agencyId: entry.agencyId,
    roles: entry.roles,
    auditScope: entry.auditScope ?? [],
    adminScope: entry.adminScope ?? [],
    csrfToken,
  };
}

export const hasRole = (principal: Principal, role: Role): boolean => principal.roles.includes(role);

/**
 * Officers, directors and leaders see their own agency; auditors the agencies in their scope. Being an administrator
 * opens no report: the administration pages show states, never contents.
 */
export function canRead(principal: Principal, agencyId: string): boolean {
  if (principal.agencyId === agencyId && principal.roles.some((role) => role !== 'auditor' && role !== 'admin')) return true;
  return hasRole(principal, 'auditor') && (principal.auditScope === '*' || principal.auditScope.includes(agencyId));
}

export function isOfficerOf(principal: Principal, agencyId: string): boolean {
  return principal.agencyId === agencyId && hasRole(principal, 'officer');
}
