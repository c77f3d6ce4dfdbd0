import * as z from 'zod';
import { templateCells, type Cell } from './cells.js';
import { MONEY_PATTERN } from './numbers.js';
import type { CellKind, Template } from './template-model.js';
import { TEMPLATES, TemplateIdSchema } from './templates/index.js';
import { TitleSchema } from './title.js';

/**
 * The report schema, derived from a template's cells. `checkReport` turns its issues into findings; adapters use
 * `parseReport` to accept only reports that fit their template.
 */

export const MAX_TEXT_CHARS = 20_000;
export const FIRST_YEAR = 2019;
export const LAST_YEAR = 2100;

/** short enough that `{agencyId}-{year}-r{round}` stays a valid Step Functions execution name */
export const AGENCY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,39}$/;
export const AgencySchema = z.strictObject({
  id: z.string().regex(AGENCY_ID_PATTERN),
  name: z.string().trim().min(1).max(100),
});
export type Agency = z.infer<typeof AgencySchema>;

export const YearSchema = z.int().min(FIRST_YEAR).max(LAST_YEAR);

/** A non-negative decimal written as text, as money is in the report JSON (never a float), of at most 15 integer digits. */
export const DECIMAL_PATTERN = MONEY_PATTERN;

export function decimalPlaces(value: string): number {
  const dot = value.indexOf('.');
  return dot === -1 ? 0 : value.length - dot - 1;
}

const TextSchema = z.string().max(MAX_TEXT_CHARS);
const TableSchema = z.record(z.string(), z.unknown());

/** What every report has, whatever its template; the tables are checked by the template's own schema. */
export const ReportEnvelopeSchema = z.object({
  template: TemplateIdSchema,
  agency: AgencySchema,
  year: YearSchema,
  /** how the title is set; a report without it is titled {name}{year}年政府信息公开工作年度报告 on one line */
  title: TitleSchema.optional(),
  /** the sentence before 一 that most reports open with (依据《…条例》…编制本报告); not a part of the template */
  preamble: TextSchema.optional(),
  overview: TextSchema,
  activeDisclosure: TableSchema,
  applications: TableSchema,
  reviewsAndLitigation: TableSchema,
  problems: TextSchema,
  otherMatters: TextSchema,
});
export type Report = z.infer<typeof ReportEnvelopeSchema>;

export const SCALE_ISSUE = 'decimal-scale';

/** The schema of one cell. */
function cellLeaf(kind: CellKind): z.ZodType {
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

function insert(shape: Shape, path: readonly string[], leaf: z.ZodType): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    shape.set(head, leaf);
    return;
  }
  let child = shape.get(head);
  if (!(child instanceof Map)) {
    child = new Map();
    shape.set(head, child);
  }
  insert(child, rest, leaf);
}

/** A check on a whole row object, as zod runs it. */
interface RowRefinement {
  readonly refine: (row: unknown, ctx: z.RefinementCtx) => void;
}

/** The unit sits beside the amount; its scale is checked on the row once the unit is known. */
function moneyRowRefinement(cell: Cell, kind: Extract<CellKind, { type: 'money' }>, unitField: string): RowRefinement {
  const amountKey = cell.column.keys.at(-1) ?? '';
  const tooPrecise = (amount: unknown, unit: unknown): { maxScale: number; unit: string } | undefined => {
    if (typeof amount !== 'string' || typeof unit !== 'string' || !Object.hasOwn(kind.units, unit)) return undefined;
    const maxScale = kind.units[unit] ?? 0;
    return DECIMAL_PATTERN.test(amount) && decimalPlaces(amount) > maxScale ? { maxScale, unit } : undefined;
  };
  return {
    refine: (row, ctx) => {
      const found = tooPrecise(Reflect.get(Object(row), amountKey), Reflect.get(Object(row), unitField));
      if (found) {
        ctx.addIssue({ code: 'custom', path: [amountKey], message: SCALE_ISSUE, params: { issue: SCALE_ISSUE, ...found } });
      }
    },
  };
}

type Refinements = Map<Shape, RowRefinement[]>;

function buildObject(shape: Shape, refinements: Refinements): z.ZodType {
  const fields: Record<string, z.ZodType> = {};
  for (const [key, child] of shape) fields[key] = child instanceof Map ? buildObject(child, refinements) : child;
  let schema: z.ZodType = z.strictObject(fields);
  for (const { refine } of refinements.get(shape) ?? []) schema = schema.superRefine(refine, { when: () => true });
  return schema;
}

function compileTemplate(template: Template): z.ZodType {
  const shape: Shape = new Map();
  const refinements: Refinements = new Map();
  const fitsYear = (year: number) => year >= template.years.from && (template.years.to === undefined || year <= template.years.to);
  shape.set('template', z.literal(template.id));
  shape.set('agency', AgencySchema);
  shape.set('year', YearSchema.refine(fitsYear, { params: { issue: 'template-year' } }));
  shape.set('title', TitleSchema.optional());
  shape.set('preamble', TextSchema.optional());
  for (const section of template.sections) if (section.type === 'text') shape.set(section.field, TextSchema);
  for (const cell of templateCells(template)) {
    insert(shape, cell.path, cellLeaf(cell.column.kind));
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

const compiled = new Map<Template, z.ZodType>();

export function templateSchema(template: Template): z.ZodType {
  let found = compiled.get(template);
  if (!found) {
    found = compileTemplate(template);
    compiled.set(template, found);
  }
  return found;
}

export class ReportInvalidError extends Error {
  override readonly name = 'ReportInvalidError';
  constructor(readonly issues: readonly z.core.$ZodIssue[]) {
    super(`report does not fit its template: ${issues.length} issue(s)`);
  }
}

/** Accepts only a report that fits its template in every cell (R1–R4 are not schema matters: see checkReport). */
export function parseReport(input: unknown): Report {
  const envelope = ReportEnvelopeSchema.safeParse(input);
  if (!envelope.success) throw new ReportInvalidError(envelope.error.issues);
  const template = TEMPLATES[envelope.data.template];
  const full = templateSchema(template).safeParse(input);
  if (!full.success) throw new ReportInvalidError(full.error.issues);
  return envelope.data;
}
