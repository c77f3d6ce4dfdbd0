import type { Principal } from '../../auth/principal.js';
import { listAgenciesInScope } from '../../workflow/admin/agencies.js';
import { listPeople } from '../../workflow/admin/people.js';
import { progressFor } from '../../workflow/admin/progress.js';
import { districtInScope } from '../../workflow/admin/scope.js';
import { beijingDate } from '../../workflow/deadline.js';
import type { Clock, Store } from '../../workflow/ports.js';
import type { AdminView } from './admin-page.js';

/** The report year being worked on: last year's until its deadline month is over (January, February), then this year's. */
export function currentReportYear(now: Date): number {
  const [year, month] = beijingDate(now).split('-').map(Number);
  return (month ?? 1) <= 2 ? (year ?? 2020) - 1 : (year ?? 2020);
}

export async function loadAdminView(
  principal: Principal,
  year: number,
  deps: { readonly store: Store; readonly clock: Clock },
): Promise<AdminView> {
  const [progress, agencies, people, districts] = await Promise.all([
    progressFor(principal, year, undefined, deps),
    listAgenciesInScope(principal, deps),
    listPeople(principal, undefined, deps),
    deps.store.listDistricts(),
  ]);
  const mine = districts.filter((district) => districtInScope(principal, district.id));
  return { year, deadline: progress.deadline, progress: progress.agencies, agencies, people, districts: mine };
}
