import canonicalize from 'canonicalize';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { REPORT_CSS } from './render-style.js';
import { FastGridTableView, GridTableView, gridTableHtml, TableScroll } from './render-table.js';
import { pageText, paragraphs } from './render-text.js';
import type { Report } from './schema.js';
import { formatBeijingTime, type SignOff } from './sign-off.js';
import { hole, splitSkeleton } from './skeleton.js';
import type { GridTable, Section, Template, TextField } from './template-model.js';
import { TEMPLATES } from './templates/index.js';

/**
 * Report → published page and report → canonical JSON. Pure: the same report gives the same bytes, so a page can be
 * re-rendered from the stored JSON and compared with what was published. Every user string is a JSX child, escaped
 * by preact; headings and table labels come from the template, never from the report.
 */

export { SignOffSchema, type SignOff } from './sign-off.js';

export function reportTitle(report: Report): string {
  return `${pageText(report.agency.name)}${report.year}年政府信息公开工作年度报告`;
}

function Paragraphs({ text, className }: { text: string | undefined; className?: string }) {
  return (
    <>
      {paragraphs(text).map((line, index) => (
        <p key={index} class={className}>
          {line}
        </p>
      ))}
    </>
  );
}

/**
 * What of the page comes from the report, each called where it goes. The reference renders every part with preact
 * for the report at hand; the skeleton (below) puts a placeholder there once per template.
 */
interface PageParts {
  /** the title's text, for `<title>` and for `<h1>` */
  readonly title: () => ComponentChildren;
  readonly paragraphs: (field: 'preamble' | TextField) => ComponentChildren;
  /** a table in its scroll box */
  readonly table: (table: GridTable) => ComponentChildren;
  readonly signOff: () => ComponentChildren;
}

function SectionView({ section, parts }: { section: Section; parts: PageParts }) {
  return (
    <section class="part" data-field={section.field}>
      <h2>{section.heading}</h2>
      {section.type === 'text' ? parts.paragraphs(section.field) : section.tables.map((table) => parts.table(table))}
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

function Content({ template, parts }: { template: Template; parts: PageParts }) {
  return (
    <>
      <h1>{parts.title()}</h1>
      {parts.paragraphs('preamble')}
      {template.sections.map((section) => (
        <SectionView key={section.field} section={section} parts={parts} />
      ))}
      {parts.signOff()}
    </>
  );
}

function ReportPage({ template, parts }: { template: Template; parts: PageParts }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{parts.title()}</title>
        <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />
      </head>
      <body>
        <main class="report">
          <Content template={template} parts={parts} />
        </main>
      </body>
    </html>
  );
}

const fieldParagraphs = (report: Report, field: 'preamble' | TextField) =>
  field === 'preamble' ? <Paragraphs text={report.preamble} className="preamble" /> : <Paragraphs text={report[field]} />;

const signOffBlock = (signOff: SignOff | undefined) => (signOff === undefined ? null : <SignOffView signOff={signOff} />);

/** Every part rendered by preact for this report, each table by `Table`. */
function reportParts(report: Report, signOff: SignOff | undefined, Table: typeof GridTableView): PageParts {
  return {
    title: () => reportTitle(report),
    paragraphs: (field) => fieldParagraphs(report, field),
    table: (table) => <Table key={table.id} table={table} report={report} />,
    signOff: () => signOffBlock(signOff),
  };
}

/** The report as published, without the page around it: the review page shows exactly this. */
export function ReportContent({ report, signOff }: { report: Report; signOff?: SignOff | undefined }) {
  return <Content template={TEMPLATES[report.template]} parts={reportParts(report, signOff, FastGridTableView)} />;
}

/**
 * The page with every part of it rendered by preact for this report, tables included: what the page was before the
 * fast path, and the reference `renderReportHtml` is held to, byte for byte.
 */
export function renderReportHtmlReference(report: Report, signOff?: SignOff): string {
  return `<!doctype html>${renderToString(<ReportPage template={TEMPLATES[report.template]} parts={reportParts(report, signOff, GridTableView)} />)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The fast path. The page's markup depends on the template but for the parts above, so preact renders it once per
// template with a placeholder for each part (skeleton.ts); a report's page is those constant pieces with its parts
// in between, each still rendered by preact (a table by its own skeleton, render-table.tsx).

interface PageInput {
  readonly report: Report;
  readonly signOff: SignOff | undefined;
  readonly title: string;
}

interface PageSkeleton {
  readonly pieces: readonly string[];
  /** what goes between piece i and piece i + 1 */
  readonly fillers: readonly ((page: PageInput) => string)[];
}

const pageSkeletons = new Map<Template, PageSkeleton>();

function pageSkeletonOf(template: Template): PageSkeleton {
  let skeleton = pageSkeletons.get(template);
  if (!skeleton) {
    const fillers: ((page: PageInput) => string)[] = [];
    const slot = (fill: (page: PageInput) => string): string => hole(fillers.push(fill) - 1);
    const parts: PageParts = {
      title: () => slot((page) => renderToString(<>{page.title}</>)),
      paragraphs: (field) => slot((page) => renderToString(fieldParagraphs(page.report, field))),
      table: (table) => <TableScroll key={table.id}>{slot((page) => gridTableHtml(table, page.report))}</TableScroll>,
      signOff: () => slot((page) => renderToString(<>{signOffBlock(page.signOff)}</>)),
    };
    const html = renderToString(<ReportPage template={template} parts={parts} />);
    // the parts are called as preact builds the tree, which is not always the order the page has them in
    const { pieces, order } = splitSkeleton(html, fillers.length, `the page of ${template.id}`);
    skeleton = { pieces, fillers: order.map((index) => fillers[index] ?? (() => '')) };
    pageSkeletons.set(template, skeleton);
  }
  return skeleton;
}

/**
 * The published page: the same bytes as `renderReportHtmlReference` (a property test holds it to that over consistent
 * reports and broken drafts), without building and walking the page's tree for every report. A report whose template
 * is not one of ours (a draft can be anything) takes the reference path, and fails there as it always did.
 */
export function renderReportHtml(report: Report, signOff?: SignOff): string {
  const template: Template | undefined = Object.hasOwn(TEMPLATES, report.template) ? TEMPLATES[report.template] : undefined;
  if (template === undefined) return renderReportHtmlReference(report, signOff);
  const { pieces, fillers } = pageSkeletonOf(template);
  // the parts are filled in page order, the order preact renders them in, so a broken draft fails as it did
  const page: PageInput = { report, signOff, title: reportTitle(report) };
  let html = `<!doctype html>${pieces[0] ?? ''}`;
  fillers.forEach((fill, index) => {
    html += fill(page) + (pieces[index + 1] ?? '');
  });
  return html;
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
