import { blankReport, type DraftReport } from './blank.js';
import { readPath, setPath, templateCells } from './cells.js';
import { countAt, signedCountAt } from './numbers.js';
import type { Agency } from './schema.js';
import type { Template } from './template-model.js';
import { defaultTemplateForYear, findTemplate, TEMPLATES, templateFitsYear } from './templates/index.js';

/**
 * Where a new year's report starts: every cell blank (`null`, not 0 — R5 shows what is still to fill), every text
 * empty, and the numbers that are last year's by definition carried from the agency's previous published report:
 * 二、上年结转 is last year's 四、结转下年度继续办理, and (2019 format) 上一年项目数量 is last year's 上一年项目数量
 * plus its 本年增/减. Pure: the caller fetches the previous report.
 */

export type { DraftReport };

export interface Prefill {
  readonly report: DraftReport;
  /** dotted paths of the cells taken from the previous report, in template order */
  readonly prefilled: readonly string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The previous report counts only if it is the same agency's, for the year before. */
function previousOf(previous: unknown, agency: Agency, year: number): { raw: unknown; template: Template } | undefined {
  if (!isRecord(previous)) return undefined;
  const template = findTemplate(previous['template']);
  if (!template || previous['year'] !== year - 1 || readPath(previous, ['agency', 'id']) !== agency.id) return undefined;
  return { raw: previous, template };
}

export function prefillReport(template: Template, agency: Agency, year: number, previous?: unknown): Prefill {
  const report = blankReport(template, agency, year);
  const last = previousOf(previous, agency, year);
  if (!last) return { report, prefilled: [] };
  const prefilled: string[] = [];
  for (const cell of templateCells(template)) {
    const [table, row, ...rest] = cell.path;
    let value: number | undefined;
    if (table === 'applications' && row === 'carriedOver') {
      // the applicant columns are the same in every template, 2019 → 2021 included
      value = countAt(last.raw, ['applications', 'carriedForward', ...rest]);
    } else if (template.format === '2019' && last.template.format === '2019' && cell.column.keys.at(-1) === 'previousYearItems') {
      const rowPath = cell.path.slice(0, -1);
      const before = countAt(last.raw, cell.path);
      const change = signedCountAt(last.raw, [...rowPath, 'change']);
      value = before === undefined || change === undefined || before + change < 0 ? undefined : before + change;
    }
    if (value === undefined) continue;
    setPath(report, cell.path, value);
    prefilled.push(cell.id);
  }
  return { report, prefilled };
}

export interface TemplateChoice {
  /** what a new report for the year starts with */
  readonly template: Template;
  /** what the officer may choose from (the default first) */
  readonly options: readonly Template[];
}

/** Where a new report's template may come from, strongest first. */
export interface TemplatePreference {
  /** the template the agency has chosen for its reports, once agencies have such a setting */
  readonly agencySetting?: string | undefined;
  /** the template of the agency's most recent earlier report */
  readonly previous?: string | undefined;
}

/**
 * The templates an officer is offered when starting a year's report: every one that fits the year (beijing-2019 beside
 * national-2019 for 2019 and 2020, whatever last year's was), the default first. The default is the agency's setting,
 * else last year's template, else the national one for the year; a preference that does not fit the year is passed over.
 */
export function templateChoice(year: number, preference: TemplatePreference = {}): TemplateChoice {
  const fitting = (id: string | undefined): Template | undefined => {
    const template = findTemplate(id);
    return template && templateFitsYear(template, year) ? template : undefined;
  };
  const chosen = fitting(preference.agencySetting) ?? fitting(preference.previous) ?? defaultTemplateForYear(year);
  const others = Object.values(TEMPLATES).filter((template) => template !== chosen && templateFitsYear(template, year));
  return { template: chosen, options: [chosen, ...others] };
}
