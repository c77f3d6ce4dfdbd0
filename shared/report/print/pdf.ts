import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import type { PrintBlock, PrintDocument, PrintTable } from './print-model.js';
import { fitColumns, type PlacedCell as Placed, placeCells } from './table-grid.js';

/**
 * The signed report as an A4 PDF: fonts embedded (pdfkit keeps only the glyphs used), text selectable, page numbers,
 * tables drawn as grids with their merged headers. The fonts are passed in as bytes, so this module reads no files:
 * the Lambda ships a subset of Noto CJK beside its bundle and tests read the same files.
 */

export interface PdfFonts {
  /** body text and table cells (the 仿宋 of a printed report; a serif CJK face here) */
  readonly body: Uint8Array;
  /** the title and the part headings (黑体: a bold sans CJK face) */
  readonly heading: Uint8Array;
}

export interface PdfResult {
  readonly bytes: Buffer;
  /** characters neither embedded font has a glyph for: they print as blanks, so the caller should say so */
  readonly missingCharacters: readonly string[];
}

const MM = 72 / 25.4;
const PAGE = { width: 210 * MM, height: 297 * MM };
const MARGIN = { top: 25 * MM, bottom: 25 * MM, left: 26 * MM, right: 24 * MM };
const SIZE = { title: 20, heading: 14, body: 12, table: 9, note: 8, pageNumber: 9 };
const CELL_PAD = 3;
const LINE_GAP = 3;

type Doc = InstanceType<typeof PDFDocument>;

const contentWidth = PAGE.width - MARGIN.left - MARGIN.right;
const pageBottom = PAGE.height - MARGIN.bottom;

function fontOf(table: PrintTable, row: number): 'heading' | 'body' {
  return table.hasCaption && row === 0 ? 'heading' : 'body';
}

/** Column widths from what the unspanned cells need, squeezed (never below two characters) to the page's width. */
function columnWidths(doc: Doc, table: PrintTable, placed: readonly Placed[]): number[] {
  const need = ({ cell, row }: Placed) => {
    doc.font(fontOf(table, row)).fontSize(SIZE.table);
    return Math.min(doc.widthOfString(cell.text) + 2 * CELL_PAD + 1, contentWidth * 0.5);
  };
  return fitColumns(table, placed, need, 2 * SIZE.table + 2 * CELL_PAD + 1, contentWidth);
}

interface Geometry {
  readonly placed: readonly Placed[];
  readonly x: readonly number[];
  readonly widths: readonly number[];
  readonly heights: readonly number[];
  /** height a cell's text needs */
  readonly need: Map<Placed, number>;
}

function geometry(doc: Doc, table: PrintTable): Geometry {
  const placed = placeCells(table);
  const widths = columnWidths(doc, table, placed);
  const x: number[] = [];
  widths.reduce((left, width, index) => {
    x[index] = left;
    return left + width;
  }, MARGIN.left);
  const spanWidth = (p: Placed) => widths.slice(p.column, p.column + p.cell.colSpan).reduce((sum, width) => sum + width, 0);
  const need = new Map<Placed, number>();
  const heights = table.rows.map(() => SIZE.table + 2 * CELL_PAD + LINE_GAP);
  for (const p of placed) {
    doc.font(fontOf(table, p.row)).fontSize(SIZE.table);
    const height =
      doc.heightOfString(p.cell.text === '' ? ' ' : p.cell.text, { width: spanWidth(p) - 2 * CELL_PAD, lineGap: 1 }) + 2 * CELL_PAD;
    need.set(p, height);
    if (p.cell.rowSpan === 1) heights[p.row] = Math.max(heights[p.row] ?? 0, height);
  }
  // a spanning cell taller than its rows together gives the difference to its last row
  for (const p of placed) {
    if (p.cell.rowSpan === 1) continue;
    const last = Math.min(p.row + p.cell.rowSpan, table.rows.length) - 1;
    const have = heights.slice(p.row, last + 1).reduce((sum, height) => sum + height, 0);
    const want = need.get(p) ?? 0;
    if (want > have) heights[last] = (heights[last] ?? 0) + want - have;
  }
  return { placed, x, widths, heights, need };
}

function drawCellText(
  doc: Doc,
  table: PrintTable,
  p: Placed,
  left: number,
  top: number,
  width: number,
  height: number,
  need: number,
): void {
  if (p.cell.text === '') return;
  doc.font(fontOf(table, p.row)).fontSize(SIZE.table).fillColor('black');
  const offset = Math.max(0, (height - need) / 2);
  doc.text(p.cell.text, left + CELL_PAD, top + CELL_PAD + offset, {
    width: width - 2 * CELL_PAD,
    height: Math.max(height - 2 * CELL_PAD, SIZE.table),
    align: p.cell.align,
    lineGap: 1,
  });
}

/**
 * Draws a table row by row, starting a new page where the next row does not fit and repeating the column headers
 * there. A label spanning many rows (table 三's 三、本年度办理结果) is drawn as one box per page it runs over, its text
 * in the first, so a long block breaks across pages instead of leaving a blank one behind it.
 */
function drawTable(doc: Doc, table: PrintTable): void {
  const g = geometry(doc, table);
  const { placed, x, widths, heights } = g;
  const spanWidth = (p: Placed) => widths.slice(p.column, p.column + p.cell.colSpan).reduce((sum, width) => sum + width, 0);
  const spanHeight = (p: Placed) => heights.slice(p.row, p.row + p.cell.rowSpan).reduce((sum, height) => sum + height, 0);
  const firstHeader = table.hasCaption ? 1 : 0;
  const bodyStart = firstHeader + table.headerRows;
  const startingAt = (row: number) => placed.filter((p) => p.row === row);
  doc.lineWidth(0.6).strokeColor('#333333');

  /** draws rows [from, to) whole, each cell over its full span (used for the header block, which never breaks) */
  const drawBlock = (from: number, to: number, top: number): number => {
    for (let row = from; row < to; row++) {
      const rowTop = top + heights.slice(from, row).reduce((sum, height) => sum + height, 0);
      for (const p of startingAt(row)) {
        const width = spanWidth(p);
        const height = spanHeight(p);
        doc.rect(x[p.column] ?? MARGIN.left, rowTop, width, height).stroke();
        drawCellText(doc, table, p, x[p.column] ?? MARGIN.left, rowTop, width, height, g.need.get(p) ?? 0);
      }
    }
    return top + heights.slice(from, to).reduce((sum, height) => sum + height, 0);
  };

  let y = doc.y;
  const headBlock = heights.slice(0, bodyStart).reduce((sum, height) => sum + height, 0);
  if (y + headBlock + (heights[bodyStart] ?? 0) > pageBottom) {
    doc.addPage();
    y = MARGIN.top;
  }
  y = drawBlock(0, bodyStart, y);

  interface Open {
    readonly p: Placed;
    segmentTop: number;
    readonly lastRow: number;
  }
  let open: Open[] = [];
  for (let row = bodyStart; row < table.rows.length; row++) {
    const starting = startingAt(row);
    const needed = Math.max(heights[row] ?? 0, ...starting.map((p) => Math.min(g.need.get(p) ?? 0, spanHeight(p))));
    if (y + needed > pageBottom && y > MARGIN.top + headBlock + 1) {
      for (const o of open) doc.rect(x[o.p.column] ?? MARGIN.left, o.segmentTop, spanWidth(o.p), y - o.segmentTop).stroke();
      doc.addPage();
      doc.lineWidth(0.6).strokeColor('#333333');
      y = drawBlock(firstHeader, bodyStart, MARGIN.top);
      for (const o of open) o.segmentTop = y;
    }
    for (const p of starting) {
      const left = x[p.column] ?? MARGIN.left;
      const width = spanWidth(p);
      if (p.cell.rowSpan === 1) {
        doc.rect(left, y, width, heights[row] ?? 0).stroke();
        drawCellText(doc, table, p, left, y, width, heights[row] ?? 0, g.need.get(p) ?? 0);
      } else {
        const whole = spanHeight(p);
        // centred in its span when the span fits on this page, at the top of the first box otherwise
        const box = y + whole <= pageBottom ? whole : (g.need.get(p) ?? 0);
        drawCellText(doc, table, p, left, y, width, box, g.need.get(p) ?? 0);
        open.push({ p, segmentTop: y, lastRow: Math.min(p.row + p.cell.rowSpan, table.rows.length) - 1 });
      }
    }
    y += heights[row] ?? 0;
    for (const o of open)
      if (o.lastRow === row) doc.rect(x[o.p.column] ?? MARGIN.left, o.segmentTop, spanWidth(o.p), y - o.segmentTop).stroke();
    open = open.filter((o) => o.lastRow !== row);
  }
  doc.x = MARGIN.left;
  doc.y = y + SIZE.body * 0.8;
}

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > pageBottom) doc.addPage();
}

function drawBlockOf(doc: Doc, block: PrintBlock): void {
  doc.x = MARGIN.left;
  switch (block.type) {
    case 'title':
      doc.font('heading').fontSize(SIZE.title).fillColor('black');
      doc.text(block.text, MARGIN.left, doc.y, { width: contentWidth, align: 'center', lineGap: 6 });
      doc.moveDown(0.8);
      return;
    case 'heading':
      // a heading keeps at least two lines of what follows with it
      ensureRoom(doc, SIZE.heading * 2 + SIZE.body * 3);
      doc.moveDown(0.4);
      doc.font('heading').fontSize(SIZE.heading).fillColor('black').text(block.text, { width: contentWidth, lineGap: LINE_GAP });
      doc.moveDown(0.3);
      return;
    case 'paragraph':
      doc.font('body').fontSize(SIZE.body).fillColor('black');
      doc.text(block.text, { width: contentWidth, indent: SIZE.body * 2, align: 'justify', lineGap: LINE_GAP + 2, paragraphGap: 4 });
      return;
    case 'note':
      doc.moveDown(0.3);
      doc.font('body').fontSize(SIZE.note).fillColor('#444444').text(block.text, { width: contentWidth, lineGap: 1 });
      doc.fillColor('black');
      return;
    case 'table':
      drawTable(doc, block.table);
      return;
    case 'pageBreak':
      doc.addPage();
      return;
  }
}

function blockText(block: PrintBlock): string {
  switch (block.type) {
    case 'table':
      return block.table.rows.flatMap((row) => row.map((cell) => cell.text)).join('');
    case 'pageBreak':
      return '';
    default:
      return block.text;
  }
}

type Face = ReturnType<typeof fontkit.create>;

/**
 * Each font's bytes parsed once per process, not once per PDF: fontkit keeps what it decoded of a glyph (its outline,
 * its metrics) on the face, and a CJK report uses about a thousand glyphs, so a face shared by every render saves most
 * of the PDF's cost after the first (the subset each document embeds is still its own). The fonts object is loaded
 * once per process (shared/runtime/pdf-fonts.ts), so its byte arrays are the keys.
 */
const faces = new WeakMap<Uint8Array, Face>();

function faceOf(bytes: Uint8Array): Face {
  let face = faces.get(bytes);
  if (face === undefined) {
    face = fontkit.create(Buffer.from(bytes));
    faces.set(bytes, face);
  }
  return face;
}

/** pdfkit ≥ 0.17 takes a parsed fontkit face where its type declarations still say bytes or a path. */
function registerFace(doc: Doc, name: string, face: Face): void {
  Reflect.apply(doc.registerFont, doc, [name, face]);
}

function missingCharacters(document: PrintDocument, fonts: PdfFonts): string[] {
  const faces = [fonts.body, fonts.heading].map(faceOf);
  const missing = new Set<string>();
  for (const block of document.blocks) {
    for (const char of blockText(block)) {
      const point = char.codePointAt(0) ?? 0;
      if (point <= 0x20 || char === '\u3000') continue;
      if (!faces.every((face) => 'hasGlyphForCodePoint' in face && face.hasGlyphForCodePoint(point))) missing.add(char);
    }
  }
  return [...missing];
}

export function renderReportPdf(document: PrintDocument, fonts: PdfFonts, createdAt: Date): Promise<PdfResult> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: document.title,
      Subject: `SHA-256 ${document.contentSha256}`,
      Creator: 'nianbao',
      Producer: 'nianbao',
      CreationDate: createdAt,
    },
  });
  registerFace(doc, 'body', faceOf(fonts.body));
  registerFace(doc, 'heading', faceOf(fonts.heading));
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('body');
  for (const block of document.blocks) drawBlockOf(doc, block);

  const { start, count } = doc.bufferedPageRange();
  for (let index = start; index < start + count; index++) {
    doc.switchToPage(index);
    // the number sits in the bottom margin, where pdfkit would otherwise start a new page
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('body').fontSize(SIZE.pageNumber).fillColor('#333333');
    doc.text(`第 ${index + 1} 页，共 ${count} 页`, MARGIN.left, PAGE.height - MARGIN.bottom / 2 - SIZE.pageNumber / 2, {
      width: contentWidth,
      align: 'center',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done.then((bytes) => ({ bytes, missingCharacters: missingCharacters(document, fonts) }));
}
