import { leafColumns, type LeafColumn } from './cells.js';
import type { ColumnNode, GridTable, RowNode } from './template-model.js';

/**
 * Where every header and label of a GridTable goes in an HTML grid, computed from the template's trees alone. Kept
 * apart from the JSX so the published page and the entry form lay a table out the same way and differ only in what
 * a data cell holds.
 */

export interface HeaderCell {
  readonly label: string;
  readonly colspan: number;
  readonly rowspan: number;
  readonly scope: 'col' | 'colgroup';
}

export interface RowLabelCell {
  /** undefined for the filler cell of an unlabelled row in a table that has label columns */
  readonly label: string | undefined;
  readonly colspan: number;
  readonly rowspan: number;
  readonly scope: 'row' | 'rowgroup';
}

export interface GridRow {
  /** keys from the table to the data row, as in LeafRow */
  readonly keys: readonly string[];
  /** the label cells that start on this row (a group's label starts on its first data row) */
  readonly labels: readonly RowLabelCell[];
}

export interface GridLayout {
  /** how many columns the row labels take (0 for table 四, whose single row has no label) */
  readonly labelColumns: number;
  /** label columns plus data columns: what the caption row spans */
  readonly width: number;
  readonly headerRows: readonly (readonly HeaderCell[])[];
  readonly bodyRows: readonly GridRow[];
  readonly columns: readonly LeafColumn[];
  /** how many grid columns the last data column spans: more than 1 only in a frame wider than the table */
  readonly lastColumnSpan: number;
}

/** The grid a table is drawn in when it shares one `<table>` with others (二): label and data columns to fill. */
export type Frame = { readonly labelColumns: number; readonly dataColumns: number };

interface Tree<T> {
  readonly children?: readonly T[];
}

function leafCount<T extends Tree<T>>(node: T): number {
  return node.children ? node.children.reduce((sum, child) => sum + leafCount(child), 0) : 1;
}

function columnDepth(columns: readonly ColumnNode[]): number {
  return Math.max(0, ...columns.map((column) => 1 + (column.children ? columnDepth(column.children) : 0)));
}

/** Unlabelled groups add no column, so the depth counts labelled nodes only. */
function rowLabelDepth(rows: readonly RowNode[]): number {
  return Math.max(0, ...rows.map((row) => (row.label === undefined ? 0 : 1) + (row.children ? rowLabelDepth(row.children) : 0)));
}

/** `extra`: the grid columns the rightmost header cells stretch over, beyond the table's own (see Frame). */
function headerRows(columns: readonly ColumnNode[], depth: number, extra: number): HeaderCell[][] {
  const rows: HeaderCell[][] = Array.from({ length: depth }, () => []);
  const visit = (nodes: readonly ColumnNode[], level: number, stretch: number): void => {
    nodes.forEach((node, index) => {
      const row = rows[level];
      if (row === undefined) return;
      const more = index === nodes.length - 1 ? stretch : 0;
      if (node.children) {
        row.push({ label: node.label, colspan: leafCount(node) + more, rowspan: 1, scope: 'colgroup' });
        visit(node.children, level + 1, more);
      } else {
        // A shallow leaf reaches down to the last header row so every data column ends on the same line.
        row.push({ label: node.label, colspan: 1 + more, rowspan: depth - level, scope: 'col' });
      }
    });
  };
  visit(columns, 0, extra);
  return rows;
}

function bodyRows(rows: readonly RowNode[], labelColumns: number, keys: readonly string[] = [], level = 0): GridRow[] {
  return rows.flatMap((node): GridRow[] => {
    const nodeKeys = node.key === undefined ? keys : [...keys, node.key];
    if (node.children) {
      const childLevel = node.label === undefined ? level : level + 1;
      const children = bodyRows(node.children, labelColumns, nodeKeys, childLevel);
      const [first, ...rest] = children;
      if (node.label === undefined || first === undefined) return children;
      const group: RowLabelCell = { label: node.label, colspan: 1, rowspan: children.length, scope: 'rowgroup' };
      return [{ keys: first.keys, labels: [group, ...first.labels] }, ...rest];
    }
    // A leaf's label widens to the last label column so every row has the same number of label columns.
    const colspan = labelColumns - level;
    if (colspan <= 0) return [{ keys: nodeKeys, labels: [] }];
    return [{ keys: nodeKeys, labels: [{ label: node.label, colspan, rowspan: 1, scope: 'row' }] }];
  });
}

/** The table's own columns: as many label columns as its row tree has labelled levels, one per leaf column. */
export function ownFrame(table: GridTable): Frame {
  return { labelColumns: rowLabelDepth(table.rows), dataColumns: leafColumns(table.columns).length };
}

/**
 * The frame that holds every table of a section in one grid, as the template draws 二: the widest label part
 * beside the widest data part, so the 信息内容 column and the first data columns line up from caption to caption.
 */
export function sharedFrame(tables: readonly GridTable[]): Frame {
  const frames = tables.map(ownFrame);
  return {
    labelColumns: Math.max(0, ...frames.map((frame) => frame.labelColumns)),
    dataColumns: Math.max(0, ...frames.map((frame) => frame.dataColumns)),
  };
}

/**
 * The table laid out in `frame` (by default its own): a narrower table widens its leaf row labels to the frame's
 * label columns and its last data column to the frame's last.
 */
export function gridLayout(table: GridTable, frame: Frame = ownFrame(table)): GridLayout {
  const columns = leafColumns(table.columns);
  const extra = Math.max(0, frame.dataColumns - columns.length);
  return {
    labelColumns: frame.labelColumns,
    width: frame.labelColumns + columns.length + extra,
    headerRows: headerRows(table.columns, columnDepth(table.columns), extra),
    bodyRows: bodyRows(table.rows, frame.labelColumns),
    columns,
    lastColumnSpan: 1 + extra,
  };
}

/** The same path `tableCells` gives a cell, so `data-path` matches the ids of findings. */
export function cellPath(table: GridTable, row: GridRow, column: LeafColumn): string[] {
  return [...table.path, ...row.keys, ...column.keys];
}
