import { describe, expect, it } from 'vitest';
import type { PrintCell, PrintTable } from '#shared/report/print/print-model.js';
import { fitColumns, placeCells } from '#shared/report/print/table-grid.js';

const cell = (text: string, rowSpan = 1, colSpan = 1): PrintCell => ({ text, rowSpan, colSpan, header: false, align: 'left' });
const table = (width: number, rows: PrintCell[][]): PrintTable => ({
  id: 't',
  width,
  labelColumns: 1,
  headerRows: 0,
  rows,
  hasCaption: false,
});

describe('placing a printed table’s cells on the grid', () => {
  it('skips the slots a row span above has taken, as an HTML table does', () => {
    // 三's shape: a label spanning three rows, then sub-labels and values beside it
    const grid = table(3, [
      [cell('申请人', 3), cell('自然人'), cell('1')],
      [cell('法人'), cell('2')],
      [cell('其他'), cell('3')],
      [cell('总计', 1, 2), cell('6')],
    ]);
    expect(placeCells(grid).map(({ cell: { text }, row, column }) => [text, row, column])).toEqual([
      ['申请人', 0, 0],
      ['自然人', 0, 1],
      ['1', 0, 2],
      ['法人', 1, 1],
      ['2', 1, 2],
      ['其他', 2, 1],
      ['3', 2, 2],
      ['总计', 3, 0],
      ['6', 3, 2],
    ]);
  });
});

describe('fitting the columns to the page', () => {
  const grid = table(3, [
    [cell('aaaa'), cell('bb'), cell('c')],
    [cell('spans two', 1, 2), cell('d')],
  ]);
  const needOf = (widths: Record<string, number>) => (p: { cell: PrintCell }) => widths[p.cell.text] ?? 0;
  const need = needOf({ aaaa: 40, bb: 20, c: 10, d: 5, 'spans two': 1000 });

  it('stretches the columns in proportion when what they need fits, and a spanning cell asks for nothing', () => {
    expect(fitColumns(grid, placeCells(grid), need, 10, 140)).toEqual([80, 40, 20]);
  });

  it('keeps the widths as needed when they fill the page exactly', () => {
    expect(fitColumns(grid, placeCells(grid), need, 10, 70)).toEqual([40, 20, 10]);
  });

  it('squeezes only what each column needs beyond the least width when they do not fit', () => {
    // 10 each at least; 30 and 10 beyond it share the 39 - 30 = 9 left
    const widths = fitColumns(grid, placeCells(grid), need, 10, 39);
    expect(widths.map((width) => Math.round(width * 100) / 100)).toEqual([16.75, 12.25, 10]);
    expect(widths.reduce((sum, width) => sum + width, 0)).toBeCloseTo(39, 9);
  });
});
