import { reportIdOf } from './contracts.js';
import type { ImportedReportStore, ReportLogStore } from './ports.js';

/**
 * The agency's report for the year before, the basis of the cross-year checks and the pre-fill: the one nianbao
 * published, or else the one the agency imported from before it used nianbao.
 */
export async function previousYearReport(
  store: ReportLogStore & ImportedReportStore,
  agencyId: string,
  year: number,
): Promise<Record<string, unknown> | undefined> {
  const head = await store.getHead(reportIdOf(agencyId, year - 1));
  if (head?.publishedVersion !== undefined) return (await store.getVersion(head.reportId, head.publishedVersion))?.content;
  return (await store.getImportedReport(agencyId, year - 1))?.report;
}
