import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPath, templateCells } from '#shared/report/cells.js';
import { summarizeReports, summaryUnit } from '#shared/report/summary.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import type { Template } from '#shared/report/template-model.js';
import { consistentReport } from '../../../support/report-arbitrary.js';
import { referenceReport, report2021, withValue } from '../../../support/report-builders.js';
import { propertyRuns } from '../../../support/property-runs.js';

const DISTRICT = { id: 'daxing', name: '北京市大兴区' };
const agency = (n: number) => ({ id: `agency-${n}`, name: `第${n}单位` });

function summary(template: Template, year: number, reports: readonly unknown[]) {
  return summarizeReports({ template, year, summaryOf: DISTRICT, reports: reports.map((report, n) => ({ agency: agency(n), report })) });
}

describe('the 汇总 of a district', () => {
  it('adds every count cell of every table, for each format (property)', () => {
    for (const template of Object.values(TEMPLATES)) {
      const year = template.years.from;
      fc.assert(
        fc.property(fc.array(consistentReport(template, year), { minLength: 1, maxLength: 4 }), (reports) => {
          const { report } = summary(template, year, reports);
          for (const cell of templateCells(template)) {
            if (cell.column.kind.type === 'money') continue;
            const expected = reports.reduce((sum, input) => sum + Number(readPath(input, cell.path)), 0);
            expect(readPath(report, cell.path), `${template.id} ${cell.id}`).toBe(expected);
          }
        }),
        { numRuns: propertyRuns(40) },
      );
    }
  });

  it('keeps R1–R4 true when every input keeps them, so its table errors point at an input (property)', () => {
    for (const template of Object.values(TEMPLATES)) {
      const year = template.years.from;
      fc.assert(
        fc.property(fc.array(consistentReport(template, year), { minLength: 1, maxLength: 4 }), (reports) => {
          const { checks } = summary(template, year, reports);
          expect(checks.errors.filter((finding) => /^R[1-4]$/.test(finding.code))).toEqual([]);
        }),
        { numRuns: propertyRuns(40) },
      );
    }
  });

  it('adds money exactly, converting 元 to 万元 where the format lets each report choose', () => {
    const template = TEMPLATES['national-2019'];
    const a = withValue(
      withValue(report2019(template), 'activeDisclosure.procurement.centralizedProcurement.amount', '75394432.52'),
      'activeDisclosure.procurement.centralizedProcurement.unit',
      '元',
    );
    const b = withValue(
      withValue(report2019(template), 'activeDisclosure.procurement.centralizedProcurement.amount', '0.000001'),
      'activeDisclosure.procurement.centralizedProcurement.unit',
      '万元',
    );
    const { report } = summary(template, 2020, [a, b]);
    expect(readPath(report, ['activeDisclosure', 'procurement', 'centralizedProcurement', 'amount'])).toBe('7539.443253');
    expect(readPath(report, ['activeDisclosure', 'procurement', 'centralizedProcurement', 'unit'])).toBe('万元');
  });

  it('adds the Beijing variant in 万元 with four places and the 2021 fees in 万元, exactly', () => {
    const beijing = referenceReport();
    const path = ['activeDisclosure', 'procurement', 'centralizedProcurement', 'amount'];
    const amount = String(readPath(beijing, path));
    const { report } = summary(TEMPLATES['beijing-2019'], 2020, [beijing, withValue(beijing, path.join('.'), '0.0001')]);
    expect(readPath(report, path)).toBe(addText(amount, '0.0001'));
    const fees = ['activeDisclosure', 'fees', 'administrativeFees', 'amount'];
    const r2021 = report2021();
    const twice = summary(TEMPLATES['national-2021'], 2021, [
      withValue(r2021, fees.join('.'), '0.1'),
      withValue(r2021, fees.join('.'), '0.2'),
    ]);
    expect(readPath(twice.report, fees)).toBe('0.3');
  });

  it('leaves a cell blank when any input left it blank, and says so with R5', () => {
    const r2021 = report2021();
    const blank = withValue(r2021, 'applications.newlyReceived.naturalPerson', null);
    const { report, checks } = summary(TEMPLATES['national-2021'], 2021, [r2021, blank]);
    expect(readPath(report, ['applications', 'newlyReceived', 'naturalPerson'])).toBeUndefined();
    expect(checks.errors.some((finding) => finding.code === 'R5' && finding.path === 'applications.newlyReceived.naturalPerson')).toBe(
      true,
    );
  });

  it('names the district and the units it adds up, in the report’s own shape', () => {
    const { report } = summary(TEMPLATES['national-2021'], 2021, [report2021(), report2021()]);
    expect(report['agency']).toEqual(DISTRICT);
    expect(report['template']).toBe('national-2021');
    expect(report['year']).toBe(2021);
    expect(String(report['overview'])).toContain('第0单位、第1单位');
  });

  it('states money in the unit that allows the most decimal places', () => {
    expect(summaryUnit({ type: 'money', units: { 元: 2, 万元: 6 }, unitField: 'unit' })).toBe('万元');
    expect(summaryUnit({ type: 'money', units: { 万元: 4 } })).toBe('万元');
  });
});

function report2019(template: Template): Record<string, unknown> {
  return fc.sample(consistentReport(template, 2020), { numRuns: 1, seed: 7 })[0] ?? {};
}

function addText(a: string, b: string): string {
  const scale = 4;
  const units = (text: string) =>
    BigInt(text.includes('.') ? text.replace('.', '').padEnd(text.indexOf('.') + scale, '0') : `${text}${'0'.repeat(scale)}`);
  const sum = (units(a) + units(b)).toString().padStart(scale + 1, '0');
  return `${sum.slice(0, -scale)}.${sum.slice(-scale)}`.replace(/\.?0+$/, '');
}
