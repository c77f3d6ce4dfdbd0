import { describe, expect, it } from 'vitest';
import { checkReport } from '#shared/report/checks.js';
import type { Finding } from '#shared/report/findings.js';
import { adjust, referenceReport, report2021, withValue } from '../../../support/report-builders.js';

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
      'applications.newlyReceived.commercialEnterprise': -1,
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
    expect(at(errors, 'applications.carriedForward.commercialEnterprise')).toMatchObject({ expected: 0, actual: 1 });
  });

  it('passes when the same column balances', () => {
    const report = adjust(report2021(), { 'applications.newlyReceived.naturalPerson': 1, 'applications.newlyReceived.total': 1, 'applications.carriedForward.naturalPerson': 1, 'applications.carriedForward.total': 1 });
    expect(checkReport(report).errors).toEqual([]);
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

  it('rejects money written as a number, which would lose precision', () => {
    const path = 'activeDisclosure.fees.administrativeFees.amount';
    const { errors } = checkReport(withValue(report2021(), path, 1.2345));
    expect(errors).toMatchObject([{ code: 'SCHEMA_TYPE', path }]);
  });

  it('takes the scale from the unit in the national 2019 template (元: 2 places, 万元: 6)', () => {
    const national = withValue(withValue(referenceReport(), 'template', 'national-2019'), 'activeDisclosure.licensing.otherManagementServices', {
      previousYearItems: 0,
      change: 0,
      decisions: 0,
    });
    const inYuan = withValue(withValue(national, 'activeDisclosure.procurement.centralizedProcurement.unit', '元'), 'activeDisclosure.procurement.centralizedProcurement.amount', '75394432.525');
    expect(checkReport(inYuan).errors).toMatchObject([{ code: 'SCHEMA_DECIMAL_SCALE', message: expect.stringContaining('最多保留 2 位小数') }]);
    expect(checkReport(withValue(inYuan, 'activeDisclosure.procurement.centralizedProcurement.amount', '75394432.52')).errors).toEqual([]);
    expect(checkReport(withValue(national, 'activeDisclosure.procurement.centralizedProcurement.unit', '美元')).errors).toMatchObject([{ code: 'SCHEMA_UNIT' }]);
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

  it('rejects a template that does not fit the year (2019 format for a 2021 report, and the reverse)', () => {
    expect(checkReport(withValue(referenceReport(), 'year', 2021)).errors).toMatchObject([{ code: 'SCHEMA_TEMPLATE_YEAR', actual: 2021 }]);
    expect(checkReport(withValue(report2021(), 'year', 2020)).errors).toMatchObject([{ code: 'SCHEMA_TEMPLATE_YEAR', actual: 2020 }]);
  });

  it('rejects a year that is not a year', () => {
    expect(checkReport(withValue(report2021(), 'year', '2021')).errors).toMatchObject([{ code: 'SCHEMA_YEAR' }]);
  });

  it('rejects an agency without a usable id or name', () => {
    expect(checkReport(withValue(report2021(), 'agency.id', 'Daxing KW')).errors).toMatchObject([{ code: 'SCHEMA_AGENCY', path: 'agency.id' }]);
    expect(checkReport(withValue(report2021(), 'agency.name', '  ')).errors).toMatchObject([{ code: 'SCHEMA_AGENCY', path: 'agency.name' }]);
  });

  it('rejects text over 20,000 characters, saying how long it is', () => {
    const { errors } = checkReport(withValue(report2021(), 'problems', '问'.repeat(20_001)));
    expect(errors).toMatchObject([{ code: 'SCHEMA_TEXT_TOO_LONG', path: 'problems', expected: 20_000, actual: 20_001 }]);
  });

  it('rejects a missing text section', () => {
    expect(checkReport(withValue(report2021(), 'otherMatters', undefined)).errors).toMatchObject([{ code: 'SCHEMA_TEXT_REQUIRED', path: 'otherMatters' }]);
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

  it('says nothing when the previous report is another agency’s or not the year before', () => {
    const previous = adjust(referenceReport(), { 'applications.carriedForward.naturalPerson': 4 });
    expect(checkReport(report2021(), { previous: withValue(previous, 'agency.id', 'other-agency') }).warnings).toEqual([]);
    expect(checkReport(withValue(withValue(report2021(), 'year', 2022), 'overview', ''), { previous }).warnings).not.toContainEqual(
      expect.objectContaining({ code: 'X1' }),
    );
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
    expect(at(warnings, 'activeDisclosure.regulations.normativeDocuments.inForce')?.message).toContain('上年现行有效 11 加本年制发 3 减本年废止 1 应为 13');
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
    const previous = withValue(withValue(previous2019(), 'activeDisclosure.licensing.administrativeLicensing.previousYearItems', 5), 'activeDisclosure.licensing.administrativeLicensing.change', -2);
    const { warnings } = checkReport(referenceReport(), { previous });
    expect(warnings).toMatchObject([{ code: 'X3', path: 'activeDisclosure.licensing.administrativeLicensing.previousYearItems', expected: 3, actual: 0 }]);
    expect(warnings[0]?.message).toContain('上一年项目数量 5，本年增/减 -2');
    const consistent = withValue(referenceReport(), 'activeDisclosure.licensing.administrativeLicensing.previousYearItems', 3);
    expect(checkReport(consistent, { previous }).warnings).toEqual([]);
  });

  it('X3 covers the Beijing 行政检查 and 行政确认 rows', () => {
    const previous = withValue(previous2019(), 'activeDisclosure.licensing.otherManagementServices.inspection.change', 4);
    expect(checkReport(referenceReport(), { previous }).warnings).toMatchObject([
      { code: 'X3', path: 'activeDisclosure.licensing.otherManagementServices.inspection.previousYearItems', rowLabel: '其他对外管理服务事项 行政检查' },
    ]);
  });

  it('X4 warns when 对外公开总数量 ≠ last year’s total + 本年新公开', () => {
    const previous = withValue(previous2019(), 'activeDisclosure.regulations.normativeDocuments.totalPublished', 3);
    expect(checkReport(referenceReport(), { previous: previous2019() }).warnings).toEqual([]);
    const { warnings } = checkReport(referenceReport(), { previous });
    expect(warnings).toMatchObject([{ code: 'X4', path: 'activeDisclosure.regulations.normativeDocuments.totalPublished', expected: 4, actual: 2 }]);
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

  it('warns when it falls below a fifth, and not for a fivefold change exactly or small numbers', () => {
    const previous = withValue(withValue(report2021(), 'year', 2021), 'activeDisclosure.licensing.administrativeLicensing.decisions', 800);
    expect(checkReport(withValue(report2021(), 'year', 2022), { previous }).warnings.map((finding) => finding.code)).toContain('X5');
    const fivefold = withValue(withValue(report2021(), 'year', 2021), 'activeDisclosure.licensing.administrativeLicensing.decisions', 780);
    expect(checkReport(withValue(report2021(), 'year', 2022), { previous: fivefold }).warnings.map((finding) => finding.code)).not.toContain('X5');
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
    const report = adjust(report2021(), { 'applications.carriedOver.naturalPerson': 2, 'applications.carriedOver.total': 2, 'applications.carriedForward.naturalPerson': 2, 'applications.carriedForward.total': 2 });
    const text = '共受理政府信息公开申请32件。主动公开政府信息58条。收到人大建议12件。';
    expect(checkReport(withValue(report, 'overview', text)).warnings).toEqual([]);
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
    const previous = withValue(withValue(report2021(), 'year', 2021), 'problems', String(report2021()['problems']).replaceAll('下一步', '2021年'));
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
