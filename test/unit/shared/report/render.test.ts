import { propertyRuns } from '../../../support/property-runs.js';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { parse, type DefaultTreeAdapterMap, type ParserError } from 'parse5';
import { describe, expect, it } from 'vitest';
import { leafColumns, leafRows, readPath, tableCells, type Cell } from '#shared/report/cells.js';
import { renderReportHtml, renderReportJson, SignOffSchema, type SignOff } from '#shared/report/render.js';
import { FAVICON_HREF, REPORT_CSS } from '#shared/report/render-style.js';
import { parseReport, type Report } from '#shared/report/schema.js';
import type { ColumnNode, GridTable, RowNode, Template } from '#shared/report/template-model.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { draftReport, TEMPLATE_CASES } from './draft-arbitrary.js';
import { zeroReport } from '../../../support/report-builders.js';

// ---------------------------------------------------------------------------------------------------------------
// A tiny view of parse5's tree: tests read the page the way a browser would, never with regexes.

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function parsePage(html: string): { document: Node; errors: ParserError[] } {
  const errors: ParserError[] = [];
  const document = parse(html, { onParseError: (error) => errors.push(error) });
  return { document, errors };
}

const isElement = (node: Node): node is Element => 'tagName' in node;
const childNodes = (node: Node): Node[] => ('childNodes' in node ? node.childNodes : []);

function elements(root: Node, tagName?: string): Element[] {
  const found: Element[] = [];
  const visit = (node: Node): void => {
    if (isElement(node) && (tagName === undefined || node.tagName === tagName)) found.push(node);
    childNodes(node).forEach(visit);
  };
  visit(root);
  return found;
}

function textOf(node: Node): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  return childNodes(node).map(textOf).join('');
}

const attr = (element: Element, name: string): string | undefined => element.attrs.find((a) => a.name === name)?.value;

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('expected exactly one item');
  return item;
}

const byAttr = (root: Node, tagName: string, name: string, value: string): Element =>
  only(elements(root, tagName).filter((element) => attr(element, name) === value));

/** The table's cells placed on a grid, each spanning cell repeated over the slots it covers. */
function expandGrid(table: Element): Element[][] {
  const rows = elements(table, 'tr');
  const grid: (Element | undefined)[][] = rows.map(() => []);
  rows.forEach((tr, r) => {
    let c = 0;
    for (const cell of tr.childNodes.filter(isElement)) {
      const slots = grid[r] ?? [];
      while (slots[c] !== undefined) c++;
      const colspan = Number(attr(cell, 'colspan') ?? '1');
      const rowspan = Number(attr(cell, 'rowspan') ?? '1');
      for (let dr = 0; dr < rowspan; dr++) {
        const row = grid[r + dr];
        if (row === undefined) throw new Error(`rowspan of "${textOf(cell)}" runs past the table`);
        for (let dc = 0; dc < colspan; dc++) {
          if (row[c + dc] !== undefined) throw new Error(`"${textOf(cell)}" overlaps another cell`);
          row[c + dc] = cell;
        }
      }
      c += colspan;
    }
  });
  return grid.map((row, r) =>
    Array.from(row, (cell, c) => {
      if (cell === undefined) throw new Error(`hole in the grid at row ${r}, column ${c}`);
      return cell;
    }),
  );
}

const compact = (text: string): string => text.replace(/\s+/g, '');

// ---------------------------------------------------------------------------------------------------------------
// Builders

const AGENCY = { id: 'test-agency', name: '测试市测试局' };
const ELEMENTS_THE_RENDERER_EMITS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'link',
  'style',
  'body',
  'main',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'p',
  'span',
  'section',
  'div',
  'footer',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'dl',
  'dt',
  'dd',
]);

function loadFixture(): Report {
  return parseReport(JSON.parse(readFileSync(new URL('../../../fixtures/daxing-kw-2020.beijing-2019.json', import.meta.url), 'utf8')));
}

const REFERENCE_TEXT = readFileSync(new URL('../../../fixtures/daxing-kejiwei-2020.txt', import.meta.url), 'utf8');

function setPath(target: unknown, path: readonly string[], value: unknown): void {
  const parent = readPath(target, path.slice(0, -1));
  const key = path.at(-1);
  if (typeof parent !== 'object' || parent === null || key === undefined) throw new Error(`no place for ${path.join('.')}`);
  Reflect.set(parent, key, value);
}

function deletePath(target: unknown, path: readonly string[]): void {
  const parent = readPath(target, path.slice(0, -1));
  const key = path.at(-1);
  if (typeof parent !== 'object' || parent === null || key === undefined) throw new Error(`no place for ${path.join('.')}`);
  Reflect.deleteProperty(parent, key);
}

const gridTablesOf = (template: Template): GridTable[] =>
  template.sections.flatMap((section) => (section.type === 'tables' ? section.tables : []));

/** A report whose every cell holds a different value, and the text each cell should print. */
function distinctReport(template: Template): { report: Report; expected: Map<string, string> } {
  const report = structuredClone(zeroReport(template, AGENCY, template.years.from));
  const expected = new Map<string, string>();
  gridTablesOf(template)
    .flatMap(tableCells)
    .forEach((cell: Cell, index) => {
      const kind = cell.column.kind;
      if (kind.type === 'money') {
        const amount = `${index + 1}.25`;
        const units = Object.keys(kind.units);
        const unit = units.at(-1) ?? '';
        setPath(report, cell.path, amount);
        if (kind.unitField !== undefined) setPath(report, [...cell.path.slice(0, -1), kind.unitField], unit);
        expected.set(cell.id, kind.unitField !== undefined && units.length > 1 ? `${amount}${unit}` : amount);
      } else {
        const value = kind.type === 'signedCount' && index % 2 === 1 ? -(index + 1) : index + 1;
        setPath(report, cell.path, value);
        expected.set(cell.id, String(value));
      }
    });
  return { report, expected };
}

/** How many label columns a row tree needs: one per labelled level. */
function labelDepth(rows: readonly RowNode[]): number {
  return Math.max(0, ...rows.map((row) => (row.label === undefined ? 0 : 1) + (row.children ? labelDepth(row.children) : 0)));
}

function headerDepth(columns: GridTable['columns']): number {
  return Math.max(0, ...columns.map((column) => 1 + (column.children ? headerDepth(column.children) : 0)));
}

// ---------------------------------------------------------------------------------------------------------------
// The reference report, read from the published text: cells are tab-indented lines, and a line without a tab
// continues the cell above it (the extraction broke “（三）不予\n\n公开” and the vertical “结\n果\n维\n持”).

const referenceLines = REFERENCE_TEXT.split(/\r?\n/);
const isHeading = (line: string): boolean => /^[一二三四五六]、/.test(line);

function referenceSection(heading: RegExp): string[] {
  const start = referenceLines.findIndex((line) => heading.test(line));
  const end = referenceLines.findIndex((line, index) => index > start && isHeading(line));
  return referenceLines.slice(start + 1, end === -1 ? undefined : end);
}

function referenceParagraphs(heading: RegExp): string[] {
  return referenceSection(heading)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function referenceTableLabels(): string[] {
  const start = referenceLines.findIndex((line) => line.startsWith('二、'));
  const end = referenceLines.findIndex((line) => line.startsWith('五、'));
  const cells: string[] = [];
  for (const line of referenceLines.slice(start + 1, end)) {
    if (line.startsWith('\t')) cells.push(line.slice(1));
    else if (line.trim() !== '' && !isHeading(line)) cells[cells.length - 1] += line;
  }
  return cells.map(compact).filter((cell) => cell !== '' && !/^-?\d+(\.\d+)?$/.test(cell));
}

// ---------------------------------------------------------------------------------------------------------------

describe('renderReportHtml on the reference report (大兴区科委 2020)', () => {
  const report = loadFixture();
  const html = renderReportHtml(report);
  const { document, errors } = parsePage(html);
  const template = TEMPLATES['beijing-2019'];

  it('is an HTML5 document a conforming parser reads without a single error', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(errors).toEqual([]);
    expect(attr(only(elements(document, 'html')), 'lang')).toBe('zh-CN');
    expect(elements(document, 'meta').map((meta) => attr(meta, 'charset') ?? attr(meta, 'name'))).toEqual(['utf-8', 'viewport']);
  });

  it('titles the page and its h1 with the agency, the year and the report name, as the reference does', () => {
    const [agencyLine = '', titleLine = ''] = referenceLines.map((line) => line.trim()).filter((line) => line !== '');
    expect(textOf(only(elements(document, 'h1')))).toBe(`${agencyLine}${titleLine}`);
    expect(textOf(only(elements(document, 'title')))).toBe('北京市大兴区科学技术委员会2020年政府信息公开工作年度报告');
  });

  it('has the six headings of the template in order, not the typos of the published page', () => {
    const headings = elements(document, 'h2').map(textOf);
    expect(headings).toEqual(template.sections.map((section) => section.heading));
    expect(headings[5]).toBe('六、其他需要报告的事项');
    expect(textOf(document)).not.toContain('其他说要报告的事项');
  });

  it('prints every paragraph of the reference text sections as its own block, the preamble as its own <p>', () => {
    const preamble = referenceLines.find((line) => line.startsWith('依据'));
    expect(preambleParagraphs(document)).toEqual([preamble]);
    expect(paragraphsOf(document, 'overview')).toEqual(referenceParagraphs(/^一、/));
    expect(paragraphsOf(document, 'problems')).toEqual(referenceParagraphs(/^五、/));
    expect(paragraphsOf(document, 'otherMatters')).toEqual(referenceParagraphs(/^六、/));
    expect(referenceParagraphs(/^一、/)).toHaveLength(6);
  });

  it('sets the sub-headings of 一 (1.组织领导。 …) as headings run in to their paragraphs, and the numbered sentences of 五 as plain text', () => {
    const overview = byAttr(document, 'section', 'data-field', 'overview');
    expect(elements(overview, 'h3').map(textOf)).toEqual([
      '1.组织领导。',
      '2.主动公开情况。',
      '3.政府信息管理情况。',
      '4.政府信息公开平台建设情况。',
      '5.教育培训情况。',
      '6.监督保障措施。',
    ]);
    for (const block of overview.childNodes.filter(isElement).slice(1)) {
      expect(block.tagName).toBe('div');
      expect(attr(block, 'class')).toBe('run-in');
      expect(block.childNodes.filter(isElement).map((element) => element.tagName)).toEqual(['h3', 'p']);
    }
    const problems = byAttr(document, 'section', 'data-field', 'problems');
    expect(elements(problems, 'h3')).toEqual([]);
    expect(problems.childNodes.filter(isElement).map((element) => element.tagName)).toEqual(['h2', 'p', 'p']);
  });

  it('prints every row and column label of the reference tables as header text', () => {
    const headerTexts = new Set(elements(document, 'th').map((th) => compact(textOf(th))));
    const labels = referenceTableLabels();
    expect(labels).toContain('（三）不予公开');
    expect(labels).toContain('结果维持');
    expect(labels.length).toBeGreaterThan(60);
    for (const label of labels) expect(headerTexts).toContain(label);
  });

  it('puts the non-zero numbers in the cells of their paths', () => {
    const cellText = (path: string): string => textOf(byAttr(document, 'td', 'data-path', path));
    expect(cellText('activeDisclosure.regulations.normativeDocuments.newlyMade')).toBe('1');
    expect(cellText('activeDisclosure.regulations.normativeDocuments.newlyPublished')).toBe('1');
    expect(cellText('activeDisclosure.regulations.normativeDocuments.totalPublished')).toBe('2');
    expect(cellText('activeDisclosure.procurement.centralizedProcurement.projects')).toBe('9');
    expect(cellText('activeDisclosure.procurement.centralizedProcurement.amount')).toBe('77.0693');
    expect(cellText('applications.outcomes.total.naturalPerson')).toBe('0');
  });

  it('lays out table 三 with the note in the corner, three header rows and three label columns', () => {
    const table = byAttr(document, 'table', 'id', 'applications');
    const th = (text: string): Element => only(elements(table, 'th').filter((cell) => textOf(cell) === text));
    const corner = th('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）');
    expect([attr(corner, 'colspan'), attr(corner, 'rowspan')]).toEqual(['3', '3']);
    expect([attr(th('申请人情况'), 'colspan'), attr(th('申请人情况'), 'scope')]).toEqual(['7', 'colgroup']);
    expect([attr(th('自然人'), 'rowspan'), attr(th('自然人'), 'scope')]).toEqual(['2', 'col']);
    expect(attr(th('法人或其他组织'), 'colspan')).toBe('5');
    expect(attr(th('总计'), 'rowspan')).toBe('2');
    expect([attr(th('三、本年度办理结果'), 'rowspan'), attr(th('三、本年度办理结果'), 'scope')]).toEqual(['20', 'rowgroup']);
    expect([attr(th('（三）不予公开'), 'rowspan'), attr(th('1.属于国家秘密'), 'scope')]).toEqual(['8', 'row']);
    expect(attr(th('一、本年新收政府信息公开申请数量'), 'colspan')).toBe('3');
    expect(attr(th('（一）予以公开'), 'colspan')).toBe('2');
    expect(elements(only(elements(table, 'thead')), 'tr')).toHaveLength(3);
  });

  it('lays out table 四 as three header rows over one unlabelled row of fifteen cells', () => {
    const table = byAttr(document, 'table', 'id', 'reviewsAndLitigation');
    const headers = elements(only(elements(table, 'thead')), 'th');
    const th = (text: string): Element => only(headers.filter((cell) => textOf(cell) === text));
    expect([attr(th('行政复议'), 'colspan'), attr(th('行政复议'), 'scope')]).toEqual(['5', 'colgroup']);
    expect(attr(th('行政诉讼'), 'colspan')).toBe('10');
    expect(attr(th('未经复议直接起诉'), 'colspan')).toBe('5');
    expect(attr(th('复议后起诉'), 'colspan')).toBe('5');
    const upheld = headers.filter((cell) => textOf(cell) === '结果维持');
    expect(upheld.map((cell) => attr(cell, 'rowspan'))).toEqual(['2', undefined, undefined]);
    const body = only(elements(only(elements(table, 'tbody')), 'tr'));
    expect(elements(body, 'th')).toEqual([]);
    expect(elements(body, 'td')).toHaveLength(15);
  });

  it('draws 二 as one table, as the template does: a caption row per sub-table spanning every column, and the columns lined up', () => {
    const table = byAttr(document, 'table', 'id', 'activeDisclosure');
    expect(elements(document, 'table')).toHaveLength(3);
    const captions = elements(table, 'th').filter((th) => attr(th, 'class') === 'caption');
    expect(captions.map(textOf)).toEqual([
      '第二十条第（一）项',
      '第二十条第（五）项',
      '第二十条第（六）项',
      '第二十条第（八）项',
      '第二十条第（九）项',
    ]);
    // five columns: 其他对外管理服务事项 over 行政检查 and 行政确认 takes two label columns, and the widest has three data columns
    for (const caption of captions) expect([attr(caption, 'colspan'), attr(caption, 'scope')]).toEqual(['5', 'colgroup']);
    expect(elements(table, 'tbody').map((tbody) => attr(tbody, 'id'))).toEqual([
      'regulations',
      'licensing',
      'enforcement',
      'fees',
      'procurement',
    ]);
    const th = (text: string): Element =>
      only(elements(byAttr(table, 'tbody', 'id', 'licensing'), 'th').filter((cell) => textOf(cell) === text));
    expect([attr(th('其他对外管理服务事项'), 'rowspan'), attr(th('其他对外管理服务事项'), 'scope')]).toEqual(['2', 'rowgroup']);
    expect(attr(th('行政许可'), 'colspan')).toBe('2');
    const grid = expandGrid(table);
    for (const row of grid) expect(row).toHaveLength(5);
    // 信息内容 heads the first two columns of every sub-table, and every sub-table's first number sits in column 3
    const corners = grid.filter((row) => row[0] !== undefined && textOf(row[0]) === '信息内容');
    expect(corners).toHaveLength(5);
    for (const row of corners) expect(row[1]).toBe(row[0]);
    for (const row of grid.filter((cells) => cells.some((cell) => attr(cell, 'data-path') !== undefined))) {
      expect(attr(row[2] ?? row[0] ?? table, 'data-path')).toBeDefined();
    }
    // 第二十条第（八）项 has two data columns: the second spans the third column, under its own header
    const fees = grid.filter((row) => row.some((cell) => attr(cell, 'data-path')?.startsWith('activeDisclosure.fees.') === true));
    const fee = (key: string) => `activeDisclosure.fees.administrativeFees.${key}`;
    expect(fees.map((row) => row.slice(2).map((cell) => attr(cell, 'data-path')))).toEqual([
      [fee('previousYearItems'), fee('change'), fee('change')],
    ]);
  });

  it('heads columns with scope col/colgroup and rows with scope row/rowgroup', () => {
    for (const thead of elements(document, 'thead')) {
      for (const th of elements(thead, 'th')) expect(['col', 'colgroup']).toContain(attr(th, 'scope'));
    }
    for (const tbody of elements(document, 'tbody')) {
      for (const tr of elements(tbody, 'tr')) {
        // the header rows of 二's sub-tables sit in their tbody, above that sub-table's data rows
        const isHeaderRow = elements(tr, 'td').every((td) => attr(td, 'data-path') === undefined);
        for (const th of elements(tr, 'th')) expect(isHeaderRow ? ['col', 'colgroup'] : ['row', 'rowgroup']).toContain(attr(th, 'scope'));
      }
    }
  });

  it('carries one stylesheet, with a print block for A4 that repeats table headers (how it prints: test/e2e/browser/report-page.test.ts)', () => {
    const style = only(elements(document, 'style'));
    expect(textOf(style)).toBe(REPORT_CSS);
    expect(REPORT_CSS).toContain('@media print');
    expect(REPORT_CSS).toContain('size: A4');
    expect(REPORT_CSS).toContain('thead { display: table-header-group; }');
  });
});

describe.each(Object.values(TEMPLATES))('renderReportHtml with the $id template', (template) => {
  const { report, expected } = distinctReport(template);
  const { document, errors } = parsePage(renderReportHtml(report));
  const tables = gridTablesOf(template);

  it('parses without errors', () => {
    expect(errors).toEqual([]);
  });

  const sections = template.sections.flatMap((section) => (section.type === 'tables' ? [section] : []));

  it.each(sections.map((section) => [section.field, section] as const))(
    'draws part %s as one table, a full rectangle of labels × data',
    (_field, section) => {
      const id = section.tables.length === 1 ? (section.tables[0]?.id ?? '') : section.field;
      const grid = expandGrid(byAttr(document, 'table', 'id', id));
      const labelColumns = Math.max(...section.tables.map((table) => labelDepth(table.rows)));
      const dataColumns = Math.max(...section.tables.map((table) => leafColumns(table.columns).length));
      for (const row of grid) expect(row).toHaveLength(labelColumns + dataColumns);

      let top = 0;
      for (const table of section.tables) {
        const headerRows = (table.caption === undefined ? 0 : 1) + headerDepth(table.columns);
        const dataRows = leafRows(table.rows).length;
        const ownColumns = leafColumns(table.columns).length;
        const cells = tableCells(table);
        grid.slice(top + headerRows, top + headerRows + dataRows).forEach((row, r) => {
          for (const label of row.slice(0, labelColumns)) expect(attr(label, 'data-path')).toBeUndefined();
          // a sub-table narrower than the frame stretches its last column over the rest
          const tds = row.slice(labelColumns).filter((td, c, all) => all[c - 1] !== td);
          expect(tds).toHaveLength(ownColumns);
          tds.forEach((td, c) => {
            const cell = cells[r * ownColumns + c];
            expect(td.tagName).toBe('td');
            expect(attr(td, 'data-path')).toBe(cell?.id);
            expect(textOf(td)).toBe(expected.get(cell?.id ?? ''));
          });
        });
        top += headerRows + dataRows;
      }
      expect(grid).toHaveLength(top);
    },
  );

  it('has the official shapes for tables 三 and 四', () => {
    const applications = expandGrid(byAttr(document, 'table', 'id', 'applications'));
    expect(applications).toHaveLength(3 + (template.format === '2021' ? 25 : 23));
    for (const row of applications) expect(row).toHaveLength(3 + 7);
    const reviews = expandGrid(byAttr(document, 'table', 'id', 'reviewsAndLitigation'));
    expect(reviews).toHaveLength(3 + 1);
    for (const row of reviews) expect(row).toHaveLength(15);
  });

  it('gives every template cell exactly one td, and no td that is not a template cell', () => {
    const paths = elements(document, 'td').flatMap((td) => attr(td, 'data-path') ?? []);
    expect(paths.toSorted()).toEqual([...expected.keys()].toSorted());
  });

  it('prints labels from the template only', () => {
    const nodeLabels = (nodes: readonly (RowNode | ColumnNode)[]): string[] =>
      nodes.flatMap((node) => [...(node.label === undefined ? [] : [node.label]), ...nodeLabels(node.children ?? [])]);
    const labels = new Set(
      tables.flatMap((table) => [table.caption ?? [], table.corner ?? [], nodeLabels(table.rows), nodeLabels(table.columns)].flat()),
    );
    for (const th of elements(document, 'th')) expect(labels).toContain(textOf(th));
  });
});

describe('renderReportHtml cell values', () => {
  it('writes the unit right after the amount, as published reports do, only where the report chooses it (national-2019 采购总金额)', () => {
    const report = structuredClone(zeroReport(TEMPLATES['national-2019'], AGENCY, 2020));
    setPath(report, ['activeDisclosure', 'procurement', 'centralizedProcurement', 'amount'], '75394432.52');
    setPath(report, ['activeDisclosure', 'procurement', 'centralizedProcurement', 'unit'], '元');
    const { document } = parsePage(renderReportHtml(report));
    expect(textOf(byAttr(document, 'td', 'data-path', 'activeDisclosure.procurement.centralizedProcurement.amount'))).toBe('75394432.52元');

    const national2021 = structuredClone(zeroReport(TEMPLATES['national-2021'], AGENCY, 2021));
    setPath(national2021, ['activeDisclosure', 'fees', 'administrativeFees', 'amount'], '0.35');
    const page2021 = parsePage(renderReportHtml(national2021)).document;
    expect(textOf(byAttr(page2021, 'td', 'data-path', 'activeDisclosure.fees.administrativeFees.amount'))).toBe('0.35');
  });

  it('leaves a missing or malformed value blank rather than printing 0 or undefined', () => {
    const report = structuredClone(zeroReport(TEMPLATES['national-2019'], AGENCY, 2020));
    deletePath(report, ['applications', 'newlyReceived', 'naturalPerson']);
    setPath(report, ['applications', 'newlyReceived', 'total'], 'abc');
    setPath(report, ['applications', 'carriedOver', 'total'], -1);
    setPath(report, ['applications', 'carriedForward', 'total'], 1.5);
    setPath(report, ['activeDisclosure', 'fees', 'administrativeFees', 'change'], null);
    setPath(report, ['activeDisclosure', 'procurement', 'centralizedProcurement', 'amount'], 12);
    deletePath(report, ['reviewsAndLitigation', 'reconsideration']);
    const { document } = parsePage(renderReportHtml(report));
    const blank = [
      'applications.newlyReceived.naturalPerson',
      'applications.newlyReceived.total',
      'applications.carriedOver.total',
      'applications.carriedForward.total',
      'activeDisclosure.fees.administrativeFees.change',
      'activeDisclosure.procurement.centralizedProcurement.amount',
      'reviewsAndLitigation.reconsideration.upheld',
      'reviewsAndLitigation.reconsideration.total',
    ];
    for (const path of blank) expect(textOf(byAttr(document, 'td', 'data-path', path))).toBe('');
    expect(textOf(document)).not.toContain('undefined');
    expect(textOf(document)).not.toContain('NaN');
  });

  it('prints a negative 本年增/减 as it is', () => {
    const report = structuredClone(zeroReport(TEMPLATES['national-2019'], AGENCY, 2020));
    setPath(report, ['activeDisclosure', 'licensing', 'administrativeLicensing', 'change'], -3);
    const { document } = parsePage(renderReportHtml(report));
    expect(textOf(byAttr(document, 'td', 'data-path', 'activeDisclosure.licensing.administrativeLicensing.change'))).toBe('-3');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hostile text

const XSS_CORPUS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '</style><script>',
  '<!--',
  ']]>',
  '&lt;script&gt;',
];

interface TextFields {
  name: string;
  preamble: string;
  overview: string;
  problems: string;
  otherMatters: string;
  amount: string;
  unit: string;
  approvedBy: string;
  approvedByEmail: string;
  approvedAt: string;
  contentSha256: string;
}

function reportWithText(fields: TextFields): { report: Report; signOff: SignOff } {
  const base = structuredClone(zeroReport(TEMPLATES['national-2019'], AGENCY, 2020));
  const report: Report = {
    ...base,
    agency: { id: AGENCY.id, name: fields.name },
    preamble: fields.preamble,
    overview: fields.overview,
    problems: fields.problems,
    otherMatters: fields.otherMatters,
  };
  setPath(report, ['activeDisclosure', 'procurement', 'centralizedProcurement', 'amount'], fields.amount);
  setPath(report, ['activeDisclosure', 'procurement', 'centralizedProcurement', 'unit'], fields.unit);
  const signOff: SignOff = {
    approvedBy: fields.approvedBy,
    approvedByEmail: fields.approvedByEmail,
    approvedAt: fields.approvedAt,
    version: 1,
    contentSha256: fields.contentSha256,
  };
  return { report, signOff };
}

/** What the page is specified to carry of a text: LF line breaks; no NUL, other controls, noncharacters or lone surrogates. */
function carried(text: string): string {
  let out = '';
  for (const char of text.replace(/\r\n?/g, '\n')) {
    const point = char.codePointAt(0) ?? 0;
    if (point >= 0xd800 && point <= 0xdfff) {
      out += '\uFFFD';
      continue;
    }
    const control = (point <= 0x1f && !['\t', '\n', '\f'].includes(char)) || (point >= 0x7f && point <= 0x9f);
    const noncharacter = (point >= 0xfdd0 && point <= 0xfdef) || (point & 0xfffe) === 0xfffe;
    if (!control && !noncharacter) out += char;
  }
  return out;
}

const expectedParagraphs = (text: string): string[] =>
  carried(text)
    .split('\n')
    .filter((line) => line.trim() !== '');

function signOffValues(document: Node): Map<string, string> {
  const section = only(elements(document, 'section').filter((element) => attr(element, 'class') === 'sign-off'));
  const dl = only(elements(section, 'dl'));
  const items = dl.childNodes.filter(isElement);
  const values = new Map<string, string>();
  for (let i = 0; i < items.length; i += 2) {
    const dt = items[i];
    const dd = items[i + 1];
    if (dt?.tagName !== 'dt' || dd?.tagName !== 'dd') throw new Error('dl is not dt/dd pairs');
    values.set(textOf(dt), textOf(dd));
  }
  return values;
}

/** The text of each block of a narrative part: a paragraph, a sub-heading alone, or a sub-heading with its paragraph. */
const paragraphsOf = (document: Node, field: string): string[] =>
  byAttr(document, 'section', 'data-field', field)
    .childNodes.filter(isElement)
    .filter((element) => element.tagName !== 'h2')
    .map(textOf);

const preambleParagraphs = (document: Node): string[] =>
  elements(document, 'p')
    .filter((p) => attr(p, 'class') === 'preamble')
    .map(textOf);

/** The page carries exactly the text it was given, each field where it belongs, and nothing else. */
function expectTextCarried(html: string, fields: TextFields): void {
  const { document, errors } = parsePage(html);
  expect(errors).toEqual([]);
  for (const element of elements(document)) expect(ELEMENTS_THE_RENDERER_EMITS).toContain(element.tagName);
  const title = `${carried(fields.name)}2020年政府信息公开工作年度报告`;
  expect(textOf(only(elements(document, 'title')))).toBe(title);
  expect(textOf(only(elements(document, 'h1')))).toBe(title);
  expect(preambleParagraphs(document)).toEqual(expectedParagraphs(fields.preamble));
  expect(paragraphsOf(document, 'overview')).toEqual(expectedParagraphs(fields.overview));
  expect(paragraphsOf(document, 'problems')).toEqual(expectedParagraphs(fields.problems));
  expect(paragraphsOf(document, 'otherMatters')).toEqual(expectedParagraphs(fields.otherMatters));
  const amount = carried(fields.amount);
  const unit = carried(fields.unit);
  expect(textOf(byAttr(document, 'td', 'data-path', 'activeDisclosure.procurement.centralizedProcurement.amount'))).toBe(
    amount === '' ? '' : `${amount}${unit}`,
  );
  const signOff = signOffValues(document);
  const email = carried(fields.approvedByEmail);
  expect(signOff.get('签发人')).toBe(email === '' ? carried(fields.approvedBy) : `${carried(fields.approvedBy)}（${email}）`);
  expect(signOff.get('签发时间')).toBe(carried(fields.approvedAt));
  expect(signOff.get('内容摘要（SHA-256）')).toBe(carried(fields.contentSha256));
}

describe('renderReportHtml with hostile text', () => {
  it.each(XSS_CORPUS)('keeps %s as text in every field, with no script, handler, image or link', (attack) => {
    const fields: TextFields = {
      name: attack,
      preamble: attack,
      overview: attack,
      problems: attack,
      otherMatters: attack,
      amount: attack,
      unit: attack,
      approvedBy: attack,
      approvedByEmail: attack,
      approvedAt: attack,
      contentSha256: attack,
    };
    const { report, signOff } = reportWithText(fields);
    const html = renderReportHtml(report, signOff);
    const { document } = parsePage(html);

    expect(elements(document, 'html')).toHaveLength(1);
    expect(elements(document, 'body')).toHaveLength(1);
    expect(elements(document, 'script')).toEqual([]);
    expect(elements(document, 'img')).toEqual([]);
    for (const element of elements(document)) {
      for (const { name, value } of element.attrs) {
        expect(name.startsWith('on')).toBe(false);
        // the one address on the page is the site's icon, a constant
        if (element.tagName === 'link' && name === 'href') expect(value).toBe(FAVICON_HREF);
        else expect(['href', 'src']).not.toContain(name);
      }
    }
    expect(textOf(only(elements(document, 'style')))).toBe(REPORT_CSS);
    expectTextCarried(html, fields);
    expect(textOf(only(elements(document, 'h1')))).toContain(attack);
    expect(paragraphsOf(document, 'overview')).toEqual([attack]);
  });

  it('gives each attack in a multi-line text its own paragraph', () => {
    const { report } = reportWithText({
      name: '机关',
      preamble: '',
      overview: XSS_CORPUS.join('\n\n'),
      problems: '',
      otherMatters: '',
      amount: '1',
      unit: '元',
      approvedBy: '',
      approvedByEmail: '',
      approvedAt: '',
      contentSha256: '',
    });
    const { document } = parsePage(renderReportHtml(report));
    expect(paragraphsOf(document, 'overview')).toEqual(XSS_CORPUS);
  });

  it('emits only its own elements and carries any text through, for arbitrary strings in every text field', () => {
    const awkward = fc.string({
      unit: fc.constantFrom(
        '\n',
        '\r',
        '\r\n',
        ' ',
        '\u3000',
        '\t',
        '\f',
        '\u0000',
        '\u0001',
        '\u007f',
        '\u0085',
        '\ufdd0',
        '\uffff',
        '\u{10ffff}',
        '\ud800',
        '\udfff',
        '<',
        '>',
        '&',
        '"',
        "'",
        '</p>',
        '<script>',
        '<!--',
        'a',
        '字',
      ),
    });
    const text = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme-composite' }),
      awkward,
    );
    const fields = fc.record({
      name: text,
      preamble: text,
      overview: text,
      problems: text,
      otherMatters: text,
      amount: text,
      unit: text,
      approvedBy: text,
      approvedByEmail: text,
      approvedAt: text,
      contentSha256: text,
    });
    fc.assert(
      fc.property(fields, (generated) => {
        const { report, signOff } = reportWithText(generated);
        expectTextCarried(renderReportHtml(report, signOff), generated);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('renderReportHtml determinism and sign-off', () => {
  const report = loadFixture();
  const signOff: SignOff = {
    approvedBy: '张主任',
    approvedByEmail: 'zhang@example.gov.cn',
    approvedAt: '2021-01-20T02:30:00Z',
    version: 3,
    contentSha256: 'a'.repeat(64),
  };

  it('gives the same bytes for the same input, whatever the machine time zone', () => {
    const zone = process.env['TZ'];
    try {
      process.env['TZ'] = 'America/Los_Angeles';
      const first = renderReportHtml(report, signOff);
      process.env['TZ'] = 'Pacific/Kiritimati';
      const second = renderReportHtml(report, signOff);
      expect(second).toBe(first);
      expect(renderReportHtml(report)).toBe(renderReportHtml(report));
    } finally {
      if (zone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = zone;
    }
  });

  it('has no sign-off block unless one is given', () => {
    const { document } = parsePage(renderReportHtml(report));
    expect(elements(document, 'section').filter((section) => attr(section, 'class') === 'sign-off')).toEqual([]);
    expect(elements(document, 'h2').map(textOf)).not.toContain('签发信息');
  });

  it('ends the page with the sign-off: leader, Beijing time, version and digest', () => {
    const { document } = parsePage(renderReportHtml(report, signOff));
    const sections = elements(only(elements(document, 'main')), 'section');
    const last = sections.at(-1);
    expect(last && attr(last, 'class')).toBe('sign-off');
    expect(last && textOf(only(elements(last, 'h2')))).toBe('签发信息');
    expect(Object.fromEntries(signOffValues(document))).toEqual({
      签发人: '张主任（zhang@example.gov.cn）',
      签发时间: '2021年1月20日 10:30',
      版本: '第3版',
      '内容摘要（SHA-256）': 'a'.repeat(64),
    });
  });

  it.each([
    ['2020-12-31T16:00:00Z', '2021年1月1日 00:00'],
    ['2021-01-20T10:30:00+08:00', '2021年1月20日 10:30'],
    ['2021-03-05T09:07:59.999-05:00', '2021年3月5日 22:07'],
  ])('shows %s as %s', (approvedAt, shown) => {
    const { document } = parsePage(renderReportHtml(report, { ...signOff, approvedAt }));
    expect(signOffValues(document).get('签发时间')).toBe(shown);
  });

  it('shows the leader without parentheses when no e-mail is given', () => {
    const { approvedByEmail: _omitted, ...withoutEmail } = signOff;
    const { document } = parsePage(renderReportHtml(report, withoutEmail));
    expect(signOffValues(document).get('签发人')).toBe('张主任');
  });
});

describe('SignOffSchema', () => {
  const valid = { approvedBy: '张主任', approvedAt: '2021-01-20T02:30:00Z', version: 1, contentSha256: '0'.repeat(64) };

  it('accepts a complete sign-off, with or without e-mail', () => {
    expect(SignOffSchema.parse(valid)).toEqual(valid);
    expect(SignOffSchema.parse({ ...valid, approvedByEmail: 'a@b.cn' }).approvedByEmail).toBe('a@b.cn');
  });

  it.each([
    ['a version below 1', { version: 0 }],
    ['a fractional version', { version: 1.5 }],
    ['a digest that is not 64 hex digits', { contentSha256: 'abc' }],
    ['a time without a zone', { approvedAt: '2021-01-20T10:30:00' }],
    ['a date that is not ISO 8601', { approvedAt: '2021年1月20日' }],
    ['an empty name', { approvedBy: ' ' }],
    ['an e-mail that is not one', { approvedByEmail: 'nobody' }],
  ])('rejects %s', (_reason, change) => {
    expect(SignOffSchema.safeParse({ ...valid, ...change }).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('renderReportJson', () => {
  const report = loadFixture();
  const json = renderReportJson(report);

  function expectKeysSorted(value: unknown): void {
    if (Array.isArray(value)) value.forEach(expectKeysSorted);
    else if (typeof value === 'object' && value !== null) {
      const keys = Object.keys(value);
      expect(keys).toEqual(keys.toSorted());
      for (const key of keys) expectKeysSorted(Reflect.get(value, key));
    }
  }

  it('sorts every object’s keys', () => {
    expectKeysSorted(JSON.parse(json));
    expect(json.startsWith('{"activeDisclosure":')).toBe(true);
  });

  it('has no whitespace between tokens', () => {
    const outsideStrings = json.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    expect(outsideStrings).not.toMatch(/\s/);
  });

  it('is RFC 8785 canonical JSON of the same report', () => {
    expect(json).toBe(canonicalize(JSON.parse(json)));
    expect(JSON.parse(json)).toEqual(report);
  });

  it('does not depend on the order keys were written in', () => {
    const reverse = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reverse);
      if (typeof value !== 'object' || value === null) return value;
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([key, child]) => [key, reverse(child)]),
      );
    };
    const reordered = parseReport(reverse(report));
    expect(Object.keys(reordered.applications)).toEqual(Object.keys(report.applications).toReversed());
    expect(renderReportJson(reordered)).toBe(json);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The title, the 发布日期/来源 line and the 落款

describe('renderReportHtml title, 发布日期/来源 and 落款', () => {
  const base = (): Report => structuredClone(zeroReport(TEMPLATES['national-2019'], AGENCY, 2020));
  const signOff: SignOff = { approvedBy: '张主任', approvedAt: '2021-01-20T02:30:00Z', version: 1, contentSha256: 'a'.repeat(64) };
  const titleLinesOf = (document: Node): string[] => elements(only(elements(document, 'h1')), 'span').map(textOf);
  const closingOf = (document: Node): string[] =>
    elements(only(elements(document, 'footer').filter((footer) => attr(footer, 'class') === 'closing')), 'p').map(textOf);
  const mastheadOf = (document: Node): string[] =>
    elements(document, 'p')
      .filter((p) => attr(p, 'class') === 'masthead')
      .flatMap((p) => elements(p, 'span').map(textOf));

  it('titles a report without a title field as it always did: name, year, 年政府信息公开工作年度报告, on one line', () => {
    const { document } = parsePage(renderReportHtml(base()));
    expect(titleLinesOf(document)).toEqual(['测试市测试局2020年政府信息公开工作年度报告']);
    expect(textOf(only(elements(document, 'title')))).toBe('测试市测试局2020年政府信息公开工作年度报告');
  });

  it.each([
    ['name-year', 1, ['测试市测试局2020年政府信息公开工作年度报告']],
    ['name-year', 2, ['测试市测试局', '2020年政府信息公开工作年度报告']],
    ['name-year-annual', 1, ['测试市测试局2020年度政府信息公开工作年度报告']],
    ['name-year-annual', 2, ['测试市测试局', '2020年度政府信息公开工作年度报告']],
    ['year-name', 1, ['2020年测试市测试局政府信息公开工作年度报告']],
    ['year-name', 2, ['2020年测试市测试局', '政府信息公开工作年度报告']],
    ['year-annual-name', 1, ['2020年度测试市测试局政府信息公开工作年度报告']],
    ['year-annual-name', 2, ['2020年度测试市测试局', '政府信息公开工作年度报告']],
  ] as const)('sets the title format %s on %i line(s) as agencies publish it', (format, lines, expected) => {
    const report = { ...base(), title: { format, lines } };
    expect(parseReport(report).title).toEqual({ format, lines });
    const { document } = parsePage(renderReportHtml(report));
    expect(titleLinesOf(document)).toEqual(expected);
    expect(textOf(only(elements(document, 'title')))).toBe(expected.join(''));
  });

  it('breaks a two-line title where its format says, whatever the name holds', () => {
    const report = { ...base(), title: { format: 'name-year', lines: 2 } as const };
    const { document } = parsePage(renderReportHtml(report, undefined, '测试|局{year}$&'));
    expect(titleLinesOf(document)).toEqual(['测试|局{year}$&', '2020年政府信息公开工作年度报告']);
  });

  it('puts 发布日期 and 来源 under the title of a signed page, and ends it with the 落款: the agency and the day signed, before the sign-off', () => {
    const { document } = parsePage(renderReportHtml(base(), signOff, '北京市测试区测试委员会'));
    expect(mastheadOf(document)).toEqual(['发布日期：2021年1月20日', '来源：北京市测试区测试委员会']);
    expect(closingOf(document)).toEqual(['北京市测试区测试委员会', '2021年1月20日']);
    const main = only(elements(document, 'main'));
    const order = main.childNodes.filter(isElement).map((element) => attr(element, 'class') ?? element.tagName);
    expect(order.slice(0, 2)).toEqual(['h1', 'masthead']);
    expect(order.slice(-2)).toEqual(['closing', 'sign-off']);
  });

  it.each([
    ['2021-01-20T15:59:59Z', '2021年1月20日'],
    ['2021-01-20T16:00:00Z', '2021年1月21日'],
    ['2021-01-21T00:00:00+08:00', '2021年1月21日'],
  ])('dates a page signed at %s (Beijing midnight is the edge) %s', (approvedAt, date) => {
    const { document } = parsePage(renderReportHtml(base(), { ...signOff, approvedAt }));
    expect(closingOf(document)).toEqual(['测试市测试局', date]);
    expect(mastheadOf(document)[0]).toBe(`发布日期：${date}`);
  });

  it('has no 发布日期 line on an unsigned page, and signs it with the name alone', () => {
    const { document } = parsePage(renderReportHtml(base()));
    expect(mastheadOf(document)).toEqual([]);
    expect(closingOf(document)).toEqual(['测试市测试局']);
  });

  it('names the agency by the registered name it is given, never by the name the report carries', () => {
    const report = { ...base(), agency: { id: AGENCY.id, name: '冒用的其他机关' } };
    const html = renderReportHtml(report, signOff, '测试市测试局');
    const { document } = parsePage(html);
    expect(textOf(only(elements(document, 'title')))).toBe('测试市测试局2020年政府信息公开工作年度报告');
    expect(titleLinesOf(document)).toEqual(['测试市测试局2020年政府信息公开工作年度报告']);
    expect(mastheadOf(document)).toContain('来源：测试市测试局');
    expect(closingOf(document)[0]).toBe('测试市测试局');
    expect(html).not.toContain('冒用');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Narrative sub-headings

describe('renderReportHtml narrative sub-headings', () => {
  const blocksOf = (text: string, field: 'overview' | 'problems' = 'overview'): string[] => {
    const report = { ...structuredClone(zeroReport(TEMPLATES['national-2021'], AGENCY, 2021)), [field]: text };
    const section = byAttr(parsePage(renderReportHtml(report)).document, 'section', 'data-field', field);
    return section.childNodes
      .filter(isElement)
      .slice(1)
      .map((element) => {
        const parts = element.tagName === 'div' ? element.childNodes.filter(isElement) : [element];
        return parts.map((part) => `${part.tagName}:${textOf(part)}`).join(' + ');
      });
  };

  it('sets （一）, 1. and 一是 as nested headings, alone on their line or run in to their paragraph', () => {
    const text = [
      '（一）主动公开方面。',
      '本年度主动公开信息47条。',
      '1.组织领导。明确由副主任作为主管领导。',
      '一是加强组织领导，明确人员职责。',
      '(二)依申请公开',
      '2.办理情况：全年收到申请3件。',
    ].join('\n');
    expect(blocksOf(text)).toEqual([
      'h3:（一）主动公开方面。',
      'p:本年度主动公开信息47条。',
      'h4:1.组织领导。 + p:明确由副主任作为主管领导。',
      'h5:一是加强组织领导， + p:明确人员职责。',
      'h3:(二)依申请公开',
      'h4:2.办理情况： + p:全年收到申请3件。',
    ]);
  });

  it('makes the outermost numbering a part uses its first level: 1. alone is an h3', () => {
    expect(blocksOf('1．组织领导。正文。\n2、平台建设。正文。')).toEqual(['h3:1．组织领导。 + p:正文。', 'h3:2、平台建设。 + p:正文。']);
  });

  it('leaves numbered sentences, decimals and years as plain paragraphs', () => {
    const text = [
      '1.工作人员对政务信息公开的认识高度不够，部分工作还停留在传统思维模式上。',
      '1.5万元用于平台建设。',
      '2021年度共收到申请3件。',
    ].join('\n');
    expect(blocksOf(text, 'problems')).toEqual([
      'p:1.工作人员对政务信息公开的认识高度不够，部分工作还停留在传统思维模式上。',
      'p:1.5万元用于平台建设。',
      'p:2021年度共收到申请3件。',
    ]);
  });

  it('never runs a heading longer than 24 characters in, and never takes a long line for a heading alone', () => {
    const longHeading = `（一）${'很'.repeat(22)}。正文。`;
    const longLine = `（二）${'长'.repeat(28)}`;
    expect(blocksOf(`${longHeading}\n${longLine}`)).toEqual([`p:${longHeading}`, `p:${longLine}`]);
    const atLimit = `（一）${'很'.repeat(20)}。正文。`;
    expect(blocksOf(atLimit)).toEqual([`h3:（一）${'很'.repeat(20)}。 + p:正文。`]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Broken drafts: the status page shows what an officer saved, so the renderer must never state a number nobody entered

describe.each(TEMPLATE_CASES)('renderReportHtml on broken %s drafts', (_id, template, year) => {
  it('shows each cell’s value when it is of the cell’s sort and leaves it blank otherwise, in a page that parses cleanly', () => {
    const kinds = new Map(
      gridTablesOf(template)
        .flatMap(tableCells)
        .map((cell) => [cell.id, cell.column.kind.type]),
    );
    fc.assert(
      fc.property(draftReport(template, year), (draft) => {
        let html: string;
        try {
          html = renderReportHtml(draft as Report);
        } catch (error) {
          // a draft without an agency name or a template's parts cannot be titled: it fails, and prints nothing
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        const { document, errors } = parsePage(html);
        expect(errors).toEqual([]);
        for (const element of elements(document)) expect(ELEMENTS_THE_RENDERER_EMITS).toContain(element.tagName);
        for (const td of elements(document, 'td')) {
          const id = attr(td, 'data-path');
          if (id === undefined) continue;
          const value = readPath(draft, id.split('.'));
          const text = textOf(td);
          const kind = kinds.get(id);
          const integer = typeof value === 'number' && Number.isSafeInteger(value);
          if (kind === 'count') expect(text).toBe(integer && value >= 0 ? String(value) : '');
          if (kind === 'signedCount') expect(text).toBe(integer ? String(value) : '');
          if (kind === 'money') {
            if (typeof value === 'string' && carried(value) !== '') expect(text.startsWith(carried(value))).toBe(true);
            else expect(text).toBe('');
          }
        }
      }),
      { numRuns: propertyRuns(100) },
    );
  });
});
