import { REPORT_CSS } from '../report/render-style.js';

/**
 * The index pages' stylesheet: the report page's, so the whole site reads as one, plus the lists the index pages are
 * made of. A constant: nothing from a report reaches it, which is why it alone may be written as raw HTML.
 */
export const SITE_CSS = `${REPORT_CSS}
.site-index p { text-indent: 0; }
.site-index .site-name { margin: 0 0 0.5rem; text-align: center; color: #555; font-size: 0.95rem; }
.site-index nav { margin: 0 0 1.5rem; font-size: 0.9rem; }
.site-index a { color: #1a4f8b; }
.site-index .empty { text-align: center; color: #555; margin: 2rem 0; }
.agencies, .years { list-style: none; margin: 0; padding: 0; }
.agencies > li { padding: 0.75rem 0; border-bottom: 1px solid #e2e2dc; }
.agencies .agency-name { font-size: 1.1rem; font-weight: 600; }
.agencies .year-links { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0.25rem 0 0; padding: 0; list-style: none; }
.years > li { padding: 0.75rem 0; border-bottom: 1px solid #e2e2dc; }
.years .report-link { font-size: 1.05rem; font-weight: 600; }
.years .meta { margin: 0.2rem 0 0; color: #444; font-size: 0.9rem; }
.years .meta span + span::before { content: "　"; }
.years .digest { display: block; color: #666; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.75rem; overflow-wrap: anywhere; }
@media print {
  .site-index nav { display: none; }
}
`;
