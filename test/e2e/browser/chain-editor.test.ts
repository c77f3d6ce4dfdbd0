import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_MS, personContext, screenshot, signInThroughPage, startWorld, type World } from './support.js';

/**
 * The review-chain editor an office worker uses on the administration page, on a desktop and on a phone: a 法制会签
 * step and a review step added with the keyboard, saved, and shown again after a reload; the sign step moved up shows
 * its problem at that step and nothing is saved. No serious or critical axe finding, no sideways scroll on the phone.
 */

const ADMIN = 'admin@daxing.example.cn';

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => world?.stop(), 60_000);

const step = (card: Locator, n: number): Locator => card.getByRole('group', { name: `第 ${n} 步`, exact: true });

async function labels(card: Locator): Promise<string[]> {
  return card
    .locator('[data-chain-steps] > li input[data-field="label"]')
    .evaluateAll((inputs) => inputs.map((input) => (input instanceof HTMLInputElement ? input.value : '')));
}

async function seriousAxe(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

describe.each([
  ['desktop', 1366, 900, 'daxing-jw'],
  ['phone', 390, 844, 'daxing-czj'],
] as const)('the chain editor on a %s', (name, width, height, agencyId) => {
  it(
    'adds a 法制会签 step, saves the four-step chain, and refuses the sign step before the end at that step',
    async () => {
      const { context, page, problems } = await personContext(world, { width, height });
      await signInThroughPage(world, page, ADMIN, '/admin');
      const card = page.locator(`#agency-${agencyId}`);
      // an agency without a chain of its own starts from the default one
      await expect(labels(card)).resolves.toEqual(['办公室主任审核', '主管领导签发']);
      expect(await seriousAxe(page)).toEqual([]);

      // with the keyboard: the new step lands before the sign step, its 名称 focused
      await card.getByRole('button', { name: '添加步骤' }).focus();
      await page.keyboard.press('Enter');
      await page.keyboard.type('法制会签');
      const added = step(card, 2);
      await expect(added.getByLabel('名称').evaluate((input) => input === document.activeElement)).resolves.toBe(true);
      await expect(added.getByLabel('名称').inputValue()).resolves.toBe('法制会签');
      await added.getByLabel('类型').selectOption({ label: '会签' });
      await added.getByLabel('岗位').fill('legal');
      await card.getByRole('button', { name: '添加步骤' }).click();
      const review = step(card, 3);
      await review.getByLabel('名称').fill('分管副主任审核');
      await review.getByLabel('岗位').fill('vice-director');
      await expect(labels(card)).resolves.toEqual(['办公室主任审核', '法制会签', '分管副主任审核', '主管领导签发']);
      await expect(card.locator('[data-step-problems] li').count()).resolves.toBe(0);
      if (name === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, 'the page scrolls sideways at 390 px').toBeLessThanOrEqual(0);
      }
      expect(await seriousAxe(page)).toEqual([]);
      await screenshot(page, `chain-editor-${name}`);

      // a saved change reloads the page: what is shown next comes from the server
      const reloaded = page.waitForEvent('load');
      await card.getByRole('button', { name: '保存', exact: true }).click();
      await card.locator('output', { hasText: '已保存。' }).waitFor();
      await reloaded;
      await expect(labels(card)).resolves.toEqual(['办公室主任审核', '法制会签', '分管副主任审核', '主管领导签发']);
      await expect(step(card, 2).getByLabel('类型').inputValue()).resolves.toBe('cosign');
      await expect(step(card, 2).getByLabel('岗位').inputValue()).resolves.toBe('legal');

      // the sign step moved up one with the keyboard: the problem is said at that step, the save refused
      const move = step(card, 4).getByRole('button', { name: '上移' });
      await move.focus();
      await page.keyboard.press('Enter');
      await expect(labels(card)).resolves.toEqual(['办公室主任审核', '法制会签', '主管领导签发', '分管副主任审核']);
      await expect(
        step(card, 3)
          .getByRole('button', { name: '上移' })
          .evaluate((button) => button === document.activeElement),
      ).resolves.toBe(true);
      // biome-ignore lint/performance/useDomNodeTextContent: the text a sighted user sees, not hidden markup
      await expect(step(card, 3).locator('[data-step-problems]').innerText()).resolves.toContain('签发步骤须是审批链的最后一步。');
      await expect(step(card, 4).locator('[data-step-problems] li').count()).resolves.toBe(0);
      // a screen reader hears the problem with the step's name field, which is marked invalid
      const described = await step(card, 3)
        .getByLabel('名称')
        .evaluate((input) => [
          input.getAttribute('aria-invalid'),
          document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent ?? '',
        ]);
      expect(described).toEqual(['true', '签发步骤须是审批链的最后一步。']);
      await card.getByRole('button', { name: '保存', exact: true }).click();
      await card.locator('output.error', { hasText: '审批链有 1 处问题' }).waitFor();
      expect(await seriousAxe(page)).toEqual([]);
      await screenshot(page, `chain-editor-${name}-problem`);

      await page.reload();
      await expect(labels(card)).resolves.toEqual(['办公室主任审核', '法制会签', '分管副主任审核', '主管领导签发']);
      expect(problems).toEqual([]);
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
