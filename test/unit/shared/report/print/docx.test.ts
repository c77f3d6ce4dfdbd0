import { strFromU8, unzipSync } from 'fflate';
import mammoth from 'mammoth';
import { describe, expect, it } from 'vitest';
import { renderReportDocx } from '#shared/report/print/docx.js';
import { printDocument } from '#shared/report/print/print-model.js';
import type { Report } from '#shared/report/schema.js';
import { all, byTag, parseHtml, plainText, type Element } from '../../../../functions/html.js';
import { DISTINCT_2019, DISTINCT_2021, REFERENCE, rowTexts, SIGN_OFF, STEPS, templateLabels } from './print-fixtures.js';

// The .docx is read back two ways: mammoth (what a reader of the document gets: tables, merged cells) and the raw
// WordprocessingML in word/document.xml (fonts, merges, header rows as Word and WPS see them).

const docxOf = (report: Report): Promise<Buffer> =>
  renderReportDocx(
    printDocument(report, { contentSha256: SIGN_OFF.contentSha256, signOff: SIGN_OFF, steps: STEPS }),
    new Date(SIGN_OFF.approvedAt),
  );
const squeeze = (value: string): string => value.replace(/\s+/gu, '');

async function tablesOf(bytes: Buffer): Promise<Element[]> {
  const { value } = await mammoth.convertToHtml({ buffer: bytes });
  return byTag(parseHtml(value), 'table');
}

const rowText = (tr: Element): string => squeeze(byTag(tr, 'td').concat(byTag(tr, 'th')).length === 0 ? '' : plainText(tr));

describe('the Word document of a signed report', () => {
  it('has every label and number of the reference report in real tables, a row per data row', async () => {
    const bytes = await docxOf(REFERENCE);
    const { value } = await mammoth.convertToHtml({ buffer: bytes });
    const text = squeeze(plainText(parseHtml(value)));
    for (const label of templateLabels(REFERENCE)) expect(text, label).toContain(squeeze(label));
    const rows = (await tablesOf(bytes)).flatMap((table) => byTag(table, 'tr').map(rowText));
    for (const row of rowTexts(REFERENCE)) expect(rows, row).toContain(row);
    expect(text).toContain('北京市大兴区科学技术委员会2020年政府信息公开工作年度报告');
    expect(text).toContain(`内容摘要（SHA-256）：${SIGN_OFF.contentSha256}`);
  });

  it.each([
    ['2019 format', DISTINCT_2019],
    ['2021 format', DISTINCT_2021],
  ])('keeps each cell of the %s in its own row beside its labels', async (_name, report) => {
    const rows = (await tablesOf(await docxOf(report))).flatMap((table) => byTag(table, 'tr').map(rowText));
    for (const row of rowTexts(report)) expect(rows, row).toContain(row);
  });

  it('merges the header and label cells as the official table does', async () => {
    const tables = await tablesOf(await docxOf(REFERENCE));
    const cells = tables.flatMap((table) => all(table, (element) => element.tag === 'td' || element.tag === 'th'));
    const spanOf = (label: string) => {
      const cell = cells.find((element) => squeeze(plainText(element)) === label);
      return { rowspan: cell?.attrs['rowspan'], colspan: cell?.attrs['colspan'] };
    };
    // 2019 format: twenty data rows under 三, eight under （三）, the corner over three label columns and three header rows
    expect(spanOf('三、本年度办理结果')).toEqual({ rowspan: '20', colspan: undefined });
    expect(spanOf('（三）不予公开')).toEqual({ rowspan: '8', colspan: undefined });
    expect(spanOf(squeeze('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）'))).toEqual({ rowspan: '3', colspan: '3' });
    expect(spanOf('法人或其他组织')).toEqual({ rowspan: undefined, colspan: '5' });
    expect(spanOf('一、本年新收政府信息公开申请数量')).toEqual({ rowspan: undefined, colspan: '3' });
    expect(spanOf('其他对外管理服务事项')).toEqual({ rowspan: '2', colspan: undefined });
    expect(spanOf('行政诉讼')).toEqual({ rowspan: undefined, colspan: '10' });
  });

  it('sets the title and headings in 黑体 and the body in 仿宋 on A4, repeats table headers, and numbers the pages', async () => {
    const files = unzipSync(await docxOf(REFERENCE));
    const document = strFromU8(files['word/document.xml'] ?? new Uint8Array());
    expect(document).toMatch(
      /<w:rFonts[^>]*w:eastAsia="黑体"[^>]*\/>(?:(?!<\/w:r>).)*<w:t[^>]*>北京市大兴区科学技术委员会2020年政府信息公开工作年度报告</su,
    );
    expect(document).toMatch(/<w:rFonts[^>]*w:eastAsia="仿宋"[^>]*\/>(?:(?!<\/w:r>).)*<w:t[^>]*>1\.组织领导。/su);
    expect(document).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(document).toContain('<w:vMerge w:val="restart"/>');
    expect(document).toContain('<w:vMerge w:val="continue"/>');
    expect(document).toContain('<w:gridSpan w:val="5"/>');
    expect(document).toContain('<w:tblHeader/>');
    const footer = Object.entries(files).find(([name]) => /^word\/footer\d*\.xml$/.test(name))?.[1];
    expect(strFromU8(footer ?? new Uint8Array())).toMatch(/PAGE[\s\S]*NUMPAGES/);
  });

  it('sets the table cells in 仿宋 at 五号 (小五 in the widest tables) through their paragraph style, the captions in 黑体', async () => {
    const files = unzipSync(await docxOf(REFERENCE));
    const document = strFromU8(files['word/document.xml'] ?? new Uint8Array());
    const styles = strFromU8(files['word/styles.xml'] ?? new Uint8Array());
    const style = (id: string) =>
      new RegExp(`<w:style [^>]*w:styleId="${id}">(?:(?!</w:style>).)*</w:style>`, 'su').exec(styles)?.[0] ?? '';
    expect(style('TableText')).toMatch(/w:eastAsia="仿宋"(?:(?!<\/w:style>).)*<w:sz w:val="21"\/>/su);
    expect(style('TableTextDense')).toMatch(/w:eastAsia="仿宋"(?:(?!<\/w:style>).)*<w:sz w:val="18"\/>/su);
    // a data cell: its paragraph takes the style and its run adds nothing of its own
    expect(document).toMatch(/<w:pStyle w:val="TableText(?:Dense)?"\/>(?:(?!<\/w:p>).)*<w:r><w:t[^>]*>王科长<\/w:t>/su);
    expect(document).toMatch(/<w:r><w:rPr><w:rFonts[^>]*w:eastAsia="黑体"[^>]*\/><w:b\/>/u);
    expect(document).toContain('<w:tblCellMar><w:top w:type="dxa" w:w="40"/><w:left w:type="dxa" w:w="80"/>');
  });

  it('ends with the 签发单: every step with its person, post, opinion and Beijing time', async () => {
    const tables = await tablesOf(await docxOf(REFERENCE));
    const rows = tables.flatMap((table) => byTag(table, 'tr').map(rowText));
    expect(rows).toContain('科室负责人初审王科长综合科科长同意数据与台账一致。2021年1月18日09:00');
    expect(rows).toContain('办公室主任审核李主任办公室主任同意（已完成保密审查）已做保密审查。2021年1月19日16:05');
    expect(rows).toContain(`内容摘要（SHA-256）${SIGN_OFF.contentSha256}`);
  });

  it('gives the same bytes for the same signed version, stamped with the signing time', async () => {
    const first = await docxOf(REFERENCE);
    expect((await docxOf(REFERENCE)).equals(first)).toBe(true);
    const core = strFromU8(unzipSync(first)['docProps/core.xml'] ?? new Uint8Array());
    expect(core).toContain('>2021-01-20T02:30:00Z</dcterms:created>');
  });
});
