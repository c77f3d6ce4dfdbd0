import * as z from 'zod';
import { templateCells, type Cell } from './cells.js';
import { MONEY_PATTERN } from './numbers.js';
import type { CellKind, Template } from './template-model.js';
import { TEMPLATES, TemplateIdSchema } from './templates/index.js';

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

/**
 * A leaf of the template schema, and a predicate that is true only of values the leaf accepts. The predicates make
 * `surelyFitsTemplate`: a report whose every field is well formed (every report the form and the CLI produce) is
 * known to fit without running zod, which is most of the time spent checking one.
 */
interface Leaf {
  readonly schema: z.ZodType;
  /** true ⇒ `schema` accepts the value; false says nothing (the schema decides, and explains) */
  readonly accepts: (value: unknown) => boolean;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isSafeInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
/** `max(n)` counts code points, of which a string has at most as many as UTF-16 units */
const isText = (value: unknown): value is string => isString(value) && value.length <= MAX_TEXT_CHARS;

const TEXT: Leaf = { schema: TextSchema, accepts: isText };

function cellLeaf(kind: CellKind): Leaf {
  switch (kind.type) {
    case 'count':
      return { schema: z.int().min(0), accepts: (value) => isSafeInteger(value) && value >= 0 };
    case 'signedCount':
      return { schema: z.int(), accepts: isSafeInteger };
    case 'money': {
      const units = Object.values(kind.units);
      const decimal = z.string().regex(DECIMAL_PATTERN);
      const only = units.length === 1 ? units[0] : undefined;
      return kind.unitField === undefined && only !== undefined
        ? {
            schema: decimal.refine((value) => decimalPlaces(value) <= only, { params: { issue: SCALE_ISSUE, maxScale: only } }),
            accepts: (value) => isString(value) && DECIMAL_PATTERN.test(value) && decimalPlaces(value) <= only,
          }
        : { schema: decimal, accepts: (value) => isString(value) && DECIMAL_PATTERN.test(value) };
    }
  }
}

type Shape = Map<string, Shape | Leaf>;

function insert(shape: Shape, path: readonly string[], leaf: Leaf): void {
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

/** A check on a whole row object, as zod runs it, and a predicate true only of rows it adds no issue to. */
interface RowRefinement {
  readonly refine: (row: unknown, ctx: z.RefinementCtx) => void;
  readonly accepts: (row: object) => boolean;
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
    accepts: (row) => tooPrecise(Reflect.get(row, amountKey), Reflect.get(row, unitField)) === undefined,
  };
}

type Refinements = Map<Shape, RowRefinement[]>;

function buildObject(shape: Shape, refinements: Refinements): z.ZodType {
  const fields: Record<string, z.ZodType> = {};
  for (const [key, child] of shape) fields[key] = child instanceof Map ? buildObject(child, refinements) : child.schema;
  let schema: z.ZodType = z.strictObject(fields);
  for (const { refine } of refinements.get(shape) ?? []) schema = schema.superRefine(refine, { when: () => true });
  return schema;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The predicate of a strict object, stricter than zod in every respect it checks: a plain object (zod's test) whose
 * enumerable keys, own or inherited (zod's `for…in`), are all declared; whose every required key is its own and
 * accepted; whose optional keys are either its own and accepted or nowhere on it; and whose row checks pass.
 */
function objectAccepts(shape: Shape, refinements: Refinements, optional: ReadonlySet<string>): (value: unknown) => boolean {
  const declared = new Set(shape.keys());
  const fields = [...shape].map(([key, child]) => ({
    key,
    optional: optional.has(key),
    accepts: child instanceof Map ? objectAccepts(child, refinements, new Set()) : child.accepts,
  }));
  const rows = (refinements.get(shape) ?? []).map(({ accepts }) => accepts);
  return (value) => {
    if (!isRecord(value)) return false;
    for (const key in value) if (!declared.has(key)) return false;
    for (const field of fields) {
      if (Object.hasOwn(value, field.key)) {
        if (!field.accepts(value[field.key])) return false;
      } else if (!field.optional || field.key in value) return false;
    }
    for (const accepts of rows) if (!accepts(value)) return false;
    return true;
  };
}

const agencyAccepts = (value: unknown): boolean => {
  if (!isRecord(value)) return false;
  for (const key in value) if (key !== 'id' && key !== 'name') return false;
  if (!Object.hasOwn(value, 'id') || !Object.hasOwn(value, 'name')) return false;
  const { id, name } = value;
  if (!isString(id) || !AGENCY_ID_PATTERN.test(id) || !isString(name)) return false;
  const trimmed = name.trim();
  return trimmed.length >= 1 && trimmed.length <= 100;
};

interface CompiledTemplate {
  readonly schema: z.ZodType;
  readonly accepts: (value: unknown) => boolean;
}

function compileTemplate(template: Template): CompiledTemplate {
  const shape: Shape = new Map();
  const refinements: Refinements = new Map();
  const fitsYear = (year: number) => year >= template.years.from && (template.years.to === undefined || year <= template.years.to);
  shape.set('template', { schema: z.literal(template.id), accepts: (value) => value === template.id });
  shape.set('agency', { schema: AgencySchema, accepts: agencyAccepts });
  shape.set('year', {
    schema: YearSchema.refine(fitsYear, { params: { issue: 'template-year' } }),
    accepts: (value) => isSafeInteger(value) && value >= FIRST_YEAR && value <= LAST_YEAR && fitsYear(value),
  });
  shape.set('preamble', { schema: TextSchema.optional(), accepts: (value) => value === undefined || isText(value) });
  for (const section of template.sections) if (section.type === 'text') shape.set(section.field, TEXT);
  for (const cell of templateCells(template)) {
    insert(shape, cell.path, cellLeaf(cell.column.kind));
    const kind = cell.column.kind;
    if (kind.type === 'money' && kind.unitField !== undefined) {
      const units = Object.keys(kind.units);
      const unitSet = new Set<unknown>(units);
      const rowPath = cell.path.slice(0, -1);
      insert(shape, [...rowPath, kind.unitField], { schema: z.enum(units as [string, ...string[]]), accepts: (value) => unitSet.has(value) });
      let row: Shape | Leaf | undefined = shape;
      for (const key of rowPath) row = row instanceof Map ? row.get(key) : undefined;
      if (row instanceof Map) refinements.set(row, [...(refinements.get(row) ?? []), moneyRowRefinement(cell, kind, kind.unitField)]);
    }
  }
  return { schema: buildObject(shape, refinements), accepts: objectAccepts(shape, refinements, new Set(['preamble'])) };
}

const compiled = new Map<Template, CompiledTemplate>();

function compiledTemplate(template: Template): CompiledTemplate {
  let found = compiled.get(template);
  if (!found) {
    found = compileTemplate(template);
    compiled.set(template, found);
  }
  return found;
}

export function templateSchema(template: Template): z.ZodType {
  return compiledTemplate(template).schema;
}

/**
 * True only if `templateSchema(template)` accepts the input; false means "not known", and the schema has to be run
 * (it also says what is wrong). Every predicate above is at least as strict as its zod schema, so this never says yes
 * to input the schema would refuse; a property test holds it to that over random and broken reports.
 */
export function surelyFitsTemplate(template: Template, input: unknown): boolean {
  return compiledTemplate(template).accepts(input);
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
  if (surelyFitsTemplate(template, input)) return envelope.data;
  const full = templateSchema(template).safeParse(input);
  if (!full.success) throw new ReportInvalidError(full.error.issues);
  return envelope.data;
}
