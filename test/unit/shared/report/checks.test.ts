import { describe, expect, it } from 'vitest';
import { checkReport } from '#shared/report/checks.js';
import type { Finding } from '#shared/report/findings.js';
import { adjust, numberAt, referenceReport, report2021, withValue } from '../../../support/report-builders.js';

const codes = (findings: readonly Finding[]) => [...new Set(findings.map((finding) => finding.code))];
const at = (findings: readonly Finding[], path: string) => findings.find((finding) => finding.path === path);

describe('checkReport on the fixtures', () => {
  it('finds nothing wrong in the reference report (北京市大兴区科学技术委员会 2020)', () => {
    expect(checkReport(referenceReport())).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('finds nothing wrong in the 2021 fixture, even against the 2020 reference as its previous year', () => {
    expect(checkReport(report2021(), { previous: referenceReport() })).toEqual({ valid: true, errors: [], warnings: [] });
  });
});

describe('R1: 一 + 二 = 三（七）+ 四 in every column', () => {
  it('flags the column that does not balance, at its 结转下年度 cell, with the four numbers', () => {
    const report = adjust(report2021(), {
      'applications.newlyReceived.naturalPerson': 1,
      'applications.newlyReceived.total': 1,
    });
    const { valid, errors } = checkReport(report);
    expect(valid).toBe(false);
    expect(codes(errors)).toEqual(['R1']);
    const finding = at(errors, 'applications.carriedForward.naturalPerson');
    expect(finding).toMatchObject({ rowLabel: '四、结转下年度继续办理', columnLabel: '自然人', expected: 3, actual: 2 });
    expect(finding?.message).toContain('本年新收 21');
    expect(finding?.message).toContain('上年结转 0');
    expect(finding?.message).toContain('三（七）总计 18');
    expect(finding?.message).toContain('结转下年度应为 3');
    expect(at(errors, 'applications.carriedForward.total')).toMatchObject({ expected: 4, actual: 3 });
  });

  it('passes when the same column balances', () => {
    const report = adjust(report2021(), {
      'applications.newlyReceived.naturalPerson': 1,
      'applications.newlyReceived.total': 1,
      'applications.carriedForward.naturalPerson': 1,
      'applications.carriedForward.total': 1,
    });
    expect(checkReport(report).errors).toEqual([]);
  });
});

describe('R1 when two cells of one row are transposed (the row adds up, two columns do not)', () => {
  /** the 2021 fixture with 2 in 二、上年结转 and 四 of 自然人, so that every R1 row has two different values to swap */
  const base = () =>
    adjust(report2021(), {
      'applications.carriedOver.naturalPerson': 2,
      'applications.carriedOver.total': 2,
      'applications.carriedForward.naturalPerson': 2,
      'applications.carriedForward.total': 2,
    });
  const swap = (report: Record<string, unknown>, row: string): Record<string, unknown> => {
    const a = numberAt(report, `applications.${row}.naturalPerson`);
    const b = numberAt(report, `applications.${row}.commercialEnterprise`);
    return withValue(withValue(report, `applications.${row}.naturalPerson`, b), `applications.${row}.commercialEnterprise`, a);
  };

  it.each([
    ['newlyReceived', '一、本年新收政府信息公开申请数量'],
    ['carriedOver', '二、上年结转政府信息公开申请数量'],
    ['carriedForward', '四、结转下年度继续办理'],
  ])('points at the two cells of %s, and suggests no value for 结转下年度', (row, rowLabel) => {
    const report = base();
    const { errors } = checkReport(swap(report, row));
    expect(codes(errors)).toEqual(['R1']);
    expect(errors).toMatchObject([
      {
        path: `applications.${row}.naturalPerson`,
        rowLabel,
        columnLabel: '自然人',
        expected: numberAt(report, `applications.${row}.naturalPerson`),
      },
      { path: `applications.${row}.commercialEnterprise`, rowLabel, columnLabel: '法人或其他组织 商业企业' },
    ]);
    for (const finding of errors) {
      expect(finding.message).toContain('可能填反了');
      expect(finding.message).not.toContain('结转下年度应为');
    }
  });

  it('points at （七）总计 when that row is the one transposed, beside R2', () => {
    const { errors } = checkReport(swap(base(), 'outcomes.total'));
    expect(codes(errors)).toEqual(['R2', 'R1']);
    expect(errors.filter((finding) => finding.code === 'R1').map((finding) => finding.path)).toEqual([
      'applications.outcomes.total.naturalPerson',
      'applications.outcomes.total.commercialEnterprise',
    ]);
  });

  it('works on any pair of applicant columns', () => {
    const report = withValue(
      withValue(report2021(), 'applications.newlyReceived.legalServiceInstitution', 2),
      'applications.newlyReceived.otherOrganization',
      1,
    );
    expect(checkReport(report).errors).toMatchObject([
      { code: 'R1', path: 'applications.newlyReceived.legalServiceInstitution', expected: 1, actual: 2 },
      { code: 'R1', path: 'applications.newlyReceived.otherOrganization', expected: 2, actual: 1 },
    ]);
  });

  it('when an amount moved between columns could have moved in any row, says so and suggests no value', () => {
    const report = adjust(report2021(), {
      'applications.newlyReceived.naturalPerson': 1,
      'applications.newlyReceived.commercialEnterprise': -1,
    });
    const { errors } = checkReport(report);
    expect(errors.map((finding) => finding.path)).toEqual([
      'applications.carriedForward.naturalPerson',
      'applications.carriedForward.commercialEnterprise',
    ]);
    for (const finding of errors) {
      expect(finding).toMatchObject({ code: 'R1' });
      expect(finding.expected).toBeUndefined();
      expect(finding.message).toContain('逐行核对');
      expect(finding.message).not.toContain('结转下年度应为');
    }
  });
});

describe('R2: （七）总计 is the sum of every data row under 三', () => {
  it('flags the 总计 cell of the column whose rows do not add up', () => {
    const report = adjust(report2021(), {
      'applications.outcomes.disclosed.naturalPerson': 2,
      'applications.outcomes.disclosed.commercialEnterprise': -2,
    });
    const { errors } = checkReport(report);
    expect(codes(errors)).toEqual(['R2']);
    const finding = at(errors, 'applications.outcomes.total.naturalPerson');
    expect(finding).toMatchObject({ rowLabel: '三、本年度办理结果 （七）总计', columnLabel: '自然人', expected: 20, actual: 18 });
    expect(finding?.message).toContain('各项之和为 20');
    expect(finding?.message).toContain('（七）总计填写为 18');
  });

  it('counts the three （六）其他处理 rows of the 2021 format', () => {
    const report = adjust(report2021(), {
      'applications.outcomes.other.overdueCorrection.naturalPerson': 1,
      'applications.outcomes.other.overdueCorrection.total': 1,
      'applications.outcomes.disclosed.naturalPerson': -1,
      'applications.outcomes.disclosed.total': -1,
    });
    expect(checkReport(report).errors).toEqual([]);
  });
});

describe('R3: 总计 = the six applicant columns, in every row', () => {
  it('flags the 总计 cell of the row that does not add up', () => {
    const report = adjust(report2021(), {
      'applications.outcomes.disclosed.total': 1,
      'applications.outcomes.partiallyDisclosed.total': -1,
    });
    const { errors } = checkReport(report);
    expect(codes(errors)).toEqual(['R3']);
    expect(at(errors, 'applications.outcomes.disclosed.total')).toMatchObject({
      rowLabel: '三、本年度办理结果 （一）予以公开',
      columnLabel: '总计',
      expected: 10,
      actual: 11,
    });
    expect(at(errors, 'applications.outcomes.disclosed.total')?.message).toContain('各列之和为 10');
    expect(at(errors, 'applications.outcomes.partiallyDisclosed.total')).toMatchObject({ expected: 4, actual: 3 });
  });
});

describe('R4: 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计 in table 四', () => {
  it.each(['reconsideration', 'litigationDirect', 'litigationAfterReconsideration'])('flags %s whose total is off', (group) => {
    const report = adjust(report2021(), { [`reviewsAndLitigation.${group}.upheld`]: 3 });
    const { errors } = checkReport(report);
    expect(codes(errors)).toEqual(['R4']);
    const finding = at(errors, `reviewsAndLitigation.${group}.total`);
    expect(finding?.columnLabel).toBe('总计');
    expect(finding?.expected).toBe(Number(finding?.actual) + 3);
    expect(finding?.message).toContain(`之和为 ${Number(finding?.actual) + 3}`);
  });

  it('names the 行政诉讼 group in its label', () => {
    const report = adjust(report2021(), { 'reviewsAndLitigation.litigationDirect.total': 1 });
    expect(at(checkReport(report).errors, 'reviewsAndLitigation.litigationDirect.total')?.rowLabel).toBe('行政诉讼 未经复议直接起诉');
  });
});

describe('R5: every cell filled; a blank is not 0', () => {
  it.each([
    ['null', null],
    ['a missing key', undefined],
    ['an empty string', ''],
    ['a slash', '/'],
  ])('reports %s as R5 at that cell and does not read it as 0', (_name, blank) => {
    const report = withValue(report2021(), 'applications.outcomes.withheld.stateSecret.naturalPerson', blank);
    const { valid, errors } = checkReport(report);
    expect(valid).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'R5',
      path: 'applications.outcomes.withheld.stateSecret.naturalPerson',
      rowLabel: '三、本年度办理结果 （三）不予公开 1.属于国家秘密',
      columnLabel: '自然人',
    });
    expect(errors[0]?.message).toContain('空白或“/”不视为 0');
  });

  it('reports every cell of a missing table, each at its own path', () => {
    const { errors } = checkReport(withValue(report2021(), 'reviewsAndLitigation', undefined));
    expect(errors).toHaveLength(15);
    expect(codes(errors)).toEqual(['R5']);
    expect(errors.map((finding) => finding.path)).toContain('reviewsAndLitigation.litigationAfterReconsideration.pending');
  });

  it('reports a blank money amount as R5', () => {
    const { errors } = checkReport(withValue(referenceReport(), 'activeDisclosure.procurement.centralizedProcurement.amount', null));
    expect(errors).toMatchObject([{ code: 'R5', path: 'activeDisclosure.procurement.centralizedProcurement.amount' }]);
  });
});

describe('TEXT_EMPTY: every text part of the template written', () => {
  it.each([
    ['national-2021', report2021],
    ['beijing-2019', referenceReport],
  ])('flags each of 一、五、六 left empty in %s, with its heading', (_id, build) => {
    for (const [field, heading] of [
      ['overview', '一、总体情况'],
      ['problems', '五、存在的主要问题及改进情况'],
      ['otherMatters', '六、其他需要报告的事项'],
    ] as const) {
      const { valid, errors } = checkReport(withValue(build(), field, ''));
      expect(valid).toBe(false);
      expect(errors).toMatchObject([{ code: 'TEXT_EMPTY', path: field }]);
      expect(errors[0]?.message).toContain(`${heading}未填写`);
    }
  });

  it.each([['  \n\u3000 '], ['/'], [' － ']])('takes %j as empty', (text) => {
    expect(checkReport(withValue(report2021(), 'problems', text)).errors).toMatchObject([{ code: 'TEXT_EMPTY', path: 'problems' }]);
  });

  it('accepts a part that says there is nothing to report, and leaves the optional opening sentence alone', () => {
    expect(checkReport(withValue(withValue(report2021(), 'otherMatters', '无。本年度未收取信息处理费。'), 'preamble', '')).errors).toEqual(
      [],
    );
    expect(checkReport(withValue(referenceReport(), 'otherMatters', '无')).errors).toEqual([]);
  });
});

describe('schema problems', () => {
  const cell = 'applications.newlyReceived.naturalPerson';
  it.each([
    ['a negative count', -2, 'SCHEMA_NEGATIVE', '负数 -2'],
    ['a fraction', 2.5, 'SCHEMA_NOT_INTEGER', '2.5'],
    ['a number written as text', '20', 'SCHEMA_TYPE', '“20”'],
    ['a boolean', true, 'SCHEMA_TYPE', 'true'],
  ])('rejects %s in a count cell with its own code', (_name, value, code, quoted) => {
    const { errors } = checkReport(withValue(report2021(), cell, value));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code, path: cell, columnLabel: '自然人' });
    expect(errors[0]?.message).toContain(quoted);
  });

  it('allows a negative 本年增/减 in the 2019 format', () => {
    const report = withValue(referenceReport(), 'activeDisclosure.licensing.administrativeLicensing.change', -3);
    expect(checkReport(report).errors).toEqual([]);
  });

  it.each([
    ['77.06931', 'SCHEMA_DECIMAL_SCALE', '最多保留 4 位小数'],
    ['77,0693', 'SCHEMA_DECIMAL', '格式不正确'],
    ['-1', 'SCHEMA_DECIMAL', '格式不正确'],
    ['01.5', 'SCHEMA_DECIMAL', '格式不正确'],
  ])('rejects the procurement amount %s in the Beijing template', (amount, code, words) => {
    const path = 'activeDisclosure.procurement.centralizedProcurement.amount';
    const { errors } = checkReport(withValue(referenceReport(), path, amount));
    expect(errors).toMatchObject([{ code, path }]);
    expect(errors[0]?.message).toContain(words);
  });

  describe('money at its exact limits: 15 integer digits, and the scale of its unit', () => {
    const PROCUREMENT = 'activeDisclosure.procurement.centralizedProcurement';
    const national2019 = (unit: string) =>
      withValue(
        withValue(withValue(referenceReport(), 'template', 'national-2019'), 'activeDisclosure.licensing.otherManagementServices', {
          previousYearItems: 0,
          change: 0,
          decisions: 0,
        }),
        `${PROCUREMENT}.unit`,
        unit,
      );
    const cases = [
      ['beijing-2019 采购总金额 (万元)', referenceReport, `${PROCUREMENT}.amount`, 4],
      ['national-2019 采购总金额 in 元', () => national2019('元'), `${PROCUREMENT}.amount`, 2],
      ['national-2019 采购总金额 in 万元', () => national2019('万元'), `${PROCUREMENT}.amount`, 6],
      ['national-2021 本年收费金额 (万元)', report2021, 'activeDisclosure.fees.administrativeFees.amount', 6],
    ] as const;

    it.each(cases)('%s: 15 integer digits at full scale pass, 16 are SCHEMA_DECIMAL_TOO_LONG', (_name, build, path, scale) => {
      const fifteen = `9${'0'.repeat(14)}`;
      expect(checkReport(withValue(build(), path, fifteen)).errors).toEqual([]);
      expect(checkReport(withValue(build(), path, `${fifteen}.${'9'.repeat(scale)}`)).errors).toEqual([]);
      for (const amount of [`${fifteen}0`, `1${'0'.repeat(15)}.5`]) {
        const { errors } = checkReport(withValue(build(), path, amount));
        expect(errors).toMatchObject([{ code: 'SCHEMA_DECIMAL_TOO_LONG', path }]);
        expect(errors[0]?.message).toContain('整数部分超过 15 位');
      }
    });

    it.each(cases)('%s: the unit’s scale passes, one place more is SCHEMA_DECIMAL_SCALE', (_name, build, path, scale) => {
      expect(checkReport(withValue(build(), path, `1.${'5'.repeat(scale)}`)).errors).toEqual([]);
      expect(checkReport(withValue(build(), path, `1.${'5'.repeat(scale + 1)}`)).errors).toMatchObject([
        { code: 'SCHEMA_DECIMAL_SCALE', path },
      ]);
    });

    it('refuses a 5,000-digit amount, quoting it shortened', () => {
      const path = 'activeDisclosure.fees.administrativeFees.amount';
      const { errors } = checkReport(withValue(report2021(), path, '7'.repeat(5_000)));
      expect(errors).toMatchObject([{ code: 'SCHEMA_DECIMAL_TOO_LONG', path }]);
      expect(errors[0]?.message.length).toBeLessThan(120);
      expect(String(errors[0]?.actual).length).toBeLessThanOrEqual(41);
    });
  });

  it('rejects money written as a number, which would lose precision', () => {
    const path = 'activeDisclosure.fees.administrativeFees.amount';
    const { errors } = checkReport(withValue(report2021(), path, 1.2345));
    expect(errors).toMatchObject([{ code: 'SCHEMA_TYPE', path }]);
  });

  it('takes the scale from the unit in the national 2019 template (元: 2 places, 万元: 6)', () => {
    const national = withValue(
      withValue(referenceReport(), 'template', 'national-2019'),
      'activeDisclosure.licensing.otherManagementServices',
      {
        previousYearItems: 0,
        change: 0,
        decisions: 0,
      },
    );
    const inYuan = withValue(
      withValue(national, 'activeDisclosure.procurement.centralizedProcurement.unit', '元'),
      'activeDisclosure.procurement.centralizedProcurement.amount',
      '75394432.525',
    );
    expect(checkReport(inYuan).errors).toMatchObject([
      { code: 'SCHEMA_DECIMAL_SCALE', message: expect.stringContaining('最多保留 2 位小数') },
    ]);
    expect(checkReport(withValue(inYuan, 'activeDisclosure.procurement.centralizedProcurement.amount', '75394432.52')).errors).toEqual([]);
    expect(checkReport(withValue(national, 'activeDisclosure.procurement.centralizedProcurement.unit', '美元')).errors).toMatchObject([
      { code: 'SCHEMA_UNIT' },
    ]);
  });

  it('rejects a report that is not an object', () => {
    for (const input of [null, 3, 'report', []]) {
      expect(checkReport(input)).toMatchObject({ valid: false, errors: [{ code: 'SCHEMA_NOT_OBJECT', path: '' }] });
    }
  });

  it('rejects an unknown template and names the ones there are', () => {
    const { errors } = checkReport(withValue(report2021(), 'template', 'national-2030'));
    expect(errors).toMatchObject([{ code: 'SCHEMA_TEMPLATE_UNKNOWN', path: 'template' }]);
    expect(errors[0]?.message).toContain('national-2021');
  });

  it('quotes an unknown template as data, even an object with a key named toString', () => {
    for (const template of [{ toString: true }, { valueOf: 1, toString: 'x' }, ['national-2021'], null]) {
      const { errors } = checkReport(withValue(report2021(), 'template', template));
      expect(errors).toMatchObject([{ code: 'SCHEMA_TEMPLATE_UNKNOWN', path: 'template' }]);
      expect(errors[0]?.message).toContain(JSON.stringify(template).slice(0, 10));
    }
  });

  it('rejects a template that does not fit the year (2019 format for a 2021 report, and the reverse)', () => {
    expect(checkReport(withValue(referenceReport(), 'year', 2021)).errors).toMatchObject([{ code: 'SCHEMA_TEMPLATE_YEAR', actual: 2021 }]);
    expect(checkReport(withValue(report2021(), 'year', 2020)).errors).toMatchObject([{ code: 'SCHEMA_TEMPLATE_YEAR', actual: 2020 }]);
  });

  it('rejects a year that is not a year', () => {
    expect(checkReport(withValue(report2021(), 'year', '2021')).errors).toMatchObject([{ code: 'SCHEMA_YEAR' }]);
  });

  it('rejects an agency without a usable id or name', () => {
    expect(checkReport(withValue(report2021(), 'agency.id', 'Daxing KW')).errors).toMatchObject([
      { code: 'SCHEMA_AGENCY', path: 'agency.id' },
    ]);
    expect(checkReport(withValue(report2021(), 'agency.name', '  ')).errors).toMatchObject([
      { code: 'SCHEMA_AGENCY', path: 'agency.name' },
    ]);
  });

  it('rejects text over 20,000 characters, saying how long it is', () => {
    const { errors } = checkReport(withValue(report2021(), 'problems', '问'.repeat(20_001)));
    expect(errors).toMatchObject([{ code: 'SCHEMA_TEXT_TOO_LONG', path: 'problems', expected: 20_000, actual: 20_001 }]);
  });

  it('rejects a missing text section', () => {
    expect(checkReport(withValue(report2021(), 'otherMatters', undefined)).errors).toMatchObject([
      { code: 'SCHEMA_TEXT_REQUIRED', path: 'otherMatters' },
    ]);
  });

  it('rejects fields the template does not have instead of dropping them silently', () => {
    const report = withValue(report2021(), 'applications.newlyRecieved', { total: 1 });
    expect(checkReport(report).errors).toMatchObject([{ code: 'SCHEMA_UNKNOWN_FIELD', path: 'applications.newlyRecieved' }]);
    const procurementIn2021 = withValue(report2021(), 'activeDisclosure.procurement', { centralizedProcurement: { projects: 1 } });
    expect(checkReport(procurementIn2021).errors).toMatchObject([{ code: 'SCHEMA_UNKNOWN_FIELD', path: 'activeDisclosure.procurement' }]);
  });
});

describe('X1: 上年结转 equals last year’s 结转下年度继续办理', () => {
  it('warns at the 上年结转 cell of each column that differs, across the 2020 → 2021 format change', () => {
    const previous = adjust(referenceReport(), {
      'applications.carriedForward.naturalPerson': 4,
      'applications.carriedForward.total': 4,
      'applications.newlyReceived.naturalPerson': 4,
      'applications.newlyReceived.total': 4,
    });
    const { errors, warnings } = checkReport(report2021(), { previous });
    expect(errors).toEqual([]);
    expect(warnings.filter((finding) => finding.code === 'X1').map((finding) => finding.path)).toEqual([
      'applications.carriedOver.naturalPerson',
      'applications.carriedOver.total',
    ]);
    const finding = at(warnings, 'applications.carriedOver.naturalPerson');
    expect(finding).toMatchObject({ expected: 4, actual: 0, rowLabel: '二、上年结转政府信息公开申请数量' });
    expect(finding?.message).toContain('2020 年报告“四、结转下年度继续办理”为 4');
  });

  it('compares nothing with another agency’s report, or one not of the year before, and says so (X0)', () => {
    const previous = adjust(referenceReport(), { 'applications.carriedForward.naturalPerson': 4 });
    const other = checkReport(report2021(), { previous: withValue(previous, 'agency.id', 'other-agency') });
    expect(other).toMatchObject({ valid: true, errors: [], warnings: [{ code: 'X0', path: '' }] });
    expect(other.warnings).toHaveLength(1);
    expect(other.warnings[0]?.message).toContain('另一机关（other-agency）');
    const gap = checkReport(withValue(report2021(), 'year', 2022), { previous });
    expect(gap.warnings).toMatchObject([{ code: 'X0', expected: 2021, actual: 2020 }]);
    expect(gap.warnings[0]?.message).toContain('2020 年度的报告，本报告为 2022 年度，应提供 2021 年度的报告');
    const same = checkReport(withValue(report2021(), 'year', 2020), { previous: withValue(report2021(), 'year', 2020) });
    expect(same.warnings.filter((finding) => finding.code === 'X0')).toMatchObject([{ expected: 2019, actual: 2020 }]);
  });

  it('says so when what was given as last year’s report is no report at all, and still checks this one', () => {
    for (const previous of [null, 'report', { template: 'national-2030' }]) {
      expect(checkReport(report2021(), { previous })).toMatchObject({
        valid: true,
        warnings: [{ code: 'X0', message: expect.stringContaining('不是可识别的年度报告') }],
      });
    }
  });

  it('does not run N4 against another agency’s 五', () => {
    const previous = withValue(withValue(report2021(), 'year', 2020), 'agency.id', 'other-agency');
    expect(checkReport(report2021(), { previous }).warnings.map((finding) => finding.code)).toEqual(['X0']);
  });
});

describe('X2: 现行有效件数 carries over (2021 format)', () => {
  it('warns when 现行有效 ≠ last year’s 现行有效 + 制发 − 废止', () => {
    const previous = withValue(withValue(report2021(), 'year', 2021), 'activeDisclosure.regulations.normativeDocuments.inForce', 11);
    const report = withValue(report2021(), 'year', 2022);
    const { warnings } = checkReport(report, { previous });
    expect(warnings.filter((finding) => finding.code === 'X2')).toMatchObject([
      { path: 'activeDisclosure.regulations.normativeDocuments.inForce', expected: 13, actual: 12 },
    ]);
    expect(at(warnings, 'activeDisclosure.regulations.normativeDocuments.inForce')?.message).toContain(
      '上年现行有效 11 加本年制发 3 减本年废止 1 应为 13',
    );
  });

  it('is quiet when the stock carries over', () => {
    const previous = withValue(withValue(report2021(), 'year', 2021), 'activeDisclosure.regulations.normativeDocuments.inForce', 10);
    const report = withValue(report2021(), 'year', 2022);
    expect(checkReport(report, { previous }).warnings.filter((finding) => finding.code === 'X2')).toEqual([]);
  });
});

describe('X3 and X4: item counts and published totals carry over (2019 format)', () => {
  // a different 五, so that N4 stays quiet and only the rule under test speaks
  const previous2019 = () =>
    withValue(
      withValue(withValue(referenceReport(), 'year', 2019), 'problems', '信息发布审核流程有待规范。'),
      'activeDisclosure.regulations.normativeDocuments.totalPublished',
      1,
    );

  it('X3 warns when 上一年项目数量 ≠ last year’s 上一年项目数量 + 本年增/减, and is quiet when it is', () => {
    const previous = withValue(
      withValue(previous2019(), 'activeDisclosure.licensing.administrativeLicensing.previousYearItems', 5),
      'activeDisclosure.licensing.administrativeLicensing.change',
      -2,
    );
    const { warnings } = checkReport(referenceReport(), { previous });
    expect(warnings).toMatchObject([
      { code: 'X3', path: 'activeDisclosure.licensing.administrativeLicensing.previousYearItems', expected: 3, actual: 0 },
    ]);
    expect(warnings[0]?.message).toContain('上一年项目数量 5，本年增/减 -2');
    const consistent = withValue(referenceReport(), 'activeDisclosure.licensing.administrativeLicensing.previousYearItems', 3);
    expect(checkReport(consistent, { previous }).warnings).toEqual([]);
  });

  it('X3 covers the Beijing 行政检查 and 行政确认 rows', () => {
    const previous = withValue(previous2019(), 'activeDisclosure.licensing.otherManagementServices.inspection.change', 4);
    expect(checkReport(referenceReport(), { previous }).warnings).toMatchObject([
      {
        code: 'X3',
        path: 'activeDisclosure.licensing.otherManagementServices.inspection.previousYearItems',
        rowLabel: '其他对外管理服务事项 行政检查',
      },
    ]);
  });

  it('X4 warns when 对外公开总数量 ≠ last year’s total + 本年新公开', () => {
    const previous = withValue(previous2019(), 'activeDisclosure.regulations.normativeDocuments.totalPublished', 3);
    expect(checkReport(referenceReport(), { previous: previous2019() }).warnings).toEqual([]);
    const { warnings } = checkReport(referenceReport(), { previous });
    expect(warnings).toMatchObject([
      { code: 'X4', path: 'activeDisclosure.regulations.normativeDocuments.totalPublished', expected: 4, actual: 2 },
    ]);
  });
});

describe('X5: 同比突变', () => {
  it('warns when a headline count grows more than fivefold', () => {
    const previous = withValue(withValue(report2021(), 'year', 2021), 'activeDisclosure.licensing.administrativeLicensing.decisions', 30);
    const { warnings } = checkReport(withValue(report2021(), 'year', 2022), { previous });
    expect(warnings.filter((finding) => finding.code === 'X5')).toMatchObject([
      { path: 'activeDisclosure.licensing.administrativeLicensing.decisions', expected: 30, actual: 156 },
    ]);
    expect(at(warnings, 'activeDisclosure.licensing.administrativeLicensing.decisions')?.message).toContain('增至 5.2 倍');
  });

  it('names a table 四 cell by its column alone, with no empty “” for the unlabelled row', () => {
    const previous = withValue(withValue(report2021(), 'year', 2021), 'reviewsAndLitigation.litigationDirect', {
      upheld: 60,
      corrected: 0,
      other: 0,
      pending: 0,
      total: 60,
    });
    const { warnings } = checkReport(withValue(report2021(), 'year', 2022), { previous });
    const finding = at(warnings, 'reviewsAndLitigation.litigationDirect.total');
    expect(finding).toMatchObject({ code: 'X5', expected: 60, actual: 1 });
    expect(finding?.message).toMatch(/^“行政诉讼 未经复议直接起诉 总计”由 2021 年的 60 变为 1/);
    expect(finding?.message).not.toContain('“”');
  });

  it('warns when it falls below a fifth, and not for a fivefold change exactly or small numbers', () => {
    const previous = withValue(withValue(report2021(), 'year', 2021), 'activeDisclosure.licensing.administrativeLicensing.decisions', 800);
    expect(checkReport(withValue(report2021(), 'year', 2022), { previous }).warnings.map((finding) => finding.code)).toContain('X5');
    const fivefold = withValue(withValue(report2021(), 'year', 2021), 'activeDisclosure.licensing.administrativeLicensing.decisions', 780);
    expect(
      checkReport(withValue(report2021(), 'year', 2022), { previous: fivefold }).warnings.map((finding) => finding.code),
    ).not.toContain('X5');
    // 行政强制 6 → 1 is below a fifth, but too small a number to mean anything
    const small = withValue(withValue(report2021(), 'year', 2021), 'activeDisclosure.enforcement.administrativeCoercion.decisions', 6);
    const current = withValue(withValue(report2021(), 'year', 2022), 'activeDisclosure.enforcement.administrativeCoercion.decisions', 1);
    expect(checkReport(current, { previous: small }).warnings.map((finding) => finding.code)).not.toContain('X5');
  });
});

describe('N1: numbers in 一、总体情况 agree with the tables', () => {
  const overview = (text: string) => withValue(report2021(), 'overview', text);
  it.each([
    ['本年度共收到政府信息公开申请31件。', 30, 31, '本年新收'],
    ['上年结转政府信息公开申请2件。', 0, 2, '上年结转'],
    ['全年办结申请26件。', 27, 26, '（七）总计'],
    ['结转下年度继续办理1件。', 3, 1, '结转下年度'],
    ['被申请行政复议3件。', 2, 3, '行政复议'],
    ['被提起行政诉讼五件。', 2, 5, '行政诉讼'],
    ['全年未收到政府信息公开申请。', 30, 0, '本年新收'],
  ])('warns about “%s”', (text, expected, actual, words) => {
    const { errors, warnings } = checkReport(overview(text));
    expect(errors).toEqual([]);
    expect(warnings).toMatchObject([{ code: 'N1', path: 'overview', expected, actual }]);
    expect(warnings[0]?.message).toContain(words);
  });

  it('warns about 均获维持 while a case is still pending', () => {
    const { warnings } = checkReport(overview('被申请行政复议2件，均获维持。'));
    expect(warnings).toMatchObject([{ code: 'N1', path: 'overview', actual: 1 }]);
    expect(warnings[0]?.message).toContain('并非均获维持');
  });

  it('accepts 受理 counting the carried-over applications too, and numbers about other things', () => {
    const report = adjust(report2021(), {
      'applications.carriedOver.naturalPerson': 2,
      'applications.carriedOver.total': 2,
      'applications.carriedForward.naturalPerson': 2,
      'applications.carriedForward.total': 2,
    });
    const text = '共受理政府信息公开申请32件。主动公开政府信息58条。收到人大建议12件。';
    expect(checkReport(withValue(report, 'overview', text)).warnings).toEqual([]);
  });
});

describe('N1 on real text: spacing, wrapping, and counts that are not of applications', () => {
  const overview = (text: string) => withValue(report2021(), 'overview', text);
  it.each([
    ['a count set with spaces', '本年度共收到政府信息公开申请 31 件。'],
    ['a phrase wrapped after 申请', '本年度共收到政府信息公开申请\n31件。'],
    ['a phrase wrapped inside the verb, with an indent', '本年度共收\n  到政府信息公开申请31件。'],
    ['full-width spaces', '本年度共收到政府信息公开申请\u300031\u3000件。'],
  ])('reads %s', (_name, text) => {
    expect(checkReport(overview(text)).warnings).toMatchObject([{ code: 'N1', expected: 30, actual: 31 }]);
  });

  it('reads a right count set with spaces or wrapped as right', () => {
    expect(checkReport(overview('本年度共收到政府信息公开申请 30 件，办结\n27 件。')).warnings).toEqual([]);
  });

  it('keeps a blank line as a paragraph break, and two numbers apart by a space as two numbers', () => {
    expect(checkReport(overview('（二）受理情况\n\n12个工作日内全部答复。')).warnings).toEqual([]);
    expect(checkReport(overview('本年度共收到政府信息公开申请 3 0件。')).warnings).toEqual([]);
  });

  it.each([
    ['网上受理平台已接入12个部门。'],
    ['全年受理群众来信12件。'],
    ['受理12件人大代表建议和政协委员提案。'],
    ['共收到政府信息公开申请30件，另通过热线受理12件次咨询。'],
  ])('does not read “%s” as applications received', (text) => {
    expect(checkReport(overview(text)).warnings).toEqual([]);
  });

  it('reads 受理 and 办结 with 申请 just before them, after them, or in the phrase', () => {
    expect(checkReport(overview('依申请公开方面，本年度共受理31件。')).warnings).toMatchObject([{ code: 'N1', expected: 30, actual: 31 }]);
    expect(checkReport(overview('本年度共受理31件政府信息公开申请。')).warnings).toMatchObject([{ code: 'N1', expected: 30, actual: 31 }]);
    expect(checkReport(overview('本年度新收政府信息公开申请30件，上年结转0件，办结26件。')).warnings).toMatchObject([
      { code: 'N1', expected: 27, actual: 26 },
    ]);
  });
});

describe('N1: the outcome sentences against table 三', () => {
  const overview = (text: string) => withValue(report2021(), 'overview', text);
  it.each([
    ['予以公开11件', 10, '（一）予以公开'],
    ['部分公开5件', 4, '（二）部分公开'],
    ['予以公开及部分公开15件', 14, '（二）部分公开”的总计之和'],
    ['全部或部分公开15件', 14, '（二）部分公开”的总计之和'],
    ['不予公开5件', 4, '（三）不予公开'],
    ['无法提供7件', 8, '（四）无法提供'],
    ['不予处理2件', 1, '（五）不予处理'],
    ['其他处理1件', 0, '（六）其他处理'],
  ])('warns about “%s” (the table has %i)', (sentence, expected, words) => {
    const { warnings } = checkReport(overview(`本年度办结政府信息公开申请27件，其中${sentence}。`));
    expect(warnings).toMatchObject([{ code: 'N1', path: 'overview', expected }]);
    expect(warnings[0]?.message).toContain(words);
  });

  it('is quiet when every outcome sentence agrees with the table', () => {
    const text =
      '办结政府信息公开申请27件，其中予以公开10件，部分公开4件，不予公开4件，无法提供8件，不予处理1件。予以公开及部分公开 14 件。';
    expect(checkReport(overview(text)).warnings).toEqual([]);
  });

  it('does not read information published (条) as applications disclosed, and reads 件次 as 件', () => {
    expect(checkReport(overview('通过政府网站予以公开各类信息120条。')).warnings).toEqual([]);
    expect(checkReport(overview('本年度收到政府信息公开申请31件次，予以公开11件次。')).warnings).toMatchObject([
      { code: 'N1', expected: 30, actual: 31 },
      { code: 'N1', expected: 10, actual: 11 },
    ]);
  });

  it('does not read 予以公开及部分公开 as 部分公开 alone, nor 不予公开 as 予以公开', () => {
    expect(checkReport(overview('予以公开和部分公开14件，不予以公开4件。')).warnings).toEqual([]);
  });

  it('checks them in the 2019 formats too, (六)其他处理 being one row there', () => {
    const beijing = withValue(referenceReport(), 'overview', '予以公开3件，其他处理2件。');
    expect(checkReport(beijing).warnings).toMatchObject([
      { code: 'N1', expected: 0, actual: 3 },
      { code: 'N1', expected: 0, actual: 2 },
    ]);
    const national = withValue(
      withValue(withValue(referenceReport(), 'template', 'national-2019'), 'activeDisclosure.licensing.otherManagementServices', {
        previousYearItems: 0,
        change: 0,
        decisions: 0,
      }),
      'overview',
      '部分公开1件。',
    );
    expect(checkReport(national)).toMatchObject({ errors: [], warnings: [{ code: 'N1', expected: 0, actual: 1 }] });
  });
});

describe('N2: 六 reports 信息处理费 (2021 format)', () => {
  it('warns when 六 does not mention 信息处理费', () => {
    expect(checkReport(withValue(report2021(), 'otherMatters', '无。')).warnings).toMatchObject([{ code: 'N2', path: 'otherMatters' }]);
  });

  it('warns when applications lapsed for unpaid fees but 六 mentions no fee notice', () => {
    const report = adjust(report2021(), {
      'applications.outcomes.other.overdueFee.naturalPerson': 1,
      'applications.outcomes.other.overdueFee.total': 1,
      'applications.outcomes.disclosed.naturalPerson': -1,
      'applications.outcomes.disclosed.total': -1,
    });
    const { errors, warnings } = checkReport(report);
    expect(errors).toEqual([]);
    expect(warnings).toMatchObject([{ code: 'N2', path: 'otherMatters', actual: 1 }]);
    expect(checkReport(withValue(report, 'otherMatters', '本年度发出收费通知1份，申请人未缴纳，未收取信息处理费。')).warnings).toEqual([]);
  });

  it.each([['本年度未收取处理费。'], ['本年度收取信息 处理费 0 元。'], ['本年度未收取任何费用。']])(
    'takes “%s” as the fee report',
    (text) => {
      expect(checkReport(withValue(report2021(), 'otherMatters', text)).warnings).toEqual([]);
    },
  );

  it('does not ask about fee notices when 六 states the fees collected, which were paid after a notice', () => {
    const report = adjust(report2021(), {
      'applications.outcomes.other.overdueFee.naturalPerson': 1,
      'applications.outcomes.other.overdueFee.total': 1,
      'applications.outcomes.disclosed.naturalPerson': -1,
      'applications.outcomes.disclosed.total': -1,
    });
    expect(checkReport(withValue(report, 'otherMatters', '本年度共收取信息处理费 120 元。')).warnings).toEqual([]);
    expect(checkReport(withValue(report, 'otherMatters', '本年度收取信息处理费合计0.012万元。')).warnings).toEqual([]);
    // nothing collected says nothing of the notices the lapsed application had
    expect(checkReport(withValue(report, 'otherMatters', '本年度收取信息处理费0元。')).warnings).toMatchObject([{ code: 'N2', actual: 1 }]);
  });

  it('does not apply to the 2019 format', () => {
    expect(checkReport(referenceReport()).warnings).toEqual([]);
  });
});

describe('N3: 一 at most about 1000 字 (2021 format)', () => {
  it('warns with the length when 一 is longer, not counting white space', () => {
    const { warnings } = checkReport(withValue(report2021(), 'overview', `${'公开'.repeat(500)}\n\n工作`));
    expect(warnings).toMatchObject([{ code: 'N3', path: 'overview', expected: 1000, actual: 1002 }]);
    expect(warnings[0]?.message).toContain('共 1002 字');
    expect(checkReport(withValue(report2021(), 'overview', `${'公开'.repeat(500)}\n\n \n`)).warnings).toEqual([]);
  });
});

describe('N4: 五 is not last year’s 五 again', () => {
  it('warns when 五 is nearly the same as last year’s, even with the year changed', () => {
    const previous = withValue(
      withValue(report2021(), 'year', 2021),
      'problems',
      String(report2021()['problems']).replaceAll('下一步', '2021年'),
    );
    const { warnings } = checkReport(withValue(report2021(), 'year', 2022), { previous });
    expect(warnings.filter((finding) => finding.code === 'N4')).toMatchObject([{ path: 'problems', expected: 80 }]);
    expect(at(warnings, 'problems')?.message).toMatch(/相似度为 (8\d|9\d|100)%/);
  });

  it('is quiet when 五 is new', () => {
    expect(checkReport(report2021(), { previous: referenceReport() }).warnings).toEqual([]);
  });
});

describe('A1: 对外公开总数量 includes this year’s 新公开 (2019 format)', () => {
  it('warns when the total is smaller than this year’s new publications', () => {
    const report = withValue(referenceReport(), 'activeDisclosure.regulations.normativeDocuments.totalPublished', 0);
    expect(checkReport(report).warnings).toMatchObject([
      { code: 'A1', path: 'activeDisclosure.regulations.normativeDocuments.totalPublished', expected: 1, actual: 0 },
    ]);
  });
});
