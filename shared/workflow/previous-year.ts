import { reportIdOf } from './contracts.js';
import type { Store } from './ports.js';

/** The agency's published report for the year before, the basis of the cross-year checks. */
export async function previousYearReport(store: Store, agencyId: string, year: number): Promise<Record<string, unknown> | undefined> {
  const head = await store.getHead(reportIdOf(agencyId, year - 1));
  if (head?.publishedVersion === undefined) return undefined;
  return (await store.getVersion(head.reportId, head.publishedVersion))?.content;
}
