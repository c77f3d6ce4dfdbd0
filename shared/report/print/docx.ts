import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type IRunOptions,
} from 'docx';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { PrintBlock, PrintCell, PrintDocument, PrintTable } from './print-model.js';
import { fitColumns, type PlacedCell, placeCells } from './table-grid.js';

/**
 * The signed report as a Word document (Word and WPS open it): 黑体 title and headings, 仿宋 body, A4 with 公文
 * margins, the tables as real tables whose merged headers are merged cells, page numbers in the footer. The fonts are
 * named, not embedded: every Chinese Windows and WPS install has 黑体 and 仿宋.
 */

const HEITI = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '黑体', cs: 'Times New Roman' };
const FANGSONG = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '仿宋', cs: 'Times New Roman' };
/** half-points: 二号 22 pt, 三号 16 pt, 五号 10.5 pt, 小五 9 pt */
const SIZE = { title: 44, heading: 32, body: 32, table: 21, denseTable: 18, note: 18 };
const TWIPS_PER_MM = 1440 / 25.4;
const PAGE = { width: Math.round(210 * TWIPS_PER_MM), height: Math.round(297 * TWIPS_PER_MM) };
const MARGIN = {
  top: Math.round(37 * TWIPS_PER_MM),
  bottom: Math.round(35 * TWIPS_PER_MM),
  left: Math.round(28 * TWIPS_PER_MM),
  right: Math.round(26 * TWIPS_PER_MM),
};
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;

const run = (text: string, font: IRunOptions['font'], size: number, bold = false): TextRun => new TextRun({ text, font, size, bold });

/** Rough width of a text in characters: a CJK character counts one, anything narrower half. */
function charWidth(text: string): number {
  let width = 0;
  for (const char of text) width += (char.codePointAt(0) ?? 0) > 0x2e80 ? 1 : 0.55;
  return width;
}

/** Column widths (twips) from what the unspanned cells need, squeezed to the page with at least two characters each. */
function columnWidths(table: PrintTable, size: number): number[] {
  const charTwips = size * 10;
  const need = ({ cell }: PlacedCell) => Math.min((charWidth(cell.text) + 0.8) * charTwips, CONTENT_WIDTH / 2);
  return fitColumns(table, placeCells(table), need, 2.4 * charTwips, CONTENT_WIDTH).map(Math.floor);
}

/**
 * The cells' 仿宋 and size come from a paragraph style, and their margins from the table, not from every cell: a report
 * has hundreds of cells, and the same properties repeated on each were most of the time spent writing the document.
 */
const TABLE_STYLE = { normal: 'TableText', dense: 'TableTextDense' } as const;

const BORDER = { style: BorderStyle.SINGLE, size: 4, color: '333333' };

function tableOf(table: PrintTable): Table {
  const size = table.width > 12 ? SIZE.denseTable : SIZE.table;
  const widths = columnWidths(table, size);
  const headerEnd = (table.hasCaption ? 1 : 0) + table.headerRows;
  return new Table({
    width: { size: CONTENT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { top: 40, bottom: 40, left: 80, right: 80 },
    borders: { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER, insideHorizontal: BORDER, insideVertical: BORDER },
    rows: table.rows.map(
      (cells, index) =>
        new TableRow({
          // the column headers repeat on every page the table runs over; the caption row belongs to them
          ...(index < headerEnd ? { tableHeader: true } : {}),
          cantSplit: true,
          children: cells.map((cell: PrintCell) => {
            const bold = table.hasCaption && index === 0;
            return new TableCell({
              rowSpan: cell.rowSpan,
              columnSpan: cell.colSpan,
              verticalAlign: VerticalAlignTable.CENTER,
              children: [
                new Paragraph({
                  style: size === SIZE.denseTable ? TABLE_STYLE.dense : TABLE_STYLE.normal,
                  alignment: cell.align === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT,
                  children: [bold ? run(cell.text, HEITI, size, true) : new TextRun(cell.text)],
                }),
              ],
            });
          }),
        }),
    ),
  });
}

function blockOf(block: PrintBlock): (Paragraph | Table)[] {
  switch (block.type) {
    case 'title':
      return [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          spacing: { after: 400, line: 560 },
          children: [run(block.text, HEITI, SIZE.title)],
        }),
      ];
    case 'heading':
      return [new Paragraph({ keepNext: true, spacing: { before: 240, after: 120 }, children: [run(block.text, HEITI, SIZE.heading)] })];
    case 'paragraph':
      return [
        new Paragraph({
          alignment: AlignmentType.JUSTIFIED,
          indent: { firstLine: SIZE.body * 20 },
          spacing: { line: 560, lineRule: 'exact' },
          children: [run(block.text, FANGSONG, SIZE.body)],
        }),
      ];
    case 'note':
      return [new Paragraph({ spacing: { before: 120 }, children: [run(block.text, FANGSONG, SIZE.note)] })];
    case 'table':
      return [tableOf(block.table), new Paragraph({ children: [] })];
    case 'pageBreak':
      return [new Paragraph({ children: [new PageBreak()] })];
  }
}

/**
 * The same document gives the same bytes (a retried publish writes what the first attempt wrote): docx stamps the
 * package with the time of packing, in core.xml and in every zip entry, so both are set to the signing time.
 */
function stampTime(packed: Uint8Array, at: Date): Buffer {
  const files = unzipSync(packed);
  const core = files['docProps/core.xml'];
  if (core !== undefined) {
    const iso = `${at.toISOString().slice(0, 19)}Z`;
    files['docProps/core.xml'] = strToU8(
      strFromU8(core).replace(
        /(<dcterms:(created|modified)[^>]*>)[^<]*(<\/dcterms:\2>)/g,
        (_match, open: string, _name: string, close: string) => `${open}${iso}${close}`,
      ),
    );
  }
  return Buffer.from(zipSync(files, { mtime: at }));
}

export async function renderReportDocx(document: PrintDocument, signedAt: Date): Promise<Buffer> {
  const doc = new Document({
    title: document.title,
    subject: `SHA-256 ${document.contentSha256}`,
    creator: 'nianbao',
    description: `内容摘要（SHA-256）：${document.contentSha256}`,
    lastModifiedBy: 'nianbao',
    styles: {
      default: { document: { run: { font: FANGSONG, size: SIZE.body } } },
      paragraphStyles: [
        { id: TABLE_STYLE.normal, name: 'Table Text', basedOn: 'Normal', run: { font: FANGSONG, size: SIZE.table } },
        { id: TABLE_STYLE.dense, name: 'Table Text Dense', basedOn: 'Normal', run: { font: FANGSONG, size: SIZE.denseTable } },
      ],
    },
    sections: [
      {
        properties: { page: { size: PAGE, margin: MARGIN } },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({
                    font: FANGSONG,
                    size: SIZE.note,
                    children: ['第 ', PageNumber.CURRENT, ' 页，共 ', PageNumber.TOTAL_PAGES, ' 页'],
                  }),
                ],
              }),
            ],
          }),
        },
        children: document.blocks.flatMap(blockOf),
      },
    ],
  });
  return stampTime(await Packer.toBuffer(doc), signedAt);
}
