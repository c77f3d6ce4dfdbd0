import { setPath } from '../cells.js';
import { AGENCY_ID_PATTERN, FIRST_YEAR, LAST_YEAR } from '../schema.js';
import type { Template, TemplateId, TextField } from '../template-model.js';
import { TEMPLATES, templateFitsYear } from '../templates/index.js';
import { sectionOf } from './normalize.js';
import { BREAK, readTables, type RecognisedCell, type Token, type UncertainItem } from './read-tables.js';
import type { SourceBlock } from './source.js';

/**
 * Last year's published report, read back into the report JSON. What could be read with certainty is in the report;
 * everything else is left out of it and listed as uncertain, with the reason: a blank, a row that is not there, a row
 * with a number too many, a money amount without its unit. Nothing is filled in that the page did not say.
 */

export interface ImportOptions {
  readonly template?: TemplateId | undefined;
  readonly agencyId?: string | undefined;
  readonly agencyName?: string | undefined;
  readonly year?: number | undefined;
}

export interface RecognisedItem {
  readonly path: string;
  readonly label: string;
  /** the value as written into the report (text parts: their length in characters) */
  readonly value: number | string;
}

export interface ImportResult {
  /** the report as far as it was read: uncertain cells are absent, never 0 */
  readonly report: Record<string, unknown>;
  readonly template: TemplateId;
  readonly year: number | undefined;
  readonly agencyName: string | undefined;
  readonly recognised: readonly RecognisedItem[];
  readonly uncertain: readonly UncertainItem[];
}

export class ImportUnreadableError extends Error {
  override readonly name = 'ImportUnreadableError';
}

const TEXT_PARTS: readonly { readonly section: number; readonly field: TextField; readonly label: string }[] = [
  { section: 0, field: 'overview', label: '一、总体情况' },
  { section: 4, field: 'problems', label: '五、存在的主要问题及改进情况' },
  { section: 5, field: 'otherMatters', label: '六、其他需要报告的事项' },
];

const TITLE = /政府信息公开工作年度报告/u;
/** The page around a report: navigation, the 发布日期 line, print and close buttons, the site's footer. */
const PAGE_CHROME =
  /^(首页|当前位置|您的位置|发布日期|发文日期|发布时间|来源[:：]|字号|【|打印|关闭|分享|浏览次数|访问量|扫一扫|版权所有|主办单位|网站标识码|ICP|京ICP|联系我们|网站地图)/u;
const DATE_LINE = /^\d{4}年\d{1,2}月\d{1,2}日$/u;
/** Where a report's last part ends at the latest: the page's tools and footer, or the 签发单 of a file nianbao made. */
const AFTER_REPORT = /^(签发单|内容摘要（SHA-256）|【?打印|【?关闭|版权所有|主办单位|网站标识码)/u;

interface Sections {
  /** index of each part's heading among the blocks (−1 where the page has none) */
  readonly starts: readonly number[];
}

/** The six headings, in order: a heading is taken only after the one before it, so 一、 in the text is no heading. */
function findSections(blocks: readonly SourceBlock[]): Sections {
  const starts = [-1, -1, -1, -1, -1, -1];
  let next = 0;
  blocks.forEach((block, index) => {
    if (block.type !== 'line') return;
    const section = sectionOf(block.text);
    if (section !== undefined && section >= next) {
      starts[section] = index;
      next = section + 1;
    }
  });
  return { starts };
}

function sectionEnd(sections: Sections, section: number, length: number): number {
  return sections.starts.slice(section + 1).find((start) => start !== -1) ?? length;
}

/** The lines of a text part: its paragraphs as the page has them, blank lines kept between, none at either end. */
function partText(blocks: readonly SourceBlock[], from: number, to: number, trailer: (line: string) => boolean): string {
  const lines = blocks
    .slice(from, to)
    .flatMap((block) => (block.type === 'line' ? [block.text] : block.type === 'cell' ? [block.text] : [block.cells.join(' ')]));
  while (lines.length > 0 && (lines.at(-1)?.trim() === '' || trailer(lines.at(-1) ?? ''))) lines.pop();
  while (lines.length > 0 && lines[0]?.trim() === '') lines.shift();
  return lines.join('\n');
}

interface Title {
  readonly name: string | undefined;
  readonly year: number | undefined;
  readonly titleEnd: number;
}

/** 「北京市某局」「2020年政府信息公开工作年度报告」 on one line or two, or 「2019年上海市某局政府信息公开工作年度报告」. */
function findTitle(blocks: readonly SourceBlock[], before: number): Title {
  const lines = blocks.slice(0, before).map((block, index) => ({ index, text: block.type === 'line' ? block.text.trim() : '' }));
  const at = lines.findIndex((line) => TITLE.test(line.text));
  if (at === -1) return { name: undefined, year: undefined, titleEnd: 0 };
  const line = lines[at]?.text ?? '';
  const previous = lines
    .slice(0, at)
    .reverse()
    .find((candidate) => candidate.text !== '')?.text;
  const nameFirst = /^(.*?)(\d{4})\s*年度?\s*政府信息公开工作年度报告/u.exec(line.replace(/\s+/gu, ''));
  const yearFirst = /^(\d{4})\s*年度?(.+?)政府信息公开工作年度报告/u.exec(line.replace(/\s+/gu, ''));
  let name: string | undefined;
  let year: number | undefined;
  if (nameFirst) {
    year = Number(nameFirst[2]);
    name =
      nameFirst[1] !== ''
        ? nameFirst[1]
        : previous !== undefined && !PAGE_CHROME.test(previous) && previous.length <= 40
          ? previous
          : undefined;
  } else if (yearFirst) {
    year = Number(yearFirst[1]);
    name = yearFirst[2];
  }
  return {
    name,
    year: year !== undefined && year >= FIRST_YEAR && year <= LAST_YEAR ? year : undefined,
    titleEnd: (lines[at]?.index ?? 0) + 1,
  };
}

/** Table cells as a stream: one per cell, a break where the page ends a row (a blank line between cells, a table row). */
function tableTokens(blocks: readonly SourceBlock[], sections: Sections): { tokens: Token[]; sectionOfToken: number[] } {
  const tokens: Token[] = [];
  const sectionOfToken: number[] = [];
  const push = (token: Token, section: number): void => {
    tokens.push(token);
    sectionOfToken.push(section);
  };
  const anyHeading = sections.starts.some((start) => start !== -1);
  for (const section of [1, 2, 3]) {
    const start = sections.starts[section] ?? -1;
    if (anyHeading && start === -1) continue;
    const from = anyHeading ? start + 1 : 0;
    const to = anyHeading ? sectionEnd(sections, section, blocks.length) : blocks.length;
    const part = anyHeading ? section : -1;
    for (const block of blocks.slice(from, to)) {
      if (block.type === 'row') {
        for (const cell of block.cells) push(cell, part);
        push(BREAK, part);
      } else if (block.type === 'cell') push(block.text, part);
      else if (block.text.trim() === '') push(BREAK, part);
      else push(block.text.trim(), part);
    }
    push(BREAK, part);
    if (!anyHeading) break;
  }
  return { tokens, sectionOfToken };
}

function chooseTemplate(
  tokens: readonly Token[],
  sectionOfToken: readonly number[],
  options: ImportOptions,
  year: number | undefined,
): Template {
  if (options.template !== undefined) return TEMPLATES[options.template];
  const scored = Object.values(TEMPLATES).map((template) => ({ template, score: readTables(template, tokens, sectionOfToken).score }));
  // the year decides between equally good fits; a better fit outside its years still wins, and is reported below
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      Number(year !== undefined && templateFitsYear(b.template, year)) - Number(year !== undefined && templateFitsYear(a.template, year)),
  );
  const best = scored[0];
  if (best === undefined) throw new ImportUnreadableError('no templates');
  return best.template;
}

export function importReport(blocks: readonly SourceBlock[], options: ImportOptions = {}): ImportResult {
  const sections = findSections(blocks);
  const firstPart = sections.starts.find((start) => start !== -1) ?? blocks.length;
  const title = findTitle(blocks, firstPart);
  const { tokens, sectionOfToken } = tableTokens(blocks, sections);
  const year = options.year ?? title.year;
  const template = chooseTemplate(tokens, sectionOfToken, options, year);
  const tables = readTables(template, tokens, sectionOfToken);
  if (tables.placed === 0 && sections.starts.every((start) => start === -1)) {
    throw new ImportUnreadableError('the file has neither the parts of a report nor a row of its tables');
  }

  const recognised: RecognisedItem[] = [];
  const uncertain: UncertainItem[] = [];
  const report: Record<string, unknown> = { template: template.id };

  const agencyName = options.agencyName ?? title.name;
  if (options.agencyId !== undefined && AGENCY_ID_PATTERN.test(options.agencyId)) {
    report['agency'] = { id: options.agencyId, name: agencyName ?? '' };
  } else {
    report['agency'] = { id: '', name: agencyName ?? '' };
    uncertain.push({ path: 'agency.id', label: '机关代码', reason: '文件中没有机关代码，请指定（--agency）' });
  }
  if (agencyName === undefined) uncertain.push({ path: 'agency.name', label: '机关名称', reason: '没有从标题中读出机关名称' });
  else if (options.agencyName === undefined) recognised.push({ path: 'agency.name', label: '机关名称', value: agencyName });

  if (year === undefined) uncertain.push({ path: 'year', label: '报告年度', reason: '没有从标题中读出报告年度' });
  else {
    report['year'] = year;
    if (options.year === undefined) recognised.push({ path: 'year', label: '报告年度', value: year });
    if (!templateFitsYear(template, year)) {
      uncertain.push({ path: 'template', label: '模板', reason: `读出的表格是“${template.name}”，它不适用于 ${year} 年度的报告` });
    }
  }
  if (options.template === undefined) recognised.push({ path: 'template', label: '模板', value: template.id });

  const preambleLines = partText(blocks, title.titleEnd, firstPart, () => false)
    .split('\n')
    .filter((line) => line.trim() !== '' && !PAGE_CHROME.test(line.trim()));
  if (preambleLines.length > 0) {
    const preamble = preambleLines.join('\n');
    report['preamble'] = preamble;
    recognised.push({ path: 'preamble', label: '引言', value: preamble.length });
  }

  const isTrailer = (line: string): boolean => {
    const text = line.trim();
    return PAGE_CHROME.test(text) || DATE_LINE.test(text.replace(/\s+/gu, '')) || (agencyName !== undefined && text === agencyName);
  };
  for (const part of TEXT_PARTS) {
    const start = sections.starts[part.section] ?? -1;
    if (start === -1) {
      report[part.field] = '';
      uncertain.push({ path: part.field, label: part.label, reason: '页面上没有找到这一部分的标题' });
      continue;
    }
    let end = sectionEnd(sections, part.section, blocks.length);
    if (part.section === 5) {
      const stop = blocks.findIndex(
        (block, index) => index > start && index < end && block.type === 'line' && AFTER_REPORT.test(block.text.trim()),
      );
      if (stop !== -1) end = stop;
    }
    const text = partText(blocks, start + 1, end, part.section === 5 ? isTrailer : () => false);
    report[part.field] = text;
    if (text.trim() === '') uncertain.push({ path: part.field, label: part.label, reason: '这一部分是空的' });
    else recognised.push({ path: part.field, label: part.label, value: text.length });
  }
  for (const section of [1, 2, 3]) {
    if (sections.starts[section] === -1 && sections.starts.some((start) => start !== -1)) {
      const heading = template.sections[section]?.heading ?? '';
      uncertain.push({ path: template.sections[section]?.field ?? '', label: heading, reason: '页面上没有找到这一部分的标题' });
    }
  }

  for (const section of template.sections) if (section.type === 'tables') report[section.field] = {};
  for (const cell of tables.recognised) writeCell(report, cell);
  recognised.push(...tables.recognised.map(({ path, label, value }) => ({ path, label, value })));
  uncertain.push(...tables.uncertain);
  return { report, template: template.id, year, agencyName, recognised, uncertain };
}

function writeCell(report: Record<string, unknown>, cell: RecognisedCell): void {
  setPath(report, cell.path.split('.'), cell.value);
  if (cell.unit !== undefined) setPath(report, cell.unit.path.split('.'), cell.unit.value);
}
