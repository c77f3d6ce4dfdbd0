import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readPath, templateCells } from '#shared/report/cells.js';
import { BEIJING_2019 } from '#shared/report/templates/format-2019.js';
import { referenceReport } from '../../support/report-builders.js';
import {
  AUDITOR,
  BROWSER_TEST_MS,
  DIRECTOR,
  focusOn,
  LEADER,
  OFFICER,
  mailsTo,
  personContext,
  publishByApi,
  report2019,
  reviewLink,
  screenshot,
  signInCode,
  signInThroughPage,
  startWorld,
  type World,
} from './support.js';

/**
 * The whole path by clicking, as the three people would: the officer signs in with the emailed code, starts 2020
 * (prefilled from the published 2019 report), types the reference report, submits; the director opens the emailed
 * link, signs in on the page, ticks 保密审查, approves; the leader, on a phone-sized screen, signs off; the public site
 * shows the report; the auditor reads the timeline and downloads it.
 */

const REPORT_ID = 'daxing-kw-2020';
const TITLE = '北京市大兴区科学技术委员会2020年政府信息公开工作年度报告';

let world: World;
beforeAll(async () => {
  world = await startWorld();
  await publishByApi(world, report2019());
}, 120_000);
afterAll(async () => world?.stop(), 60_000);

const cellInput = (page: Page, path: string) => page.locator(`[id="cell-${path}"]`);

/** Signs in on the review page itself: the address is typed (the link does not give it away), the code comes from the outbox. */
async function signInOnReviewPage(page: Page, email: string): Promise<void> {
  const seen = await mailsTo(world, email, '验证码');
  const section = page.locator('#sign-in');
  await expect(section.getByLabel('工作邮箱').inputValue()).resolves.toBe('');
  await section.getByLabel('工作邮箱').fill(email);
  await section.getByRole('button', { name: '获取验证码' }).click();
  const code = await signInCode(world, email, seen);
  await section.getByLabel('验证码（6 位数字）').fill(code);
  await section.getByRole('button', { name: '登录' }).click();
  await page.locator('#decision-form').waitFor();
}

describe('the officer, the director and the leader, in the browser', () => {
  it(
    'runs from sign-in to the published page',
    async () => {
      // ---- the officer ------------------------------------------------------------------------------------------------
      const officer = await personContext(world);
      const page = officer.page;
      await page.goto(`${world.stack.url}/`);
      await page.waitForURL(/\/login\?next=/u);
      await screenshot(page, '01-login-email');
      const seen = await mailsTo(world, OFFICER, '验证码');
      await focusOn(page, 'email'); // the address field has the focus
      await page.keyboard.type(OFFICER);
      await page.keyboard.press('Enter');
      await page.getByLabel('验证码（6 位数字）').waitFor();
      await screenshot(page, '02-login-code');
      await focusOn(page, 'code');
      await page.keyboard.type(await signInCode(world, OFFICER, seen));
      await page.keyboard.press('Enter');
      await page.waitForURL(`${world.stack.url}/`);
      await expect(page.locator('#reports tr[data-year="2019"]').textContent()).resolves.toContain('已发布');
      await screenshot(page, '03-officer-home');

      await page.getByLabel('报告年度').selectOption('2020');
      await page.getByRole('button', { name: '开始填报' }).click();
      await page.waitForURL(/\/drafts\/daxing-kw\/2020$/u);
      // beijing-2019, because the agency's 2019 report was in it; 上年结转 and 上一年项目数量 carried from 2019
      await expect(page.locator('.form-head').textContent()).resolves.toContain('（北京市）');
      await expect(page.locator('#prefill-note').textContent()).resolves.toContain('2019');
      const reference = referenceReport();
      for (const column of ['naturalPerson', 'total']) {
        await expect(cellInput(page, `applications.carriedOver.${column}`).inputValue()).resolves.toBe(
          String(readPath(reference, ['applications', 'carriedOver', column])),
        );
      }
      await expect(cellInput(page, 'applications.newlyReceived.naturalPerson').inputValue()).resolves.toBe('');
      await expect(cellInput(page, 'applications.newlyReceived.naturalPerson').getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.locator('#submit-report').isDisabled()).resolves.toBe(true);

      // type the reference report: every cell not prefilled, and the texts
      for (const cell of templateCells(BEIJING_2019)) {
        const input = cellInput(page, cell.id);
        const value = String(readPath(reference, cell.path));
        if ((await input.inputValue()) !== value) await input.fill(value);
      }
      for (const field of ['preamble', 'overview', 'problems', 'otherMatters'])
        await page.locator(`#field-${field}`).fill(String(reference[field]));
      await expect.poll(() => page.locator('#findings-summary').textContent()).toMatch(/没有错误|检查通过/u);
      await expect.poll(() => page.locator('#submit-report').isEnabled()).toBe(true);
      await page.locator('#save-status', { hasText: '已保存' }).waitFor({ timeout: 10_000 });
      await screenshot(page, '04-form-filled');
      expect(officer.problems).toEqual([]);

      const earlierReviews = await mailsTo(world, DIRECTOR, '请审核');
      const earlierSignOffs = await mailsTo(world, LEADER, '请签发');
      await page.getByRole('button', { name: '提交审核' }).click();
      await page.waitForURL(`${world.stack.url}/reports/${REPORT_ID}`);
      const directorLink = await reviewLink(world, DIRECTOR, earlierReviews);
      await page.locator('[data-step="director"]', { hasText: '等待王主任审核' }).waitFor(); // the page refreshes itself meanwhile
      await expect(page.locator('[data-step="director"]').getAttribute('aria-current')).resolves.toBe('step');
      await screenshot(page, '05-status-director-pending');

      // ---- the director -----------------------------------------------------------------------------------------------
      const director = await personContext(world);
      await director.page.goto(directorLink);
      await expect(director.page.locator('#main > h1').textContent()).resolves.toContain(TITLE);
      await expect(director.page.locator('#decision-form').count()).resolves.toBe(0);
      await screenshot(director.page, '06-review-director-signed-out');
      await signInOnReviewPage(director.page, DIRECTOR);
      await screenshot(director.page, '07-review-director-form');
      const form = director.page.locator('#decision-form');
      await form.getByRole('radio', { name: /^同意/u }).check();
      await form.getByRole('checkbox', { name: /保密审查/u }).check();
      await form.getByRole('button', { name: /提交/u }).click();
      await director.page.locator('#decision', { hasText: '已审核：同意' }).waitFor();
      await expect(director.page.locator('#decision').textContent()).resolves.toContain('已确认完成保密审查');
      await screenshot(director.page, '08-review-director-decided');
      expect(director.problems).toEqual([]);

      // ---- the leader, on a phone ----------------------------------------------------------------------------------------
      const leader = await personContext(world, { width: 375, height: 740 });
      await leader.page.goto(await reviewLink(world, LEADER, earlierSignOffs));
      await signInOnReviewPage(leader.page, LEADER);
      // nothing wider than the screen but the tables, which scroll inside their own box
      const overflow = await leader.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(leader.page, '09-review-leader-375px');
      await leader.page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(leader.page, '09a-review-leader-375px-top', { fullPage: false });
      await leader.page.locator('#table-applications, .report-sheet #applications').first().scrollIntoViewIfNeeded();
      await screenshot(leader.page, '09b-review-leader-375px-table', { fullPage: false });
      await leader.page.locator('#decision-form').scrollIntoViewIfNeeded();
      await screenshot(leader.page, '09c-review-leader-375px-form', { fullPage: false });
      await expect(leader.page.locator('#decision-form').getByRole('checkbox').count()).resolves.toBe(0);
      await leader.page.locator('#decision-form').getByRole('radio', { name: /^同意/u }).check();
      await leader.page.getByRole('textbox', { name: '意见（退回时必填）' }).fill('同意发布。');
      await leader.page.getByRole('button', { name: /提交/u }).click();
      await leader.page.locator('#decision', { hasText: '已签发：同意' }).waitFor();
      await screenshot(leader.page, '10-review-leader-decided-375px', { fullPage: false });
      expect(leader.problems).toEqual([]);

      // ---- published ----------------------------------------------------------------------------------------------------
      await expect
        .poll(
          async () => {
            await page.reload();
            return page.locator('#status').textContent();
          },
          { timeout: 15_000, interval: 300 },
        )
        .toContain('已发布');
      await expect(page.locator('[data-step="published"]').textContent()).resolves.toContain('已完成');
      await screenshot(page, '11-status-published');
      await page.getByRole('link', { name: '在公开网站上查看' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe(TITLE);

      // the public site from its root: agencies → years → the report
      const reader = await personContext(world);
      await reader.page.goto(`${world.stack.url}/site/`);
      await screenshot(reader.page, '12-site-index');
      await reader.page.getByRole('link', { name: '北京市大兴区科学技术委员会' }).click();
      await screenshot(reader.page, '13-site-agency');
      await reader.page
        .getByRole('link', { name: /2020年/u })
        .first()
        .click();
      await expect(reader.page.locator('h1').textContent()).resolves.toBe(TITLE);
      await expect(
        reader.page.locator('td[data-path="activeDisclosure.procurement.centralizedProcurement.amount"]').textContent(),
      ).resolves.toBe('77.0693');
      await expect(reader.page.locator('.sign-off').textContent()).resolves.toContain('张副主任');
      await screenshot(reader.page, '14-site-report');
      expect(reader.problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    'lets the auditor read the timeline, see the chain verified and download it as CSV and JSON',
    async () => {
      const auditor = await personContext(world);
      const page = auditor.page;
      await signInThroughPage(world, page, AUDITOR);
      await screenshot(page, '15-auditor-home');
      await page.locator('#reports tr[data-year="2020"]').getByRole('link', { name: '审计记录' }).click();
      await page.waitForURL(`${world.stack.url}/audit/reports/${REPORT_ID}`);
      await expect(page.locator('#chain').textContent()).resolves.toContain('哈希链校验通过');
      const types = await page.locator('#events tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
      expect(types).toEqual(['submitted', 'review_requested', 'decided', 'review_requested', 'decided', 'published']);
      await expect(page.locator('#executions').textContent()).resolves.toContain('已完成');
      await screenshot(page, '16-audit');

      const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /下载 CSV/u }).click()]);
      expect(csvDownload.suggestedFilename()).toBe(`${REPORT_ID}-audit.csv`);
      const csv = await readDownload(await csvDownload.path());
      expect(csv.startsWith('\uFEFF"序号"')).toBe(true);
      const lines = csv.slice(1).trimEnd().split('\r\n');
      expect(lines).toHaveLength(7);
      expect(lines[3]).toContain('"王主任（办公室主任审核）：同意；已完成保密审查"');
      for (const line of lines) expect(line).toMatch(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/u);

      const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载 JSON' }).click()]);
      const exported = JSON.parse(await readDownload(await jsonDownload.path())) as {
        reportId: string;
        chain: { valid: boolean };
        events: unknown[];
      };
      expect(exported.reportId).toBe(REPORT_ID);
      expect(exported.chain.valid).toBe(true);
      expect(exported.events).toHaveLength(6);
      expect(auditor.problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );
});

async function readDownload(path: string | null): Promise<string> {
  if (path === null) throw new Error('the download has no file');
  return readFile(path, 'utf8');
}
