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
