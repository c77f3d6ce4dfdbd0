import { setPath, templateCells } from './cells.js';
import { ReportEnvelopeSchema, type Agency, type Report } from './schema.js';
import type { CellKind, Template } from './template-model.js';

/** A report to start from: every cell 0 (money "0" in the template's first unit), every text empty. */

function zero(kind: CellKind): number | string {
  return kind.type === 'money' ? '0' : 0;
}

export function blankReport(template: Template, agency: Agency, year: number): Report {
  const report: Record<string, unknown> = {
    template: template.id,
    agency: { id: agency.id, name: agency.name },
    year,
    overview: '',
  };
  for (const cell of templateCells(template)) {
    setPath(report, cell.path, zero(cell.column.kind));
    const kind = cell.column.kind;
    if (kind.type === 'money' && kind.unitField !== undefined) {
      setPath(report, [...cell.path.slice(0, -1), kind.unitField], Object.keys(kind.units)[0]);
    }
  }
  report['problems'] = '';
  report['otherMatters'] = '';
  return ReportEnvelopeSchema.parse(report);
}
