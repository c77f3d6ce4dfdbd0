import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { readPath, type LeafColumn } from './cells.js';
import { cellPath, gridLayout, type GridLayout } from './grid-layout.js';
import { pageText } from './render-text.js';
import { hole, SkeletonError, splitSkeleton } from './skeleton.js';
import type { GridTable } from './template-model.js';

/** A GridTable as the official layout prints it, every label from the template and every number from the report. */

interface DataCell {
  readonly column: LeafColumn;
  readonly path: readonly string[];
  /** the keys from the row object to the value */
  readonly columnKeys: readonly string[];
  /** for a money cell whose unit the report chooses: where the unit sits, from the row object */
  readonly unitKeys: readonly string[] | undefined;
  /** the `data-path`, as `tableCells` gives it */
  readonly id: string;
  readonly key: string;
}

interface TablePlan {
  readonly layout: GridLayout;
  /** per body row: its key, the path of its object in the report, and its data cells in column order */
  readonly rows: readonly { readonly key: string; readonly path: readonly string[]; readonly cells: readonly DataCell[] }[];
}

/** The layout and every cell's path follow from the template alone, so they are worked out once per table. */
const plans = new WeakMap<GridTable, TablePlan>();

function planOf(table: GridTable): TablePlan {
  let plan = plans.get(table);
  if (!plan) {
    const layout = gridLayout(table);
    const rows = layout.bodyRows.map((row) => {
      const rowPath = [...table.path, ...row.keys];
      return {
        key: row.keys.join('.'),
        path: rowPath,
        cells: layout.columns.map((column): DataCell => {
          const path = cellPath(table, row, column);
          const kind = column.kind;
          // Only a report-chosen unit needs printing; a fixed one is already in the column label.
          const unitKeys =
            kind.type === 'money' && kind.unitField !== undefined && Object.keys(kind.units).length >= 2
              ? [...column.keys.slice(0, -1), kind.unitField]
              : undefined;
          return { column, path, columnKeys: column.keys, unitKeys, id: path.join('.'), key: column.keys.join('.') };
        }),
      };
    });
    plan = { layout, rows };
    plans.set(table, plan);
  }
  return plan;
}

/**
 * What a data cell shows, read from the cell's row object (`readPath(report, rowPath)`: reading the rest of the path
 * from there reads what the full path would). A draft may be rendered, so a value that is missing or of the wrong
 * sort shows as an empty cell: printing 0 or "undefined" would state a number nobody entered.
 */
function cellText(row: unknown, cell: DataCell): string {
  const value = readPath(row, cell.columnKeys);
  const kind = cell.column.kind;
  switch (kind.type) {
    case 'count':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : '';
    case 'signedCount':
      return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : '';
    case 'money': {
      if (typeof value !== 'string') return '';
      const amount = pageText(value);
      if (amount === '' || cell.unitKeys === undefined) return amount;
      const unit = readPath(row, cell.unitKeys);
      return typeof unit === 'string' && pageText(unit) !== '' ? `${amount} ${pageText(unit)}` : amount;
    }
  }
}

/** `cellText` as it reads a cell by its full path: what the page showed before the fast path, kept as its reference. */
function referenceCellText(report: unknown, path: readonly string[], column: LeafColumn): string {
  const value = readPath(report, path);
  const kind = column.kind;
  switch (kind.type) {
    case 'count':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : '';
    case 'signedCount':
      return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : '';
    case 'money': {
      if (typeof value !== 'string') return '';
      const amount = pageText(value);
      // Only a report-chosen unit needs printing; a fixed one is already in the column label.
      if (amount === '' || kind.unitField === undefined || Object.keys(kind.units).length < 2) return amount;
      const unit = readPath(report, [...path.slice(0, -1), kind.unitField]);
      return typeof unit === 'string' && pageText(unit) !== '' ? `${amount} ${pageText(unit)}` : amount;
    }
  }
}

/** A span of 1 is the default; leaving it out keeps the page as plain as a hand-written one. */
export const span = (cells: number): number | undefined => (cells > 1 ? cells : undefined);

/** The caption, corner and column headers of a template table: the published page and the form lay them out alike. */
export function GridHead({ table, layout }: { table: GridTable; layout: GridLayout }) {
  const depth = layout.headerRows.length;
  return (
    <thead>
      {table.caption === undefined ? null : (
        <tr>
          <th colspan={span(layout.width)} scope="colgroup" class="caption">
            {table.caption}
          </th>
        </tr>
      )}
      {layout.headerRows.map((cells, level) => (
        <tr key={level}>
          {level === 0 && layout.labelColumns > 0 ? (
            table.corner === undefined ? (
              <td colspan={span(layout.labelColumns)} rowspan={span(depth)} class="corner" />
            ) : (
              <th colspan={span(layout.labelColumns)} rowspan={span(depth)} scope="col" class="corner">
                {table.corner}
              </th>
            )
          ) : null}
          {cells.map((cell, index) => (
            <th key={index} colspan={span(cell.colspan)} rowspan={span(cell.rowspan)} scope={cell.scope}>
              {cell.label}
            </th>
          ))}
        </tr>
      ))}
    </thead>
  );
}

/** The `<table>` itself, each data cell holding what `text` gives it (cells are numbered in document order). */
function GridTableElement({ table, text }: { table: GridTable; text: (cell: DataCell, index: number) => string }) {
  const { layout, rows } = planOf(table);
  let index = 0;
  return (
    <table id={table.id} class="grid">
      <GridHead table={table} layout={layout} />
      <tbody>
        {layout.bodyRows.map((row, rowIndex) => (
          <tr key={rows[rowIndex]?.key}>
            {row.labels.map((label, index) =>
              label.label === undefined ? (
                <td key={index} colspan={span(label.colspan)} rowspan={span(label.rowspan)} />
              ) : (
                <th key={index} colspan={span(label.colspan)} rowspan={span(label.rowspan)} scope={label.scope}>
                  {label.label}
                </th>
              ),
            )}
            {rows[rowIndex]?.cells.map((cell) => (
              <td key={cell.key} data-path={cell.id}>
                {text(cell, index++)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The table rendered by preact for this report: every label and every value a JSX child. The reference the fast path
 * below is held to, byte for byte (test/unit/shared/report/render-fast-path.test.ts).
 */
export function GridTableView({ table, report }: { table: GridTable; report: unknown }) {
  return (
    <TableScroll>
      <GridTableElement table={table} text={(cell) => referenceCellText(report, cell.path, cell.column)} />
    </TableScroll>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The fast path: the table's markup depends on the template alone but for the text of its data cells, so preact
// renders it once per table with a placeholder in every data cell (skeleton.ts), and a report's table is those
// constant pieces with each cell's text, escaped as preact escapes a text child, in between.

interface TableSkeleton {
  /** the markup between data cells: one more piece than there are cells */
  readonly pieces: readonly string[];
  /** per body row: its row object's path and its data cells, in document order */
  readonly rows: readonly { readonly path: readonly string[]; readonly cells: readonly DataCell[] }[];
}

const skeletons = new WeakMap<GridTable, TableSkeleton>();

function skeletonOf(table: GridTable): TableSkeleton {
  let skeleton = skeletons.get(table);
  if (!skeleton) {
    const { rows } = planOf(table);
    const count = rows.reduce((sum, row) => sum + row.cells.length, 0);
    const html = renderToString(<GridTableElement table={table} text={(_cell, index) => hole(index)} />);
    const { pieces, order } = splitSkeleton(html, count, `table ${table.id}`);
    // the cells are filled row by row, column by column: the order GridTableElement numbers them in
    if (order.some((slot, index) => slot !== index)) throw new SkeletonError(`table ${table.id}: its data cells are not in row order`);
    skeleton = { pieces, rows: rows.map((row) => ({ path: row.path, cells: row.cells })) };
    skeletons.set(table, skeleton);
  }
  return skeleton;
}

/**
 * A cell's text as preact writes a text child. A count is `String` of a safe integer, only digits and a minus sign,
 * which preact's escaping (of `"`, `&` and `<`) leaves as it is; any other text goes through preact itself.
 */
function escapedCellText(row: unknown, cell: DataCell): string {
  const text = cellText(row, cell);
  return cell.column.kind.type === 'money' && text !== '' ? renderToString(<>{text}</>) : text;
}

/** The `<table>` markup of one report's table: the same bytes as rendering `GridTableView`'s table with preact. */
export function gridTableHtml(table: GridTable, report: unknown): string {
  const { pieces, rows } = skeletonOf(table);
  let html = pieces[0] ?? '';
  let index = 1;
  for (const row of rows) {
    const rowObject = readPath(report, row.path);
    for (const cell of row.cells) html += escapedCellText(rowObject, cell) + (pieces[index++] ?? '');
  }
  return html;
}

/** The box a table scrolls in on a narrow screen, around a table rendered as JSX or given as markup; focusable, so a keyboard can scroll it. */
export function TableScroll({ children, html }: { children?: ComponentChildren; html?: string }) {
  return html === undefined ? (
    <div class="table-scroll" tabIndex={0}>{children}</div>
  ) : (
    <div class="table-scroll" tabIndex={0} dangerouslySetInnerHTML={{ __html: html }} />
  );
}

/** GridTableView without the per-report preact work: the table's markup is inserted as already-rendered HTML. */
export function FastGridTableView({ table, report }: { table: GridTable; report: unknown }) {
  return <TableScroll html={gridTableHtml(table, report)} />;
}
