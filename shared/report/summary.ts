import { readPath, setPath, templateCells, type Cell } from './cells.js';
import { checkReport } from './checks.js';
import { addDecimals, convertUnit, formatDecimal, parseDecimal, type Decimal } from './decimal.js';
import type { CheckResult } from './findings.js';
import { signedCountAt, sumOf } from './numbers.js';
import type { Agency } from './schema.js';
import type { CellKind, Template } from './template-model.js';

/**
 * A district's 汇总: its departments' published reports of one year and one format, added up cell by cell into a
 * report of the same shape, which the same rules then check. Sums preserve every equality of R1–R4, so a summary
 * that breaks one points at an input that did. A cell blank in any input stays blank (R5 then says so): a blank is
 * never read as 0. Money is added exactly, in the unit of the format that allows the most decimal places.
 */

export interface SummaryRequest {
  readonly template: Template;
  readonly year: number;
  /** who the summary speaks for: the district, e.g. `{ id: 'daxing', name: '北京市大兴区' }` */
  readonly summaryOf: Agency;
  /** the included reports, each already of `template` and `year` */
  readonly reports: readonly { readonly agency: Agency; readonly report: unknown }[];
}

export interface Summary {
  readonly report: Record<string, unknown>;
  readonly checks: CheckResult;
}

type MoneyKind = Extract<CellKind, { type: 'money' }>;

/** The unit a summary states money in: the one the format allows the most decimal places in, so no sum is rounded. */
export function summaryUnit(kind: MoneyKind): string {
  const [first, ...rest] = Object.entries(kind.units);
  if (first === undefined) throw new Error('a money column without units');
  return rest.reduce((best, entry) => (entry[1] > best[1] ? entry : best), first)[0];
}

function unitOf(report: unknown, cell: Cell, kind: MoneyKind): string | undefined {
  if (kind.unitField === undefined) return Object.keys(kind.units)[0];
  const unit = readPath(report, [...cell.path.slice(0, -1), kind.unitField]);
  return typeof unit === 'string' && Object.hasOwn(kind.units, unit) ? unit : undefined;
}

function sumMoney(reports: readonly unknown[], cell: Cell, kind: MoneyKind): string | undefined {
  const target = summaryUnit(kind);
  let total: Decimal = { units: 0n, scale: 0 };
  for (const report of reports) {
    const amount = readPath(report, cell.path);
    const unit = unitOf(report, cell, kind);
    const parsed = typeof amount === 'string' ? parseDecimal(amount) : undefined;
    const converted = parsed && unit !== undefined ? convertUnit(parsed, unit, target) : undefined;
    if (converted === undefined) return undefined;
    total = addDecimals(total, converted);
  }
  return formatDecimal(total);
}

function overview(request: SummaryRequest): string {
  const names = request.reports.map((entry) => entry.agency.name).join('、');
  return `本报告由${request.summaryOf.name}${request.reports.length}个单位已发布的${request.year}年政府信息公开工作年度报告逐项汇总生成，包括：${names}。`;
}

export function summarizeReports(request: SummaryRequest): Summary {
  const { template } = request;
  const inputs = request.reports.map((entry) => entry.report);
  const report: Record<string, unknown> = {
    template: template.id,
    agency: { id: request.summaryOf.id, name: request.summaryOf.name },
    year: request.year,
    overview: overview(request),
  };
  for (const cell of templateCells(template)) {
    const kind = cell.column.kind;
    if (kind.type === 'money') {
      const total = sumMoney(inputs, cell, kind);
      if (total !== undefined) setPath(report, cell.path, total);
      if (kind.unitField !== undefined) setPath(report, [...cell.path.slice(0, -1), kind.unitField], summaryUnit(kind));
      continue;
    }
    const total = sumOf(inputs.map((input) => signedCountAt(input, cell.path)));
    if (total !== undefined) setPath(report, cell.path, total);
  }
  report['problems'] = '本项为汇总报告，各单位存在的主要问题及改进情况见其年度报告。';
  report['otherMatters'] = '本项为汇总报告，各单位其他需要报告的事项见其年度报告。';
  return { report, checks: checkReport(report) };
}
