import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_MS, personContext, screenshot, signInThroughPage, startWorld, type World } from './support.js';

/**
 * The district administrator's console in the browser, on a desktop and on a phone: the dashboard, a reminder sent from
 * its button, a person added after previewing what happens to their reviews, a chain refused with the problem shown,
 * a CSV import refused line by line. Screenshots go to test-output/screenshots/.
 */

const ADMIN = 'admin@daxing.example.cn';

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => world?.stop(), 60_000);

describe.each([
  ['desktop', 1366, 900],
  ['phone', 390, 844],
] as const)('the administration page on a %s', (name, width, height) => {
  it(
    'shows the three agencies, sends a reminder, previews and adds a person, refuses a bad chain and a bad CSV',
    async () => {
      const { context, page, problems } = await personContext(world, { width, height });
      await signInThroughPage(world, page, ADMIN, '/admin');
      await expect(page.locator('#progress tbody tr').count()).resolves.toBe(3);
      await expect(page.locator('#progress').textContent()).resolves.toContain('北京市大兴区财政局');
      await screenshot(page, `admin-${name}`);

      const row = page.locator('#progress tr[data-agency="daxing-jw"]');
      await row.getByRole('button', { name: '发送提醒' }).click();
      await row.locator('output', { hasText: '已提醒 1 人。' }).waitFor();

      const email = `legal-${name}@kw.example.cn`;
      const add = page
        .locator('section', { has: page.locator('#people-title') })
        .locator('form')
        .filter({ has: page.locator('input[name="email"]') });
      await add.locator('input[name="email"]').fill(email);
      await add.locator('input[name="name"]').fill('郑法制');
      await add.locator('select[name="agencyId"]').selectOption('daxing-kw');
      await add.locator('input[name="roles"]').fill('legal');
      await add.getByRole('button', { name: '预览影响' }).click();
      await add.locator('output', { hasText: '预览（尚未保存）：没有待办审核受影响。' }).waitFor();
      await add.getByRole('button', { name: '保存' }).click();
      await add.locator('output', { hasText: '已保存。' }).waitFor();
      await page.waitForLoadState('load');
      await page.locator('#people', { hasText: email }).waitFor();

      const card = page.locator('#agency-daxing-kw');
      await card.getByRole('group', { name: '第 1 步', exact: true }).getByLabel('保密审查').uncheck();
      await card.locator('[data-chain-general]', { hasText: '审批链中须有一个步骤负责保密审查。' }).waitFor();
      await card.getByRole('button', { name: '保存', exact: true }).click();
      await card.locator('output.error', { hasText: '审批链有 1 处问题' }).waitFor();

      const importForm = page.locator('#import-form');
      await importForm.locator('input[type="file"]').setInputFiles({
        name: 'people.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('邮箱,姓名,单位,角色\nnot-an-address,某人,daxing-kw,信息员\n'),
      });
      await importForm.getByRole('button', { name: '导入' }).click();
      await importForm.locator('output.error', { hasText: '第 2 行' }).waitFor();
      await screenshot(page, `admin-${name}-after`);
      expect(problems.filter((problem) => !problem.includes('400'))).toEqual([]);
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
