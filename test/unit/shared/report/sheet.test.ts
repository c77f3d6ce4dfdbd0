import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readPath } from '#shared/report/cells.js';
import { reportSheets, sheetsCsv } from '#shared/report/sheet.js';
import { sheetsXlsx } from '#shared/report/sheet-xlsx.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { referenceReport, report2021 } from '../../../support/report-builders.js';

/** A CSV line split into fields (the test data has no quoted commas except where asserted). */
const fields = (line: string) => line.split(',');

describe('a report’s tables as spreadsheets', () => {
  it('lays out one sheet per table part, with the format’s headings', () => {
    const sheets = reportSheets(TEMPLATES['national-2021'], report2021());
    expect(sheets.map((sheet) => sheet.title)).toEqual([
      '二、主动公开政府信息情况',
      '三、收到和处理政府信息公开申请情况',
      '四、政府信息公开行政复议、行政诉讼情况',
    ]);
  });

  it('writes a CSV Excel reads as UTF-8, with every label and every number of table 三 in its row', () => {
    const report = report2021();
    const csv = sheetsCsv(reportSheets(TEMPLATES['national-2021'], report));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    const newly = lines.find((line) => line.startsWith('一、本年新收政府信息公开申请数量'));
    const columns = [
      'naturalPerson',
      'commercialEnterprise',
      'researchInstitution',
      'socialWelfareOrganization',
      'legalServiceInstitution',
      'otherOrganization',
      'total',
    ];
    expect(
      fields(newly ?? '')
        .filter((field) => field !== '')
        .slice(1),
    ).toEqual(columns.map((column) => String(readPath(report, ['applications', 'newlyReceived', column]))));
    expect(lines.some((line) => line.includes('法人或其他组织'))).toBe(true);
    expect(lines.some((line) => line.startsWith('四、结转下年度继续办理'))).toBe(true);
  });

  it('quotes a field holding a comma, a quote or a line break', () => {
    const csv = sheetsCsv([
      {
        title: 't',
        name: 't',
        width: 2,
        height: 1,
        cells: [
          { row: 0, col: 0, rowspan: 1, colspan: 1, value: 'a,"b"', role: 'label' },
          { row: 0, col: 1, rowspan: 1, colspan: 1, value: 'c\nd', role: 'label' },
        ],
      },
    ]);
    expect(csv).toBe('\uFEFF"a,""b""","c\nd"\r\n');
  });

  it('writes an .xlsx whose header cells are merged over their column groups and whose numbers are numbers', async () => {
    const report = report2021();
    const buffer = await sheetsXlsx(reportSheets(TEMPLATES['national-2021'], report), 'nianbao');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(buffer).buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['二、主动公开', '三、依申请公开', '四、复议诉讼']);
    const applications = workbook.getWorksheet('三、依申请公开');
    if (!applications) throw new Error('no sheet for table 三');
    const merges: string[] = (applications.model as { merges?: string[] }).merges ?? [];
    let applicants: ExcelJS.Cell | undefined;
    applications.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.value === '申请人情况') applicants ??= cell;
      }),
    );
    expect(applicants).toBeDefined();
    // 申请人情况 spans the seven applicant columns
    expect(merges.some((range) => range.startsWith(applicants?.address ?? '?') && range.includes(':'))).toBe(true);
    let newlyRow: ExcelJS.Row | undefined;
    applications.eachRow((row) => {
      if (row.getCell(1).value === '一、本年新收政府信息公开申请数量') newlyRow = row;
    });
    const values = (newlyRow?.values as unknown[] | undefined)?.filter((value) => typeof value === 'number');
    expect(values).toEqual(
      [
        'naturalPerson',
        'commercialEnterprise',
        'researchInstitution',
        'socialWelfareOrganization',
        'legalServiceInstitution',
        'otherOrganization',
        'total',
      ].map((column) => readPath(report, ['applications', 'newlyReceived', column])),
    );
  });

  it('keeps the Beijing variant’s money exact and its unit in the header', async () => {
    const report = referenceReport();
    const sheets = reportSheets(TEMPLATES['beijing-2019'], report);
    const active = sheets[0];
    const amount = readPath(report, ['activeDisclosure', 'procurement', 'centralizedProcurement', 'amount']);
    expect(active?.cells.some((cell) => cell.role === 'value' && cell.value === amount)).toBe(true);
    expect(active?.cells.some((cell) => cell.role === 'header' && String(cell.value).includes('万元'))).toBe(true);
  });
});
