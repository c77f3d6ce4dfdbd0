/**
 * The page's only stylesheet, inlined so a published report is one self-contained file. A constant: nothing from a
 * report ever reaches it, which is why it alone may be written as raw HTML.
 */

const SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", STSong, SimSun, serif';
/** the face reports set their sub-headings in, after the serif body */
const KAI = `"Kaiti SC", STKaiti, KaiTi, "AR PL UKai CN", ${SERIF}`;
const SANS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", system-ui, sans-serif';

export const REPORT_CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #f3f3ef; color: #1c1c1c; font-family: ${SERIF}; font-size: 16px; line-height: 1.8; }
main { max-width: 960px; margin: 2rem auto; padding: 2.5rem 3rem 3rem; background: #fff; box-shadow: 0 1px 6px rgba(0, 0, 0, 0.08); }
h1 { margin: 0 0 1rem; text-align: center; font-size: 1.6rem; line-height: 1.5; font-weight: 700; }
h1 .title-line { display: block; }
.masthead { display: flex; flex-wrap: wrap; justify-content: center; gap: 0 2em; margin: 0 0 2rem; text-indent: 0; color: #555; }
.masthead { font-family: ${SANS}; font-size: 0.875rem; }
h2 { margin: 2rem 0 0.75rem; font-family: ${SANS}; font-size: 1.15rem; }
p { margin: 0.4em 0; text-indent: 2em; overflow-wrap: anywhere; }
.sub { margin: 0.4em 0; text-indent: 2em; font-family: ${KAI}; font-size: 1rem; font-weight: 700; }
.run-in { margin: 0.4em 0; text-indent: 2em; overflow-wrap: anywhere; }
.run-in > .sub, .run-in > p { display: inline; margin: 0; text-indent: 0; }
.closing { margin-top: 2.5rem; text-align: right; }
.closing p { margin: 0; text-indent: 0; }
.table-scroll { overflow-x: auto; margin: 1rem 0; }
table { width: 100%; border-collapse: collapse; font-family: ${SANS}; font-size: 0.875rem; line-height: 1.5; }
th, td { border: 1px solid #666; padding: 0.35em 0.3em; vertical-align: middle; }
th { font-weight: 400; background: #f6f6f3; text-align: center; }
/* a column heading breaks between words (after punctuation), never inside one: 商业企业, 结果维持 */
th[scope="col"], th[scope="colgroup"] { word-break: keep-all; }
/* a row label keeps room to be read on a phone; the table scrolls sideways instead */
th[scope="row"] { text-align: left; min-width: 8em; }
th[scope="rowgroup"] { text-align: left; min-width: 3em; }
thead tr:first-child th[colspan], .caption { font-weight: 600; }
th.corner { font-size: 0.8rem; word-break: normal; min-width: 8em; }
td { text-align: center; font-variant-numeric: tabular-nums; white-space: nowrap; min-width: 2.5em; }
.sign-off { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid #ccc; font-family: ${SANS}; font-size: 0.9rem; }
.sign-off dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
.sign-off dt { color: #555; }
.sign-off dd { margin: 0; overflow-wrap: anywhere; }
.sign-off .digest { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.8rem; }
.site-links { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0 0 1.25rem; font-size: 0.9rem; }
.site-links a { color: #1a4f8b; }
@media (max-width: 640px) {
  main { margin: 0; padding: 1.25rem 1rem 2rem; box-shadow: none; }
}
@media print {
  /* page numbers in the bottom margin (Chromium 131+, Firefox 138+); a browser without margin boxes ignores this, and
     its print dialog's header-and-footer option numbers the pages instead */
  @page { size: A4; margin: 20mm 15mm; @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 9pt; } }
  body { background: none; font-size: 11pt; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  .table-scroll { overflow: visible; }
  table { font-size: 9pt; }
  th { background: none; }
  thead { display: table-header-group; }
  /* a cell is kept whole, a row too, but never a row group: 三's 22-row block breaks across pages like any rows */
  td, th:not([rowspan]) { break-inside: avoid; page-break-inside: avoid; }
  h1, h2 { break-after: avoid; page-break-after: avoid; }
  .sign-off { break-inside: avoid; }
  .site-links { display: none; }
}
`;

/**
 * The site's icon, inline: a page with three lines in the report's red. A data URI, so no page asks the server (or
 * anyone else) for a favicon.ico.
 */
export const FAVICON_HREF = `data:image/svg+xml,${encodeURIComponent(
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect x='5' y='2' width='22' height='28' rx='3' fill='#b3261e'/>" +
    "<path d='M10 10h12M10 16h12M10 22h8' stroke='#fff' stroke-width='2.5' stroke-linecap='round'/></svg>",
)}`;
