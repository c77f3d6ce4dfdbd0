import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../../support/app.js';
import { cookieOf, OFFICER, REPORT_ID, requestReview, submit } from '../workflow-helpers.js';
import type { Chain } from '#shared/workflow/review-chain.js';
import { all, byId, parseHtml, plainText } from '../html.js';
import { ADMIN } from './admin-support.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

const page = async (email: string, query: Record<string, string> = {}) =>
  createWebPagesHandler(app.deps)(httpEvent({ method: 'GET', path: '/admin', query, cookie: await cookieOf(app, email) }));

describe('the administration page', () => {
  it('shows the dashboard with states and steps, overdue rows marked, the chain of each agency and its people', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'director-1', version: 1, stage: 'director', reportId: REPORT_ID });
    await app.deps.store.putAgency({
      id: 'daxing-czj',
      name: '北京市大兴区财政局',
      district: 'daxing',
      chain: { steps: [{ id: 'leader', label: '局长签发', kind: 'sign', role: 'leader' }] },
    });
    const response = await page(ADMIN, { year: '2020' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('2020 年度报告进度（公开期限 2021-01-31）');
    expect(response.body).toMatch(
      /<tr data-agency="daxing-kw"><td>北京市大兴区科学技术委员会<\/td><td><span class="tag in_review">审核中<\/span><\/td><td>办公室主任审核<\/td>/,
    );
    expect(response.body).toContain('剩 11 天');
    expect(response.body).not.toContain('class="overdue"');
    // the chain's problem is shown at the page, from the same rules that refuse it on save
    expect(response.body).toContain('审批链中须有一个步骤负责保密审查。');
    expect(response.body).toContain('officer@kw.example.cn');
    expect(response.body).toContain('/api/admin/summary?year=2020&amp;district=daxing&amp;format=xlsx');
    expect((await page(ADMIN, { year: '2019' })).body).toContain('class="overdue"');
  });

  it('edits each chain step by step: the stored steps in their fields, a problem at its step, the roles held in the agency offered', async () => {
    const chain: Chain = {
      steps: [
        { id: 'leader', label: '局长签发<b>', kind: 'sign', role: 'leader' },
        { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
      ],
    };
    await app.deps.store.putAgency({ id: 'daxing-czj', name: '北京市大兴区财政局', district: 'daxing', chain });
    await app.deps.store.putRosterEntry({
      email: 'legal@czj.example.cn',
      name: '郑法制',
      agencyId: 'daxing-czj',
      roles: ['legal', 'officer'],
    });
    const response = await page(ADMIN, { year: '2020' });
    const card = byId(parseHtml(response.body), 'agency-daxing-czj');
    if (!card) throw new Error('no card for daxing-czj');
    const steps = all(
      card,
      (element) => element.tag === 'li' && element.attrs['class'] === 'chain-step' && element.attrs['data-step-id'] !== '',
    );
    expect(steps.map((step) => all(step, (element) => element.attrs['data-field'] === 'label')[0]?.attrs['value'])).toEqual([
      '局长签发<b>',
      '办公室主任审核',
    ]);
    const problemsAt = steps.map((step) => plainText(all(step, (element) => element.attrs['data-step-problems'] !== undefined)[0] ?? step));
    expect(problemsAt).toEqual(['签发步骤须是审批链的最后一步。', '']);
    const offered = all(card, (element) => element.tag === 'datalist').flatMap((list) =>
      list.children.map((option) => option.attrs['value']),
    );
    expect(offered).toEqual(['director', 'leader', 'legal']);
    // what the page shows a person never carries a program's code, and a typed label stays text
    expect(response.body).not.toContain('CHAIN_SIGN_NOT_LAST');
    expect(response.body).not.toContain('局长签发<b>');
    expect(all(card, (element) => element.tag === 'textarea')).toEqual([]);
  });

  it('shows names as text: an agency or a person named with markup cannot run a script on the page', async () => {
    const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    await app.deps.store.putAgency({ id: 'daxing-czj', name: `财政局${payload}`, district: 'daxing' });
    await app.deps.store.putRosterEntry({ email: 'x@czj.example.cn', name: `某人${payload}`, agencyId: 'daxing-czj', roles: ['officer'] });
    const body = (await page(ADMIN, { year: '2020' })).body;
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;script>alert(1)&lt;/script>');
  });

  it('answers 403 to anybody who is not an administrator', async () => {
    const response = await page(OFFICER);
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('progress');
  });
});
