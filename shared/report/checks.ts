import { crossYearFindings, previousMismatch } from './cross-year.js';
import type { CheckResult, Finding } from './findings.js';
import { narrativeFindings } from './narrative-rules.js';
import { viewReport } from './report-view.js';
import { ReportEnvelopeSchema, parseReport, type Report } from './schema.js';
import { checkSchema, describe } from './schema-findings.js';
import { activeDisclosureRules, applicationsRules, reviewsRules } from './table-rules.js';
import { TemplateIdSchema } from './templates/index.js';
import { textRules } from './text-rules.js';

export interface CheckOptions {
  /** the same agency's report for the year before, for X1–X5 and N4; anything else is an X0 warning */
  readonly previous?: unknown;
}

function fail(error: Finding): CheckResult {
  return { valid: false, errors: [error], warnings: [] };
}

/** A check's findings, and whether the report fits its template's schema (`undefined`: no template to fit). */
interface Checked {
  readonly result: CheckResult;
  readonly fits: boolean | undefined;
}

function check(report: unknown, options: CheckOptions): Checked {
  if (typeof report !== 'object' || report === null || Array.isArray(report)) {
    return { result: fail({ code: 'SCHEMA_NOT_OBJECT', path: '', message: '报告应为一个 JSON 对象。' }), fits: undefined };
  }
  const view = viewReport(report);
  if (!view) {
    const known = TemplateIdSchema.options.join('、');
    const result = fail({
      code: 'SCHEMA_TEMPLATE_UNKNOWN',
      path: 'template',
      // quoted as data: String() would call a `toString` the input itself may define (as a key)
      message: `未知的报告模板 ${describe(Reflect.get(report, 'template'))}。可用的模板：${known}。`,
    });
    return { result, fits: undefined };
  }
  const { template } = view;
  const schema = checkSchema(template, report);
  const errors = [...schema.findings, ...textRules(view), ...applicationsRules(template, report), ...reviewsRules(template, report)];
  const given = options.previous === undefined ? undefined : viewReport(options.previous);
  // a previous report that is not this agency's year before is said to be so, and compared with nothing
  const mismatch = options.previous === undefined ? undefined : previousMismatch(view, given);
  const previous = mismatch ? undefined : given;
  const warnings = [
    ...(mismatch ? [mismatch] : []),
    ...(previous ? crossYearFindings(view, previous) : []),
    ...narrativeFindings(view, previous),
    ...activeDisclosureRules(template, report),
  ];
  return { result: { valid: errors.length === 0, errors, warnings }, fits: schema.fits };
}

/**
 * Every finding for a report: errors (schema, empty text parts, R1–R5) block submission; warnings (X, N, A) are shown to the officer
 * and to every approver. Accepts any JSON and never throws: a half-filled draft is checked as it stands.
 */
export function checkReport(report: unknown, options: CheckOptions = {}): CheckResult {
  return check(report, options).result;
}

export interface CheckedReport {
  /** what `checkReport` gives for the input */
  readonly result: CheckResult;
  /** what `parseReport` gives for the input, when it would not throw (it may even when `result` is not valid: R1–R4 are no schema matters) */
  readonly report?: Report;
}

function parsed(input: unknown): Report | undefined {
  try {
    return parseReport(input);
  } catch {
    return undefined;
  }
}

/**
 * `checkReport` and `parseReport` in one go, as a submission needs both: the template schema runs once, where the
 * two calls would run it twice.
 */
export function checkAndParseReport(input: unknown, options: CheckOptions = {}): CheckedReport {
  const { result, fits } = check(input, options);
  // no template could be read: a rare input, for which parseReport itself says whether it can make a report of it
  if (fits === undefined) {
    const report = parsed(input);
    return report === undefined ? { result } : { result, report };
  }
  if (!fits) return { result };
  // The input fits its template's schema, which is stricter than the envelope in every field; parseReport would
  // give the envelope's parse, so that is the report.
  const envelope = ReportEnvelopeSchema.safeParse(input);
  return envelope.success ? { result, report: envelope.data } : { result };
}
