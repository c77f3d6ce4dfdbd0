import canonicalize from 'canonicalize';
import { renderToString } from 'preact-render-to-string';
import { narrativeBlocks, type NarrativeBlock } from './narrative-blocks.js';
import { FAVICON_HREF, REPORT_CSS } from './render-style.js';
import { sectionTableHtml, TableScroll } from './render-table.js';
import { pageText, paragraphs } from './render-text.js';
import type { Report } from './schema.js';
import { formatBeijingDate, formatBeijingTime, type SignOff } from './sign-off.js';
import type { Section } from './template-model.js';
import { TEMPLATES } from './templates/index.js';
import { titleLines } from './title.js';

/**
 * Report → published page and report → canonical JSON. Pure: the same report gives the same bytes, so a page can be
 * re-rendered from the stored JSON and compared with what was published. Every user string is a JSX child, escaped
 * by preact; headings and table labels come from the template, never from the report.
 *
 * The agency's name in the title, the 来源 line and the 落款 is the name the agency is registered under, passed in
 * by whoever renders (publishing passes the roster's); the report's own `agency.name` stands in only where no
 * registry is at hand (`nianbao render` of a file).
 */

export { SignOffSchema, type SignOff } from './sign-off.js';

const nameOf = (report: Report, agencyName: string | undefined): string => pageText(agencyName ?? report.agency.name);

/** The title on one line, as `<title>` and a mail give it. */
export function reportTitle(report: Report, agencyName?: string): string {
  return titleLines(report.title, nameOf(report, agencyName), report.year).join('');
}

const HEADINGS = { 3: 'h3', 4: 'h4', 5: 'h5' } as const;

function BlockView({ block }: { block: NarrativeBlock }) {
  const level = block.level === 4 || block.level === 5 ? block.level : 3;
  const Heading = HEADINGS[level];
  if (block.level === undefined) return <p>{block.body}</p>;
  if (block.body === '') return <Heading class="sub">{block.heading}</Heading>;
  // a run-in heading: its own element for the outline, set on the line its paragraph starts
  return (
    <div class="run-in">
      <Heading class="sub">{block.heading}</Heading>
      <p>{block.body}</p>
    </div>
  );
}

function Narrative({ text }: { text: string | undefined }) {
  return (
    <>
      {narrativeBlocks(text).map((block, index) => (
        <BlockView key={index} block={block} />
      ))}
    </>
  );
}

function SectionView({ section, report }: { section: Section; report: Report }) {
  return (
    <section class="part" data-field={section.field}>
      <h2>{section.heading}</h2>
      {section.type === 'text' ? <Narrative text={report[section.field]} /> : <TableScroll html={sectionTableHtml(section, report)} />}
    </section>
  );
}

function SignOffView({ signOff }: { signOff: SignOff }) {
  const email = signOff.approvedByEmail === undefined ? '' : pageText(signOff.approvedByEmail);
  return (
    <section class="sign-off">
      <h2>签发信息</h2>
      <dl>
        <dt>签发人</dt>
        <dd>{email === '' ? pageText(signOff.approvedBy) : `${pageText(signOff.approvedBy)}（${email}）`}</dd>
        <dt>签发时间</dt>
        <dd>{formatBeijingTime(signOff.approvedAt) ?? pageText(signOff.approvedAt)}</dd>
        <dt>版本</dt>
        <dd>{Number.isSafeInteger(signOff.version) ? `第${signOff.version}版` : ''}</dd>
        <dt>内容摘要（SHA-256）</dt>
        <dd class="digest">{pageText(signOff.contentSha256)}</dd>
      </dl>
    </section>
  );
}

interface ContentProps {
  readonly report: Report;
  readonly signOff?: SignOff | undefined;
  /** the agency's registered name */
  readonly agencyName?: string | undefined;
}

/**
 * The report as published, without the page around it: the review page shows exactly this. A signed report carries
 * its 发布日期 and 来源 under the title and the date in its 落款: the day the leader signed, in Beijing, so
 * publishing it again renders the same bytes.
 */
export function ReportContent({ report, signOff, agencyName }: ContentProps) {
  const name = nameOf(report, agencyName);
  const date = signOff === undefined ? undefined : formatBeijingDate(signOff.approvedAt);
  return (
    <>
      <h1>
        {titleLines(report.title, name, report.year).map((line, index) => (
          <span key={index} class="title-line">
            {line}
          </span>
        ))}
      </h1>
      {date === undefined ? null : (
        <p class="masthead">
          <span>发布日期：{date}</span>
          <span>来源：{name}</span>
        </p>
      )}
      {paragraphs(report.preamble).map((line, index) => (
        <p key={index} class="preamble">
          {line}
        </p>
      ))}
      {TEMPLATES[report.template].sections.map((section) => (
        <SectionView key={section.field} section={section} report={report} />
      ))}
      <footer class="closing">
        <p>{name}</p>
        {date === undefined ? null : <p>{date}</p>}
      </footer>
      {signOff === undefined ? null : <SignOffView signOff={signOff} />}
    </>
  );
}

/** Where a published page links to on its site: relative addresses, which hold wherever the site is served from. */
export interface SiteLinks {
  readonly siteRoot: string;
  readonly agencyIndex: string;
  readonly json: string;
}

function SiteNav({ links }: { links: SiteLinks }) {
  return (
    <nav class="site-links" aria-label="网站导航">
      <a href={links.siteRoot}>全部年度报告</a>
      <a href={links.agencyIndex}>本机关历年年度报告</a>
      <a href={links.json} type="application/json">
        本报告数据（JSON）
      </a>
    </nav>
  );
}

/**
 * The published page. `agencyName` is the registered name of the agency (see above); the publish step always gives
 * it, so an officer cannot publish under another body's name by editing the report's. `links`: the page's place on
 * the site (none for a page rendered on its own, as the command line does).
 */
export function renderReportHtml(report: Report, signOff?: SignOff, agencyName?: string, links?: SiteLinks): string {
  const page = (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{reportTitle(report, agencyName)}</title>
        <link rel="icon" type="image/svg+xml" href={FAVICON_HREF} />
        <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />
      </head>
      <body>
        <main class="report">
          {links === undefined ? null : <SiteNav links={links} />}
          <ReportContent report={report} signOff={signOff} agencyName={agencyName} />
        </main>
      </body>
    </html>
  );
  return `<!doctype html>${renderToString(page)}`;
}

export class ReportNotSerializableError extends Error {
  override readonly name = 'ReportNotSerializableError';
}

/** RFC 8785 (JCS): sorted keys, no whitespace, ES number formatting; the bytes the sign-off digest is taken over. */
export function renderReportJson(report: Report): string {
  const json = canonicalize(report);
  if (json === undefined) throw new ReportNotSerializableError('report has no JSON form');
  return json;
}
