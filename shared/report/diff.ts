import * as z from 'zod';
import { readPath, templateCells, type Cell } from './cells.js';
import { paragraphs } from './render-text.js';
import { diceSimilarity } from './similarity.js';
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

export const TextPartSchema = z.object({ op: z.enum(['same', 'removed', 'added']), text: z.string() });
export type TextPart = z.infer<typeof TextPartSchema>;

/** A paragraph edited between the versions, with the characters kept, taken out and put in. */
export const ParagraphEditSchema = z.object({ before: z.string(), after: z.string(), parts: z.array(TextPartSchema) });
export type ParagraphEdit = z.infer<typeof ParagraphEditSchema>;

export const TextChangeSchema = z.object({
  field: DiffTextFieldSchema,
  heading: z.string(),
  /** paragraphs of the earlier version that are not in the later one and were not edited into one of it, in order */
  removed: z.array(z.string()),
  /** paragraphs of the later version that were not in the earlier one and are not an edit of one of it, in order */
  added: z.array(z.string()),
  /** paragraphs edited in place (alike enough to be the same paragraph), character by character */
  edits: z.array(ParagraphEditSchema).default([]),
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

export type AlignOp<T> = { readonly op: 'same' | 'removed' | 'added'; readonly item: T };

/**
 * A longest-common-subsequence alignment of two sequences: every item of `a` and `b` in order, each marked as kept,
 * removed (only in `a`) or added (only in `b`). Common ends are trimmed first; past `MAX_LCS_CELLS` comparisons the
 * differing middle is reported as removed and added whole. Paragraphs of a part and characters of a paragraph are
 * both compared with this.
 */
export function align<T>(a: readonly T[], b: readonly T[]): AlignOp<T>[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (items: readonly T[]): AlignOp<T>[] => items.map((item) => ({ op: 'same', item }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  const middle: AlignOp<T>[] = [];
  if (n === 0 || m === 0 || n * m > MAX_LCS_CELLS) {
    middle.push(...midA.map((item) => ({ op: 'removed' as const, item })), ...midB.map((item) => ({ op: 'added' as const, item })));
    return [...same(a.slice(0, start)), ...middle, ...same(a.slice(endA))];
  }

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
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const x = midA[i] as T;
    const y = midB[j] as T;
    if (x === y) {
      middle.push({ op: 'same', item: x });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0)) {
      middle.push({ op: 'removed', item: x });
      i++;
    } else {
      middle.push({ op: 'added', item: y });
      j++;
    }
  }
  middle.push(
    ...midA.slice(i).map((item) => ({ op: 'removed' as const, item })),
    ...midB.slice(j).map((item) => ({ op: 'added' as const, item })),
  );
  return [...same(a.slice(0, start)), ...middle, ...same(a.slice(endA))];
}

/**
 * The paragraphs of `a` not in a longest common subsequence with `b` (removed) and those of `b` not in it (added),
 * each in order. A paragraph that stays in order relative to the others is kept however far it moves down the page.
 */
export function paragraphChanges(a: readonly string[], b: readonly string[]): { removed: string[]; added: string[] } {
  const ops = align(a, b);
  return {
    removed: ops.filter((op) => op.op === 'removed').map((op) => op.item),
    added: ops.filter((op) => op.op === 'added').map((op) => op.item),
  };
}

/** Two paragraphs this alike are one paragraph edited (a number changed, a phrase added), not one replaced by another. */
export const EDITED_PARAGRAPH_SIMILARITY = 0.5;

/** Characters, except that a number is one token: 17 → 117 reads as one number replaced, not a digit slipped in. */
const tokens = (text: string): string[] => text.match(/\d+(?:\.\d+)?|[\s\S]/gu) ?? [];

/** Runs of characters kept, removed and added; a changed number is removed and added whole. */
export function characterChanges(before: string, after: string): TextPart[] {
  const parts: TextPart[] = [];
  for (const { op, item } of align(tokens(before), tokens(after))) {
    const last = parts.at(-1);
    if (last && last.op === op) parts[parts.length - 1] = { op, text: last.text + item };
    else parts.push({ op, text: item });
  }
  return parts;
}

/**
 * Pairs each removed paragraph with the first added one, in order, that is alike enough to be its edit; what pairs
 * is shown character by character, the rest as whole paragraphs.
 */
function pairEdits(removed: readonly string[], added: readonly string[]): { removed: string[]; added: string[]; edits: ParagraphEdit[] } {
  const unpairedAdded = [...added];
  const unpairedRemoved: string[] = [];
  const edits: ParagraphEdit[] = [];
  let from = 0;
  for (const before of removed) {
    const index = unpairedAdded.findIndex((after, i) => i >= from && diceSimilarity(before, after) >= EDITED_PARAGRAPH_SIMILARITY);
    const after = index === -1 ? undefined : unpairedAdded[index];
    if (after === undefined) {
      unpairedRemoved.push(before);
      continue;
    }
    unpairedAdded.splice(index, 1);
    from = index;
    edits.push({ before, after, parts: characterChanges(before, after) });
  }
  return { removed: unpairedRemoved, added: unpairedAdded, edits };
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
    const changed = paragraphChanges(
      diffParagraphs(typeof was === 'string' ? was : undefined),
      diffParagraphs(typeof is === 'string' ? is : undefined),
    );
    const { removed, added, edits } = pairEdits(changed.removed, changed.added);
    if (removed.length > 0 || added.length > 0 || edits.length > 0) changes.push({ field, heading, removed, added, edits });
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
