import { readPath, type LeafColumn } from './cells.js';
import { cellPath, gridLayout, type GridLayout } from './grid-layout.js';
import { pageText } from './render-text.js';
import type { GridTable } from './template-model.js';

/** A GridTable as the official layout prints it, every label from the template and every number from the report. */

/**
 * What a data cell shows. A draft may be rendered, so a value that is missing or of the wrong sort shows as an empty
 * cell: printing 0 or "undefined" would state a number nobody entered.
 */
function cellText(report: unknown, path: readonly string[], column: LeafColumn): string {
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

interface DataCell {
  readonly column: LeafColumn;
  readonly path: readonly string[];
  /** the `data-path`, as `tableCells` gives it */
  readonly id: string;
  readonly key: string;
}

interface TablePlan {
  readonly layout: GridLayout;
  /** per body row: its key, and its data cells in column order */
  readonly rows: readonly { readonly key: string; readonly cells: readonly DataCell[] }[];
}

/** The layout and every cell's path follow from the template alone, so they are worked out once per table. */
const plans = new WeakMap<GridTable, TablePlan>();

function planOf(table: GridTable): TablePlan {
  let plan = plans.get(table);
  if (!plan) {
    const layout = gridLayout(table);
    const rows = layout.bodyRows.map((row) => ({
      key: row.keys.join('.'),
      cells: layout.columns.map((column) => {
        const path = cellPath(table, row, column);
        return { column, path, id: path.join('.'), key: column.keys.join('.') };
      }),
    }));
    plan = { layout, rows };
    plans.set(table, plan);
  }
  return plan;
}

/** A span of 1 is the default; leaving it out keeps the page as plain as a hand-written one. */
const span = (cells: number): number | undefined => (cells > 1 ? cells : undefined);

export function GridTableView({ table, report }: { table: GridTable; report: unknown }) {
  const { layout, rows } = planOf(table);
  const headerDepth = layout.headerRows.length;
  return (
    <div class="table-scroll">
      <table id={table.id} class="grid">
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
                  <td colspan={span(layout.labelColumns)} rowspan={span(headerDepth)} class="corner" />
                ) : (
                  <th colspan={span(layout.labelColumns)} rowspan={span(headerDepth)} scope="col" class="corner">
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
                  {cellText(report, cell.path, cell.column)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
