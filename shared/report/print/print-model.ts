import { cellPath, gridLayout } from '../grid-layout.js';
import { reportTitle } from '../render.js';
import { cellTextAt } from '../render-table.js';
import { pageText, paragraphs } from '../render-text.js';
import type { Report } from '../schema.js';
import { formatBeijingTime, type SignOff } from '../sign-off.js';
import type { GridTable } from '../template-model.js';
import { TEMPLATES } from '../templates/index.js';
import type { ApprovalStep } from './approval-sheet.js';

/**
 * The signed report as a list of printable blocks: what the Word and the PDF renderers both walk, so the two files
 * say the same thing in the same order as the published page. Headings and table labels come from the template,
 * numbers through the page's own cell text; only the drawing differs between the formats.
 */

export interface PrintCell {
  readonly text: string;
  readonly rowSpan: number;
  readonly colSpan: number;
  /** a label (caption, column header, row label), as opposed to a value */
  readonly header: boolean;
  readonly align: 'left' | 'center';
}

export interface PrintTable {
  readonly id: string;
  /** how many grid columns the table has */
  readonly width: number;
  /** how many of those hold row labels (they get the room; value columns stay narrow) */
  readonly labelColumns: number;
  /** the rows that repeat at the top of a page the table continues on (the caption row is not repeated) */
  readonly headerRows: number;
  /** each row lists the cells that start on it, as an HTML table does */
  readonly rows: readonly (readonly PrintCell[])[];
  /** the leading caption row, if any (it spans the table) */
  readonly hasCaption: boolean;
}

export type PrintBlock =
  | { readonly type: 'title'; readonly text: string }
  | { readonly type: 'heading'; readonly text: string }
  | { readonly type: 'paragraph'; readonly text: string }
  | { readonly type: 'table'; readonly table: PrintTable }
  /** a line of small print: the digest under the title, the footer of the 签发单 */
  | { readonly type: 'note'; readonly text: string }
  | { readonly type: 'pageBreak' };

export interface PrintDocument {
  readonly title: string;
  readonly contentSha256: string;
  readonly blocks: readonly PrintBlock[];
}

const label = (text: string, rowSpan: number, colSpan: number, align: 'left' | 'center' = 'center'): PrintCell => ({
  text,
  rowSpan,
  colSpan,
  header: true,
  align,
});

function printTable(table: GridTable, report: Report): PrintTable {
  const layout = gridLayout(table);
  const rows: PrintCell[][] = [];
  if (table.caption !== undefined) rows.push([label(table.caption, 1, layout.width)]);
  layout.headerRows.forEach((cells, level) => {
    const row: PrintCell[] = [];
    if (level === 0 && layout.labelColumns > 0) row.push(label(table.corner ?? '', layout.headerRows.length, layout.labelColumns));
    for (const cell of cells) row.push(label(cell.label, cell.rowspan, cell.colspan));
    rows.push(row);
  });
  for (const body of layout.bodyRows) {
    const row: PrintCell[] = body.labels.map((cell) => label(cell.label ?? '', cell.rowspan, cell.colspan, 'left'));
    for (const column of layout.columns) {
      row.push({
        text: cellTextAt(report, cellPath(table, body, column), column),
        rowSpan: 1,
        colSpan: 1,
        header: false,
        align: 'center',
      });
    }
    rows.push(row);
  }
  return {
    id: table.id,
    width: layout.width,
    labelColumns: layout.labelColumns,
    headerRows: layout.headerRows.length,
    rows,
    hasCaption: table.caption !== undefined,
  };
}

const time = (iso: string): string => formatBeijingTime(iso) ?? pageText(iso);

const value = (text: string): PrintCell => ({ text, rowSpan: 1, colSpan: 1, header: false, align: 'left' });

/**
 * What the file is printed from: the signed version (the workflow passes its sign-off and the steps that approved it)
 * or, from the command line, a report nobody has signed, which the 签发单 then says in so many words.
 */
export interface PrintSource {
  /** SHA-256 of the report's canonical JSON */
  readonly contentSha256: string;
  readonly signOff?: SignOff | undefined;
  readonly steps: readonly ApprovalStep[];
}

/** The 签发单: who approved this version at each step, with what opinion and when, and the digest it was approved under. */
function approvalSheet(report: Report, source: PrintSource): PrintBlock[] {
  const { signOff, steps } = source;
  const signing: [string, string][] =
    signOff === undefined
      ? [['签发', '未签发：本文件由报告数据直接生成，不是签发版本']]
      : [
          ['版本', `第${signOff.version}版`],
          ['签发人', pageText(signOff.approvedBy)],
          ['签发时间', time(signOff.approvedAt)],
        ];
  const facts: [string, string][] = [['报告', reportTitle(report)], ...signing, ['内容摘要（SHA-256）', source.contentSha256]];
  const summary: PrintTable = {
    id: 'sign-off-summary',
    width: 2,
    labelColumns: 1,
    headerRows: 0,
    hasCaption: false,
    rows: facts.map(([name, text]) => [label(name, 1, 1, 'left'), value(text)]),
  };
  const heads = ['环节', '姓名', '职务', '意见', '批示', '时间'];
  const stepRows = steps.map((step): PrintCell[] => {
    const review =
      step.confidentialityReviewed === undefined ? '' : step.confidentialityReviewed ? '（已完成保密审查）' : '（未作保密审查）';
    return [
      label(pageText(step.stepLabel), 1, 1, 'left'),
      value(pageText(step.name)),
      value(pageText(step.post)),
      value(`${pageText(step.outcome)}${review}`),
      value(pageText(step.comment)),
      value(time(step.at)),
    ];
  });
  const chain: PrintTable = {
    id: 'sign-off-steps',
    width: heads.length,
    labelColumns: 1,
    headerRows: 1,
    hasCaption: false,
    rows: [heads.map((head) => label(head, 1, 1)), ...stepRows],
  };
  return [
    { type: 'pageBreak' },
    { type: 'title', text: '签发单' },
    { type: 'table', table: summary },
    { type: 'heading', text: '审核签发记录' },
    steps.length === 0 ? { type: 'paragraph', text: '（没有审核记录）' } : { type: 'table', table: chain },
    {
      type: 'note',
      text:
        signOff === undefined
          ? '本文件由 nianbao 依据报告数据生成，内容摘要为该数据的 SHA-256。'
          : `本文件由 nianbao 依据签发的第${signOff.version}版内容生成，内容摘要与网上公开的 report.json 一致。`,
    },
  ];
}

export function printDocument(report: Report, source: PrintSource): PrintDocument {
  const template = TEMPLATES[report.template];
  const blocks: PrintBlock[] = [{ type: 'title', text: reportTitle(report) }];
  for (const text of paragraphs(report.preamble)) blocks.push({ type: 'paragraph', text });
  for (const section of template.sections) {
    blocks.push({ type: 'heading', text: section.heading });
    if (section.type === 'text') for (const text of paragraphs(report[section.field])) blocks.push({ type: 'paragraph', text });
    else for (const table of section.tables) blocks.push({ type: 'table', table: printTable(table, report) });
  }
  blocks.push({ type: 'note', text: `内容摘要（SHA-256）：${source.contentSha256}` });
  blocks.push(...approvalSheet(report, source));
  return { title: reportTitle(report), contentSha256: source.contentSha256, blocks };
}
