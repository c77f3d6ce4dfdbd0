import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { reportSheets, type Sheet, type SheetCell } from '#shared/report/sheet.js';
import { sheetsXlsx } from '#shared/report/sheet-xlsx.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { referenceReport, report2021 } from '../../../support/report-builders.js';

/**
 * The .xlsx download read back by a full spreadsheet library (exceljs, as Excel and WPS would read it): every cell of
 * every sheet keeps its value, its merge, its font, alignment and border, and each sheet its column widths and print
 * setup. This is what the workbook looked like when exceljs wrote it, so a smaller writer cannot change the content.
 */

async function load(sheets: readonly Sheet[]): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(await sheetsXlsx(sheets, 'nianbao')).buffer);
  return workbook;
}

const columnLetters = (col: number): string =>
  (col < 26 ? '' : columnLetters(Math.floor(col / 26) - 1)) + String.fromCharCode(65 + (col % 26));
const address = (row: number, col: number) => `${columnLetters(col)}${row + 1}`;

/** What a cell of the sheet model must read back as. */
function expected(cell: SheetCell) {
  const value = cell.value === undefined ? null : cell.value;
  return {
    value:
      typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) && String(Number(value)) === value && value.replace('.', '').length <= 15
        ? Number(value)
        : value,
    bold: cell.role === 'title' || cell.role === 'header' || cell.role === 'caption',
    size: cell.role === 'title' ? 14 : undefined,
    horizontal: cell.role === 'label' ? 'left' : 'center',
    vertical: 'middle',
    wrapText: true,
    bordered: cell.role !== 'title',
  };
}

function actual(cell: ExcelJS.Cell) {
  const border = cell.border;
  return {
    value: cell.value,
    bold: cell.font?.bold === true,
    size: cell.font?.size === 14 ? 14 : undefined,
    horizontal: cell.alignment?.horizontal,
    vertical: cell.alignment?.vertical,
    wrapText: cell.alignment?.wrapText,
    bordered: ['top', 'left', 'bottom', 'right'].every((side) => border?.[side as 'top']?.style === 'thin'),
  };
}

describe('the .xlsx download', () => {
  for (const [template, build] of [
    ['national-2021', report2021],
    ['beijing-2019', referenceReport],
  ] as const) {
    it(`keeps every cell's value, merge, font, alignment and border of the ${template} sheets`, async () => {
      const sheets = reportSheets(TEMPLATES[template], build());
      const workbook = await load(sheets);
      expect(workbook.creator).toBe('nianbao');
      expect(workbook.worksheets.map((worksheet) => worksheet.name)).toEqual(sheets.map((sheet) => sheet.name));
      for (const sheet of sheets) {
        const worksheet = workbook.getWorksheet(sheet.name);
        if (worksheet === undefined) throw new Error(`no worksheet ${sheet.name}`);
        for (const cell of sheet.cells) {
          expect(actual(worksheet.getCell(cell.row + 1, cell.col + 1)), `${sheet.name} ${address(cell.row, cell.col)}`).toEqual(
            expected(cell),
          );
        }
        const merges = [...((worksheet.model as { merges?: string[] }).merges ?? [])].sort();
        const wanted = sheet.cells
          .filter((cell) => cell.rowspan > 1 || cell.colspan > 1)
          .map((cell) => `${address(cell.row, cell.col)}:${address(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)}`)
          .sort();
        expect(merges, sheet.name).toEqual(wanted);
        const labelColumns = Math.max(0, ...sheet.cells.filter((cell) => cell.role === 'label').map((cell) => cell.col + cell.colspan));
        const widths = Array.from({ length: sheet.width }, (_, col) => worksheet.getColumn(col + 1).width);
        expect(widths, sheet.name).toEqual(Array.from({ length: sheet.width }, (_, col) => (col < labelColumns ? 30 : 12)));
        expect(worksheet.pageSetup).toMatchObject({
          paperSize: 9,
          orientation: 'landscape',
          fitToPage: true,
          fitToWidth: 1,
          fitToHeight: 0,
        });
      }
    });
  }

  it('writes money a binary number cannot hold exactly as text, and a plain amount as a number', async () => {
    const sheet: Sheet = {
      title: 't',
      name: 'money',
      width: 3,
      height: 1,
      cells: [
        { row: 0, col: 0, rowspan: 1, colspan: 1, value: '12.50', role: 'value' },
        { row: 0, col: 1, rowspan: 1, colspan: 1, value: '12345678901234567', role: 'value' },
        { row: 0, col: 2, rowspan: 1, colspan: 1, value: '12.5', role: 'value' },
      ],
    };
    const worksheet = (await load([sheet])).getWorksheet('money');
    expect([1, 2, 3].map((col) => worksheet?.getCell(1, col).value)).toEqual(['12.50', '12345678901234567', 12.5]);
  });

  it('escapes text that looks like markup, and keeps line breaks and Chinese intact', async () => {
    const text = '<b>甲&乙</b> "引号" \'单引号\'\n第二行';
    const sheet: Sheet = {
      title: 't',
      name: '附表<&>',
      width: 1,
      height: 1,
      cells: [{ row: 0, col: 0, rowspan: 1, colspan: 1, value: text, role: 'label' }],
    };
    const workbook = await load([sheet]);
    expect(workbook.worksheets[0]?.name).toBe('附表<&>');
    expect(workbook.worksheets[0]?.getCell(1, 1).value).toBe(text);
  });
});
