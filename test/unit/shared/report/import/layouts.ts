import { readPath } from '#shared/report/cells.js';
import { cellPath, gridLayout } from '#shared/report/grid-layout.js';
import { reportTitle } from '#shared/report/render.js';
import type { Report } from '#shared/report/schema.js';
import { TEMPLATES } from '#shared/report/templates/index.js';

/**
 * A report laid out as people copy published reports out of a browser or a Word file: the title, the parts with their
 * headings, and the tables either a cell per line or a row per line with tabs. Labels come from the template, values
 * from the report, written as a page would show them.
 */

export type TextLayout = 'cell-per-line' | 'tab-rows';

function valueText(report: Report, path: readonly string[]): string {
  const value = readPath(report, path);
  return typeof value === 'number' || typeof value === 'string' ? String(value) : '';
}

function tableRows(report: Report): Map<string, string[][]> {
  const template = TEMPLATES[report.template];
  const rows = new Map<string, string[][]>();
  for (const section of template.sections) {
    if (section.type !== 'tables') continue;
    const lines: string[][] = [];
    for (const table of section.tables) {
      const layout = gridLayout(table);
      if (table.caption !== undefined) lines.push([table.caption]);
      layout.headerRows.forEach((cells, level) => {
        lines.push([...(level === 0 && layout.labelColumns > 0 ? [table.corner ?? ''] : []), ...cells.map((cell) => cell.label)]);
      });
      for (const row of layout.bodyRows) {
        lines.push([
          ...row.labels.map((label) => label.label ?? ''),
          ...layout.columns.map((column) => valueText(report, cellPath(table, row, column))),
        ]);
      }
    }
    rows.set(section.field, lines);
  }
  return rows;
}

export function reportAsText(report: Report, layout: TextLayout): string {
  const template = TEMPLATES[report.template];
  const tables = tableRows(report);
  const out: string[] = [report.agency.name, '', reportTitle(report).slice(report.agency.name.length), ''];
  if (report.preamble !== undefined) out.push(report.preamble);
  for (const section of template.sections) {
    out.push(section.heading);
    if (section.type === 'text') {
      out.push(report[section.field], '');
      continue;
    }
    for (const row of tables.get(section.field) ?? []) {
      if (layout === 'tab-rows') out.push(row.join('\t'));
      else out.push(...row);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
