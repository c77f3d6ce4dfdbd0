import { setPath, templateCells } from './cells.js';
import type { Agency } from './schema.js';
import type { Template } from './template-model.js';

/** A report as the form and `nianbao template` start it: the template's shape, blank cells `null`. Not valid until filled. */
export type DraftReport = Record<string, unknown>;

/**
 * A report to start from: every cell blank (`null`, never 0: a cell nobody filled is R5's to report, and a 0 would
 * pass for an answer), every text empty (an error until written), and the unit set where the template fixes it or
 * offers one first, as a form cannot leave a unit blank.
 */
export function blankReport(template: Template, agency: Agency, year: number): DraftReport {
  const report: DraftReport = { template: template.id, agency: { id: agency.id, name: agency.name }, year, overview: '' };
  for (const cell of templateCells(template)) {
    setPath(report, cell.path, null);
    const kind = cell.column.kind;
    if (kind.type === 'money' && kind.unitField !== undefined) {
      setPath(report, [...cell.path.slice(0, -1), kind.unitField], Object.keys(kind.units)[0]);
    }
  }
  report['problems'] = '';
  report['otherMatters'] = '';
  return report;
}
