import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPath, templateCells } from '#shared/report/cells.js';
import { checkReport } from '#shared/report/checks.js';
import { fileSource } from '#shared/report/import/file-source.js';
import { htmlSource } from '#shared/report/import/html-source.js';
import { importReport, type ImportResult } from '#shared/report/import/import-report.js';
import { textSource } from '#shared/report/import/source.js';
import { renderReportDocx } from '#shared/report/print/docx.js';
import { printDocument } from '#shared/report/print/print-model.js';
import { renderReportHtml } from '#shared/report/render.js';
import { parseReport, type Report } from '#shared/report/schema.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { DISTINCT_2019, DISTINCT_2021, REFERENCE } from '../print/print-fixtures.js';
import { reportAsText, type TextLayout } from './layouts.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../../fixtures/${name}`, import.meta.url), 'utf8');
const REFERENCE_TEXT = fixture('daxing-kejiwei-2020.txt');
const REFERENCE_JSON: unknown = JSON.parse(fixture('daxing-kw-2020.beijing-2019.json'));

const withAgency = (report: Report) => ({ agencyId: report.agency.id });
const paragraphLines = (text: string): string =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');
const withParagraphs = (report: Report): Report => ({
  ...report,
  ...(report.preamble === undefined ? {} : { preamble: paragraphLines(report.preamble) }),
  overview: paragraphLines(report.overview),
  problems: paragraphLines(report.problems),
  otherMatters: paragraphLines(report.otherMatters),
});
const paths = (result: ImportResult) => result.uncertain.map((item) => item.path);

describe('importing the reference report as its text was copied out of the page', () => {
  it('reads every cell and every part with certainty, into exactly the report the fixture holds', () => {
    const result = importReport(textSource(REFERENCE_TEXT), { agencyId: 'daxing-kw' });
    expect(result.uncertain).toEqual([]);
    expect(result.report).toEqual(REFERENCE_JSON);
    // and says what it found by itself: the Beijing variant, the year and the agency's name from the title
    expect(result.template).toBe('beijing-2019');
    expect(result.recognised).toEqual(
      expect.arrayContaining([
        { path: 'template', label: '模板', value: 'beijing-2019' },
        { path: 'year', label: '报告年度', value: 2020 },
        { path: 'agency.name', label: '机关名称', value: '北京市大兴区科学技术委员会' },
        {
          path: 'activeDisclosure.procurement.centralizedProcurement.amount',
          label: expect.stringContaining('采购总金额'),
          value: '77.0693',
        },
      ]),
    );
    const cells = templateCells(TEMPLATES['beijing-2019']);
    expect(result.recognised.filter((item) => cells.some((cell) => cell.id === item.path))).toHaveLength(cells.length);
  });

  it('without --agency, still reads everything and names the agency code as the one thing it cannot know', () => {
    const result = importReport(textSource(REFERENCE_TEXT));
    expect(paths(result)).toEqual(['agency.id']);
    expect(result.uncertain[0]?.reason).toContain('--agency');
  });
});

describe.each([
  ['2019 format', DISTINCT_2019],
  ['2021 format', DISTINCT_2021],
  ['reference report', REFERENCE],
])('importing the %s, a different number in every cell, from every layout', (_name, report) => {
  const expectExact = (result: ImportResult, paragraphsOnly = false): void => {
    expect(result.uncertain).toEqual([]);
    expect(result.template).toBe(report.template);
    // a page keeps paragraphs, not the blank lines an officer typed between them
    const expected = paragraphsOnly ? withParagraphs(report) : report;
    expect(result.report).toEqual(JSON.parse(JSON.stringify(expected)));
  };

  it.each<TextLayout>(['cell-per-line', 'tab-rows'])('as text, %s', (layout) => {
    expectExact(importReport(textSource(reportAsText(report, layout)), withAgency(report)));
  });

  it('as the HTML page nianbao publishes (tables with rowspan and colspan)', () => {
    expectExact(importReport(htmlSource(renderReportHtml(report)), withAgency(report)), true);
  });

  it('as a Word file with merged cells, made with the docx library', async () => {
    const docx = await renderReportDocx(
      printDocument(report, { contentSha256: '0'.repeat(64), steps: [] }),
      new Date('2021-01-20T00:00:00Z'),
    );
    const { format, blocks } = await fileSource('去年的报告.docx', docx);
    expect(format).toBe('docx');
    const result = importReport(blocks, withAgency(report));
    // the 签发单 after 六 is not part of the report
    expect(result.uncertain).toEqual([]);
    expect(result.report['otherMatters']).toBe(withParagraphs(report).otherMatters);
    expect(readPath(result.report, ['applications'])).toEqual(JSON.parse(JSON.stringify(report.applications)));
    expect(readPath(result.report, ['activeDisclosure'])).toEqual(JSON.parse(JSON.stringify(report.activeDisclosure)));
    expect(readPath(result.report, ['reviewsAndLitigation'])).toEqual(JSON.parse(JSON.stringify(report.reviewsAndLitigation)));
    expect(result.report['overview']).toBe(withParagraphs(report).overview);
    expect(result.report['problems']).toBe(withParagraphs(report).problems);
  });
});

describe('pages that do not say everything', () => {
  const lines = REFERENCE_TEXT.split('\n');
  const without = (from: string, count: number): string => {
    const at = lines.findIndex((line) => line.trim() === from);
    if (at === -1) throw new Error(`no line ${from}`);
    return [...lines.slice(0, at), ...lines.slice(at + count)].join('\n');
  };

  it('leaves a missing row out of the report and lists its cells as uncertain, never as 0', () => {
    // the row 2.重复申请 and its seven numbers are not on the page
    const result = importReport(textSource(without('2.重复申请', 8)), { agencyId: 'daxing-kw' });
    const row = 'applications.outcomes.notProcessed.repeated';
    expect(paths(result).filter((path) => path !== '')).toEqual(
      [
        'naturalPerson',
        'commercialEnterprise',
        'researchInstitution',
        'socialWelfareOrganization',
        'legalServiceInstitution',
        'otherOrganization',
        'total',
      ].map((column) => `${row}.${column}`),
    );
    expect(result.uncertain[0]?.reason).toBe('页面上没有找到这一行');
    expect(readPath(result.report, row.split('.'))).toBeUndefined();
    // the rows around it are read as they are
    expect(readPath(result.report, ['applications', 'outcomes', 'notProcessed', 'publications', 'total'])).toBe(0);
    // and the validator then asks for the blanks (R5), as it would of a form nobody filled in
    expect(checkReport(result.report).errors.map((finding) => finding.path)).toEqual(expect.arrayContaining([`${row}.total`]));
  });

  it('does not guess which column a row with a number too few or too many belongs to', () => {
    const text = REFERENCE_TEXT.replace('\t规范性文件\n\t1\n\t1\n\t2', '\t规范性文件\n\t1\n\t2');
    const result = importReport(textSource(text), { agencyId: 'daxing-kw' });
    expect(paths(result)).toEqual([
      'activeDisclosure.regulations.normativeDocuments.newlyMade',
      'activeDisclosure.regulations.normativeDocuments.newlyPublished',
      'activeDisclosure.regulations.normativeDocuments.totalPublished',
    ]);
    expect(result.uncertain[0]?.reason).toContain('这一行有 2 个数，表格应有 3 个');
    expect(readPath(result.report, ['activeDisclosure', 'regulations', 'normativeDocuments'])).toBeUndefined();
  });

  it.each([
    ['a blank', '\t', '空白'],
    ['a slash', '\t/', '写作“/”，不是数字'],
    ['words', '\t若干', '“若干”不是非负整数'],
    ['a fraction', '\t1.5', '“1.5”不是非负整数'],
  ])('lists a cell written as %s as uncertain with the reason', (_name, line, reason) => {
    // the first value of 行政处罚 (上一年项目数量)
    const at = lines.indexOf('\t行政处罚');
    const text = [...lines.slice(0, at + 1), line, ...lines.slice(at + 2)].join('\n');
    const result = importReport(textSource(text), { agencyId: 'daxing-kw' });
    expect(result.uncertain).toEqual([
      { path: 'activeDisclosure.enforcement.administrativePenalty.previousYearItems', label: '行政处罚 上一年项目数量', reason },
    ]);
    expect(readPath(result.report, ['activeDisclosure', 'enforcement', 'administrativePenalty', 'previousYearItems'])).toBeUndefined();
    expect(readPath(result.report, ['activeDisclosure', 'enforcement', 'administrativePenalty', 'change'])).toBe(0);
  });

  it('reads a negative 本年增/减 and an amount with its unit, and asks for the unit when the national template leaves it open', () => {
    const at = lines.indexOf('\t行政处罚');
    const negative = importReport(textSource([...lines.slice(0, at + 2), '\t-3', ...lines.slice(at + 3)].join('\n')), {
      agencyId: 'daxing-kw',
    });
    expect(negative.uncertain).toEqual([]);
    expect(readPath(negative.report, ['activeDisclosure', 'enforcement', 'administrativePenalty', 'change'])).toBe(-3);

    const national = REFERENCE_TEXT.replace('采购总金额（万元，保留四位小数）', '采购总金额').replace(
      '\t其他对外管理服务事项\n\t行政检查\n\t0\n\t0\n\t0\n\n\t\n\t行政确认\n\t0\n\t0\n\t0',
      '\t其他对外管理服务事项\n\t0\n\t0\n\t0',
    );
    const open = importReport(textSource(national), { agencyId: 'daxing-kw' });
    expect(open.template).toBe('national-2019');
    expect(open.uncertain).toEqual([
      {
        path: 'activeDisclosure.procurement.centralizedProcurement.amount',
        label: '政府集中采购 采购总金额',
        reason: '金额“77.0693”没有写单位（元或万元）',
      },
    ]);
    const withUnit = importReport(textSource(national.replace('\t77.0693', '\t75394432.52元')), { agencyId: 'daxing-kw' });
    expect(withUnit.uncertain).toEqual([]);
    expect(readPath(withUnit.report, ['activeDisclosure', 'procurement', 'centralizedProcurement'])).toEqual({
      projects: 9,
      amount: '75394432.52',
      unit: '元',
    });
  });

  it('reports a part whose heading is not on the page, and a row that fits no row of the template', () => {
    const text = REFERENCE_TEXT.replace('五、存在的主要问题及改进情况', '（以下略）').replace('\t行政强制', '\t行政征收');
    const result = importReport(textSource(text), { agencyId: 'daxing-kw' });
    expect(result.uncertain).toEqual(
      expect.arrayContaining([
        { path: 'problems', label: '五、存在的主要问题及改进情况', reason: '页面上没有找到这一部分的标题' },
        {
          path: 'activeDisclosure.enforcement.administrativeCoercion.decisions',
          label: '行政强制 处理决定数量',
          reason: '页面上没有找到这一行',
        },
        { path: '', label: '行政征收 0 0 0', reason: '这一行不属于模板的任何一行，没有读入' },
      ]),
    );
  });

  it('flags a template that does not fit the year in the title', () => {
    const result = importReport(textSource(REFERENCE_TEXT.replace('2020年政府信息公开工作年度报告', '2022年政府信息公开工作年度报告')), {
      agencyId: 'daxing-kw',
    });
    expect(result.year).toBe(2022);
    expect(result.uncertain).toEqual([{ path: 'template', label: '模板', reason: expect.stringContaining('不适用于 2022 年度的报告') }]);
  });
});

describe('a page saved from a government site, written by hand', () => {
  const page = fixture('import/saved-page-2021.html');

  it('reads through the layout tables, the 发布日期 line and the 落款, in GBK as the site served it', async () => {
    const bytes = new Uint8Array(Buffer.from(page, 'utf8'));
    const { blocks } = await fileSource('2021年报.html', bytes);
    const result = importReport(blocks, { agencyId: 'xicheng-fgw' });
    expect(result.uncertain).toEqual([]);
    expect(result.template).toBe('national-2021');
    expect(result.report).toMatchObject({
      agency: { id: 'xicheng-fgw', name: '北京市西城区发展和改革委员会' },
      year: 2021,
      otherMatters: '本机关2021年度未收取信息处理费。',
      activeDisclosure: {
        regulations: { rules: { issued: 0, repealed: 0, inForce: 0 }, normativeDocuments: { issued: 3, repealed: 1, inForce: 12 } },
        fees: { administrativeFees: { amount: '12.5' } },
      },
      applications: { newlyReceived: { naturalPerson: 17, total: 20 }, outcomes: { total: { total: 18 } }, carriedForward: { total: 2 } },
      reviewsAndLitigation: { reconsideration: { upheld: 1, total: 1 }, litigationDirect: { pending: 1, total: 1 } },
    });
    expect(result.report['preamble']).toBe('本报告依据《中华人民共和国政府信息公开条例》编制。');
    expect(parseReport(result.report)).toBeDefined();
  });

  it('reads the same page in GB 18030 bytes', async () => {
    const gbk = page.replace('charset=utf-8', 'charset=gbk');
    const bytes = encodeGb18030(gbk);
    const { blocks } = await fileSource('2021年报.htm', bytes);
    expect(importReport(blocks, { agencyId: 'xicheng-fgw' }).uncertain).toEqual([]);
  });
});

/** GB 18030 encoding by way of the decoder: every character of the page is in the BMP, most in GB 2312. */
function encodeGb18030(text: string): Uint8Array {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  for (let first = 0x81; first <= 0xfe; first++) {
    for (let second = 0x40; second <= 0xfe; second++) {
      if (second === 0x7f) continue;
      const char = decoder.decode(new Uint8Array([first, second]));
      if (char.length === 1 && !table.has(char)) table.set(char, [first, second]);
    }
  }
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) bytes.push(code);
    else {
      const pair = table.get(char);
      if (pair === undefined) throw new Error(`no GBK code for ${char}`);
      bytes.push(...pair);
    }
  }
  return new Uint8Array(bytes);
}
