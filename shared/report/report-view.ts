import { readPath } from './cells.js';
import { findTemplate } from './templates/index.js';
import type { Template } from './template-model.js';

/**
 * What the warning rules read from a report that may not fit its schema: the warnings are worth showing while the
 * officer is still fixing errors, so they read what is there and never assume the rest.
 */
export interface ReportView {
  readonly template: Template;
  readonly raw: unknown;
  readonly year: number | undefined;
  readonly agencyId: string | undefined;
  readonly overview: string;
  readonly problems: string;
  readonly otherMatters: string;
}

const text = (raw: unknown, field: string): string => {
  const value = readPath(raw, [field]);
  return typeof value === 'string' ? value : '';
};

export function viewReport(raw: unknown): ReportView | undefined {
  const template = findTemplate(readPath(raw, ['template']));
  if (!template) return undefined;
  const year = readPath(raw, ['year']);
  const agencyId = readPath(raw, ['agency', 'id']);
  return {
    template,
    raw,
    year: typeof year === 'number' && Number.isInteger(year) ? year : undefined,
    agencyId: typeof agencyId === 'string' ? agencyId : undefined,
    overview: text(raw, 'overview'),
    problems: text(raw, 'problems'),
    otherMatters: text(raw, 'otherMatters'),
  };
}
