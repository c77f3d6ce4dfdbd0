import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readPath } from '#shared/report/cells.js';
import { report2021, withValue } from '../../support/report-builders.js';
import {
  ApiClient,
  BROWSER_TEST_MS,
  mailsTo,
  OFFICER,
  personContext,
  screenshot,
  focusOn,
  signInCode,
  signInThroughPage,
  startWorld,
  type World,
} from './support.js';

/**
 * The form on its own: the checks running as the officer types (each error at its cell, cleared when fixed), the
 * draft saved and a conflicting save caught, and the whole form used with the keyboard alone.
 */

let world: World;
let api: ApiClient;
beforeAll(async () => {
  world = await startWorld();
  api = await ApiClient.signIn(world, OFFICER);
}, 120_000);
afterAll(async () => world?.stop(), 60_000);

const cell = (page: Page, path: string) => page.locator(`[id="cell-${path}"]`);
const message = (page: Page, path: string) => page.locator(`[id="msg-${path}"]`);

/** A draft for `year` made of the 2021 reference report, with `blank` cells left empty. */
async function seedDraft(year: number, blank: readonly string[] = []): Promise<Record<string, unknown>> {
  let report: Record<string, unknown> = withValue(report2021(), 'year', year);
  for (const path of blank) report = withValue(report, path, null);
  const saved = await api.call('PUT', `/api/drafts/daxing-kw/${year}`, { content: report });
  expect(saved.status).toBe(200);
  return report;
}

async function openForm(year: number): Promise<{ page: Page; problems: string[] }> {
  const officer = await personContext(world);
  await signInThroughPage(world, officer.page, OFFICER, `/drafts/daxing-kw/${year}`);
  await officer.page.locator('#findings-summary', { hasNotText: '正在检查' }).waitFor();
  return officer;
}

describe('the report form', () => {
  it(
    'shows a cross-check error at its cell, with the expected number, and clears it once fixed',
    async () => {
      const report = await seedDraft(2021);
      const { page, problems } = await openForm(2021);
      await expect.poll(() => page.locator('#findings-summary').textContent()).toMatch(/没有错误|检查通过/u);
      await expect.poll(() => page.locator('#submit-report').isEnabled()).toBe(true);

      // 四、结转下年度 自然人 off by three: R1 at that cell
      const forward = 'applications.carriedForward.naturalPerson';
      const right = String(readPath(report, forward.split('.')));
      await cell(page, forward).fill(String(Number(right) + 3));
      await expect.poll(() => cell(page, forward).getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await cell(page, forward).getAttribute('aria-describedby')) ?? '';
      expect(describedBy.split(' ')).toContain(`msg-${forward}`);
      await expect.poll(() => message(page, forward).textContent()).toContain(`应为 ${right}`);
      await expect
        .poll(() => page.getByRole('textbox', { name: '四、结转下年度继续办理 自然人', exact: true }).getAttribute('aria-invalid'))
        .toBe('true');
      // the other cells of the column are fine
      await expect.poll(() => cell(page, 'applications.newlyReceived.naturalPerson').getAttribute('aria-invalid')).toBeNull();
      await expect.poll(() => page.locator('#submit-report').isDisabled()).toBe(true);
      await expect.poll(() => page.locator('#error-count').textContent()).toContain('2 处错误');
      await cell(page, forward).evaluate((input) => input.scrollIntoView({ block: 'center' }));
      await screenshot(page, '20-form-cross-check-error', { fullPage: false });

      // the list links to the cell, and following it puts the cursor there
      await page.locator('#error-list li[data-code="R1"]').first().getByRole('link').click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`cell-${forward}`);

      await cell(page, forward).fill(right);
      await expect.poll(() => cell(page, forward).getAttribute('aria-invalid')).toBeNull();
      await expect.poll(() => message(page, forward).textContent()).toBe('');
      await expect.poll(() => page.locator('#submit-report').isEnabled()).toBe(true);

      // a row's 总计 that does not add up: R3 at the 总计 cell
      const total = 'applications.newlyReceived.total';
      const sum = String(readPath(report, total.split('.')));
      await cell(page, total).fill(String(Number(sum) - 1));
      await expect.poll(() => message(page, total).textContent()).toContain(`应为 ${sum}`);
      await cell(page, total).fill(sum);

      // blank is not 0, and neither is “/”
      const coercion = 'activeDisclosure.enforcement.administrativeCoercion.decisions';
      for (const typed of ['', '/']) {
        await cell(page, coercion).fill(typed);
        await expect.poll(() => cell(page, coercion).getAttribute('aria-invalid')).toBe('true');
        await expect.poll(() => cell(page, coercion).getAttribute('class')).toContain('blank');
      }
      await cell(page, coercion).fill('１２'); // full-width digits from a Chinese IME are the same number
      await expect.poll(() => cell(page, coercion).getAttribute('aria-invalid')).toBeNull();
      await cell(page, coercion).fill('-1');
      await expect.poll(() => message(page, coercion).textContent()).toContain('不能为负数');
      await cell(page, coercion).fill(String(readPath(report, coercion.split('.'))));

      // the text count, and the 1000-字 guidance of 一 as a warning linked to the text
      const overview = page.locator('#field-overview');
      await overview.fill('总体情况'.repeat(260));
      await expect.poll(() => page.locator('[data-count-for="overview"]').textContent()).toBe('1040');
      await expect.poll(() => page.locator('#warning-list li[data-code="N3"]').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#warning-list a[href="#field-overview"]').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#submit-report').isEnabled()).toBe(true); // warnings do not block
      await overview.fill(String(report['overview']));
      await expect.poll(() => page.locator('#warning-list').textContent()).not.toContain('N3');
      expect(problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    'saves the draft as the officer types, and says so when another window saved in between',
    async () => {
      await seedDraft(2023);
      const { page, problems } = await openForm(2023);
      await cell(page, 'applications.outcomes.disclosed.naturalPerson').fill('7');
      await page.locator('#save-status', { hasText: '已保存' }).waitFor({ timeout: 10_000 });
      const saved = (await api.call('GET', '/api/drafts/daxing-kw/2023')).body as { revision: number; content: unknown };
      expect(readPath(saved.content, ['applications', 'outcomes', 'disclosed', 'naturalPerson'])).toBe(7);

      // someone else saves over it
      const elsewhere = await api.call('PUT', '/api/drafts/daxing-kw/2023', { content: saved.content, revision: saved.revision });
      expect(elsewhere.status).toBe(200);
      await cell(page, 'applications.outcomes.disclosed.naturalPerson').fill('8');
      await page.locator('#save-status', { hasText: '草稿已在别处更新' }).waitFor({ timeout: 10_000 });
      await cell(page, 'applications.outcomes.disclosed.naturalPerson').evaluate((input) => input.scrollIntoView({ block: 'center' }));
      await screenshot(page, '21-form-draft-conflict', { fullPage: false });
      await page.getByRole('button', { name: '用本页内容覆盖' }).click();
      await page.locator('#save-status', { hasText: '已保存' }).waitFor({ timeout: 10_000 });
      const after = (await api.call('GET', '/api/drafts/daxing-kw/2023')).body as { content: unknown };
      expect(readPath(after.content, ['applications', 'outcomes', 'disclosed', 'naturalPerson'])).toBe(8);
      // the refused save is the one failed request the browser reports
      expect(problems.filter((problem) => !problem.includes('status of 409'))).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    'saves the title format the officer picks, and no title once the usual one is picked again',
    async () => {
      await seedDraft(2024);
      const { page, problems } = await openForm(2024);
      const savedTitle = async () =>
        readPath(((await api.call('GET', '/api/drafts/daxing-kw/2024')).body as { content: unknown }).content, ['title']);
      await page.locator('#field-title').selectOption('year-annual-name:2');
      await expect.poll(savedTitle, { timeout: 10_000 }).toEqual({ format: 'year-annual-name', lines: 2 });
      await page.locator('#field-title').selectOption('name-year:1');
      await expect.poll(savedTitle, { timeout: 10_000 }).toBeUndefined();
      expect(problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    'can be filled and submitted with the keyboard alone',
    async () => {
      const blanks = [
        'reviewsAndLitigation.litigationAfterReconsideration.pending',
        'reviewsAndLitigation.litigationAfterReconsideration.total',
      ];
      await seedDraft(2022, blanks);
      const report = report2021();
      const officer = await personContext(world);
      const page = officer.page;
      // sign in by typing: the address field has the focus, Enter sends, the code field has the focus, Enter signs in
      const seen = await mailsTo(world, OFFICER, '验证码');
      await page.goto(`${world.stack.url}/login?next=${encodeURIComponent('/')}`);
      await focusOn(page, 'email');
      await page.keyboard.type(OFFICER);
      await page.keyboard.press('Enter');
      await page.getByLabel('验证码（6 位数字）').waitFor();
      await expect(page.locator('#code-step strong').textContent()).resolves.toBe(OFFICER);
      await focusOn(page, 'code');
      await page.keyboard.type(await signInCode(world, OFFICER, seen));
      await page.keyboard.press('Enter');
      await page.waitForURL(`${world.stack.url}/`);

      // from the home page to the draft: Tab to its link, Enter
      await tabUntil(page, (active) => active.text === '继续填写' && active.href.endsWith('/drafts/daxing-kw/2022'));
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/drafts\/daxing-kw\/2022$/u);
      await expect.poll(() => page.locator('#submit-report').isDisabled()).toBe(true);

      // Tab to the first blank cell, type, Tab, type, Enter
      await tabUntil(page, (active) => active.id === `cell-${blanks[0]}`);
      await page.keyboard.type(String(readPath(report, (blanks[0] ?? '').split('.'))));
      await page.keyboard.press('Tab');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`cell-${blanks[1]}`);
      // Enter with an error left takes the officer to the list of what is wrong, and submits nothing
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('findings');
      await page.keyboard.press('Shift+Tab');
      await tabUntil(page, (active) => active.id === `cell-${blanks[1]}`, 'Shift+Tab');
      await page.keyboard.type(String(readPath(report, (blanks[1] ?? '').split('.'))));
      await expect.poll(() => page.locator('#submit-report').isEnabled()).toBe(true);
      await screenshot(page, '22-form-keyboard-ready', { fullPage: false });
      await page.keyboard.press('Enter');
      await page.waitForURL(`${world.stack.url}/reports/daxing-kw-2022`);
      await expect.poll(() => page.locator('#status').textContent()).toContain('审核中');
      expect(officer.problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );
});

interface Active {
  readonly id: string;
  readonly text: string;
  readonly href: string;
}

/** Presses Tab (or Shift+Tab) until the focused element is the one wanted; fails after 600 presses. */
async function tabUntil(page: Page, wanted: (active: Active) => boolean, key = 'Tab'): Promise<void> {
  for (let presses = 0; presses < 600; presses++) {
    const active = await page.evaluate(() => {
      const element = document.activeElement;
      return {
        id: element?.id ?? '',
        text: element?.textContent?.trim() ?? '',
        href: element instanceof HTMLAnchorElement ? element.href : '',
      };
    });
    if (wanted(active)) return;
    await page.keyboard.press(key);
  }
  throw new Error('the element was not reached with the keyboard');
}
