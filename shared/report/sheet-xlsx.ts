import { strToU8, zipSync } from 'fflate';
import type { Sheet, SheetCell } from './sheet.js';

/**
 * The sheets as an .xlsx workbook that Excel and WPS open with the format's layout: one worksheet per table part,
 * merged header and label cells, borders, Chinese labels. Counts are numbers (so they can be summed in the
 * spreadsheet); money stays exact text unless a number holds it exactly.
 *
 * Written here as SpreadsheetML parts zipped by fflate rather than by a spreadsheet library: the workbook needs four
 * cell styles, merges, column widths and a print setup, and a full library (exceljs) was most of the admin-summary
 * Lambda bundle. test/unit/shared/report/sheet-xlsx.test.ts reads the output back with exceljs, cell by cell.
 */

function cellValue(value: SheetCell['value']): string | number | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return value;
  // an amount that survives the trip through a binary floating-point number unchanged may be a number cell
  if (/^\d+(\.\d+)?$/.test(value) && String(Number(value)) === value && value.replace('.', '').length <= 15) return Number(value);
  return value;
}

const escapeXml = (text: string): string =>
  text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] ?? char);

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/**
 * The cell styles (cellXfs indices): fonts 0 plain, 1 bold, 2 bold 14 pt; border 1 thin on every side; every cell is
 * middle-aligned and wraps, labels to the left, everything else centred.
 */
const STYLE_OF_ROLE: Readonly<Record<SheetCell['role'], number>> = { value: 1, label: 2, header: 3, caption: 3, title: 4 };
const STYLES_XML =
  `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">` +
  '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>' +
  '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment horizontal="left" vertical="center" wrapText="1"/></xf>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>' +
  '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>' +
  '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';

const columnLetters = (col: number): string =>
  (col < 26 ? '' : columnLetters(Math.floor(col / 26) - 1)) + String.fromCharCode(65 + (col % 26));
const address = (row: number, col: number): string => `${columnLetters(col)}${row + 1}`;

/** Text cells go through the shared-string table, as Excel itself writes them. */
class SharedStrings {
  private readonly index = new Map<string, number>();
  count = 0;
  add(text: string): number {
    this.count += 1;
    let at = this.index.get(text);
    if (at === undefined) {
      at = this.index.size;
      this.index.set(text, at);
    }
    return at;
  }
  xml(): string {
    const items = [...this.index.keys()].map((text) => `<si><t xml:space="preserve">${escapeXml(text)}</t></si>`).join('');
    return `${XML_HEAD}<sst xmlns="${MAIN_NS}" count="${this.count}" uniqueCount="${this.index.size}">${items}</sst>`;
  }
}

function worksheetXml(sheet: Sheet, strings: SharedStrings): string {
  const labelColumns = Math.max(0, ...sheet.cells.filter((cell) => cell.role === 'label').map((cell) => cell.col + cell.colspan));
  const cols = Array.from({ length: sheet.width }, (_, col) => {
    const width = col < labelColumns ? 30 : 12;
    return `<col min="${col + 1}" max="${col + 1}" width="${width}" customWidth="1"/>`;
  }).join('');
  const rows = new Map<number, SheetCell[]>();
  for (const cell of sheet.cells) rows.set(cell.row, [...(rows.get(cell.row) ?? []), cell]);
  const rowsXml = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([row, cells]) => {
      const cellsXml = [...cells]
        .sort((a, b) => a.col - b.col)
        .map((cell) => {
          const ref = address(cell.row, cell.col);
          const style = STYLE_OF_ROLE[cell.role];
          const value = cellValue(cell.value);
          if (value === null) return `<c r="${ref}" s="${style}"/>`;
          if (typeof value === 'number') return `<c r="${ref}" s="${style}"><v>${value}</v></c>`;
          return `<c r="${ref}" s="${style}" t="s"><v>${strings.add(value)}</v></c>`;
        })
        .join('');
      return `<row r="${row + 1}">${cellsXml}</row>`;
    })
    .join('');
  const merges = sheet.cells
    .filter((cell) => cell.rowspan > 1 || cell.colspan > 1)
    .map(
      (cell) => `<mergeCell ref="${address(cell.row, cell.col)}:${address(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)}"/>`,
    );
  return (
    `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' +
    `<sheetFormatPr defaultRowHeight="15"/>${cols === '' ? '' : `<cols>${cols}</cols>`}<sheetData>${rowsXml}</sheetData>` +
    (merges.length === 0 ? '' : `<mergeCells count="${merges.length}">${merges.join('')}</mergeCells>`) +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>'
  );
}

export async function sheetsXlsx(sheets: readonly Sheet[], creator: string): Promise<Buffer> {
  const strings = new SharedStrings();
  const worksheets = sheets.map((sheet) => worksheetXml(sheet, strings));
  const sheetPath = (index: number) => `worksheets/sheet${index + 1}.xml`;
  const created = new Date(0).toISOString().replace(/\.\d+Z$/, 'Z');
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        worksheets
          .map(
            (_, index) =>
              `<Override PartName="/xl/${sheetPath(index)}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' +
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
        '</Types>',
    ),
    '_rels/.rels': strToU8(
      `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
        `<Relationship Id="rId1" Type="${TYPE}/officeDocument" Target="xl/workbook.xml"/>` +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
        '</Relationships>',
    ),
    'docProps/core.xml': strToU8(
      `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        `<dc:creator>${escapeXml(creator)}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${created}</dcterms:created></cp:coreProperties>`,
    ),
    'xl/workbook.xml': strToU8(
      `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>` +
        sheets.map((sheet, index) => `<sheet name="${escapeXml(sheet.name)}" sheetId="${index + 1}" r:id="rId${index + 1}"/>`).join('') +
        '</sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
        worksheets
          .map((_, index) => `<Relationship Id="rId${index + 1}" Type="${TYPE}/worksheet" Target="${sheetPath(index)}"/>`)
          .join('') +
        `<Relationship Id="rId${worksheets.length + 1}" Type="${TYPE}/styles" Target="styles.xml"/>` +
        `<Relationship Id="rId${worksheets.length + 2}" Type="${TYPE}/sharedStrings" Target="sharedStrings.xml"/>` +
        '</Relationships>',
    ),
    'xl/styles.xml': strToU8(STYLES_XML),
    'xl/sharedStrings.xml': strToU8(strings.xml()),
  };
  worksheets.forEach((xml, index) => {
    files[`xl/${sheetPath(index)}`] = strToU8(xml);
  });
  // a fixed timestamp inside the zip, so the same report gives the same bytes
  return Buffer.from(zipSync(files, { mtime: new Date(Date.UTC(1980, 0, 1)) }));
}
