import { leafColumns, leafRows, type LeafColumn } from '../cells.js';
import { cellPath, gridLayout, type GridRow } from '../grid-layout.js';
import type { GridTable, Template } from '../template-model.js';
import { labelKey, looksLikeValue, looseKey, readCell } from './normalize.js';

/**
 * The tables 二、三、四 read from a stream of cells. A row is found by its own label (the last label in it: group
 * labels such as 三、本年度办理结果 come before), never by its position on the page, and its values are taken in the
 * template's column order only when there are exactly as many as the template has columns. Anything else is listed as
 * uncertain with the reason, and no value is written for it.
 */

export const BREAK = Symbol('row break');
export type Token = string | typeof BREAK;

export interface RecognisedCell {
  readonly path: string;
  readonly label: string;
  readonly value: number | string;
  /** where the report keeps the unit the page wrote beside this amount, and that unit */
  readonly unit?: { readonly path: string; readonly value: string };
}

export interface UncertainItem {
  /** the report path it concerns (a cell, a text part, `template`, `year`, `agency.name`), or '' for a row nobody could place */
  readonly path: string;
  readonly label: string;
  /** why, in Chinese, for the person checking the import */
  readonly reason: string;
}

interface Leaf {
  readonly table: GridTable;
  readonly row: GridRow;
  readonly labels: readonly string[];
  readonly key: string;
  readonly loose: string;
  readonly columns: readonly LeafColumn[];
  /** the row without a label (table 四) */
  readonly unlabelled: boolean;
}

interface Segment {
  readonly labels: string[];
  readonly values: string[];
  /** blank cells before the first label: a row-spanning label's place, or a blank value of an unlabelled row */
  readonly leading: string[];
}

export interface TableReading {
  readonly recognised: RecognisedCell[];
  readonly uncertain: UncertainItem[];
  /** rows placed by their label, minus rows missing and rows that fit nowhere: how well the template fits the page */
  readonly score: number;
  /** how many of the template's rows were found */
  readonly placed: number;
}

function leavesOf(template: Template): Leaf[] {
  return template.sections.flatMap((section) =>
    section.type === 'tables'
      ? section.tables.flatMap((table) => {
          const layout = gridLayout(table);
          const columns = leafColumns(table.columns);
          const rows = leafRows(table.rows);
          return layout.bodyRows.map((row, index): Leaf => {
            const labels = rows[index]?.labels ?? [];
            // the row's own label: the last label cell starting on it (a group's label starts on its first row too)
            const own = row.labels.at(-1)?.label ?? '';
            return { table, row, labels, key: labelKey(own), loose: looseKey(own), columns, unlabelled: own === '' };
          });
        })
      : [],
  );
}

/** Every label the template prints, for telling labels from values in the stream. */
function labelSet(template: Template): { exact: Set<string>; loose: Set<string> } {
  const exact = new Set<string>();
  const loose = new Set<string>();
  const add = (label: string | undefined): void => {
    if (label === undefined || label === '') return;
    exact.add(labelKey(label));
    loose.add(looseKey(label));
  };
  for (const section of template.sections) {
    add(section.heading);
    if (section.type !== 'tables') continue;
    for (const table of section.tables) {
      add(table.caption);
      add(table.corner);
      const layout = gridLayout(table);
      for (const cells of layout.headerRows) for (const cell of cells) add(cell.label);
      for (const row of layout.bodyRows) for (const cell of row.labels) add(cell.label);
    }
  }
  return { exact, loose };
}

/** Prose lines inside a table part (notes under a table) are not cells. */
const MAX_CELL_CHARS = 40;

function segmentsOf(tokens: readonly Token[], isLabel: (text: string) => boolean): Segment[] {
  const segments: Segment[] = [];
  let current: Segment = { labels: [], values: [], leading: [] };
  const flush = (): void => {
    if (current.labels.length > 0 || current.values.length > 0 || current.leading.some((cell) => cell !== '')) segments.push(current);
    current = { labels: [], values: [], leading: [] };
  };
  for (const token of tokens) {
    if (token === BREAK) {
      flush();
      continue;
    }
    if (isLabel(token)) {
      if (current.values.length > 0) flush();
      current.labels.push(token);
    } else if (current.labels.length === 0 && current.values.length === 0 && looksLikeValue(token) && token.trim() === '') {
      current.leading.push(token);
    } else if (token.length <= MAX_CELL_CHARS || looksLikeValue(token)) {
      current.values.push(token);
    }
  }
  flush();
  return segments;
}

const rowLabel = (leaf: Leaf): string =>
  leaf.labels.filter((label) => label !== '').join(' ') || leaf.table.columns.map((column) => column.label).join('/');

/** The unit a money column's header names (采购总金额（万元）), for a value written without one. */
function headerUnit(tokens: readonly Token[], column: LeafColumn, units: readonly string[]): string | undefined {
  const base = looseKey(column.labels.at(-1) ?? '');
  for (const token of tokens) {
    if (token === BREAK || looseKey(token) !== base) continue;
    const inBrackets = /[（(]([^）)]*)[）)]/u.exec(token)?.[1] ?? '';
    const named = units.filter((unit) => inBrackets.includes(unit));
    // 万元 contains 元: the longer name wins
    const longest = named.sort((a, b) => b.length - a.length)[0];
    if (longest !== undefined) return longest;
  }
  return undefined;
}

export function readTables(template: Template, tokens: readonly Token[], sectionOfToken: readonly number[]): TableReading {
  const leaves = leavesOf(template);
  const labels = labelSet(template);
  const isLabel = (text: string): boolean => text !== '' && (labels.exact.has(labelKey(text)) || labels.loose.has(looseKey(text)));
  const recognised: RecognisedCell[] = [];
  const uncertain: UncertainItem[] = [];
  const assigned = new Map<Leaf, Segment>();
  const unplaced: Segment[] = [];

  // each part's rows are matched within the part: 行政许可 in 二 is never taken from 三
  const parts = new Map<number, Token[]>();
  tokens.forEach((token, index) => {
    const part = sectionOfToken[index] ?? -1;
    parts.set(part, [...(parts.get(part) ?? []), token]);
  });
  const fieldOfPart: Record<number, string> = { 1: 'activeDisclosure', 2: 'applications', 3: 'reviewsAndLitigation' };

  for (const [part, partTokens] of parts) {
    const field = fieldOfPart[part];
    const candidates = leaves.filter((leaf) => field === undefined || leaf.table.path[0] === field);
    let next = 0;
    for (const segment of segmentsOf(partTokens, isLabel)) {
      const own = segment.labels.at(-1);
      const hasNumber = segment.values.some((value) => value.trim() !== '' && looksLikeValue(value));
      let leaf: Leaf | undefined;
      if (own !== undefined) {
        const key = labelKey(own);
        const loose = looseKey(own);
        const free = (candidate: Leaf) => !candidate.unlabelled && !assigned.has(candidate);
        leaf =
          candidates.slice(next).find((candidate) => free(candidate) && candidate.key === key) ??
          candidates.slice(next).find((candidate) => free(candidate) && candidate.loose === loose) ??
          candidates.find((candidate) => free(candidate) && (candidate.key === key || candidate.loose === loose));
      }
      if (leaf === undefined && hasNumber) {
        // a row of values under column headers only: table 四's single row
        leaf = candidates.find(
          (candidate) =>
            candidate.unlabelled && !assigned.has(candidate) && segment.leading.length + segment.values.length >= candidate.columns.length,
        );
        if (leaf !== undefined) segment.values.unshift(...segment.leading.splice(0));
      }
      if (leaf === undefined) {
        if (hasNumber) unplaced.push(segment);
        continue;
      }
      assigned.set(leaf, segment);
      next = candidates.indexOf(leaf) + 1;
    }
  }

  for (const leaf of leaves) {
    const segment = assigned.get(leaf);
    const label = rowLabel(leaf);
    const cells = leaf.columns.map((column) => ({ column, path: cellPath(leaf.table, leaf.row, column).join('.') }));
    if (segment === undefined) {
      for (const { column, path } of cells)
        uncertain.push({ path, label: `${label} ${column.labels.join(' ')}`, reason: '页面上没有找到这一行' });
      continue;
    }
    if (segment.values.length !== cells.length) {
      const shown = segment.values.map((value) => (value === '' ? '（空）' : value)).join(' ');
      for (const { column, path } of cells) {
        uncertain.push({
          path,
          label: `${label} ${column.labels.join(' ')}`,
          reason: `这一行有 ${segment.values.length} 个数，表格应有 ${cells.length} 个（${shown}），无法确定各数所在的列`,
        });
      }
      continue;
    }
    cells.forEach(({ column, path }, index) => {
      const cellLabel = `${label} ${column.labels.join(' ')}`;
      const reading = readCell(segment.values[index] ?? '', column.kind);
      if (!reading.ok) {
        uncertain.push({ path, label: cellLabel, reason: reading.reason });
        return;
      }
      const kind = column.kind;
      if (kind.type !== 'money') {
        recognised.push({ path, label: cellLabel, value: reading.value });
        return;
      }
      const units = Object.keys(kind.units);
      const only = units.length === 1 ? units[0] : undefined;
      const unit = reading.unit ?? headerUnit(tokens, column, units) ?? only;
      if (unit === undefined) {
        uncertain.push({ path, label: cellLabel, reason: `金额“${reading.value}”没有写单位（${units.join('或')}）` });
      } else if (!units.includes(unit)) {
        uncertain.push({ path, label: cellLabel, reason: `金额的单位是${unit}，这一栏应以${units.join('或')}填写` });
      } else {
        const unitPath = kind.unitField === undefined ? undefined : [...path.split('.').slice(0, -1), kind.unitField].join('.');
        recognised.push(
          unitPath === undefined
            ? { path, label: cellLabel, value: reading.value }
            : { path, label: cellLabel, value: reading.value, unit: { path: unitPath, value: unit } },
        );
      }
    });
  }
  for (const segment of unplaced) {
    const text = [...segment.labels, ...segment.values].join(' ');
    uncertain.push({ path: '', label: text.slice(0, 80), reason: '这一行不属于模板的任何一行，没有读入' });
  }
  const placed = leaves.filter((leaf) => assigned.has(leaf)).length;
  return { recognised, uncertain, score: placed - (leaves.length - placed) - unplaced.length, placed };
}
