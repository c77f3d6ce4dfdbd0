import ExcelJS from 'exceljs';
import type { Sheet, SheetCell } from './sheet.js';

/**
 * The sheets as an .xlsx workbook that Excel and WPS open with the format's layout: one worksheet per table part,
 * merged header and label cells, borders, Chinese labels. Counts are numbers (so they can be summed in the
 * spreadsheet); money stays exact text unless a number holds it exactly.
 */

const THIN = { style: 'thin' as const };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

function cellValue(value: SheetCell['value']): string | number | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return value;
  // an amount that survives the trip through a binary floating-point number unchanged may be a number cell
  if (/^\d+(\.\d+)?$/.test(value) && String(Number(value)) === value && value.replace('.', '').length <= 15) return Number(value);
  return value;
}

export async function sheetsXlsx(sheets: readonly Sheet[], creator: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = creator;
  workbook.created = new Date(0);
  for (const sheet of sheets) {
    const worksheet = workbook.addWorksheet(sheet.name, {
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    const labelColumns = Math.max(0, ...sheet.cells.filter((cell) => cell.role === 'label').map((cell) => cell.col + cell.colspan));
    for (let col = 1; col <= sheet.width; col++) worksheet.getColumn(col).width = col <= labelColumns ? 30 : 12;
    for (const cell of sheet.cells) {
      const target = worksheet.getCell(cell.row + 1, cell.col + 1);
      target.value = cellValue(cell.value);
      target.alignment = {
        vertical: 'middle',
        horizontal: cell.role === 'label' ? 'left' : 'center',
        wrapText: true,
      };
      if (cell.role !== 'title') target.border = BORDER;
      if (cell.role === 'title') target.font = { bold: true, size: 14 };
      if (cell.role === 'header' || cell.role === 'caption') target.font = { bold: true };
      if (cell.rowspan > 1 || cell.colspan > 1) {
        worksheet.mergeCells(cell.row + 1, cell.col + 1, cell.row + cell.rowspan, cell.col + cell.colspan);
      }
    }
  }
  const buffer = await workbook.xlsx.writeBuffer();
  return Buffer.from(buffer);
}
