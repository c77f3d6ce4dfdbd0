import { gridTables, leafColumns, leafRows, readPath, type LeafColumn, type LeafRow } from './cells.js';
import type { Finding } from './findings.js';
import { countAt, fmt, sumOf } from './numbers.js';
import type { GridTable, Template } from './template-model.js';

/** R1–R4 (docs/report-rules.md): the arithmetic inside tables 三 and 四. Blank cells skip a rule (they are R5). */

const TOTAL = 'total';

// The tables' trees are template data: flattened once per template, not once per report checked.
const tablesById = new WeakMap<Template, ReadonlyMap<string, GridTable>>();
const leavesByTable = new WeakMap<GridTable, { readonly rows: readonly LeafRow[]; readonly columns: readonly LeafColumn[] }>();

function table(template: Template, id: string): GridTable | undefined {
  let tables = tablesById.get(template);
  if (!tables) {
    // the first table with an id wins, as a find over the list would
    tables = new Map([...gridTables(template)].reverse().map((candidate) => [candidate.id, candidate]));
    tablesById.set(template, tables);
  }
  return tables.get(id);
}

function leaves(grid: GridTable): { readonly rows: readonly LeafRow[]; readonly columns: readonly LeafColumn[] } {
  let found = leavesByTable.get(grid);
  if (!found) {
    found = { rows: leafRows(grid.rows), columns: leafColumns(grid.columns) };
    leavesByTable.set(grid, found);
  }
  return found;
}

const label = (row: LeafRow): string => row.labels.join(' ');

/** Paths and labels of table 三 that R1–R3 read: template data, worked out once per table. */
interface ApplicationsPlan {
  /** every data row, for R3: where its object is, and how a finding names it */
  readonly rows: readonly { readonly path: readonly string[]; readonly label: string; readonly totalId: string }[];
  readonly columns: readonly {
    readonly keys: readonly string[];
    readonly label: string;
    /** the path R2 names: （七）总计 in this column */
    readonly totalId: string;
    /** the path R1 names: 四、结转下年度 in this column */
    readonly forwardId: string;
  }[];
  /** indexes into `columns` of the six applicant columns, without 总计 */
  readonly partColumns: readonly number[];
  /** indexes into `rows` of （一）…（六）, the rows （七）总计 sums */
  readonly outcomeRows: readonly number[];
  /** the rows R1 and R2 read as wholes: an index into `rows`, or the path of a row the table does not list */
  readonly total: number | readonly string[];
  readonly received: number | readonly string[];
  readonly carriedOver: number | readonly string[];
  readonly carriedForward: number | readonly string[];
  readonly totalLabel: string;
  readonly forwardLabel: string;
  /** the four rows R1 balances: where each is, and how a finding names it */
  readonly balanceRows: Readonly<Record<BalanceRow, { readonly path: readonly string[]; readonly label: string }>>;
}

const applicationsPlans = new WeakMap<GridTable, ApplicationsPlan>();

function applicationsPlan(applications: GridTable): ApplicationsPlan {
  let plan = applicationsPlans.get(applications);
  if (!plan) {
    const base = applications.path;
    const { rows, columns } = leaves(applications);
    const find = (keys: readonly string[]): LeafRow | undefined => rows.find((row) => row.keys.join('.') === keys.join('.'));
    const rowLabel = (keys: readonly string[]): string => label(find(keys) ?? { keys, labels: [] });
    const rowAt = (keys: readonly string[]): number | readonly string[] => {
      const row = find(keys);
      return row === undefined ? [...base, ...keys] : rows.indexOf(row);
    };
    plan = {
      rows: rows.map((row) => ({ path: [...base, ...row.keys], label: label(row), totalId: [...base, ...row.keys, TOTAL].join('.') })),
      columns: columns.map((column) => ({
        keys: column.keys,
        label: column.labels.filter((l) => l !== '申请人情况').join(' '),
        totalId: [...base, 'outcomes', TOTAL, ...column.keys].join('.'),
        forwardId: [...base, 'carriedForward', ...column.keys].join('.'),
      })),
      partColumns: columns.flatMap((column, index) => (column.keys.at(-1) !== TOTAL ? [index] : [])),
      outcomeRows: rows.flatMap((row, index) => (row.keys[0] === 'outcomes' && row.keys[1] !== TOTAL ? [index] : [])),
      total: rowAt(['outcomes', TOTAL]),
      received: rowAt(['newlyReceived']),
      carriedOver: rowAt(['carriedOver']),
      carriedForward: rowAt(['carriedForward']),
      totalLabel: rowLabel(['outcomes', TOTAL]),
      forwardLabel: rowLabel(['carriedForward']),
      balanceRows: {
        received: { path: [...base, 'newlyReceived'], label: rowLabel(['newlyReceived']) },
        carriedOver: { path: [...base, 'carriedOver'], label: rowLabel(['carriedOver']) },
        total: { path: [...base, 'outcomes', TOTAL], label: rowLabel(['outcomes', TOTAL]) },
        carriedForward: { path: [...base, 'carriedForward'], label: rowLabel(['carriedForward']) },
      },
    };
    applicationsPlans.set(applications, plan);
  }
  return plan;
}

const TOTAL_KEYS = [TOTAL];

/**
 * Every cell of the table is read once, from its row's object: a value read from the row object is the value read by
 * its full path (`readPath` walks the path one key at a time either way), and a missing or broken row reads as blank
 * cells. A blank cell reads as undefined and leaves every sum it is in undefined: blanks are R5's, never 0.
 */
export function applicationsRules(template: Template, report: unknown): Finding[] {
  const applications = table(template, 'applications');
  if (!applications) return [];
  const plan = applicationsPlan(applications);
  const { rows, columns } = plan;
  const width = columns.length;
  const rowObjects = rows.map((row) => readPath(report, row.path));
  const cells: (number | undefined)[] = [];
  for (const rowObject of rowObjects) for (const column of columns) cells.push(countAt(rowObject, column.keys));
  /** the cells of a row R1/R2 reads, by column index */
  const rowCells = (row: number | readonly string[]): ((column: number) => number | undefined) => {
    if (typeof row === 'number') return (column) => cells[row * width + column];
    const rowObject = readPath(report, row);
    return (column) => countAt(rowObject, columns[column]?.keys ?? []);
  };
  const findings: Finding[] = [];

  // R3: every row's 总计 is the sum of the six applicant columns.
  rows.forEach((row, r) => {
    const expected = sumOf(plan.partColumns.map((c) => cells[r * width + c]));
    const actual = countAt(rowObjects[r], TOTAL_KEYS);
    if (expected !== undefined && actual !== undefined && expected !== actual) {
      findings.push({
        code: 'R3',
        path: row.totalId,
        rowLabel: row.label,
        columnLabel: '总计',
        expected,
        actual,
        message: `表三“${row.label}”行：自然人与法人或其他组织各列之和为 ${fmt(expected)}，但“总计”填写为 ${fmt(actual)}。请改正总计或核对各列。`,
      });
    }
  });

  const totalRow = rowCells(plan.total);
  const receivedRow = rowCells(plan.received);
  const carriedOverRow = rowCells(plan.carriedOver);
  const carriedForwardRow = rowCells(plan.carriedForward);
  const balances: Balance[] = [];
  columns.forEach((column, c) => {
    const columnLabel = column.label;
    // R2: （七）总计 is the sum of every data row under 三 (group labels are not subtotals).
    const detail = sumOf(plan.outcomeRows.map((r) => cells[r * width + c]));
    const total = totalRow(c);
    if (detail !== undefined && total !== undefined && detail !== total) {
      findings.push({
        code: 'R2',
        path: column.totalId,
        rowLabel: plan.totalLabel,
        columnLabel,
        expected: detail,
        actual: total,
        message: `表三“${columnLabel}”列：三、本年度办理结果（一）至（六）各项之和为 ${fmt(detail)}，但（七）总计填写为 ${fmt(total)}。请核对各项或改正总计。`,
      });
    }
    // R1: 一 + 二 = 三（七）+ 四, the balance printed in the template's own header.
    const received = receivedRow(c);
    const carriedOver = carriedOverRow(c);
    const carriedForward = carriedForwardRow(c);
    if (received !== undefined && carriedOver !== undefined && total !== undefined && carriedForward !== undefined) {
      balances.push({
        column: c,
        received,
        carriedOver,
        total,
        carriedForward,
        difference: received + carriedOver - total - carriedForward,
      });
    }
  });
  findings.push(...r1Findings(template, report, balances, findings));
  return findings;
}

/** One column's R1 balance: 一 + 二 − 三（七）− 四, which is 0 when the column balances. */
export interface Balance {
  /** index of the column among table 三's leaf columns */
  readonly column: number;
  readonly received: number;
  readonly carriedOver: number;
  readonly total: number;
  readonly carriedForward: number;
  readonly difference: number;
}

type BalanceRow = 'received' | 'carriedOver' | 'total' | 'carriedForward';
/** 一 and 二 come in, 三（七）and 四 go out: a value moved within an incoming row moves the balance the other way. */
const BALANCE_ROWS: readonly { readonly row: BalanceRow; readonly sign: 1 | -1 }[] = [
  { row: 'received', sign: 1 },
  { row: 'carriedOver', sign: 1 },
  { row: 'total', sign: -1 },
  { row: 'carriedForward', sign: -1 },
];

/**
 * R1's findings from the columns whose four rows are all filled. Separate from reading the cells, so that a column
 * off on its own and a pair of columns off together are told apart the same way however the cells were read.
 */
export function r1Findings(template: Template, report: unknown, balances: readonly Balance[], r2: readonly Finding[]): Finding[] {
  const off = balances.filter((balance) => balance.difference !== 0);
  const applications = table(template, 'applications');
  if (off.length === 0 || !applications) return [];
  const plan = applicationsPlan(applications);
  const rowCells = (row: BalanceRow) => (column: number) =>
    countAt(report, [...plan.balanceRows[row].path, ...(plan.columns[column]?.keys ?? [])]);
  const r2Paths = new Set(r2.flatMap((finding) => (finding.code === 'R2' ? [finding.path] : [])));
  const pair = swappedPair(plan, balances, off);
  if (pair) return pairFindings(plan, pair, rowCells, r2Paths);
  return off.map((balance) => columnImbalance(plan, balance));
}

/**
 * Two applicant columns off by opposite amounts while the 总计 column balances: every row still adds up, so a number
 * went into the wrong column of one row (or two were transposed). Blaming 四 of each column would be a wrong fix.
 */
function swappedPair(
  plan: ApplicationsPlan,
  balances: readonly Balance[],
  off: readonly Balance[],
): readonly [Balance, Balance] | undefined {
  const [first, second] = off;
  if (off.length !== 2 || first === undefined || second === undefined || first.difference !== -second.difference) return undefined;
  const parts = new Set(plan.partColumns);
  if (!parts.has(first.column) || !parts.has(second.column)) return undefined;
  const totalColumn = plan.columns.findIndex((column) => column.keys.at(-1) === TOTAL);
  return balances.some((balance) => balance.column === totalColumn) ? [first, second] : undefined;
}

function pairFindings(
  plan: ApplicationsPlan,
  [first, second]: readonly [Balance, Balance],
  rowCells: (row: BalanceRow) => (column: number) => number | undefined,
  r2Paths: ReadonlySet<string>,
): Finding[] {
  const [a, b] = [plan.columns[first.column], plan.columns[second.column]];
  if (!a || !b) return [];
  const names = `“${a.label}”“${b.label}”`;
  const shift = `${names}两列收支不平衡（一加二减三（七）减四分别为 ${signed(first.difference)} 和 ${signed(second.difference)}），总计列却平衡`;
  // the rows in which exchanging the two cells balances both columns; （七）总计 only if R2 also finds it off there
  const swapped = BALANCE_ROWS.filter(({ row, sign }) => {
    const [x, y] = [rowCells(row)(first.column), rowCells(row)(second.column)];
    if (x === undefined || y === undefined || x === y || first.difference !== sign * (x - y)) return false;
    return row !== 'total' || (r2Paths.has(a.totalId) && r2Paths.has(b.totalId));
  });
  const only = swapped.length === 1 ? swapped[0] : undefined;
  if (only) {
    const { path: keys, label: rowLabel } = plan.balanceRows[only.row];
    return [first, second].map((balance, index) => {
      const column = plan.columns[balance.column];
      const other = index === 0 ? second : first;
      return {
        code: 'R1',
        path: [...keys, ...(column?.keys ?? [])].join('.'),
        rowLabel,
        columnLabel: column?.label ?? '',
        expected: rowCells(only.row)(other.column),
        actual: rowCells(only.row)(balance.column),
        message: `表三“${rowLabel}”行${names}两列的数字可能填反了：${shift}；这两格互换后两列都平衡。请核对该行这两列。`,
      } satisfies Finding;
    });
  }
  // a number moved by the same amount in any of the four rows would look the same: say so, and suggest no value
  return [first, second].map((balance) => {
    const column = plan.columns[balance.column];
    return {
      code: 'R1',
      path: column?.forwardId ?? '',
      rowLabel: plan.forwardLabel,
      columnLabel: column?.label ?? '',
      message: `表三${shift}：可能是某一行把数字填到了相邻的列。请逐行核对一、二、三（七）、四这两列，不要只改结转下年度。`,
    } satisfies Finding;
  });
}

function columnImbalance(plan: ApplicationsPlan, balance: Balance): Finding {
  const column = plan.columns[balance.column];
  const columnLabel = column?.label ?? '';
  const { received, carriedOver, total, carriedForward } = balance;
  const incoming = received + carriedOver;
  const outgoing = total + carriedForward;
  return {
    code: 'R1',
    path: column?.forwardId ?? '',
    rowLabel: plan.forwardLabel,
    columnLabel,
    expected: incoming - total,
    actual: carriedForward,
    message:
      `表三“${columnLabel}”列不平衡：一（本年新收 ${fmt(received)}）加二（上年结转 ${fmt(carriedOver)}）为 ${fmt(incoming)}，` +
      `三（七）总计 ${fmt(total)} 加四（结转下年度 ${fmt(carriedForward)}）为 ${fmt(outgoing)}，两者应相等。` +
      (incoming - total >= 0 ? `若总计无误，结转下年度应为 ${fmt(incoming - total)}。` : '请核对新收、结转和办理结果。'),
  };
}

const signed = (value: number): string => (value > 0 ? `+${fmt(value)}` : fmt(value));

/** Table 四's column groups (行政复议, 未经复议直接起诉, 复议后起诉), each with its parts and its 总计, as full paths. */
interface ReviewGroup {
  readonly label: string;
  readonly parts: readonly (readonly string[])[];
  readonly total: readonly string[];
  readonly totalId: string;
}

const reviewGroupsByTable = new WeakMap<GridTable, readonly ReviewGroup[]>();

function reviewGroups(reviews: GridTable): readonly ReviewGroup[] {
  let found = reviewGroupsByTable.get(reviews);
  if (!found) {
    const { columns } = leaves(reviews);
    const groups = new Map<string, { labels: readonly string[]; parts: (readonly string[])[]; total?: readonly string[] }>();
    for (const column of columns) {
      const groupKey = column.keys.slice(0, -1).join('.');
      const group = groups.get(groupKey) ?? { labels: column.labels.slice(0, -1), parts: [] };
      if (column.keys.at(-1) === TOTAL) group.total = column.keys;
      else group.parts.push(column.keys);
      groups.set(groupKey, group);
    }
    found = [...groups.values()].flatMap((group) =>
      group.total
        ? [
            {
              label: group.labels.join(' '),
              parts: group.parts.map((keys) => [...reviews.path, ...keys]),
              total: [...reviews.path, ...group.total],
              totalId: [...reviews.path, ...group.total].join('.'),
            },
          ]
        : [],
    );
    reviewGroupsByTable.set(reviews, found);
  }
  return found;
}

export function reviewsRules(template: Template, report: unknown): Finding[] {
  const reviews = table(template, 'reviewsAndLitigation');
  if (!reviews) return [];
  const findings: Finding[] = [];
  for (const group of reviewGroups(reviews)) {
    const expected = sumOf(group.parts.map((path) => countAt(report, path)));
    const actual = countAt(report, group.total);
    const groupLabel = group.label;
    if (expected !== undefined && actual !== undefined && expected !== actual) {
      findings.push({
        code: 'R4',
        path: group.totalId,
        rowLabel: groupLabel,
        columnLabel: '总计',
        expected,
        actual,
        message: `表四“${groupLabel}”：结果维持、结果纠正、其他结果、尚未审结之和为 ${fmt(expected)}，但“总计”填写为 ${fmt(actual)}。`,
      });
    }
  }
  return findings;
}

/** A1 (docs/report-rules.md, 2019 format): 对外公开总数量 is at least 本年新公开数量. A warning. */
export function activeDisclosureRules(template: Template, report: unknown): Finding[] {
  const regulations = table(template, 'regulations');
  if (!regulations || template.format !== '2019') return [];
  return leaves(regulations).rows.flatMap((row) => {
    const published = countAt(report, [...regulations.path, ...row.keys, 'newlyPublished']);
    const total = countAt(report, [...regulations.path, ...row.keys, 'totalPublished']);
    if (published === undefined || total === undefined || total >= published) return [];
    return [
      {
        code: 'A1',
        path: [...regulations.path, ...row.keys, 'totalPublished'].join('.'),
        rowLabel: label(row),
        columnLabel: '对外公开总数量',
        expected: published,
        actual: total,
        message: `“${label(row)}”对外公开总数量 ${fmt(total)} 小于本年新公开数量 ${fmt(published)}，总数应包含本年新公开的文件。`,
      } satisfies Finding,
    ];
  });
}
