/**
 * Where a published report's objects live in the site bucket. Apart from the publishing code, so the pages that link
 * to them do not bring the renderers (and their fonts' parser) into their bundles.
 */
export const reportPageKey = (agencyId: string, year: number) => `reports/${agencyId}/${year}/index.html`;
export const reportJsonKey = (agencyId: string, year: number) => `reports/${agencyId}/${year}/report.json`;
export const reportPdfKey = (agencyId: string, year: number) => `reports/${agencyId}/${year}/report.pdf`;
export const reportDocxKey = (agencyId: string, year: number) => `reports/${agencyId}/${year}/report.docx`;
export const agencyIndexKey = (agencyId: string) => `reports/${agencyId}/index.html`;
export const ROOT_INDEX_KEY = 'index.html';

/** The address of `toKey` relative to the object at `fromKey`, so links hold wherever the site is served (/site/ on npm start). */
export function relativeKey(fromKey: string, toKey: string): string {
  const from = fromKey.split('/').slice(0, -1);
  const to = toKey.split('/');
  let shared = 0;
  while (shared < from.length && shared < to.length - 1 && from[shared] === to[shared]) shared++;
  return `${'../'.repeat(from.length - shared)}${to.slice(shared).join('/')}`;
}

/** Where a published report's page links to: the site's index, its agency's index, and its own data. */
export function reportPageLinks(agencyId: string, year: number) {
  const page = reportPageKey(agencyId, year);
  return {
    siteRoot: relativeKey(page, ROOT_INDEX_KEY),
    agencyIndex: relativeKey(page, agencyIndexKey(agencyId)),
    json: relativeKey(page, reportJsonKey(agencyId, year)),
  };
}
