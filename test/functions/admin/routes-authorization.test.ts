import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGetReportHandler } from '#functions/get-report.js';
import { ROUTES } from '#shared/http/routes.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../../support/app.js';
import { cookieOf, DIRECTOR, OFFICER, REPORT_ID, requestReview, submit, emailedReviewLink, decideJson } from '../workflow-helpers.js';
import { ADMIN, adminRoutes, gbk } from './admin-support.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

const calls = (cookie: string | undefined) => {
  const r = adminRoutes(app);
  return {
    'GET /api/admin/agencies': () => r.listAgencies(cookie),
    'PUT /api/admin/agencies/{agencyId}': () => r.saveAgency(cookie, 'daxing-kw', { name: '某委', district: 'daxing' }),
    'GET /api/admin/people': () => r.listPeople(cookie, 'daxing-kw'),
    'PUT /api/admin/people/{email}': () =>
      r.savePerson(cookie, 'x@kw.example.cn', { name: '某人', agencyId: 'daxing-kw', roles: ['officer'] }),
    'DELETE /api/admin/people/{email}': () => r.removePerson(cookie, OFFICER),
    'POST /api/admin/people/import': () => r.importPeople(cookie, gbk('邮箱,姓名,单位,角色\nx@kw.example.cn,某人,daxing-kw,信息员\n')),
    'GET /api/admin/progress': () => r.progress(cookie, 2020),
    'POST /api/admin/reminders': () => r.remind(cookie, { year: 2020 }),
    'GET /api/admin/summary': () => r.summary(cookie, { year: '2020', district: 'daxing' }),
    'GET /api/admin/summary.csv': () => r.summary(cookie, { year: '2020', district: 'daxing', format: 'csv' }),
    'GET /api/admin/summary.xlsx': () => r.summary(cookie, { year: '2020', district: 'daxing', format: 'xlsx' }),
  };
};

describe('who reaches the administration routes', () => {
  it('covers every administration route of the route table except the log (auditors read that too)', () => {
    const adminRoutesInTable = ROUTES.filter((route) => route.path.startsWith('/api/admin/') && route.path !== '/api/admin/log').map(
      (route) => `${route.method} ${route.path}`,
    );
    expect(Object.keys(calls(undefined)).sort()).toEqual(adminRoutesInTable.sort());
  });

  it('answers 401 without a session', async () => {
    for (const [name, call] of Object.entries(calls(undefined))) expect((await call()).statusCode, name).toBe(401);
  });

  it.each([OFFICER, DIRECTOR, 'leader@kw.example.cn', 'auditor@audit.example.cn'])(
    'answers 403 NOT_ADMIN to %s on every route and changes nothing',
    async (email) => {
      const cookie = await cookieOf(app, email);
      for (const [name, call] of Object.entries(calls(cookie))) {
        const response = await call();
        expect(response.statusCode, name).toBe(403);
        expect((jsonOf(response) as { error: { code: string } }).error.code, name).toBe('NOT_ADMIN');
      }
      expect(await app.deps.store.getRosterEntry(OFFICER)).toBeDefined();
      expect(await app.deps.store.getRosterEntry('x@kw.example.cn')).toBeUndefined();
      expect(await app.deps.store.listAdminEvents()).toEqual([]);
      expect(await app.outbox.list()).toHaveLength(1);
    },
  );

  it('lets auditors and administrators read the administration log, and nobody else', async () => {
    const r = adminRoutes(app);
    expect((await r.log(await cookieOf(app, OFFICER))).statusCode).toBe(403);
    expect((await r.log(await cookieOf(app, 'auditor@audit.example.cn'))).statusCode).toBe(200);
    expect((await r.log(await cookieOf(app, ADMIN))).statusCode).toBe(200);
    expect((await r.log(undefined)).statusCode).toBe(401);
  });
});

describe('an administrator is not a reviewer or an officer', () => {
  it('cannot open a report of their district, nor decide its review even holding the link', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'director-1', version: 1, stage: 'director', reportId: REPORT_ID });
    const admin = await cookieOf(app, ADMIN);
    const report = await createGetReportHandler(app.deps)(
      httpEvent({ method: 'GET', path: `/api/reports/${REPORT_ID}`, pathParameters: { id: REPORT_ID }, cookie: admin }),
    );
    expect(report.statusCode).toBe(404);
    const link = await emailedReviewLink(app, DIRECTOR);
    const decided = await decideJson(app, link, admin, { outcome: 'approve', comment: '', confidentialityReviewed: true });
    expect(decided.statusCode).toBe(403);
    expect((await app.deps.store.getReview(link.reviewId))?.decision).toBeUndefined();
  });
});
