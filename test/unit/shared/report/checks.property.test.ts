import { propertyRuns } from '../../../support/property-runs.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReport } from '#shared/report/checks.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import type { Template } from '#shared/report/template-model.js';
import { numberAt, referenceReport, report2021, withValue } from '../../../support/report-builders.js';
import { consistentReport, countTableCells } from '../../../support/report-arbitrary.js';

const cases: ReadonlyArray<readonly [string, Template, number]> = [
  ['national-2019', TEMPLATES['national-2019'], 2019],
  ['beijing-2019', TEMPLATES['beijing-2019'], 2020],
  ['national-2021', TEMPLATES['national-2021'], 2023],
];

const ERROR_RULES = ['R1', 'R2', 'R3', 'R4', 'R5'];

describe.each(cases)('checkReport on generated %s reports', (_id, template, year) => {
  it('passes every consistent report (R1–R5 and the schema)', () => {
    fc.assert(
      fc.property(consistentReport(template, year), (report) => {
        expect(checkReport(report).errors).toEqual([]);
      }),
      { numRuns: propertyRuns(150) },
    );
  });

  it('catches any one cell of table 三 or 四 changed by a non-zero amount, at that cell’s row or column', () => {
    const cells = countTableCells(template);
    fc.assert(
      fc.property(
        consistentReport(template, year),
        fc.constantFrom(...cells),
        fc.integer({ min: 1, max: 1_000 }),
        fc.boolean(),
        (report, cell, amount, down) => {
          const before = numberAt(report, cell.id);
          const delta = down && before >= amount ? -amount : amount;
          const changed = withValue(report, cell.id, before + delta);
          const errors = checkReport(changed).errors;
          expect(errors.length).toBeGreaterThan(0);
          expect(errors.every((finding) => ERROR_RULES.includes(finding.code))).toBe(true);
          const rowPrefix = cell.path.slice(0, -1).join('.');
          const column = cell.path.at(-1);
          const namesCell = (path: string) => path.startsWith(`${rowPrefix}.`) || path.split('.').at(-1) === column;
          // table 四's row is its group (行政复议 / 未经复议直接起诉 / 复议后起诉), whose 总计 carries the finding
          expect(errors.some((finding) => namesCell(finding.path))).toBe(true);
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });
});

describe('checkReport on arbitrary input', () => {
  it('never throws on arbitrary JSON and always answers in its shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = checkReport(input);
        expect(typeof result.valid).toBe('boolean');
        expect(result.valid).toBe(result.errors.length === 0);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('never throws when any part of a real report is replaced by arbitrary JSON, and explains every finding', () => {
    const paths = [
      'template',
      'year',
      'agency',
      'agency.name',
      'overview',
      'activeDisclosure',
      'activeDisclosure.regulations.rules',
      'applications',
      'applications.outcomes',
      'applications.outcomes.withheld.stateSecret.total',
      'reviewsAndLitigation.reconsideration',
      'problems',
      'otherMatters',
    ];
    fc.assert(
      fc.property(fc.constantFrom(referenceReport, report2021), fc.constantFrom(...paths), fc.jsonValue(), (fixture, path, value) => {
        const result = checkReport(withValue(fixture(), path, value), { previous: fixture() });
        expect(result.valid).toBe(result.errors.length === 0);
        for (const finding of [...result.errors, ...result.warnings]) expect(finding.message.length).toBeGreaterThan(0);
      }),
      { numRuns: propertyRuns(500) },
    );
  });
});
