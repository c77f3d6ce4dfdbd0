import { crossYearFindings } from './cross-year.js';
import type { CheckResult, Finding } from './findings.js';
import { narrativeFindings } from './narrative-rules.js';
import { viewReport } from './report-view.js';
import { schemaFindings } from './schema-findings.js';
import { activeDisclosureRules, applicationsRules, reviewsRules } from './table-rules.js';
import { TemplateIdSchema } from './templates/index.js';

export interface CheckOptions {
  /** the same agency's report for the year before, for X1–X5 and N4 */
  readonly previous?: unknown;
}

function fail(error: Finding): CheckResult {
  return { valid: false, errors: [error], warnings: [] };
}

/**
 * Every finding for a report: errors (schema, R1–R5) block submission; warnings (X, N, A) are shown to the officer
 * and to every approver. Accepts any JSON and never throws: a half-filled draft is checked as it stands.
 */
export function checkReport(report: unknown, options: CheckOptions = {}): CheckResult {
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
    ...schemaFindings(template, report),
    ...applicationsRules(template, report),
    ...reviewsRules(template, report),
  ];
  const previous = options.previous === undefined ? undefined : viewReport(options.previous);
  const warnings = [
    ...(previous ? crossYearFindings(view, previous) : []),
    ...narrativeFindings(view, previous),
    ...activeDisclosureRules(template, report),
  ];
  return { valid: errors.length === 0, errors, warnings };
}
