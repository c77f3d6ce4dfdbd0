import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { referenceReport } from '../../support/report-builders.js';
import {
  ApiClient,
  BROWSER_TEST_MS,
  DIRECTOR,
  mailsTo,
  OFFICER,
  personContext,
  reviewLink,
  screenshot,
  signInCode,
  signInThroughPage,
  startWorld,
  type World,
} from './support.js';

/**
 * A return and a resubmission as the people do them: the director returns with a comment (the page will not return
 * without one), the officer reads it, revises the returned version and resubmits, and the director's page for the new
 * version shows what changed. Then the officer withdraws, confirming first.
 */

const REPORT_ID = 'daxing-kw-2020';
const COMMENT = '采购项目数有误，请核对；第五部分请写具体措施。';

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => world?.stop(), 60_000);

async function signInOnReviewPage(page: Page, email: string): Promise<void> {
  const seen = await mailsTo(world, email, '验证码');
  await page.locator('#sign-in').getByLabel('工作邮箱').fill(email);
  await page.locator('#sign-in').getByRole('button', { name: '获取验证码' }).click();
  await page
    .locator('#sign-in')
    .getByLabel('验证码（6 位数字）')
    .fill(await signInCode(world, email, seen));
  await page.locator('#sign-in').getByRole('button', { name: '登录' }).click();
  await page.locator('#decision-form').waitFor();
}

describe('returning, resubmitting and withdrawing, in the browser', () => {
  it(
    'returns with a comment, shows it to the officer, and shows the director what changed in the resubmission',
    async () => {
      const officerApi = await ApiClient.signIn(world, OFFICER);
      const seenReviews = await mailsTo(world, DIRECTOR, '请审核');
      const submitted = await officerApi.call('POST', '/api/reports', { report: referenceReport() });
      expect(submitted.status).toBe(201);

      // the director returns it; the page insists on a comment first
      const director = await personContext(world);
      await director.page.goto(await reviewLink(world, DIRECTOR, seenReviews));
      await signInOnReviewPage(director.page, DIRECTOR);
      const form = director.page.locator('#decision-form');
      await form.getByRole('radio', { name: /^退回修改/u }).check();
      await form.getByRole('button', { name: /提交/u }).click();
      await expect
        .poll(() => director.page.locator('#comment').evaluate((area: HTMLTextAreaElement) => area.validity.valueMissing))
        .toBe(true);
      await expect(director.page.locator('#decision', { hasText: '已审核' }).count()).resolves.toBe(0);
      await form.getByRole('textbox', { name: '意见（退回时必填）' }).fill(COMMENT);
      await form.getByRole('button', { name: /提交/u }).click();
      await director.page.locator('#decision', { hasText: '已审核：退回修改' }).waitFor();

      // the officer sees the comment and revises the returned version
      const officer = await personContext(world);
      const page = officer.page;
      await signInThroughPage(world, page, OFFICER, `/reports/${REPORT_ID}`);
      await expect
        .poll(
          async () => {
            await page.reload();
            return page.locator('#status').textContent();
          },
          { timeout: 15_000, interval: 300 },
        )
        .toContain('已退回修改');
      await expect(page.locator('#return-comment').textContent()).resolves.toContain(COMMENT);
      await expect(page.locator('[data-step="director"]').textContent()).resolves.toContain('退回');
      await screenshot(page, '30-status-returned');
      await page.getByRole('link', { name: '修改后重新提交' }).click();
      await page.waitForURL(`${world.stack.url}/reports/${REPORT_ID}/edit`);
      await expect(page.locator('#return-comment').textContent()).resolves.toContain(COMMENT);
      const projects = page.locator('[id="cell-activeDisclosure.procurement.centralizedProcurement.projects"]');
      await expect(projects.inputValue()).resolves.toBe('9');
      await projects.fill('11');
      const problems = page.locator('#field-problems');
      const oldText = await problems.inputValue();
      const newParagraph = '2.信息公开更新不够及时。2021年起每月由办公室逐条核对公开目录，逾期未更新的通报到科室。';
      const oldParagraph = oldText.split('\n').filter((line) => line.trim() !== '')[1] ?? '';
      await problems.fill(oldText.replace(oldParagraph, newParagraph));
      await expect.poll(() => page.locator('#submit-report').isEnabled()).toBe(true);
      await screenshot(page, '31-form-revision');
      const seenSecond = await mailsTo(world, DIRECTOR, '请审核');
      await page.getByRole('button', { name: '重新提交' }).click();
      await page.waitForURL(`${world.stack.url}/reports/${REPORT_ID}`);
      await expect(page.locator('#status').textContent()).resolves.toContain('第2版');

      // the director's page for v2: what changed since v1
      await director.page.goto(await reviewLink(world, DIRECTOR, seenSecond));
      const changes = director.page.locator('#changes');
      await expect(changes.textContent()).resolves.toContain('自您审阅的第1版以来的修改');
      const row = changes.locator('tr[data-path="activeDisclosure.procurement.centralizedProcurement.projects"] td');
      await expect(row.allTextContents()).resolves.toEqual(expect.arrayContaining(['9', '11']));
      await expect(changes.locator('p.added').textContent()).resolves.toContain(newParagraph);
      await expect(changes.locator('p.removed').textContent()).resolves.toContain(oldParagraph);
      await expect(director.page.locator('#decision-form').count()).resolves.toBe(1);
      await screenshot(director.page, '32-review-changes-since-v1');
      await director.page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(director.page, '32a-review-changes-since-v1-top', { fullPage: false });
      expect([...officer.problems, ...director.problems]).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    'withdraws only after a second “yes”, and the review link then decides nothing',
    async () => {
      const officer = await personContext(world);
      const page = officer.page;
      await signInThroughPage(world, page, OFFICER, `/reports/${REPORT_ID}`);
      await page.locator('[data-step="director"]', { hasText: '等待王主任审核' }).waitFor();
      const start = page.getByRole('button', { name: '撤回报告…' });
      await start.click();
      await expect(page.locator('#withdraw-confirm').isVisible()).resolves.toBe(true);
      await expect(start.getAttribute('aria-expanded')).resolves.toBe('true');
      await screenshot(page, '33-status-withdraw-confirm', { fullPage: false });
      // 取消 closes it and nothing happens
      await page.getByRole('button', { name: '取消' }).click();
      await expect(page.locator('#withdraw-confirm').isHidden()).resolves.toBe(true);
      await expect(page.locator('#status').textContent()).resolves.toContain('审核中');

      await start.click();
      // no reason, no withdrawal: the box says why and the report stays in review
      await page.getByRole('button', { name: '确认撤回' }).click();
      await page.locator('#withdraw-error', { hasText: '请填写撤回原因' }).waitFor();
      await expect(page.locator('#status').textContent()).resolves.toContain('审核中');
      await page.getByRole('textbox', { name: /撤回原因/u }).fill('表三数据需再核对。');
      await page.getByRole('button', { name: '确认撤回' }).click();
      await page.locator('#status', { hasText: '已撤回' }).waitFor();
      await expect(page.getByRole('link', { name: '重新填报' }).count()).resolves.toBe(1);
      await screenshot(page, '34-status-withdrawn');

      const director = await personContext(world);
      await signInThroughPage(world, director.page, DIRECTOR);
      await director.page.goto(await reviewLink(world, DIRECTOR));
      await expect(director.page.locator('#decision-form').count()).resolves.toBe(0);
      await expect(director.page.locator('#closed').textContent()).resolves.toContain('不再需要处理');
      await expect(director.page.locator('#closed').textContent()).resolves.toContain('撤回原因：表三数据需再核对。');
      await screenshot(director.page, '35-review-after-withdrawal', { fullPage: false });
      expect(officer.problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );
});
