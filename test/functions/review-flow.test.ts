import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDecideReviewHandler } from '#functions/decide-review.js';
import { createPublishReportHandler } from '#functions/publish-report.js';
import { createReportHistoryHandler } from '#functions/report-history.js';
import { createRequestReviewHandler } from '#functions/request-review.js';
import { createReviewPageHandler } from '#functions/review-page.js';
import { createSubmitReportHandler } from '#functions/submit-report.js';
import { referenceReport } from '../support/report-builders.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { signIn } from '../support/sign-in.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

/** The review link the approver was emailed, split into what the page and the form need. */
async function emailedReviewLink(to: string) {
  const message = (await app.outbox.list()).find((entry) => entry.to === to && /请(审核|会签|签发)：/.test(entry.subject));
  const link = message?.links.find((url) => url.includes('/reviews/'));
  if (!link) throw new Error(`no review link emailed to ${to}`);
  const url = new URL(link);
  return { link, reviewId: decodeURIComponent(url.pathname.split('/')[2] ?? ''), sig: url.searchParams.get('sig') ?? '' };
}

function tokensSent(): Array<{ token: string; output: Record<string, unknown> }> {
  return app.sfn.commandCalls(SendTaskSuccessCommand).map((call) => ({
    token: call.args[0].input.taskToken ?? '',
    output: JSON.parse(call.args[0].input.output ?? '{}'),
  }));
}

describe('a report walking the review chain through the handlers', () => {
  it('goes from the officer’s submission through both approvals to a published page', async () => {
    const officer = await signIn(app, 'officer@kw.example.cn');
    const submitted = await createSubmitReportHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/reports', body: { report: referenceReport() }, cookie: officer }),
    );
    expect(submitted.statusCode).toBe(201);
    expect(jsonOf(submitted)).toEqual({ id: 'daxing-kw-2020', version: 1, status: 'in_review', stage: 'director' });

    const requestReview = createRequestReviewHandler(app.deps);
    await requestReview({ taskToken: 'token-director-1', reportId: 'daxing-kw-2020', version: 1, stage: 'director' });
    const director = await emailedReviewLink('director@kw.example.cn');
    expect(director.link).not.toContain('token-director-1');

    const page = createReviewPageHandler(app.deps);
    const before = await app.deps.store.listEvents('daxing-kw-2020');
    for (let i = 0; i < 2; i++) {
      const opened = await page(
        httpEvent({
          method: 'GET',
          path: `/reviews/${director.reviewId}`,
          pathParameters: { reviewId: director.reviewId },
          query: { sig: director.sig },
        }),
      );
      expect(opened.statusCode).toBe(200);
      expect(opened.body).toContain('北京市大兴区科学技术委员会2020年政府信息公开工作年度报告');
      expect(opened.body).not.toContain('token-director-1');
    }
    expect(await app.deps.store.listEvents('daxing-kw-2020')).toEqual(before);
    expect(tokensSent()).toEqual([]);

    const directorCookie = await signIn(app, 'director@kw.example.cn');
    const decide = createDecideReviewHandler(app.deps);
    const approved = await decide(
      httpEvent({
        method: 'POST',
        path: `/api/reviews/${director.reviewId}/decision`,
        pathParameters: { reviewId: director.reviewId },
        cookie: directorCookie,
        body: { sig: director.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
      }),
    );
    expect(approved.statusCode).toBe(200);
    expect(tokensSent()).toMatchObject([{ token: 'token-director-1', output: { outcome: 'approve', kind: 'sign', stepId: 'leader' } }]);

    await requestReview({ taskToken: 'token-leader-1', reportId: 'daxing-kw-2020', version: 1, stage: 'leader' });
    const leader = await emailedReviewLink('leader@kw.example.cn');
    const leaderCookie = await signIn(app, 'leader@kw.example.cn');
    const signed = await decide(
      httpEvent({
        method: 'POST',
        path: `/reviews/${leader.reviewId}/decision`,
        pathParameters: { reviewId: leader.reviewId },
        cookie: leaderCookie,
        headers: { origin: 'https://nianbao.example.gov.cn' },
        form: { sig: leader.sig, outcome: 'approve', comment: '同意发布', csrf: await csrfOf(leaderCookie) },
      }),
    );
    expect(signed.statusCode).toBe(303);
    expect(tokensSent().at(-1)).toMatchObject({ token: 'token-leader-1', output: { outcome: 'approve', kind: 'publish' } });

    await createPublishReportHandler(app.deps)({ reportId: 'daxing-kw-2020', version: 1 });
    await app.indexes.idle();
    const keys = app.s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key);
    expect(keys).toEqual([
      'reports/daxing-kw/2020/report.pdf',
      'reports/daxing-kw/2020/report.docx',
      'reports/daxing-kw/2020/index.html',
      'reports/daxing-kw/2020/report.json',
      'keys/history.pem',
      'reports/daxing-kw/index.html',
      'index.html',
    ]);
    const pageBody = String(app.s3.commandCalls(PutObjectCommand)[2]?.args[0].input.Body);
    expect(pageBody).toContain('签发信息');
    expect(pageBody).toContain('张副主任');

    const auditor = await signIn(app, 'auditor@audit.example.cn');
    const history = await createReportHistoryHandler(app.deps)(
      httpEvent({ method: 'GET', path: '/api/reports/daxing-kw-2020/history', pathParameters: { id: 'daxing-kw-2020' }, cookie: auditor }),
    );
    expect(history.statusCode).toBe(200);
    const body = jsonOf(history) as { events: Array<{ type: string }>; chain: { valid: boolean } };
    expect(body.events.map((event) => event.type)).toEqual([
      'submitted',
      'review_requested',
      'decided',
      'review_requested',
      'decided',
      'published',
    ]);
    expect(body.chain.valid).toBe(true);
  });
});

async function csrfOf(cookie: string): Promise<string> {
  const { createGetMeHandler } = await import('#functions/get-me.js');
  const me = await createGetMeHandler(app.deps)(httpEvent({ method: 'GET', path: '/api/me', cookie }));
  return String((jsonOf(me) as { csrfToken: string }).csrfToken);
}
