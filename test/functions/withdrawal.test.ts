import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWithdrawReportHandler } from '#functions/withdraw-report.js';
import type { HttpResponse } from '#shared/http/response.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { byId, byTag, parseHtml, plainText } from './html.js';
import {
  DIRECTOR,
  OFFICER,
  REPORT_ID,
  cookieOf,
  emailedReviewLink,
  eventTypes,
  openReviewPage,
  requestReview,
  submit,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

const REASON = '表三数据需与业务科室再次核对，先撤回。';

async function withdraw(body: Record<string, unknown>): Promise<HttpResponse> {
  return createWithdrawReportHandler(app.deps)(
    httpEvent({
      method: 'POST',
      path: `/api/reports/${REPORT_ID}/withdraw`,
      pathParameters: { id: REPORT_ID },
      body,
      cookie: await cookieOf(app, OFFICER),
    }),
  );
}

describe('withdrawal', () => {
  it('needs a reason: without one (or only blanks) nothing is withdrawn', async () => {
    await submit(app);
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: '字'.repeat(501) }]) {
      const response = await withdraw(body);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'REASON_REQUIRED' } });
    }
    expect((await withdraw({ reason: '字'.repeat(500) })).statusCode).toBe(200);
    expect(await eventTypes(app)).toEqual(['submitted', 'withdrawn']);
  });

  it('emails the reason to whoever held an open review, once, and their page says exactly what happened', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'director-1', version: 1, stage: 'director' });
    const link = await emailedReviewLink(app, DIRECTOR);
    expect((await withdraw({ reason: REASON })).statusCode).toBe(200);
    expect((await withdraw({ reason: REASON })).statusCode).toBe(200);
    const mails = (await app.outbox.list()).filter((mail) => mail.to === DIRECTOR && mail.subject.startsWith('已撤回：'));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain(REASON);
    expect(mails[0]?.text).toContain('您无需再进行办公室主任审核');

    const page = parseHtml((await openReviewPage(app, link, { cookie: await cookieOf(app, DIRECTOR) })).body);
    const closed = plainText(byId(page, 'closed') ?? page);
    expect(closed).toContain('报告已撤回');
    expect(closed).toContain(`撤回原因：${REASON}`);
    expect(plainText(byId(page, 'report-title') ?? page)).toBe('报告全文（第1版）');
  });

  it('sends the approver of a withdrawn version, once the report is submitted again, to the new version’s page', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'director-1', version: 1, stage: 'director' });
    const old = await emailedReviewLink(app, DIRECTOR);
    expect((await withdraw({ reason: REASON })).statusCode).toBe(200);
    expect((await submit(app)).statusCode).toBe(201);
    await requestReview(app, { taskToken: 'director-2', version: 2, stage: 'director' });
    const fresh = await emailedReviewLink(app, DIRECTOR);
    expect(fresh.reviewId).not.toBe(old.reviewId);

    const page = parseHtml((await openReviewPage(app, old, { cookie: await cookieOf(app, DIRECTOR) })).body);
    const closed = byId(page, 'closed');
    expect(plainText(closed ?? page)).toContain('信息员已提交第2版');
    const href = byTag(closed ?? page, 'a')[0]?.attrs['href'] ?? '';
    expect(href.startsWith(`/reviews/${fresh.reviewId}?sig=`)).toBe(true);
    expect(byId(page, 'decision-form')).toBeUndefined();
  });
});
