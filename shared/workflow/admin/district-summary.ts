import type { Principal } from '../../auth/principal.js';
import type { CheckResult } from '../../report/findings.js';
import { summarizeReports } from '../../report/summary.js';
import { findTemplate } from '../../report/templates/index.js';
import type { Template } from '../../report/template-model.js';
import { NotFoundError } from '../errors.js';
import type { Agency } from '../model.js';
import type { Store } from '../ports.js';
import { requireAdmin, requireDistrictInScope } from './scope.js';

/**
 * The district's 汇总 of a year: its agencies' published reports, read at the version that was published, grouped by
 * format and summed per format (reports of different formats cannot be added up cell by cell).
 */

export interface DistrictSummary {
  readonly district: { readonly id: string; readonly name: string };
  readonly year: number;
  readonly template: string | undefined;
  readonly included: readonly string[];
  readonly missing: readonly string[];
  /** the other formats published that year, and by whom: each has its own 汇总 */
  readonly otherTemplates: readonly { readonly template: string; readonly agencyIds: readonly string[] }[];
  readonly report: Record<string, unknown> | undefined;
  readonly checks: CheckResult | undefined;
  readonly templateRecord: Template | undefined;
}

export async function districtSummary(
  principal: Principal,
  year: number,
  districtId: string,
  requestedTemplate: string | undefined,
  deps: { readonly store: Store },
): Promise<DistrictSummary> {
  requireAdmin(principal);
  requireDistrictInScope(principal, districtId);
  const district = await deps.store.getDistrict(districtId);
  const [agencies, published] = await Promise.all([deps.store.listAgencies(), deps.store.listPublished()]);
  const members = agencies.filter((agency) => agency.district === districtId).sort((a, b) => a.id.localeCompare(b.id));
  const memberIds = new Set(members.map((agency) => agency.id));
  const mine = published.filter((entry) => entry.year === year && memberIds.has(entry.agencyId));
  const contents = await Promise.all(
    mine.map(async (entry) => ({ entry, version: await deps.store.getVersion(entry.reportId, entry.version) })),
  );
  const byTemplate = new Map<string, { agency: Agency; report: unknown }[]>();
  for (const { entry, version } of contents) {
    const template = version?.content['template'];
    const agency = members.find((member) => member.id === entry.agencyId);
    if (version === undefined || typeof template !== 'string' || agency === undefined) continue;
    byTemplate.set(template, [...(byTemplate.get(template) ?? []), { agency, report: version.content }]);
  }
  const ranked = [...byTemplate.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const chosenId = requestedTemplate ?? ranked[0]?.[0];
  const template = chosenId === undefined ? undefined : findTemplate(chosenId);
  if (requestedTemplate !== undefined && template === undefined) throw new NotFoundError(`没有格式“${requestedTemplate}”。`);
  const inputs = chosenId === undefined ? [] : (byTemplate.get(chosenId) ?? []).sort((a, b) => a.agency.id.localeCompare(b.agency.id));
  const summaryOf = { id: districtId, name: district?.name ?? districtId };
  const summary =
    template === undefined || inputs.length === 0 ? undefined : summarizeReports({ template, year, summaryOf, reports: inputs });
  const publishedIds = new Set(contents.map(({ entry }) => entry.agencyId));
  return {
    district: summaryOf,
    year,
    template: chosenId,
    included: inputs.map((input) => input.agency.id),
    missing: members.filter((agency) => !publishedIds.has(agency.id)).map((agency) => agency.id),
    otherTemplates: ranked
      .filter(([id]) => id !== chosenId)
      .map(([id, list]) => ({ template: id, agencyIds: list.map((input) => input.agency.id).sort() })),
    report: summary?.report,
    checks: summary?.checks,
    templateRecord: template,
  };
}
