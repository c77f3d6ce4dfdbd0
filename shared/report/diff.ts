import * as z from 'zod';
import { readPath, templateCells, type Cell } from './cells.js';
import { paragraphs } from './render-text.js';
import type { Report } from './schema.js';
import type { GridTable, Template } from './template-model.js';
import { TEMPLATES } from './templates/index.js';

/**
 * What changed between two versions of a report, for the approver who saw the earlier one: the table cells whose
 * value differs, each with its Chinese labels, and the paragraphs taken out of and put into each text part. Pure and
 * deterministic; labels and headings come from the template, values from the reports (the page that shows them
 * escapes them).
 */

export const CellValueSchema = z.union([z.number(), z.string(), z.null()]);
export type CellValue = z.infer<typeof CellValueSchema>;

export const CellChangeSchema = z.object({
  /** dotted path, as findings name cells (`applications.outcomes.total.naturalPerson`) */
  path: z.string(),
  rowLabel: z.string(),
  columnLabel: z.string(),
  /** the heading of the part the table is in (`三、收到和处理政府信息公开申请情况`) */
  tableHeading: z.string(),
  /** null where the version has no value of a printable sort there (a number, or a money string) */
  before: CellValueSchema,
  after: CellValueSchema,
});
export type CellChange = z.infer<typeof CellChangeSchema>;

export const DiffTextFieldSchema = z.enum(['preamble', 'overview', 'problems', 'otherMatters']);
export type DiffTextField = z.infer<typeof DiffTextFieldSchema>;

export const TextChangeSchema = z.object({
  field: DiffTextFieldSchema,
  heading: z.string(),
  /** paragraphs of the earlier version that are not in the later one, in their order */
  removed: z.array(z.string()),
  /** paragraphs of the later version that were not in the earlier one, in their order */
  added: z.array(z.string()),
});
export type TextChange = z.infer<typeof TextChangeSchema>;

export const ReportDiffSchema = z.object({
  cells: z.array(CellChangeSchema),
  texts: z.array(TextChangeSchema),
  /** the versions use different templates: their cells do not correspond, so `cells` is empty */
  templateChanged: z.boolean(),
});
export type ReportDiff = z.infer<typeof ReportDiffSchema>;

/** The preamble is not a part of any template; this is what the review page calls it. */
export const PREAMBLE_HEADING = '前言';

/**
 * Above this many comparisons the paragraph LCS is not attempted and the differing middle of the text is reported as
 * removed and added whole. A real part has tens of paragraphs; this bounds the memory (4 bytes a comparison) a text
 * of thousands of one-character lines could otherwise ask for.
 */
export const MAX_LCS_CELLS = 4_000_000;

function headingsByTable(template: Template): Map<GridTable, string> {
  const headings = new Map<GridTable, string>();
  for (const section of template.sections) {
    if (section.type === 'tables') for (const table of section.tables) headings.set(table, section.heading);
  }
  return headings;
}

/**
 * What a cell holds, as the diff shows it. A money amount whose unit the report chooses carries that unit
 * as the page writes it (`"77.0693万元"`), so a changed unit is a changed value even when the digits stay the same.
 */
function cellValue(report: unknown, cell: Cell): CellValue {
  const value = readPath(report, cell.path);
  const kind = cell.column.kind;
  if (kind.type === 'money' && typeof value === 'string' && kind.unitField !== undefined) {
    const unit = readPath(report, [...cell.path.slice(0, -1), kind.unitField]);
    return typeof unit === 'string' ? `${value}${unit}` : value;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return typeof value === 'string' ? value : null;
}

function diffCells(before: Report, after: Report, template: Template): CellChange[] {
  const headings = headingsByTable(template);
  const changes: CellChange[] = [];
  for (const cell of templateCells(template)) {
    const was = cellValue(before, cell);
    const is = cellValue(after, cell);
    if (was === is) continue;
    changes.push({
      path: cell.id,
      rowLabel: cell.rowLabel,
      columnLabel: cell.columnLabel,
      tableHeading: headings.get(cell.table) ?? '',
      before: was,
      after: is,
    });
  }
  return changes;
}

/** Paragraphs as the diff compares them: the page's paragraphs, each trimmed, so re-indenting one is not an edit. */
export function diffParagraphs(text: string | undefined): string[] {
  return paragraphs(text).map((line) => line.trim());
}

/**
 * The paragraphs of `a` not in a longest common subsequence with `b` (removed) and those of `b` not in it (added),
 * each in order. A paragraph that stays in order relative to the others is kept however far it moves down the page.
 */
export function paragraphChanges(a: readonly string[], b: readonly string[]): { removed: string[]; added: string[] } {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if (n === 0 || m === 0 || n * m > MAX_LCS_CELLS) return { removed: midA, added: midB };

  // lcs[i * (m + 1) + j] = length of the LCS of midA[i..] and midB[j..]
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        midA[i] === midB[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }

  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const x = midA[i] ?? '';
    const y = midB[j] ?? '';
    if (x === y) {
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0)) {
      removed.push(x);
      i++;
    } else {
      added.push(y);
      j++;
    }
  }
  removed.push(...midA.slice(i));
  added.push(...midB.slice(j));
  return { removed, added };
}

function textFields(template: Template): Array<{ field: DiffTextField; heading: string }> {
  return [
    { field: 'preamble', heading: PREAMBLE_HEADING },
    ...template.sections.flatMap((section) => (section.type === 'text' ? [{ field: section.field, heading: section.heading }] : [])),
  ];
}

function diffTexts(before: Report, after: Report, template: Template): TextChange[] {
  const changes: TextChange[] = [];
  for (const { field, heading } of textFields(template)) {
    const was: unknown = before[field];
    const is: unknown = after[field];
    const { removed, added } = paragraphChanges(
      diffParagraphs(typeof was === 'string' ? was : undefined),
      diffParagraphs(typeof is === 'string' ? is : undefined),
    );
    if (removed.length > 0 || added.length > 0) changes.push({ field, heading, removed, added });
  }
  return changes;
}

/**
 * What changed from `before` to `after`: the cells of the later version's template whose value differs, in template
 * order, and the paragraph changes of the preamble and each text part, in page order (parts without a change are left
 * out). Agency and year cannot change within one report and are not compared. If the templates differ (they cannot
 * within one agency-year) the cells do not correspond: `templateChanged` is set, `cells` is empty and the texts are
 * still compared.
 */
export function diffReports(before: Report, after: Report): ReportDiff {
  const template = TEMPLATES[after.template];
  const templateChanged = before.template !== after.template;
  return {
    cells: templateChanged ? [] : diffCells(before, after, template),
    texts: diffTexts(before, after, template),
    templateChanged,
  };
}
