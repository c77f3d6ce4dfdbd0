import { readPath, type LeafColumn } from './cells.js';
import { cellPath, gridLayout, type GridRow } from './grid-layout.js';
import { pageText } from './render-text.js';
import type { GridTable } from './template-model.js';

/** A GridTable as the official layout prints it, every label from the template and every number from the report. */

/**
 * What a data cell shows. A draft may be rendered, so a value that is missing or of the wrong sort shows as an empty
 * cell: printing 0 or "undefined" would state a number nobody entered.
 */
function cellText(report: unknown, table: GridTable, row: GridRow, column: LeafColumn): string {
  const path = cellPath(table, row, column);
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
const span = (cells: number): number | undefined => (cells > 1 ? cells : undefined);

export function GridTableView({ table, report }: { table: GridTable; report: unknown }) {
  const layout = gridLayout(table);
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
          {layout.bodyRows.map((row) => (
            <tr key={row.keys.join('.')}>
              {row.labels.map((label, index) =>
                label.label === undefined ? (
                  <td key={index} colspan={span(label.colspan)} rowspan={span(label.rowspan)} />
                ) : (
                  <th key={index} colspan={span(label.colspan)} rowspan={span(label.rowspan)} scope={label.scope}>
                    {label.label}
                  </th>
                ),
              )}
              {layout.columns.map((column) => (
                <td key={column.keys.join('.')} data-path={cellPath(table, row, column).join('.')}>
                  {cellText(report, table, row, column)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
