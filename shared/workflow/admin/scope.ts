import { hasRole, type Principal } from '../../auth/principal.js';
import { ForbiddenError } from '../errors.js';
import type { Agency } from '../model.js';

/**
 * Who administers what. An administrator holds the role `admin` and manages the agencies of the districts in their
 * `adminScope`; nobody else reaches an administration route. Being an administrator grants nothing else: no report
 * is read, edited or decided by virtue of it.
 */

export function requireAdmin(principal: Principal): void {
  if (!hasRole(principal, 'admin')) throw new ForbiddenError('只有管理员可以使用管理功能。', 'NOT_ADMIN');
}

export function districtInScope(principal: Principal, districtId: string | undefined): boolean {
  if (!hasRole(principal, 'admin')) return false;
  if (principal.adminScope === '*') return true;
  return districtId !== undefined && principal.adminScope.includes(districtId);
}

export const agencyInScope = (principal: Principal, agency: Pick<Agency, 'district'>): boolean =>
  districtInScope(principal, agency.district);

export function requireAgencyInScope(principal: Principal, agency: Pick<Agency, 'district'> | undefined): void {
  if (agency === undefined || !agencyInScope(principal, agency)) {
    throw new ForbiddenError('该单位不在您管理的区域内。', 'OUT_OF_SCOPE');
  }
}

export function requireDistrictInScope(principal: Principal, districtId: string | undefined): void {
  if (!districtInScope(principal, districtId)) throw new ForbiddenError('该区域不在您的管理范围内。', 'OUT_OF_SCOPE');
}
