import fc from 'fast-check';
import { leafColumns, leafRows, templateCells, gridTables } from '#shared/report/cells.js';
import type { Template } from '#shared/report/template-model.js';
import type { Report } from '#shared/report/schema.js';
import { isBlankText } from '#shared/report/text-rules.js';
import { setInPlace, zeroReport } from './report-builders.js';

/**
 * Consistent reports of any template: every cell filled and R1–R4 true by construction. The numbers are built the way
 * an officer's are: the detail rows first, the totals summed from them.
 */

const count = fc.integer({ min: 0, max: 5_000 });

export function consistentReport(template: Template, year: number): fc.Arbitrary<Report> {
  const cells = templateCells(template);
  const applications = gridTables(template).find((table) => table.id === 'applications');
  if (!applications) throw new Error('template without table 三');
  const parts = leafColumns(applications.columns).filter((column) => column.keys.at(-1) !== 'total');
  const outcomeRows = leafRows(applications.rows).filter((row) => row.keys[0] === 'outcomes' && row.keys[1] !== 'total');
  const freeCells = cells.filter((cell) => cell.table.id !== 'applications' && cell.table.id !== 'reviewsAndLitigation');

  return fc
    .record({
      outcomes: fc.array(fc.array(count, { minLength: parts.length, maxLength: parts.length }), {
        minLength: outcomeRows.length,
        maxLength: outcomeRows.length,
      }),
      carriedOver: fc.array(count, { minLength: parts.length, maxLength: parts.length }),
      carriedForward: fc.array(count, { minLength: parts.length, maxLength: parts.length }),
      reviews: fc.array(count, { minLength: 12, maxLength: 12 }),
      free: fc.array(fc.integer({ min: -50, max: 5_000 }), { minLength: freeCells.length, maxLength: freeCells.length }),
      decimals: fc.nat({ max: 4 }),
      // every part written: an empty one is an error (TEXT_EMPTY)
      texts: fc.array(
        fc.string({ maxLength: 200 }).map((text) => (isBlankText(text) ? `无。${text}` : text)),
        { minLength: 3, maxLength: 3 },
      ),
    })
    .map(({ outcomes, carriedOver, carriedForward, reviews, free, decimals, texts }) => {
      const report: Report = zeroReport(template, { id: 'prop-agency', name: '属性测试机关' }, year);
      const set = (path: readonly string[], value: unknown) => setInPlace(report, path.join('.'), value);
      const base = applications.path;
      const columnTotals = parts.map(() => 0);
      outcomeRows.forEach((row, r) => {
        const values = outcomes[r] ?? [];
        parts.forEach((column, c) => {
          const value = values[c] ?? 0;
          columnTotals[c] = (columnTotals[c] ?? 0) + value;
          set([...base, ...row.keys, ...column.keys], value);
        });
        set(
          [...base, ...row.keys, 'total'],
          values.reduce((a, b) => a + b, 0),
        );
      });
      const rowOf = (keys: string[], values: readonly number[]) => {
        parts.forEach((column, c) => {
          set([...base, ...keys, ...column.keys], values[c] ?? 0);
        });
        set(
          [...base, ...keys, 'total'],
          values.reduce((a, b) => a + b, 0),
        );
      };
      rowOf(['outcomes', 'total'], columnTotals);
      // 一 = 三（七）+ 四 − 二, kept non-negative by lowering 二 where needed
      const over = carriedOver.map((value, c) => Math.min(value, (columnTotals[c] ?? 0) + (carriedForward[c] ?? 0)));
      rowOf(['carriedOver'], over);
      rowOf(['carriedForward'], carriedForward);
      rowOf(
        ['newlyReceived'],
        columnTotals.map((total, c) => total + (carriedForward[c] ?? 0) - (over[c] ?? 0)),
      );
      ['reconsideration', 'litigationDirect', 'litigationAfterReconsideration'].forEach((group, g) => {
        const values = reviews.slice(g * 4, g * 4 + 4);
        ['upheld', 'corrected', 'other', 'pending'].forEach((column, i) => {
          set(['reviewsAndLitigation', group, column], values[i] ?? 0);
        });
        set(
          ['reviewsAndLitigation', group, 'total'],
          values.reduce((a, b) => a + b, 0),
        );
      });
      freeCells.forEach((cell, i) => {
        const raw = free[i] ?? 0;
        const kind = cell.column.kind;
        if (kind.type === 'money') {
          const scale = Math.min(decimals, ...Object.values(kind.units));
          const magnitude = Math.abs(raw);
          set(cell.path, scale === 0 ? String(magnitude) : `${magnitude}.${String(magnitude % 10).repeat(scale)}`);
        } else set(cell.path, kind.type === 'signedCount' ? raw : Math.abs(raw));
      });
      set(['overview'], texts[0] ?? '');
      set(['problems'], texts[1] ?? '');
      set(['otherMatters'], texts[2] ?? '');
      return report;
    });
}

/** Every cell of tables 三 and 四, as paths. */
export function countTableCells(template: Template) {
  return templateCells(template).filter((cell) => cell.table.id === 'applications' || cell.table.id === 'reviewsAndLitigation');
}
