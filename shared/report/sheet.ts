import { readPath } from './cells.js';
import { cellPath, gridLayout } from './grid-layout.js';
import type { CellKind, GridTable, Template } from './template-model.js';

/**
 * A report's tables as spreadsheet grids: one sheet per table part (二、三、四), laid out as the format draws them —
 * caption rows spanning the table, header cells merged over their column groups, group labels merged down their
 * rows. The CSV and XLSX downloads are both written from this, so they cannot disagree.
 */

export interface SheetCell {
  readonly row: number;
  readonly col: number;
  readonly rowspan: number;
  readonly colspan: number;
  /** a count as a number; money as its exact decimal text; labels as text */
  readonly value: string | number | undefined;
  readonly role: 'title' | 'caption' | 'header' | 'label' | 'value';
}

export interface Sheet {
  /** the part's heading, e.g. 三、收到和处理政府信息公开申请情况 */
  readonly title: string;
  /** a short name for a worksheet tab (Excel allows 31 characters) */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly cells: readonly SheetCell[];
}

/** A cell's value; money carries its unit only where the report chose it (otherwise the header states it). */
function valueAt(report: unknown, path: readonly string[], kind: CellKind): string | number | undefined {
  const value = readPath(report, path);
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const unitField = kind.type === 'money' && Object.keys(kind.units).length >= 2 ? kind.unitField : undefined;
  const unit = unitField === undefined ? undefined : readPath(report, [...path.slice(0, -1), unitField]);
  return typeof unit === 'string' ? `${value}${unit}` : value;
}

function tableCells(table: GridTable, report: unknown, top: number): { cells: SheetCell[]; height: number } {
  const layout = gridLayout(table);
  const cells: SheetCell[] = [];
  let row = top;
  if (table.caption !== undefined) {
    cells.push({ row, col: 0, rowspan: 1, colspan: layout.width, value: table.caption, role: 'caption' });
    row += 1;
  }
  const headerTop = row;
  if (layout.labelColumns > 0) {
    cells.push({
      row: headerTop,
      col: 0,
      rowspan: layout.headerRows.length,
      colspan: layout.labelColumns,
      value: table.corner ?? '',
      role: 'header',
    });
  }
  // a header cell starts at the first column its row has not already filled (a taller cell above occupies some)
  const taken = new Set<string>();
  layout.headerRows.forEach((header, index) => {
    let col = layout.labelColumns;
    for (const cell of header) {
      while (taken.has(`${headerTop + index}:${col}`)) col += 1;
      cells.push({ row: headerTop + index, col, rowspan: cell.rowspan, colspan: cell.colspan, value: cell.label, role: 'header' });
      for (let r = 0; r < cell.rowspan; r++) for (let c = 0; c < cell.colspan; c++) taken.add(`${headerTop + index + r}:${col + c}`);
      col += cell.colspan;
    }
  });
  row = headerTop + layout.headerRows.length;
  const labelTaken = new Set<string>();
  for (const body of layout.bodyRows) {
    let col = 0;
    for (const label of body.labels) {
      while (labelTaken.has(`${row}:${col}`)) col += 1;
      cells.push({ row, col, rowspan: label.rowspan, colspan: label.colspan, value: label.label ?? '', role: 'label' });
      for (let r = 0; r < label.rowspan; r++) for (let c = 0; c < label.colspan; c++) labelTaken.add(`${row + r}:${col + c}`);
      col += label.colspan;
    }
    layout.columns.forEach((column, index) => {
      const value = valueAt(report, cellPath(table, body, column), column.kind);
      cells.push({ row, col: layout.labelColumns + index, rowspan: 1, colspan: 1, value, role: 'value' });
    });
    row += 1;
  }
  return { cells, height: row - top };
}

const SHEET_NAMES: Readonly<Record<string, string>> = {
  activeDisclosure: '二、主动公开',
  applications: '三、依申请公开',
  reviewsAndLitigation: '四、复议诉讼',
};

export function reportSheets(template: Template, report: unknown): Sheet[] {
  const sheets: Sheet[] = [];
  for (const section of template.sections) {
    if (section.type !== 'tables') continue;
    const cells: SheetCell[] = [];
    let row = 1;
    let width = 1;
    for (const table of section.tables) {
      const placed = tableCells(table, report, row);
      cells.push(...placed.cells);
      width = Math.max(width, gridLayout(table).width);
      row += placed.height;
    }
    cells.unshift({ row: 0, col: 0, rowspan: 1, colspan: width, value: section.heading, role: 'title' });
    sheets.push({ title: section.heading, name: SHEET_NAMES[section.field] ?? section.heading.slice(0, 31), width, height: row, cells });
  }
  return sheets;
}

function csvField(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The sheets as one CSV (RFC 4180), a blank line between parts. A merged cell's text stands in its first cell only.
 * It starts with a byte-order mark, without which Excel reads UTF-8 Chinese as mojibake.
 */
export function sheetsCsv(sheets: readonly Sheet[]): string {
  const lines: string[] = [];
  for (const sheet of sheets) {
    const grid: (string | number | undefined)[][] = Array.from({ length: sheet.height }, () =>
      Array.from({ length: sheet.width }, () => undefined),
    );
    for (const cell of sheet.cells) {
      const line = grid[cell.row];
      if (line) line[cell.col] = cell.value;
    }
    if (lines.length > 0) lines.push('');
    for (const line of grid) lines.push(line.map(csvField).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
