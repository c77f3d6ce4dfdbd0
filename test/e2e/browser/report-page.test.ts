import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml, type SignOff } from '#shared/report/render.js';
import { parseReport, type Report } from '#shared/report/schema.js';
import { referenceReport } from '../../support/report-builders.js';
import { launchBrowser } from './support.js';

/**
 * The published page as Chromium lays it out and prints it: column headings whole at a laptop's width, row labels
 * readable on a phone, and a printout whose tables break like any rows, repeat their headings and carry page numbers.
 * The printout is read back with pdftotext (Debian's poppler-utils).
 */

const SIGN_OFF: SignOff = { approvedBy: '张主任', approvedAt: '2021-01-20T02:30:00Z', version: 1, contentSha256: 'a'.repeat(64) };

let browser: Browser;
let page: Page;
let dir: string;
beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  dir = await mkdtemp(join(tmpdir(), 'nianbao-print-'));
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const reference = (): Report => parseReport(referenceReport());

/** The report with `extra` paragraphs of filler added to 一, which moves the tables down the printed pages. */
function padded(extra: number): Report {
  const report = reference();
  const filler = Array.from({ length: extra }, () => '补充说明。'.repeat(40)).join('\n');
  return { ...report, overview: extra === 0 ? report.overview : `${report.overview}\n${filler}` };
}

/** How many lines each heading cell's text is set on, for the column headings of every table. */
async function headingLines(): Promise<{ text: string; lines: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('table th[scope="col"], table th[scope="colgroup"]')]
      .filter((th) => !th.classList.contains('corner'))
      .map((th) => {
        const range = document.createRange();
        range.selectNodeContents(th);
        const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        return { text: th.textContent ?? '', lines: tops.size };
      }),
  );
}

describe('the published page on screen', () => {
  it('sets every column heading on one line at 1366 px: no 商业企/业, no 结果维/持', async () => {
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.setContent(renderReportHtml(reference(), SIGN_OFF));
    const headings = await headingLines();
    expect(headings.map((heading) => heading.text)).toEqual(
      expect.arrayContaining(['商业企业', '社会公益组织', '法律服务机构', '结果维持', '未经复议直接起诉']),
    );
    expect(headings.filter((heading) => heading.lines !== 1)).toEqual([]);
    // and every table, 四's fifteen columns too, fits the page without scrolling sideways
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll('.table-scroll')]
        .filter((box) => box.scrollWidth > box.clientWidth)
        .map((box) => box.querySelector('table')?.id),
    );
    expect(overflowing).toEqual([]);
  });

  it('keeps table 三’s row labels at least six characters wide at 390 px, the table scrolling sideways instead', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.setContent(renderReportHtml(reference(), SIGN_OFF));
    const labels = await page.evaluate(() =>
      [...document.querySelectorAll('#applications th[scope="row"]')].map((th) => ({
        text: th.textContent ?? '',
        widthInChars: th.getBoundingClientRect().width / Number.parseFloat(getComputedStyle(th).fontSize),
      })),
    );
    expect(labels).toHaveLength(23);
    expect(labels.filter((label) => label.widthInChars < 6)).toEqual([]);
    // the page itself does not scroll sideways: only the table's box does
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});

/** The page printed to A4 by Chromium, as the text of each page. */
async function printedPages(report: Report): Promise<string[][]> {
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.setContent(renderReportHtml(report, SIGN_OFF));
  const file = join(dir, 'page.pdf');
  await writeFile(file, await page.pdf({ format: 'A4' }));
  let text: string;
  try {
    text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(`pdftotext failed (install Debian's poppler-utils): ${String(error)}`);
  }
  // pdftotext ends every page with a form feed, the last one too
  return text
    .split('\f')
    .slice(0, -1)
    .map((pageText) =>
      pageText
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    );
}

const pageOf = (pages: readonly string[][], text: string): number => pages.findIndex((lines) => lines.some((line) => line.includes(text)));

describe('the published page printed', () => {
  const PADDINGS = [0, 1, 2, 3, 4];
  const printouts = new Map<number, string[][]>();
  beforeAll(async () => {
    for (const extra of PADDINGS) printouts.set(extra, await printedPages(padded(extra)));
  }, 60_000);

  it('numbers every page: 第 n 页，共 N 页', () => {
    for (const pages of printouts.values()) {
      expect(pages.length).toBeGreaterThan(1);
      for (const [index, lines] of pages.entries()) expect(lines.join('\n')).toContain(`第 ${index + 1} 页，共 ${pages.length} 页`);
    }
  });

  it('lets table 三’s 22-row block break across pages like any rows instead of leaving the page before it part empty', () => {
    for (const [extra, pages] of printouts) {
      const before = pageOf(pages, '二、上年结转政府信息公开申请数量');
      const next = pageOf(pages, '（一）予以公开');
      expect(before, `padding ${extra}`).toBeGreaterThanOrEqual(0);
      // the row after 二 follows it on the same page, unless 二 was the last row that fitted
      const fullest = Math.max(...pages.map((lines) => lines.length));
      if (next !== before)
        expect(pages[before]?.length ?? 0, `padding ${extra}: page ${before + 1}`).toBeGreaterThanOrEqual(fullest * 0.85);
    }
  });

  it('repeats table 三’s column headings at the top of the page it continues on', () => {
    let continued = 0;
    for (const [extra, pages] of printouts) {
      const first = pageOf(pages, '一、本年新收政府信息公开申请数量');
      const last = pageOf(pages, '四、结转下年度继续办理');
      for (let index = first + 1; index <= last; index++) {
        continued++;
        expect(pages[index]?.slice(0, 3).join('\n'), `padding ${extra}: page ${index + 1}`).toContain('申请人情况');
      }
    }
    expect(continued).toBeGreaterThan(0);
  });
});
