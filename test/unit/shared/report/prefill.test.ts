import { describe, expect, it } from 'vitest';
import { readPath, templateCells } from '#shared/report/cells.js';
import { checkReport } from '#shared/report/checks.js';
import { blankReport } from '#shared/report/blank.js';
import { prefillReport, templateChoice } from '#shared/report/prefill.js';
import { BEIJING_2019, NATIONAL_2019 } from '#shared/report/templates/format-2019.js';
import { NATIONAL_2021 } from '#shared/report/templates/national-2021.js';
import { referenceReport, report2021, withValue } from '../../../support/report-builders.js';

const AGENCY = { id: 'daxing-kw', name: '北京市大兴区科学技术委员会' };
const at = (report: unknown, path: string): unknown => readPath(report, path.split('.'));

/** The reference 2020 report moved back a year, with 本年增/减 in every item row, as the previous report of 2020. */
function previous2019(): Record<string, unknown> {
  let report = withValue(referenceReport(), 'year', 2019);
  const changes: Record<string, [number, number]> = {
    'activeDisclosure.licensing.administrativeLicensing': [4, 2],
    'activeDisclosure.licensing.otherManagementServices.inspection': [3, -1],
    'activeDisclosure.licensing.otherManagementServices.confirmation': [1, -3],
    'activeDisclosure.enforcement.administrativePenalty': [10, 0],
    'activeDisclosure.enforcement.administrativeCoercion': [2, 5],
    'activeDisclosure.fees.administrativeFees': [6, -6],
  };
  for (const [row, [items, change]] of Object.entries(changes)) {
    report = withValue(report, `${row}.previousYearItems`, items);
    report = withValue(report, `${row}.change`, change);
  }
  for (const [column, value] of Object.entries({
    naturalPerson: 2,
    commercialEnterprise: 1,
    researchInstitution: 0,
    socialWelfareOrganization: 0,
    legalServiceInstitution: 0,
    otherOrganization: 0,
    total: 3,
  })) {
    report = withValue(report, `applications.carriedForward.${column}`, value);
  }
  return report;
}

describe('blankReport', () => {
  it('leaves every cell blank (null, not 0), every text empty, and sets the unit the template fixes', () => {
    const report = blankReport(BEIJING_2019, AGENCY, 2020);
    expect(report).toMatchObject({ template: 'beijing-2019', agency: AGENCY, year: 2020, overview: '', problems: '', otherMatters: '' });
    for (const cell of templateCells(BEIJING_2019)) expect(readPath(report, cell.path), cell.id).toBeNull();
    expect(at(report, 'activeDisclosure.procurement.centralizedProcurement.unit')).toBe('万元');
  });

  it('is what checkReport calls unfilled: an R5 at every cell and TEXT_EMPTY at 一、五、六, none about the shape', () => {
    const { errors } = checkReport(blankReport(NATIONAL_2021, AGENCY, 2021));
    expect(new Set(errors.map((finding) => finding.code))).toEqual(new Set(['R5', 'TEXT_EMPTY']));
    expect(errors.filter((finding) => finding.code === 'R5')).toHaveLength(templateCells(NATIONAL_2021).length);
    expect(errors.filter((finding) => finding.code === 'TEXT_EMPTY').map((finding) => finding.path)).toEqual([
      'overview',
      'problems',
      'otherMatters',
    ]);
  });
});

describe('prefillReport', () => {
  it('carries 四、结转下年度继续办理 into 二、上年结转, column by column (2021 from 2020, across formats)', () => {
    const previous = withValue(
      withValue(referenceReport(), 'applications.carriedForward.naturalPerson', 4),
      'applications.carriedForward.total',
      4,
    );
    const { report, prefilled } = prefillReport(NATIONAL_2021, AGENCY, 2021, previous);
    expect(at(report, 'applications.carriedOver.naturalPerson')).toBe(4);
    expect(at(report, 'applications.carriedOver.total')).toBe(4);
    expect(at(report, 'applications.carriedOver.commercialEnterprise')).toBe(0);
    expect(prefilled).toEqual([
      'applications.carriedOver.naturalPerson',
      'applications.carriedOver.commercialEnterprise',
      'applications.carriedOver.researchInstitution',
      'applications.carriedOver.socialWelfareOrganization',
      'applications.carriedOver.legalServiceInstitution',
      'applications.carriedOver.otherOrganization',
      'applications.carriedOver.total',
    ]);
    // nothing else is touched: 新收 is this year's
    expect(at(report, 'applications.newlyReceived.naturalPerson')).toBeNull();
  });

  it('makes 上一年项目数量 last year’s 上一年项目数量 plus its 本年增/减 (2019 format)', () => {
    const { report, prefilled } = prefillReport(BEIJING_2019, AGENCY, 2020, previous2019());
    expect(at(report, 'activeDisclosure.licensing.administrativeLicensing.previousYearItems')).toBe(6);
    expect(at(report, 'activeDisclosure.licensing.otherManagementServices.inspection.previousYearItems')).toBe(2);
    expect(at(report, 'activeDisclosure.enforcement.administrativePenalty.previousYearItems')).toBe(10);
    expect(at(report, 'activeDisclosure.enforcement.administrativeCoercion.previousYearItems')).toBe(7);
    expect(at(report, 'activeDisclosure.fees.administrativeFees.previousYearItems')).toBe(0);
    // 1 + (−3) is no count of items: left for the officer, not written as −2
    expect(at(report, 'activeDisclosure.licensing.otherManagementServices.confirmation.previousYearItems')).toBeNull();
    expect(prefilled).not.toContain('activeDisclosure.licensing.otherManagementServices.confirmation.previousYearItems');
    // the change and the decisions are this year's
    expect(at(report, 'activeDisclosure.licensing.administrativeLicensing.change')).toBeNull();
    expect(at(report, 'applications.carriedOver.total')).toBe(3);
  });

  it('raises no cross-year warning on what it carried, once the rest is filled the same way', () => {
    const previous = previous2019();
    const { report } = prefillReport(BEIJING_2019, AGENCY, 2020, previous);
    const { warnings } = checkReport(report, { previous });
    expect(warnings.filter((finding) => finding.code === 'X1' || finding.code === 'X3')).toEqual([]);
  });

  it('carries a row only where the formats share it: national-2019 has no 行政检查 row', () => {
    const { report } = prefillReport(NATIONAL_2019, AGENCY, 2020, previous2019());
    expect(at(report, 'activeDisclosure.licensing.administrativeLicensing.previousYearItems')).toBe(6);
    expect(at(report, 'activeDisclosure.licensing.otherManagementServices.previousYearItems')).toBeNull();
  });

  it('does not carry items from a 2019-format year into the 2021 format, which has none', () => {
    const { prefilled } = prefillReport(NATIONAL_2021, AGENCY, 2021, withValue(previous2019(), 'year', 2020));
    expect(prefilled.every((path) => path.startsWith('applications.carriedOver.'))).toBe(true);
  });

  it('leaves a blank or broken cell of last year blank, never 0', () => {
    let previous = withValue(report2021(), 'applications.carriedForward.naturalPerson', null);
    previous = withValue(previous, 'applications.carriedForward.total', '/');
    const { report, prefilled } = prefillReport(NATIONAL_2021, AGENCY, 2022, previous);
    expect(at(report, 'applications.carriedOver.naturalPerson')).toBeNull();
    expect(at(report, 'applications.carriedOver.total')).toBeNull();
    expect(at(report, 'applications.carriedOver.commercialEnterprise')).toBe(1);
    expect(prefilled).toHaveLength(5);
  });

  it('takes nothing from a report of another agency or another year', () => {
    const other = withValue(report2021(), 'agency', { id: 'haidian-x', name: '海淀区某局' });
    expect(prefillReport(NATIONAL_2021, AGENCY, 2022, other).prefilled).toEqual([]);
    expect(prefillReport(NATIONAL_2021, AGENCY, 2023, report2021()).prefilled).toEqual([]);
    expect(prefillReport(NATIONAL_2021, AGENCY, 2022, undefined).prefilled).toEqual([]);
    expect(prefillReport(NATIONAL_2021, AGENCY, 2022, 'not a report').report).toEqual(blankReport(NATIONAL_2021, AGENCY, 2022));
  });
});

describe('templateChoice', () => {
  const ids = (choice: ReturnType<typeof templateChoice>) => ({
    template: choice.template.id,
    options: choice.options.map((option) => option.id),
  });

  it('offers every template that fits the year, the national one first when nothing says otherwise', () => {
    expect(ids(templateChoice(2019))).toEqual({ template: 'national-2019', options: ['national-2019', 'beijing-2019'] });
    expect(ids(templateChoice(2020, { previous: 'national-2019' }))).toEqual({
      template: 'national-2019',
      options: ['national-2019', 'beijing-2019'],
    });
    expect(ids(templateChoice(2024, { previous: 'national-2021' }))).toEqual({ template: 'national-2021', options: ['national-2021'] });
    expect(ids(templateChoice(2021))).toEqual({ template: 'national-2021', options: ['national-2021'] });
  });

  it('defaults to last year’s template while it fits the year', () => {
    expect(ids(templateChoice(2020, { previous: 'beijing-2019' }))).toEqual({
      template: 'beijing-2019',
      options: ['beijing-2019', 'national-2019'],
    });
    expect(ids(templateChoice(2021, { previous: 'beijing-2019' }))).toEqual({ template: 'national-2021', options: ['national-2021'] });
    expect(ids(templateChoice(2020, { previous: 'no-such-template' }))).toEqual({
      template: 'national-2019',
      options: ['national-2019', 'beijing-2019'],
    });
  });

  it('puts the agency’s own setting before last year’s template, where it fits the year', () => {
    expect(ids(templateChoice(2020, { agencySetting: 'beijing-2019', previous: 'national-2019' })).template).toBe('beijing-2019');
    expect(ids(templateChoice(2020, { agencySetting: 'national-2019', previous: 'beijing-2019' })).template).toBe('national-2019');
    expect(ids(templateChoice(2022, { agencySetting: 'beijing-2019', previous: 'national-2021' })).template).toBe('national-2021');
  });
});
