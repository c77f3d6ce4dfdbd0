import { gridTables, leafColumns, leafRows, readPath, type LeafColumn, type LeafRow } from './cells.js';
import type { Finding } from './findings.js';
import { countAt, fmt, sumOf } from './numbers.js';
import type { GridTable, Template } from './template-model.js';

/** R1–R4 of TEMPLATES.md §c: the arithmetic inside tables 三 and 四. Blank cells skip a rule (they are R5). */

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

export function applicationsRules(template: Template, report: unknown): Finding[] {
  const applications = table(template, 'applications');
  if (!applications) return [];
  const base = applications.path;
  const { rows, columns } = leaves(applications);
  const partColumns = columns.filter((column) => column.keys.at(-1) !== TOTAL);
  const outcomeRows = rows.filter((row) => row.keys[0] === 'outcomes' && row.keys[1] !== TOTAL);
  const rowLabel = (keys: readonly string[]): string => label(rows.find((row) => row.keys.join('.') === keys.join('.')) ?? { keys, labels: [] });
  const at = (rowKeys: readonly string[], column: readonly string[]) => countAt(report, [...base, ...rowKeys, ...column]);
  const findings: Finding[] = [];

  // R3: every row's 总计 is the sum of the six applicant columns.
  for (const row of rows) {
    // the row's object is looked up once; a missing or broken row reads as blank cells, as a full path would
    const rowObject = readPath(report, [...base, ...row.keys]);
    const expected = sumOf(partColumns.map((column) => countAt(rowObject, column.keys)));
    const actual = countAt(rowObject, [TOTAL]);
    if (expected !== undefined && actual !== undefined && expected !== actual) {
      findings.push({
        code: 'R3',
        path: [...base, ...row.keys, TOTAL].join('.'),
        rowLabel: label(row),
        columnLabel: '总计',
        expected,
        actual,
        message: `表三「${label(row)}」行：自然人与法人或其他组织各列之和为 ${fmt(expected)}，但「总计」填写为 ${fmt(actual)}。请改正总计或核对各列。`,
      });
    }
  }

  for (const column of columns) {
    const columnLabel = column.labels.filter((l) => l !== '申请人情况').join(' ');
    // R2: （七）总计 is the sum of every data row under 三 (group labels are not subtotals).
    const detail = sumOf(outcomeRows.map((row) => at(row.keys, column.keys)));
    const total = at(['outcomes', TOTAL], column.keys);
    if (detail !== undefined && total !== undefined && detail !== total) {
      findings.push({
        code: 'R2',
        path: [...base, 'outcomes', TOTAL, ...column.keys].join('.'),
        rowLabel: rowLabel(['outcomes', TOTAL]),
        columnLabel,
        expected: detail,
        actual: total,
        message: `表三「${columnLabel}」列：三、本年度办理结果（一）至（六）各项之和为 ${fmt(detail)}，但（七）总计填写为 ${fmt(total)}。请核对各项或改正总计。`,
      });
    }
    // R1: 一 + 二 = 三（七）+ 四, the balance printed in the template's own header.
    const received = at(['newlyReceived'], column.keys);
    const carriedOver = at(['carriedOver'], column.keys);
    const carriedForward = at(['carriedForward'], column.keys);
    if (received !== undefined && carriedOver !== undefined && total !== undefined && carriedForward !== undefined) {
      const incoming = received + carriedOver;
      const outgoing = total + carriedForward;
      if (incoming !== outgoing) {
        findings.push({
          code: 'R1',
          path: [...base, 'carriedForward', ...column.keys].join('.'),
          rowLabel: rowLabel(['carriedForward']),
          columnLabel,
          expected: incoming - total,
          actual: carriedForward,
          message:
            `表三「${columnLabel}」列不平衡：一（本年新收 ${fmt(received)}）加二（上年结转 ${fmt(carriedOver)}）为 ${fmt(incoming)}，` +
            `三（七）总计 ${fmt(total)} 加四（结转下年度 ${fmt(carriedForward)}）为 ${fmt(outgoing)}，两者应相等。` +
            (incoming - total >= 0 ? `若总计无误，结转下年度应为 ${fmt(incoming - total)}。` : '请核对新收、结转和办理结果。'),
        });
      }
    }
  }
  return findings;
}

export function reviewsRules(template: Template, report: unknown): Finding[] {
  const reviews = table(template, 'reviewsAndLitigation');
  if (!reviews) return [];
  const { columns } = leaves(reviews);
  const groups = new Map<string, { labels: readonly string[]; parts: (readonly string[])[]; total?: readonly string[] }>();
  for (const column of columns) {
    const groupKey = column.keys.slice(0, -1).join('.');
    const group = groups.get(groupKey) ?? { labels: column.labels.slice(0, -1), parts: [] };
    if (column.keys.at(-1) === TOTAL) group.total = column.keys;
    else group.parts.push(column.keys);
    groups.set(groupKey, group);
  }
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    if (!group.total) continue;
    const expected = sumOf(group.parts.map((keys) => countAt(report, [...reviews.path, ...keys])));
    const actual = countAt(report, [...reviews.path, ...group.total]);
    const groupLabel = group.labels.join(' ');
    if (expected !== undefined && actual !== undefined && expected !== actual) {
      findings.push({
        code: 'R4',
        path: [...reviews.path, ...group.total].join('.'),
        rowLabel: groupLabel,
        columnLabel: '总计',
        expected,
        actual,
        message: `表四「${groupLabel}」：结果维持、结果纠正、其他结果、尚未审结之和为 ${fmt(expected)}，但「总计」填写为 ${fmt(actual)}。`,
      });
    }
  }
  return findings;
}

/** A1 (TEMPLATES.md §c item 8, 2019 format): 对外公开总数量 is at least 本年新公开数量. A warning. */
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
        message: `「${label(row)}」对外公开总数量 ${fmt(total)} 小于本年新公开数量 ${fmt(published)}，总数应包含本年新公开的文件。`,
      } satisfies Finding,
    ];
  });
}
