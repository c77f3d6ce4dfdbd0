import canonicalize from 'canonicalize';
import { renderToString } from 'preact-render-to-string';
import { REPORT_CSS } from './render-style.js';
import { GridTableView } from './render-table.js';
import { pageText, paragraphs } from './render-text.js';
import type { Report } from './schema.js';
import { formatBeijingTime, type SignOff } from './sign-off.js';
import type { Section } from './template-model.js';
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

function SectionView({ section, report }: { section: Section; report: Report }) {
  return (
    <section class="part" data-field={section.field}>
      <h2>{section.heading}</h2>
      {section.type === 'text' ? (
        <Paragraphs text={report[section.field]} />
      ) : (
        section.tables.map((table) => <GridTableView key={table.id} table={table} report={report} />)
      )}
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
        <dd>{Number.isSafeInteger(signOff.version) ? `v${signOff.version}` : ''}</dd>
        <dt>内容摘要（SHA-256）</dt>
        <dd class="digest">{pageText(signOff.contentSha256)}</dd>
      </dl>
    </section>
  );
}

/** The report as published, without the page around it: the review page shows exactly this. */
export function ReportContent({ report, signOff }: { report: Report; signOff?: SignOff | undefined }) {
  const template = TEMPLATES[report.template];
  return (
    <>
      <h1>{reportTitle(report)}</h1>
      <Paragraphs text={report.preamble} className="preamble" />
      {template.sections.map((section) => (
        <SectionView key={section.field} section={section} report={report} />
      ))}
      {signOff === undefined ? null : <SignOffView signOff={signOff} />}
    </>
  );
}

function ReportPage({ report, signOff }: { report: Report; signOff: SignOff | undefined }) {
  const title = reportTitle(report);
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />
      </head>
      <body>
        <main class="report">
          <ReportContent report={report} signOff={signOff} />
        </main>
      </body>
    </html>
  );
}

export function renderReportHtml(report: Report, signOff?: SignOff): string {
  return `<!doctype html>${renderToString(<ReportPage report={report} signOff={signOff} />)}`;
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
