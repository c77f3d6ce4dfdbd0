import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceReport, withValue } from '../../support/report-builders.js';
import {
  ApiClient,
  AUDITOR,
  BROWSER_TEST_MS,
  DIRECTOR,
  LEADER,
  OFFICER,
  decideByApi,
  mailsTo,
  personContext,
  reviewLink,
  screenshot,
  signInThroughPage,
  startWorld,
  waitForMail,
  waitForStatus,
  type World,
} from './support.js';

/**
 * What each person sees, walked in Chromium at a desktop (1366 px) and a phone (390 px) width: the director and the
 * leader find what waits for them on the home page (待办) and have the email sent again; the leader reads the 签发单
 * before signing; the officer and the auditor find the same sheet on the status and audit pages. Every page is
 * checked with axe (no serious or critical violation) and may not scroll sideways on the phone; screenshots go to
 * test-output/ (not committed).
 */

const REPORT_ID = 'daxing-kw-2020';
const RETURN_REASON = '采购项目数有误，请核对后重报。';
const DIRECTOR_OPINION = '已核对，同意报送签发。';
const WIDTHS = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => world?.stop(), 60_000);

/** At both widths: no sideways scroll on the phone, no serious or critical axe finding, a screenshot of each. */
async function checkPage(page: Page, name: string): Promise<void> {
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    if (size.name === 'phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
    }
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
    expect(serious, `${name} at ${size.width} px`).toEqual([]);
    await screenshot(page, `each-person-${name}-${size.name}`);
  }
  await page.setViewportSize({ width: 1366, height: 900 });
}

async function tasksOnHome(page: Page): Promise<string[]> {
  await page.goto(`${world.stack.url}/`);
  await page.locator('#tasks-status', { hasText: /份报告等待您处理|没有等待/u }).waitFor();
  return page.locator('#tasks-list li a').allTextContents();
}

describe('what each person sees', () => {
  it(
    'the director and the leader act from their 待办; the leader signs on the 签发单; the officer and the auditor see the same sheet',
    async () => {
      // before anything is published the public site is already an index page, as the start banner says
      const site = await fetch(`${world.stack.url}/site/`);
      expect(site.status).toBe(200);
      expect(site.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await site.text()).toContain('暂无已发布的年度报告');

      const officerApi = await ApiClient.signIn(world, OFFICER);
      const directorApi = await ApiClient.signIn(world, DIRECTOR);
      const seen = await mailsTo(world, DIRECTOR, '请审核');
      expect((await officerApi.call('POST', '/api/reports', { report: referenceReport() })).status).toBe(201);
      await decideByApi(directorApi, await reviewLink(world, DIRECTOR, seen), { outcome: 'return', comment: RETURN_REASON });
      await waitForStatus(officerApi, REPORT_ID, 'returned');
      const v1 = (await officerApi.call('GET', `/api/reports/${REPORT_ID}`)).body;
      expect(v1).toBeDefined();
      const seenV2 = await mailsTo(world, DIRECTOR, '请审核');
      expect((await officerApi.call('PUT', `/api/reports/${REPORT_ID}`, { report: referenceReport() })).status).toBe(200);
      await waitForMail(world, DIRECTOR, '请审核', seenV2);

      // the director: the home page lists the review, with its page and a resend button
      const director = await personContext(world);
      await signInThroughPage(world, director.page, DIRECTOR);
      expect(await tasksOnHome(director.page)).toEqual(['北京市大兴区科学技术委员会2020年年度报告（第2版）']);
      await expect(director.page.locator('#tasks-title').textContent()).resolves.toBe('待我审核');
      await checkPage(director.page, 'director-home');
      const resent = await mailsTo(world, DIRECTOR, '请审核');
      await director.page.getByRole('button', { name: '重新发送审核邮件' }).click();
      await director.page.locator('.resend-status', { hasText: '邮件已重新发送' }).waitFor();
      await waitForMail(world, DIRECTOR, '请审核', resent);

      // from the list to the review page, where the director approves with the 保密审查
      await director.page.locator('#tasks-list li a').click();
      await director.page.locator('#decision-form').waitFor();
      await checkPage(director.page, 'director-review');
      const form = director.page.locator('#decision-form');
      await form.getByRole('radio', { name: /^同意/u }).check();
      await form.getByRole('checkbox', { name: /已完成保密审查/u }).check();
      await form.getByRole('textbox', { name: /意见/u }).fill(DIRECTOR_OPINION);
      await form.getByRole('button', { name: /提交/u }).click();
      await director.page.locator('#decision', { hasText: '已审核：同意' }).waitFor();
      expect(await tasksOnHome(director.page)).toEqual([]);

      // the leader: 待我签发, then the 签发单 before the form
      await waitForStatus(officerApi, REPORT_ID, 'in_review', 'leader');
      const leader = await personContext(world);
      await signInThroughPage(world, leader.page, LEADER);
      await expect
        .poll(() => tasksOnHome(leader.page), { timeout: 15_000, interval: 300 })
        .toEqual(['北京市大兴区科学技术委员会2020年年度报告（第2版）']);
      await expect(leader.page.locator('#tasks-title').textContent()).resolves.toBe('待我签发');
      await leader.page.locator('#tasks-list li a').click();
      const sheet = leader.page.locator('#sign-off');
      await sheet.waitFor();
      await expect(sheet.locator('tbody[data-version="1"] td').allTextContents()).resolves.toEqual(
        expect.arrayContaining(['退回修改', RETURN_REASON]),
      );
      await expect(sheet.locator('tbody[data-version="2"] tr[data-sheet-step="director"] td').allTextContents()).resolves.toEqual(
        expect.arrayContaining(['王主任', '同意', DIRECTOR_OPINION, '已确认']),
      );
      await expect(leader.page.getByRole('button', { name: '提交签发意见' }).count()).resolves.toBe(1);
      await checkPage(leader.page, 'leader-review');

      // the officer's status page and the auditor's audit page carry the same sheet
      const officer = await personContext(world);
      await signInThroughPage(world, officer.page, OFFICER, `/reports/${REPORT_ID}`);
      await officer.page.locator('#sign-off tbody[data-version="1"]').waitFor();
      await checkPage(officer.page, 'officer-status');
      // the form of a new year: the page itself never scrolls sideways, each table scrolls in its own box
      await officer.page.goto(`${world.stack.url}/drafts/daxing-kw/2021`);
      await officer.page.locator('#report-form').waitFor();
      await checkPage(officer.page, 'officer-form');
      await officer.page.setViewportSize({ width: 390, height: 844 });
      const widths = await officer.page.evaluate(() =>
        Array.from(document.querySelectorAll('#report-form .table-scroll th[scope="row"]')).map((th) => th.getBoundingClientRect().width),
      );
      expect(widths.length).toBeGreaterThan(20);
      const labelWidth = Math.min(...widths);
      // a row label keeps a readable width (at least eight characters), not two characters a line
      expect(labelWidth).toBeGreaterThanOrEqual(8 * 14);
      const auditor = await personContext(world);
      await signInThroughPage(world, auditor.page, AUDITOR, `/audit/reports/${REPORT_ID}`);
      await auditor.page.locator('#sign-off tbody[data-version="2"]').waitFor();
      await checkPage(auditor.page, 'auditor-audit');
      // the auditor compares v1 with v2 and opens v1 in the page itself
      await auditor.page.getByRole('button', { name: '比较' }).click();
      await auditor.page.locator('#compared').waitFor();
      await checkPage(auditor.page, 'auditor-compare');
      await auditor.page.getByRole('link', { name: '查看第1版全文' }).click();
      await auditor.page.locator('#shown-title', { hasText: '第1版全文' }).waitFor();

      for (const person of [director, leader, officer, auditor]) {
        expect(person.problems).toEqual([]);
        await person.context.close();
      }
    },
    BROWSER_TEST_MS,
  );

  it(
    'the sign-in page, a dead review link and the published page pass axe too; the officer answers each warning before submitting',
    async () => {
      const visitor = await personContext(world);
      await visitor.page.goto(`${world.stack.url}/login`);
      await visitor.page.locator('form').first().waitFor();
      await checkPage(visitor.page, 'login');

      // the officer withdraws v2 while it waits for the leader: the leader's link is dead, and says why
      const officerApi = await ApiClient.signIn(world, OFFICER);
      const leaderLink = await reviewLink(world, LEADER);
      expect((await officerApi.call('POST', `/api/reports/${REPORT_ID}/withdraw`, { reason: '数据需要重新核对。' })).status).toBe(200);
      await waitForStatus(officerApi, REPORT_ID, 'withdrawn');
      const leader = await personContext(world);
      await signInThroughPage(world, leader.page, LEADER, new URL(leaderLink).pathname + new URL(leaderLink).search);
      await leader.page.locator('#closed', { hasText: '报告已撤回' }).waitFor();
      await checkPage(leader.page, 'closed-review');

      // a new round from the form, whose text now counts 9999 applications that table 三 does not: one warning
      const warned = withValue(
        referenceReport(),
        'overview',
        `${String(referenceReport()['overview'])}\n\n本年度共收到政府信息公开申请9999件。`,
      );
      let saved = await officerApi.call('PUT', '/api/drafts/daxing-kw/2020', { content: warned });
      if (saved.status === 409) {
        const current = (await officerApi.call('GET', '/api/drafts/daxing-kw/2020')).body as { revision?: number };
        saved = await officerApi.call('PUT', '/api/drafts/daxing-kw/2020', { content: warned, revision: current.revision });
      }
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      const officer = await personContext(world);
      await signInThroughPage(world, officer.page, OFFICER, '/drafts/daxing-kw/2020');
      const warning = officer.page.locator('#warning-list li[data-code="N1"]');
      await warning.waitFor();
      await checkPage(officer.page, 'officer-form-warning');
      await officer.page.locator('#submit-report').click();
      await officer.page.locator('#submit-error', { hasText: '请逐条确认系统提示' }).waitFor();
      // nothing was sent: the report still stands withdrawn
      expect(((await officerApi.call('GET', `/api/reports/${REPORT_ID}`)).body as { status?: string }).status).toBe('withdrawn');
      await warning.getByRole('checkbox', { name: '已核对' }).check();
      await warning.getByRole('textbox', { name: /说明/u }).fill('文字中的申请数为笔误，以表三为准。');
      const seen = await mailsTo(world, DIRECTOR, '请审核');
      await officer.page.locator('#submit-report').click();
      await officer.page.waitForURL(`${world.stack.url}/reports/${REPORT_ID}`);

      // the director reads the officer's note with the warning, then both approve and the report is published
      const directorApi = await ApiClient.signIn(world, DIRECTOR);
      const directorLink = await reviewLink(world, DIRECTOR, seen);
      const director = await personContext(world);
      await signInThroughPage(world, director.page, DIRECTOR, new URL(directorLink).pathname + new URL(directorLink).search);
      await director.page.locator('#warnings', { hasText: '信息员说明：文字中的申请数为笔误，以表三为准。' }).waitFor();
      const leaderSeen = await mailsTo(world, LEADER, '请签发');
      await decideByApi(directorApi, directorLink, { outcome: 'approve', confidentialityReviewed: true });
      const leaderApi = await ApiClient.signIn(world, LEADER);
      await decideByApi(leaderApi, await reviewLink(world, LEADER, leaderSeen), { outcome: 'approve', comment: '同意发布。' });
      await waitForStatus(officerApi, REPORT_ID, 'published', undefined, 60_000);

      const reader = await personContext(world);
      await reader.page.goto(`${world.stack.url}/site/reports/daxing-kw/2020/index.html`);
      await reader.page.locator('nav.site-links').waitFor();
      await checkPage(reader.page, 'public-report');
      // its links lead back to the indexes and on to its data
      const hrefs = await reader.page
        .locator('nav.site-links a')
        .evaluateAll((anchors) => anchors.map((anchor) => (anchor instanceof HTMLAnchorElement ? anchor.href : '')));
      expect(hrefs).toEqual([
        `${world.stack.url}/site/index.html`,
        `${world.stack.url}/site/reports/daxing-kw/index.html`,
        `${world.stack.url}/site/reports/daxing-kw/2020/report.json`,
      ]);
      for (const href of hrefs) expect((await fetch(href)).status, href).toBe(200);

      for (const [name, person] of Object.entries({ visitor, leader, officer, director, reader })) {
        expect(person.problems, name).toEqual([]);
        await person.context.close();
      }
    },
    BROWSER_TEST_MS,
  );
});
