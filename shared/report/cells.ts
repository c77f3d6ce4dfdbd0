import type { CellKind, ColumnNode, GridTable, RowNode, Template } from './template-model.js';

/**
 * The cells of a template, flattened: every place a number goes, with its path in the report JSON and its Chinese
 * labels. The schema, the checks, the blank report and the form all walk this list.
 */

export const COUNT: CellKind = { type: 'count' };

export interface LeafRow {
  /** keys from the table to the row (`['outcomes', 'withheld', 'stateSecret']`; `[]` for table 四) */
  readonly keys: readonly string[];
  /** labels from the outermost group to the row */
  readonly labels: readonly string[];
}

export interface LeafColumn {
  readonly keys: readonly string[];
  readonly labels: readonly string[];
  readonly kind: CellKind;
}

export interface Cell {
  readonly table: GridTable;
  readonly row: LeafRow;
  readonly column: LeafColumn;
  readonly path: readonly string[];
  /** dotted path, the `path` of findings (`applications.outcomes.total.naturalPerson`) */
  readonly id: string;
  readonly rowLabel: string;
  readonly columnLabel: string;
}

export function leafRows(rows: readonly RowNode[], keys: readonly string[] = [], labels: readonly string[] = []): LeafRow[] {
  return rows.flatMap((row) => {
    const rowKeys = row.key === undefined ? keys : [...keys, row.key];
    const rowLabels = row.label === undefined ? labels : [...labels, row.label];
    return row.children ? leafRows(row.children, rowKeys, rowLabels) : [{ keys: rowKeys, labels: rowLabels }];
  });
}

export function leafColumns(columns: readonly ColumnNode[], keys: readonly string[] = [], labels: readonly string[] = []): LeafColumn[] {
  return columns.flatMap((column) => {
    const columnKeys = column.key === undefined ? keys : [...keys, column.key];
    const columnLabels = [...labels, column.label];
    return column.children
      ? leafColumns(column.children, columnKeys, columnLabels)
      : [{ keys: columnKeys, labels: columnLabels, kind: column.kind ?? COUNT }];
  });
}

/** Labels joined for messages; the 申请人情况 heading says nothing a reader needs, so it is left out. */
function joinLabels(labels: readonly string[]): string {
  return labels.filter((label) => label !== '申请人情况').join(' ');
}

export function tableCells(table: GridTable): Cell[] {
  const columns = leafColumns(table.columns);
  return leafRows(table.rows).flatMap((row) =>
    columns.map((column) => {
      const path = [...table.path, ...row.keys, ...column.keys];
      return {
        table,
        row,
        column,
        path,
        id: path.join('.'),
        rowLabel: joinLabels(row.labels),
        columnLabel: joinLabels(column.labels),
      };
    }),
  );
}

/** How a message names a cell: “row”行“column”列, or just “column” in table 四's one unlabelled row. */
export function cellName(cell: Pick<Cell, 'rowLabel' | 'columnLabel'>): string {
  return cell.rowLabel === '' ? `“${cell.columnLabel}”` : `“${cell.rowLabel}”行“${cell.columnLabel}”列`;
}

export function gridTables(template: Template): GridTable[] {
  return template.sections.flatMap((section) => (section.type === 'tables' ? section.tables : []));
}

const cellCache = new WeakMap<Template, { list: Cell[]; byId: Map<string, Cell> }>();

function indexCells(template: Template): { list: Cell[]; byId: Map<string, Cell> } {
  let index = cellCache.get(template);
  if (!index) {
    const list = gridTables(template).flatMap(tableCells);
    index = { list, byId: new Map(list.map((cell) => [cell.id, cell])) };
    cellCache.set(template, index);
  }
  return index;
}

export function templateCells(template: Template): readonly Cell[] {
  return indexCells(template).list;
}

export function findCell(template: Template, id: string): Cell | undefined {
  return indexCells(template).byId.get(id);
}

/** Reads a value at a path of an untrusted object; undefined where any step is missing or not an object. */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) {
      return undefined;
    }
    current = Reflect.get(current, key);
  }
  return current;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Writes a value at a path of a report being built, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const existing = target[head];
  const child = isRecord(existing) ? existing : {};
  target[head] = child;
  setPath(child, rest, value);
}
