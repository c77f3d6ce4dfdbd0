import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { matchRoute } from '#shared/http/routes.js';
import type { HttpResponse } from '#shared/http/response.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { all, parseHtml, plainText } from './html.js';
import { OFFICER, REPORT_ID, cookieOf, forgetCookies, requestRevision, reviewAndDecide, submit } from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

async function get(path: string): Promise<HttpResponse> {
  const [pathname = '', query = ''] = path.split('?');
  const match = matchRoute('GET', pathname);
  return createWebPagesHandler(app.deps)(
    httpEvent({
      method: 'GET',
      path: pathname,
      pathParameters: match?.pathParameters ?? {},
      query: Object.fromEntries(new URLSearchParams(query)),
      cookie: await cookieOf(app, OFFICER),
    }),
  );
}

describe('the revision page', () => {
  it('is placed under its report in the breadcrumb and does not print its own address', async () => {
    await submit(app);
    const { decision } = await reviewAndDecide(
      app,
      { taskToken: 'director-1', version: 1, stage: 'director' },
      { outcome: 'return', comment: '请核对。' },
    );
    await requestRevision(app, { taskToken: 'revision-1', version: 1, decision });
    const response = await get(`/reports/${REPORT_ID}/edit`);
    expect(response.statusCode).toBe(200);
    const page = parseHtml(response.body);
    const crumbs = all(page, (element) => element.attrs['class'] === 'crumbs')[0];
    expect(plainText(crumbs ?? page)).toBe('首页 › 2020年年度报告 › 修改后重新提交');
    expect(plainText(page)).not.toContain('本页地址');
    expect(plainText(page)).not.toContain('进度');
  });
});

describe('the years a report may be started for', () => {
  it('ends with the current year (Beijing time), exactly at midnight of 1 January', async () => {
    // the test clock starts at 2021-01-20 09:00 in Beijing
    expect((await get('/reports/new?year=2021')).statusCode).toBe(303);
    expect((await get('/reports/new?year=2022')).statusCode).toBe(400);
    expect((await get('/reports/new?year=2035')).statusCode).toBe(400);
    expect((await get('/drafts/daxing-kw/2022')).statusCode).toBe(404);
    expect(plainText(parseHtml((await get('/reports/new?year=2022')).body))).toContain('最晚只能填报2021年度的报告');
    // 2021-12-31 23:59:59.999 in Beijing: still 2021
    app.clock.advance(Date.parse('2021-12-31T15:59:59.999Z') - app.clock.now().getTime());
    // a session does not last a year: sign in again
    forgetCookies(app);
    expect((await get('/reports/new?year=2022')).statusCode).toBe(400);
    app.clock.advance(1);
    const allowed = await get('/reports/new?year=2022');
    expect(allowed.statusCode).toBe(303);
    expect(allowed.headers['location']).toBe('/drafts/daxing-kw/2022');
    expect((await get('/reports/new?year=2023')).statusCode).toBe(400);
  });
});
