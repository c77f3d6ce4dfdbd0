import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReportPdf } from '#shared/report/print/pdf.js';
import { printDocument } from '#shared/report/print/print-model.js';
import type { Report } from '#shared/report/schema.js';
import { loadPdfFonts } from '#shared/runtime/pdf-fonts.js';
import { DISTINCT_2019, DISTINCT_2021, REFERENCE, rowTexts, SIGN_OFF, STEPS, templateLabels } from './print-fixtures.js';

// The PDF is read back with poppler's pdftotext, as a person copying text out of it would get it.

const dir = mkdtempSync(path.join(tmpdir(), 'nianbao-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pdfOf(report: Report, name: string): Promise<{ file: string; bytes: Buffer; missing: readonly string[] }> {
  const { bytes, missingCharacters } = await renderReportPdf(
    printDocument(report, { contentSha256: SIGN_OFF.contentSha256, signOff: SIGN_OFF, steps: STEPS }),
    await loadPdfFonts(),
    new Date(SIGN_OFF.approvedAt),
  );
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, bytes);
  return { file, bytes, missing: missingCharacters };
}

/** `-raw` keeps the order the text was drawn in: a table row reads label first, then its values left to right. */
const text = (file: string, mode: '-raw' | '-layout' = '-raw'): string =>
  execFileSync('pdftotext', [mode, '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
const squeeze = (value: string): string => value.replace(/\s+/gu, '');

describe('the PDF of a signed report', () => {
  it('has every label and every number of the reference report, row by row, in selectable text', async () => {
    const { file, missing } = await pdfOf(REFERENCE, 'reference');
    // a paragraph that runs onto the next page has that page's number in between, as a reader copying it out gets it
    const all = squeeze(text(file).replace(/第 \d+ 页，共 \d+ 页/gu, ''));
    expect(missing).toEqual([]);
    for (const label of templateLabels(REFERENCE)) expect(all, label).toContain(squeeze(label));
    for (const row of rowTexts(REFERENCE)) expect(all, row).toContain(row);
    expect(all).toContain('北京市大兴区科学技术委员会2020年政府信息公开工作年度报告');
    for (const paragraph of REFERENCE.overview.split('\n').filter((line) => line.trim() !== '')) expect(all).toContain(squeeze(paragraph));
    expect(all).toContain('77.0693');
  });

  it.each([
    ['2019 format', DISTINCT_2019],
    ['2021 format', DISTINCT_2021],
  ])('puts each cell of the %s in its own row, beside its own labels', async (_name, report) => {
    const { file } = await pdfOf(report, report.template);
    const all = squeeze(text(file));
    for (const row of rowTexts(report)) expect(all, row).toContain(row);
  });

  it('is A4 with both fonts embedded as subsets, and numbers every page', async () => {
    const { file, bytes } = await pdfOf(REFERENCE, 'fonts');
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+595\.2\d x 841\.8\d pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(2);
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' })
      .split('\n')
      .slice(2)
      .filter((line) => line.trim() !== '');
    expect(fonts).toHaveLength(2);
    // name, type…, then emb sub uni: every font embedded, subset, with a Unicode map (text copies out as Chinese)
    for (const line of fonts) expect(line).toMatch(/\+NotoS(ans|erif)CJKsc-\S+.*\byes\s+yes\s+yes\s+\d+\s+0\s*$/);
    const all = text(file);
    for (let page = 1; page <= pages; page++) expect(all).toContain(`第 ${page} 页，共 ${pages} 页`);
    expect(bytes.length).toBeLessThan(2 * 1024 * 1024);
  });

  it('carries the content digest and a 签发单 naming every step, its person, post, opinion and time', async () => {
    const { file } = await pdfOf(REFERENCE, 'sheet');
    const all = squeeze(text(file));
    expect(all).toContain(`内容摘要（SHA-256）：${SIGN_OFF.contentSha256}`);
    expect(all).toContain('签发单');
    expect(all).toContain('第3版');
    // the rows of the chain, in order: step, name, post, outcome, comment, Beijing time
    expect(all).toContain('科室负责人初审王科长综合科科长同意数据与台账一致。2021年1月18日09:00');
    expect(all).toContain('办公室主任审核李主任办公室主任同意（已完成保密审查）已做保密审查。2021年1月19日16:05');
    expect(all).toContain('主管领导签发张副主任副主任同意同意发布。2021年1月20日10:30');
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toContain(`SHA-256 ${SIGN_OFF.contentSha256}`);
  });

  it('gives the same bytes for the same signed version', async () => {
    const first = await pdfOf(REFERENCE, 'once');
    const second = await pdfOf(REFERENCE, 'twice');
    expect(second.bytes.equals(first.bytes)).toBe(true);
  });

  it('is the same file whatever was printed before it in the same process (each PDF embeds only its own glyphs)', async () => {
    const alone = await pdfOf(REFERENCE, 'alone');
    const other: Report = { ...REFERENCE, overview: `${REFERENCE.overview}\n另附：鑫淼焱垚犇骉、甲乙丙丁戊己庚辛壬癸。` };
    await pdfOf(other, 'between');
    const after = await pdfOf(REFERENCE, 'after');
    expect(after.bytes.equals(alone.bytes)).toBe(true);
  });

  it('names the characters its fonts cannot show instead of printing them blank without a word', async () => {
    const report: Report = { ...REFERENCE, overview: `${REFERENCE.overview}\n本机关名称含生僻字“䶮”。` };
    const { missing } = await pdfOf(report, 'rare');
    expect(missing).toEqual(['䶮']);
  });
});
