import { type Cell, cellName, findCell, templateCells } from './cells.js';
import type { Finding } from './findings.js';
import { countAt, fmt, signedCountAt } from './numbers.js';
import type { ReportView } from './report-view.js';
import type { Template } from './template-model.js';

/**
 * X1–X5 (docs/report-rules.md): this year against the same agency's previous year. Warnings only: each can fail
 * legitimately (documents expiring without 废止, a 清理, a reorganised agency).
 */

/** X5 flags a change of more than 5× or less than 0.2×, between non-zero years where the larger is at least this. */
export const X5_MIN_MAGNITUDE = 10;
export const X5_RATIO = 5;

const APPLICANT_KEYS = [
  'naturalPerson',
  'commercialEnterprise',
  'researchInstitution',
  'socialWelfareOrganization',
  'legalServiceInstitution',
  'otherOrganization',
  'total',
] as const;

interface Pair {
  readonly template: Template;
  readonly report: unknown;
  readonly previousTemplate: Template;
  readonly previous: unknown;
}

/** A cell as a finding names it: its dotted path and its labels. */
type Place = Pick<Cell, 'id' | 'rowLabel' | 'columnLabel'>;

function placeOf(template: Template, path: string): Place {
  const cell = findCell(template, path);
  return { id: path, rowLabel: cell?.rowLabel ?? '', columnLabel: cell?.columnLabel ?? '' };
}

/** Every cross-year finding: the figure the previous year implies (or had, for X5) against the one reported. */
function finding(code: Finding['code'], place: Place, expected: number, actual: number, message: string): Finding {
  return { code, path: place.id, rowLabel: place.rowLabel, columnLabel: place.columnLabel, expected, actual, message };
}

function x1(pair: Pair, previousYear: number): Finding[] {
  return APPLICANT_KEYS.flatMap((column) => {
    const actual = countAt(pair.report, ['applications', 'carriedOver', column]);
    const expected = countAt(pair.previous, ['applications', 'carriedForward', column]);
    if (actual === undefined || expected === undefined || actual === expected) return [];
    const place = placeOf(pair.template, `applications.carriedOver.${column}`);
    const message = `表三“二、上年结转”“${place.columnLabel}”为 ${fmt(actual)}，但 ${previousYear} 年报告“四、结转下年度继续办理”为 ${fmt(expected)}，两者应相等。`;
    return [finding('X1', place, expected, actual, message)];
  });
}

/** X2 (2021 format): 现行有效(Y) = 现行有效(Y−1) + 制发(Y) − 废止(Y). */
function x2(pair: Pair): Finding[] {
  return ['rules', 'normativeDocuments'].flatMap((row) => {
    const at = (report: unknown, column: string) => countAt(report, ['activeDisclosure', 'regulations', row, column]);
    const before = at(pair.previous, 'inForce');
    const issued = at(pair.report, 'issued');
    const repealed = at(pair.report, 'repealed');
    const actual = at(pair.report, 'inForce');
    if (before === undefined || issued === undefined || repealed === undefined || actual === undefined) return [];
    const expected = before + issued - repealed;
    if (expected === actual) return [];
    const place = placeOf(pair.template, `activeDisclosure.regulations.${row}.inForce`);
    const message = `“${place.rowLabel}”现行有效件数为 ${fmt(actual)}，按上年现行有效 ${fmt(before)} 加本年制发 ${fmt(issued)} 减本年废止 ${fmt(repealed)} 应为 ${fmt(expected)}。如有文件失效或清理，请在报告中说明。`;
    return [finding('X2', place, expected, actual, message)];
  });
}

/**
 * The 2019 format's running totals, as data: a column that must equal last year's figure plus a change.
 * X3: 上一年项目数量(Y) = 上一年项目数量(Y−1) + 本年增/减(Y−1). X4: 对外公开总数量(Y) = 对外公开总数量(Y−1) + 本年新公开数量(Y).
 */
interface RunningTotal {
  readonly code: 'X3' | 'X4';
  readonly column: string;
  /** the change, read from the row of the previous report (X3) or of this one (X4) */
  readonly change: (pair: Pair, row: readonly string[]) => number | undefined;
  readonly message: (cell: Cell, figures: { actual: number; before: number; change: number; expected: number }) => string;
}

const RUNNING_TOTALS: readonly RunningTotal[] = [
  {
    code: 'X3',
    column: 'previousYearItems',
    change: (pair, row) => signedCountAt(pair.previous, [...row, 'change']),
    message: (cell, { actual, before, change, expected }) =>
      `“${cell.rowLabel}”上一年项目数量为 ${fmt(actual)}，按上年报告（上一年项目数量 ${fmt(before)}，本年增/减 ${fmt(change)}）应为 ${fmt(expected)}。`,
  },
  {
    code: 'X4',
    column: 'totalPublished',
    change: (pair, row) => countAt(pair.report, [...row, 'newlyPublished']),
    message: (cell, { actual, before, change, expected }) =>
      `“${cell.rowLabel}”对外公开总数量为 ${fmt(actual)}，按上年总数 ${fmt(before)} 加本年新公开 ${fmt(change)} 应为 ${fmt(expected)}。`,
  },
];

function runningTotals(pair: Pair): Finding[] {
  return RUNNING_TOTALS.flatMap((rule) =>
    templateCells(pair.template)
      .filter((cell) => cell.column.keys.at(-1) === rule.column)
      .flatMap((cell) => {
        const actual = countAt(pair.report, cell.path);
        const before = countAt(pair.previous, cell.path);
        const change = rule.change(pair, cell.path.slice(0, -1));
        if (actual === undefined || before === undefined || change === undefined || before + change === actual) return [];
        const expected = before + change;
        return [finding(rule.code, cell, expected, actual, rule.message(cell, { actual, before, change, expected }))];
      }),
  );
}

/** X5: 同比突变 on the headline counts: table 三's 总计 column, table 二's counts, table 四's totals. */
function x5(pair: Pair, previousYear: number): Finding[] {
  const previousIds = new Set(templateCells(pair.previousTemplate).map((cell) => cell.id));
  return templateCells(pair.template)
    .filter((cell) => {
      if (cell.column.kind.type !== 'count' || !previousIds.has(cell.id)) return false;
      if (cell.table.id === 'applications' || cell.table.id === 'reviewsAndLitigation') return cell.column.keys.at(-1) === 'total';
      return true;
    })
    .flatMap((cell) => {
      const actual = countAt(pair.report, cell.path);
      const before = countAt(pair.previous, cell.path);
      if (actual === undefined || before === undefined || actual === 0 || before === 0) return [];
      if (Math.max(actual, before) < X5_MIN_MAGNITUDE) return [];
      if (actual <= before * X5_RATIO && actual * X5_RATIO >= before) return [];
      const ratio = actual / before;
      const message = `${cellName(cell)}由 ${previousYear} 年的 ${fmt(before)} 变为 ${fmt(actual)}（${ratio >= 1 ? `增至 ${ratio.toFixed(1)} 倍` : `降至 ${ratio.toFixed(2)} 倍`}），请确认数据无误。`;
      return [finding('X5', cell, before, actual, message)];
    });
}

const shortId = (id: string | undefined): string => (id === undefined ? '未注明机关' : id.length > 40 ? `${id.slice(0, 40)}…` : id);

/**
 * Why a report given as last year's cannot be compared with this one, or undefined when it can. A year the report
 * itself lacks is a schema error already, and says nothing here.
 */
export function previousMismatch(report: ReportView, previous: ReportView | undefined): Finding | undefined {
  const finding = (reason: string): Finding => ({
    code: 'X0',
    path: '',
    message: `${reason}，未做与上一年度的核对（上年结转、同比变化、年年雷同等）。`,
  });
  if (!previous) return finding('作为上一年度报告提供的文件不是可识别的年度报告');
  if (previous.agencyId !== report.agencyId) {
    return finding(`作为上一年度报告提供的是另一机关（${shortId(previous.agencyId)}）的报告，而本报告属于 ${shortId(report.agencyId)}`);
  }
  if (report.year === undefined || previous.year === report.year - 1) return undefined;
  const year = previous.year === undefined ? '未注明年度' : `${previous.year} 年度`;
  return {
    ...finding(`作为上一年度报告提供的是${year}的报告，本报告为 ${report.year} 年度，应提供 ${report.year - 1} 年度的报告`),
    expected: report.year - 1,
    ...(previous.year === undefined ? {} : { actual: previous.year }),
  };
}

/** Cross-year findings; none unless `previous` is the same agency's report for the year before. */
export function crossYearFindings(report: ReportView, previous: ReportView): Finding[] {
  if (report.year === undefined || previous.year !== report.year - 1 || previous.agencyId !== report.agencyId) return [];
  const pair: Pair = { template: report.template, report: report.raw, previousTemplate: previous.template, previous: previous.raw };
  const format = report.template.format;
  const sameFormat = format === previous.template.format;
  return [
    ...x1(pair, previous.year),
    ...(sameFormat && format === '2021' ? x2(pair) : []),
    ...(sameFormat && format === '2019' ? runningTotals(pair) : []),
    ...x5(pair, previous.year),
  ];
}
