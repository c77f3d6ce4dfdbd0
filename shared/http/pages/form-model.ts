import type { Finding } from '../../report/findings.js';
import type { CellKind } from '../../report/template-model.js';
import { TITLE_FORMATS, TitleSchema, type Title, type TitleFormat } from '../../report/title.js';

/**
 * The report form's model, shared by the server (which renders the form) and the browser (which reads it back):
 * element ids, what a cell's input shows for a value, and what a typed value becomes in the report JSON. Pure and
 * free of the DOM, so both sides and the unit tests use the same functions.
 */

/** What an input holds: a cell's number, a money cell's unit, a text section, or the title's format. */
export type InputKind = CellKind['type'] | 'unit' | 'text' | 'title';

/** Every way the title can be set, as the form offers them: `format:lines`, the first being a report without `title`. */
export const TITLE_CHOICES: readonly Title[] = (Object.keys(TITLE_FORMATS) as TitleFormat[]).flatMap((format) => [
  { format, lines: 1 as const },
  { format, lines: 2 as const },
]);

/** The option a report's `title` selects; anything not one of ours selects the first, as it renders. */
export function titleChoiceValue(title: unknown): string {
  const parsed = TitleSchema.safeParse(title);
  return parsed.success ? `${parsed.data.format}:${parsed.data.lines ?? 1}` : 'name-year:1';
}

/** The `title` an option stands for: undefined for the first, so a report that never chose keeps no `title`. */
function parseTitleChoice(raw: string): Title | undefined {
  const [format, lines] = raw.split(':');
  const parsed = TitleSchema.safeParse({ format, lines: Number(lines) });
  if (!parsed.success || (parsed.data.format === 'name-year' && parsed.data.lines === 1)) return undefined;
  return parsed.data;
}

/** The text sections of the form (the template's three, and the optional opening sentence). */
export const TEXT_FIELDS = ['preamble', 'overview', 'problems', 'otherMatters'] as const;
export type FormTextField = (typeof TEXT_FIELDS)[number];

const isTextField = (path: string): path is FormTextField => (TEXT_FIELDS as readonly string[]).includes(path);

/** `cell-applications.outcomes.total.naturalPerson`: the id of a cell's input, the target of a finding's link. */
export const cellElementId = (path: string): string => `cell-${path}`;
/** the element that says what is wrong with a cell, linked from its input by aria-describedby */
export const messageElementId = (path: string): string => `msg-${path}`;
export const fieldElementId = (field: string): string => `field-${field}`;

/** Where a finding is fixed: the id of the input for its path, or undefined for the report as a whole. */
export function findingTargetId(path: string): string | undefined {
  if (path === '') return undefined;
  return isTextField(path) || path === 'title' ? fieldElementId(path) : cellElementId(path);
}

/** What an input shows for a stored value: numbers as digits, text as it is, anything else (null: not filled) blank. */
export function inputValue(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? value : '';
}

const FULL_WIDTH_DIGIT = /[\uFF10-\uFF19]/g;
const MINUS = /[\uFF0D\u2212\u2013\u2014]/g;
const SPACE = /[\s\u3000]+/g;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * Typing in Chinese often gives full-width digits (１２), a full-width minus or point, or a space from the IME; those
 * are the same number. Anything else is left for the checks to name.
 */
export function normalizeNumberText(raw: string): string {
  let text = raw
    .replace(FULL_WIDTH_DIGIT, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0))
    .replace(MINUS, '-')
    .replace(/[\uFF0E]/g, '.')
    .replace(/[\uFF0C]/g, ',')
    .replace(/^\uFF0B/, '+')
    .replace(SPACE, '');
  if (GROUPED.test(text)) text = text.replaceAll(',', '');
  return text;
}

/**
 * What a typed value becomes in the report. Blank is `null` (not 0: R5 reports it). A whole number becomes a number;
 * a fraction becomes a number too, so the checks say it must be whole; anything else stays text (“/”, “无”), which the
 * checks report as not filled or not a number. Money stays a decimal string, as the report keeps it.
 */
export function parseInput(kind: InputKind, raw: string): unknown {
  if (kind === 'text' || kind === 'unit') return raw;
  if (kind === 'title') return parseTitleChoice(raw);
  const text = normalizeNumberText(raw);
  if (text === '') return null;
  if (kind === 'money') return text;
  if (/^[+-]?\d+$/.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : text;
  }
  if (/^[+-]?\d*\.\d+$/.test(text)) return Number(text);
  return text;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sets the value at a path of the report in place, making the objects on the way. */
export function setAt(report: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = report;
  path.forEach((key, index) => {
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    const child = node[key];
    const next = isRecord(child) ? child : {};
    node[key] = next;
    node = next;
  });
}

/** The few words shown inside a cell for a finding there; the full message is beside them for screen readers and in the list. */
export function cellNote(finding: Finding): string {
  switch (finding.code) {
    case 'R5':
      return '未填写';
    case 'SCHEMA_NEGATIVE':
      return '不能为负数';
    case 'SCHEMA_NOT_INTEGER':
      return '应为整数';
    case 'SCHEMA_TYPE':
      return '应填写数字';
    case 'SCHEMA_DECIMAL':
      return '金额格式不正确';
    case 'SCHEMA_DECIMAL_SCALE':
      return '小数位数过多';
    case 'SCHEMA_DECIMAL_TOO_LONG':
      return '金额位数过多';
    case 'SCHEMA_UNIT':
      return '单位不正确';
    case 'X5':
      return finding.expected === undefined ? '同比变化大' : `上年为 ${finding.expected}`;
    default:
      return finding.expected === undefined ? finding.message : `应为 ${finding.expected}`;
  }
}

/** The state of the page the browser needs, carried in the form's `data-context` attribute (escaped like any attribute). */
export interface FormContext {
  /** draft: a new report, submitted with POST /api/reports; resubmit: a returned one, PUT /api/reports/{id} */
  readonly mode: 'draft' | 'resubmit';
  readonly reportId: string | null;
  readonly agency: { readonly id: string; readonly name: string };
  readonly year: number;
  readonly template: string;
  /** what the form opened with (the inputs show the same) */
  readonly report: Record<string, unknown>;
  /** last year's published report, for the cross-year warnings */
  readonly previous: unknown;
  /** the draft's revision as loaded; null before the first save */
  readonly draftRevision: number | null;
}

export const draftApiPath = (agencyId: string, year: number): string => `/api/drafts/${encodeURIComponent(agencyId)}/${year}`;
export const draftPagePath = (agencyId: string, year: number): string => `/drafts/${encodeURIComponent(agencyId)}/${year}`;
export const reportPagePath = (reportId: string): string => `/reports/${encodeURIComponent(reportId)}`;
export const editPagePath = (reportId: string): string => `/reports/${encodeURIComponent(reportId)}/edit`;
export const auditPagePath = (reportId: string): string => `/audit/reports/${encodeURIComponent(reportId)}`;
