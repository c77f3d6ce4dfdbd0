import type { PrintCell, PrintTable } from './print-model.js';

/** A cell and the grid slot its top-left corner takes. */
export interface PlacedCell {
  readonly cell: PrintCell;
  readonly row: number;
  readonly column: number;
}

/** Where each cell of a table sits on the grid: the HTML table algorithm, slots taken by row spans skipped. */
export function placeCells(table: PrintTable): PlacedCell[] {
  const taken: boolean[][] = table.rows.map(() => []);
  const placed: PlacedCell[] = [];
  table.rows.forEach((cells, row) => {
    let column = 0;
    for (const cell of cells) {
      while (taken[row]?.[column] === true) column++;
      for (let r = row; r < row + cell.rowSpan && r < table.rows.length; r++) {
        const takenRow = taken[r] ?? [];
        taken[r] = takenRow;
        for (let c = column; c < column + cell.colSpan; c++) takenRow[c] = true;
      }
      placed.push({ cell, row, column });
      column += cell.colSpan;
    }
  });
  return placed;
}

/**
 * Column widths from what each column's unspanned cells need (`need`, never below `least`), stretched to fill
 * `available` when they fit and otherwise squeezed in proportion to what each needs beyond `least`.
 */
export function fitColumns(
  table: PrintTable,
  placed: readonly PlacedCell[],
  need: (placed: PlacedCell) => number,
  least: number,
  available: number,
): number[] {
  const natural = Array.from({ length: table.width }, () => least);
  for (const p of placed) if (p.cell.colSpan === 1) natural[p.column] = Math.max(natural[p.column] ?? least, need(p));
  const total = natural.reduce((sum, width) => sum + width, 0);
  if (total <= available) return natural.map((width) => (width * available) / total);
  const spare = natural.reduce((sum, width) => sum + (width - least), 0);
  const room = available - least * table.width;
  return natural.map((width) => least + ((width - least) * room) / spare);
}
