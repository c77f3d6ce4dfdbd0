/**
 * The checks as they were before the fast paths (commit bd2f263), frozen as the oracle the property tests in
 * check-and-parse.property.test.ts hold `checkReport`, `checkAndParseReport` and `parseReport` to. Only what the fast
 * paths rewrote is copied here (the template schema's construction, R1–R4, N3 and the composition); everything they
 * left alone is imported. Delete this file, and those comparisons, once the change is trusted: the tests that compare
 * against production's own slow paths (`checkSchemaThroughZod`, `renderReportHtmlReference`) stay.
 */
import * as z from 'zod';
import { gridTables, leafColumns, leafRows, readPath, templateCells, type Cell, type LeafColumn, type LeafRow } from '#shared/report/cells.js';
import type { CheckOptions } from '#shared/report/checks.js';
import { crossYearFindings } from '#shared/report/cross-year.js';
import type { CheckResult, Finding } from '#shared/report/findings.js';
import { countChars, narrativeFindings } from '#shared/report/narrative-rules.js';
import { countAt, fmt, sumOf } from '#shared/report/numbers.js';
import { viewReport, type ReportView } from '#shared/report/report-view.js';
import {
  AgencySchema,
  DECIMAL_PATTERN,
  decimalPlaces,
  MAX_TEXT_CHARS,
  ReportEnvelopeSchema,
  ReportInvalidError,
  SCALE_ISSUE,
  YearSchema,
  type Report,
} from '#shared/report/schema.js';
import { issueFindings } from '#shared/report/schema-findings.js';
import { activeDisclosureRules } from '#shared/report/table-rules.js';
import type { CellKind, GridTable, Template } from '#shared/report/template-model.js';
import { TEMPLATES, TemplateIdSchema } from '#shared/report/templates/index.js';

const TextSchema = z.string().max(MAX_TEXT_CHARS);

// ---------------------------------------------------------------------------------------------------------------
// schema.ts before


function cellSchema(kind: CellKind): z.ZodType {
  switch (kind.type) {
    case 'count':
      return z.int().min(0);
    case 'signedCount':
      return z.int();
    case 'money': {
      const units = Object.values(kind.units);
      const decimal = z.string().regex(DECIMAL_PATTERN);
      const only = units.length === 1 ? units[0] : undefined;
      return kind.unitField === undefined && only !== undefined
        ? decimal.refine((value) => decimalPlaces(value) <= only, { params: { issue: SCALE_ISSUE, maxScale: only } })
        : decimal;
    }
  }
}

type Shape = Map<string, Shape | z.ZodType>;

function insert(shape: Shape, path: readonly string[], schema: z.ZodType): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    shape.set(head, schema);
    return;
  }
  let child = shape.get(head);
  if (!(child instanceof Map)) {
    child = new Map();
    shape.set(head, child);
  }
  insert(child, rest, schema);
}

/** The unit sits beside the amount; its scale is checked on the row once the unit is known. */
function moneyRowRefinement(cell: Cell, kind: Extract<CellKind, { type: 'money' }>, unitField: string) {
  const amountKey = cell.column.keys.at(-1) ?? '';
  return (row: unknown, ctx: z.RefinementCtx) => {
    const amount: unknown = Reflect.get(Object(row), amountKey);
    const unit: unknown = Reflect.get(Object(row), unitField);
    if (typeof amount !== 'string' || typeof unit !== 'string' || !Object.hasOwn(kind.units, unit)) return;
    const maxScale = kind.units[unit] ?? 0;
    if (DECIMAL_PATTERN.test(amount) && decimalPlaces(amount) > maxScale) {
      ctx.addIssue({ code: 'custom', path: [amountKey], message: SCALE_ISSUE, params: { issue: SCALE_ISSUE, maxScale, unit } });
    }
  };
}

function buildObject(shape: Shape, refinements: Map<Shape, Array<(row: unknown, ctx: z.RefinementCtx) => void>>): z.ZodType {
  const fields: Record<string, z.ZodType> = {};
  for (const [key, child] of shape) fields[key] = child instanceof Map ? buildObject(child, refinements) : child;
  let schema: z.ZodType = z.strictObject(fields);
  for (const refine of refinements.get(shape) ?? []) schema = schema.superRefine(refine, { when: () => true });
  return schema;
}

function buildTemplateSchema(template: Template): z.ZodType {
  const shape: Shape = new Map();
  const refinements = new Map<Shape, Array<(row: unknown, ctx: z.RefinementCtx) => void>>();
  shape.set('template', z.literal(template.id));
  shape.set('agency', AgencySchema);
  shape.set(
    'year',
    YearSchema.refine((year) => year >= template.years.from && (template.years.to === undefined || year <= template.years.to), {
      params: { issue: 'template-year' },
    }),
  );
  shape.set('preamble', TextSchema.optional());
  for (const section of template.sections) if (section.type === 'text') shape.set(section.field, TextSchema);
  for (const cell of templateCells(template)) {
    insert(shape, cell.path, cellSchema(cell.column.kind));
    const kind = cell.column.kind;
    if (kind.type === 'money' && kind.unitField !== undefined) {
      const units = Object.keys(kind.units);
      const rowPath = cell.path.slice(0, -1);
      insert(shape, [...rowPath, kind.unitField], z.enum(units as [string, ...string[]]));
      let row: Shape | z.ZodType | undefined = shape;
      for (const key of rowPath) row = row instanceof Map ? row.get(key) : undefined;
      if (row instanceof Map) refinements.set(row, [...(refinements.get(row) ?? []), moneyRowRefinement(cell, kind, kind.unitField)]);
    }
  }
  return buildObject(shape, refinements);
}

const schemaCache = new Map<Template, z.ZodType>();

function templateSchema(template: Template): z.ZodType {
  let schema = schemaCache.get(template);
  if (!schema) {
    schema = buildTemplateSchema(template);
    schemaCache.set(template, schema);
  }
  return schema;
}

/** parseReport before: the envelope, then the whole template schema, every time. */
export function parseReportBefore(input: unknown): Report {
  const envelope = ReportEnvelopeSchema.safeParse(input);
  if (!envelope.success) throw new ReportInvalidError(envelope.error.issues);
  const full = templateSchema(TEMPLATES[envelope.data.template]).safeParse(input);
  if (!full.success) throw new ReportInvalidError(full.error.issues);
  return envelope.data;
}

/** The template schema as it was built before (the oracle for `surelyFitsTemplate` and `templateSchema`). */
export const templateSchemaBefore = templateSchema;

function schemaFindingsBefore(template: Template, report: unknown): Finding[] {
  const result = templateSchema(template).safeParse(report);
  return result.success ? [] : issueFindings(template, report, result.error.issues);
}

// ---------------------------------------------------------------------------------------------------------------
// table-rules.ts before

const TOTAL = 'total';
const label = (row: LeafRow): string => row.labels.join(' ');
const table = (template: Template, id: string): GridTable | undefined => gridTables(template).find((candidate) => candidate.id === id);
const leaves = (grid: GridTable): { readonly rows: readonly LeafRow[]; readonly columns: readonly LeafColumn[] } => ({
  rows: leafRows(grid.rows),
  columns: leafColumns(grid.columns),
});


function applicationsRules(template: Template, report: unknown): Finding[] {
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
        message: `表三“${label(row)}”行：自然人与法人或其他组织各列之和为 ${fmt(expected)}，但“总计”填写为 ${fmt(actual)}。请改正总计或核对各列。`,
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
        message: `表三“${columnLabel}”列：三、本年度办理结果（一）至（六）各项之和为 ${fmt(detail)}，但（七）总计填写为 ${fmt(total)}。请核对各项或改正总计。`,
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
            `表三“${columnLabel}”列不平衡：一（本年新收 ${fmt(received)}）加二（上年结转 ${fmt(carriedOver)}）为 ${fmt(incoming)}，` +
            `三（七）总计 ${fmt(total)} 加四（结转下年度 ${fmt(carriedForward)}）为 ${fmt(outgoing)}，两者应相等。` +
            (incoming - total >= 0 ? `若总计无误，结转下年度应为 ${fmt(incoming - total)}。` : '请核对新收、结转和办理结果。'),
        });
      }
    }
  }
  return findings;
}

function reviewsRules(template: Template, report: unknown): Finding[] {
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
        message: `表四“${groupLabel}”：结果维持、结果纠正、其他结果、尚未审结之和为 ${fmt(expected)}，但“总计”填写为 ${fmt(actual)}。`,
      });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// narrative-rules.ts before: N3 counted the text before it looked at the limit

function n3Before(view: ReportView): Finding[] {
  const section = view.template.sections.find((candidate) => candidate.type === 'text' && candidate.field === 'overview');
  const limit = section?.type === 'text' ? section.advisoryMaxChars : undefined;
  const length = countChars(view.overview);
  if (limit === undefined || length <= limit) return [];
  return [
    {
      code: 'N3',
      path: 'overview',
      expected: limit,
      actual: length,
      message: `一、总体情况共 ${fmt(length)} 字，格式要求篇幅原则上不超过 ${fmt(limit)} 字，请精简。`,
    },
  ];
}

/** narrativeFindings was n1, n2, n3, n4 in that order; only n3 changed, so the others are taken from today's. */
function narrativeFindingsBefore(view: ReportView, previous: ReportView | undefined): Finding[] {
  const today = narrativeFindings(view, previous);
  const before = (code: string) => today.filter((finding) => finding.code === code);
  return [...before('N1'), ...before('N2'), ...n3Before(view), ...before('N4')];
}

// ---------------------------------------------------------------------------------------------------------------
// checks.ts before

function fail(error: Finding): CheckResult {
  return { valid: false, errors: [error], warnings: [] };
}

export function checkReportBefore(report: unknown, options: CheckOptions = {}): CheckResult {
  if (typeof report !== 'object' || report === null || Array.isArray(report)) {
    return fail({ code: 'SCHEMA_NOT_OBJECT', path: '', message: '报告应为一个 JSON 对象。' });
  }
  const view = viewReport(report);
  if (!view) {
    const known = TemplateIdSchema.options.join('、');
    return fail({
      code: 'SCHEMA_TEMPLATE_UNKNOWN',
      path: 'template',
      message: `未知的报告模板“${String(Reflect.get(report, 'template'))}”。可用的模板：${known}。`,
    });
  }
  const { template } = view;
  const errors = [
    ...schemaFindingsBefore(template, report),
    ...applicationsRules(template, report),
    ...reviewsRules(template, report),
  ];
  const previous = options.previous === undefined ? undefined : viewReport(options.previous);
  const warnings = [
    ...(previous ? crossYearFindings(view, previous) : []),
    ...narrativeFindingsBefore(view, previous),
    ...activeDisclosureRules(template, report),
  ];
  return { valid: errors.length === 0, errors, warnings };
}
