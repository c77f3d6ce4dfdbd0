import { setPath, templateCells } from '#shared/report/cells.js';
import { gridLayout, cellPath } from '#shared/report/grid-layout.js';
import type { ApprovalStep } from '#shared/report/print/approval-sheet.js';
import { cellTextAt } from '#shared/report/render-table.js';
import { parseReport, type Report } from '#shared/report/schema.js';
import type { SignOff } from '#shared/report/sign-off.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { referenceReport, report2021 } from '../../../../support/report-builders.js';

export const SIGN_OFF: SignOff = { approvedBy: '张副主任', approvedAt: '2021-01-20T02:30:00Z', version: 3, contentSha256: '5f'.repeat(32) };

export const STEPS: ApprovalStep[] = [
  {
    stepLabel: '科室负责人初审',
    name: '王科长',
    post: '综合科科长',
    outcome: '同意',
    comment: '数据与台账一致。',
    at: '2021-01-18T01:00:00Z',
  },
  {
    stepLabel: '办公室主任审核',
    name: '李主任',
    post: '办公室主任',
    outcome: '同意',
    comment: '已做保密审查。',
    at: '2021-01-19T08:05:00Z',
    confidentialityReviewed: true,
  },
  { stepLabel: '主管领导签发', name: '张副主任', post: '副主任', outcome: '同意', comment: '同意发布。', at: '2021-01-20T02:30:00Z' },
];

/** The reference report, and the same report with a different number in every cell, so each value is findable. */
export const REFERENCE: Report = parseReport(referenceReport());

export function distinctValues(report: Report): Report {
  const copy = structuredClone(report) as unknown as Record<string, unknown>;
  templateCells(TEMPLATES[report.template]).forEach((cell, index) => {
    const kind = cell.column.kind;
    setPath(copy, cell.path, kind.type === 'money' ? `${index + 100}.25` : index + 100);
  });
  return parseReport(copy);
}

export const DISTINCT_2019 = distinctValues(REFERENCE);
export const DISTINCT_2021 = distinctValues(parseReport(report2021()));

/** Every table row as it reads left to right: the labels that start on it, then its values, whitespace removed. */
export function rowTexts(report: Report): string[] {
  const template = TEMPLATES[report.template];
  return template.sections.flatMap((section) =>
    section.type === 'tables'
      ? section.tables.flatMap((table) => {
          const layout = gridLayout(table);
          return layout.bodyRows.map((row) =>
            [
              ...row.labels.map((label) => label.label ?? ''),
              ...layout.columns.map((column) => cellTextAt(report, cellPath(table, row, column), column)),
            ]
              .join('')
              .replace(/\s+/gu, ''),
          );
        })
      : [],
  );
}

/** Every label the template prints: headings, captions, corners, column and row headers. */
export function templateLabels(report: Report): string[] {
  const template = TEMPLATES[report.template];
  return template.sections.flatMap((section) => [
    section.heading,
    ...(section.type === 'tables'
      ? section.tables.flatMap((table) => {
          const layout = gridLayout(table);
          return [
            ...(table.caption === undefined ? [] : [table.caption]),
            ...(table.corner === undefined ? [] : [table.corner]),
            ...layout.headerRows.flatMap((cells) => cells.map((cell) => cell.label)),
            ...layout.bodyRows.flatMap((row) => row.labels.flatMap((label) => (label.label === undefined ? [] : [label.label]))),
          ];
        })
      : []),
  ]);
}
