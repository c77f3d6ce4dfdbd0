import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_MS, OFFICER, personContext, screenshot, signInThroughPage, startWorld, type World } from './support.js';

/**
 * The officer brings in last year's report from before nianbao: uploads the page's copied-out text, reads the
 * preview (an unreadable cell marked), saves it, and the next year's form starts with 上年结转 from it.
 */

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => world?.stop(), 60_000);

const REFERENCE = new URL('../../fixtures/daxing-kejiwei-2020.txt', import.meta.url);

describe('importing last year’s report in the browser', () => {
  it(
    'previews what was read, marks what was not, saves it, and the 2021 form carries its numbers over',
    async () => {
      // the reference page's text, with 四、结转下年度继续办理 自然人 3 and one cell left blank
      const text = (await readFile(REFERENCE, 'utf8'))
        .replace(
          '\t四、结转下年度继续办理\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0',
          '\t四、结转下年度继续办理\n\t3\n\t0\n\t0\n\t0\n\t0\n\t0\n\t3',
        )
        .replace('\t政府集中采购\n\t9', '\t政府集中采购\n\t');
      const officer = await personContext(world);
      const page = officer.page;
      await signInThroughPage(world, page, OFFICER, '/previous/import');
      await page.getByLabel('报告年度').fill('2020');
      await page
        .getByLabel(/报告文件/u)
        .setInputFiles({ name: '大兴区科委2020年报.txt', mimeType: 'text/plain', buffer: Buffer.from(text, 'utf8') });
      await page.getByRole('button', { name: '读取并预览' }).click();
      await page.locator('#import-preview:not([hidden])').waitFor();
      await expect(page.locator('#import-summary').textContent()).resolves.toBe(
        '模板 beijing-2019，2020 年度：读出 205 项，1 项无法确定。',
      );
      const uncertain = page.locator('#import-uncertain tbody tr.uncertain');
      await expect(uncertain.count()).resolves.toBe(1);
      await expect(uncertain.first().textContent()).resolves.toContain('政府集中采购 采购项目数量');
      await expect(uncertain.first().textContent()).resolves.toContain('空白');
      await screenshot(page, 'import-preview', { fullPage: true });

      await page.getByRole('button', { name: '保存为上年报告' }).click();
      await expect(page.locator('#import-status', { hasText: '已保存' }).textContent()).resolves.toContain('已保存为 2020 年度的导入报告');

      await page.goto(`${world.stack.url}/drafts/daxing-kw/2021`);
      const carried = page.locator('td[data-path="applications.carriedOver.naturalPerson"]');
      await expect(carried.getAttribute('class')).resolves.toBe('prefilled');
      await expect(page.locator('[id="cell-applications.carriedOver.naturalPerson"]').inputValue()).resolves.toBe('3');
      expect(officer.problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );
});
