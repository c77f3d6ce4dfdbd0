import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMyTasksHandler } from '#functions/my-tasks.js';
import type { HttpResponse } from '#shared/http/response.js';
import { BASE_URL, createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import {
  cookieOf,
  DIRECTOR,
  emailedReviewLink,
  LEADER,
  OFFICER,
  REPORT_ID,
  requestReview,
  reviewAndDecide,
  reviewEmails,
  submit,
} from './workflow-helpers.js';

/** GET /api/me/tasks and POST /api/me/tasks/{reviewId}/resend: what waits for the signed-in person. */

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

async function tasksOf(email: string): Promise<Array<Record<string, unknown>>> {
  const response = await createMyTasksHandler(app.deps)(
    httpEvent({ method: 'GET', path: '/api/me/tasks', cookie: await cookieOf(app, email) }),
  );
  expect(response.statusCode).toBe(200);
  return (jsonOf(response) as { tasks: Array<Record<string, unknown>> }).tasks;
}

async function resend(email: string, reviewId: string): Promise<HttpResponse> {
  return createMyTasksHandler(app.deps)(
    httpEvent({
      method: 'POST',
      path: `/api/me/tasks/${reviewId}/resend`,
      pathParameters: { reviewId },
      body: {},
      cookie: await cookieOf(app, email),
    }),
  );
}

const codeOf = (response: HttpResponse) => (jsonOf(response) as { error?: { code?: string } }).error?.code;

describe('GET /api/me/tasks', () => {
  it('lists the review waiting for the director, with the step and a link that opens the review page; nothing for the others', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
    const link = await emailedReviewLink(app, DIRECTOR);
    const [task, ...others] = await tasksOf(DIRECTOR);
    expect(others).toEqual([]);
    expect(task).toEqual({
      reviewId: link.reviewId,
      reportId: REPORT_ID,
      agencyName: '北京市大兴区科学技术委员会',
      year: 2020,
      version: 1,
      stepId: 'director',
      stepLabel: '办公室主任审核',
      requestedAt: app.clock.now().toISOString(),
      url: expect.stringMatching(new RegExp(`^${BASE_URL}/reviews/${link.reviewId}\\?sig=`)),
    });
    expect(await tasksOf(LEADER)).toEqual([]);
    expect(await tasksOf(OFFICER)).toEqual([]);
  });

  it('moves the task on with the report: gone from the director once decided, then the leader’s 签发', async () => {
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
    expect(await tasksOf(DIRECTOR)).toEqual([]);
    expect((await tasksOf(LEADER)).map((task) => task['stepLabel'])).toEqual(['主管领导签发']);
  });
});

describe('POST /api/me/tasks/{reviewId}/resend', () => {
  it('emails the link again at most 3 times an hour: the 4th is refused with 429, and an hour after the first it is allowed', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
    const { reviewId } = await emailedReviewLink(app, DIRECTOR);
    for (let i = 0; i < 3; i++) {
      const sent = await resend(DIRECTOR, reviewId);
      expect(sent.statusCode, sent.body).toBe(200);
      app.clock.advance(60_000);
    }
    expect(await reviewEmails(app, DIRECTOR)).toHaveLength(4);
    const fourth = await resend(DIRECTOR, reviewId);
    expect(fourth.statusCode).toBe(429);
    expect((jsonOf(fourth) as { error: { message: string } }).error.message).toContain('一小时内最多重新发送 3 次');
    // the first resend was at +0, now it is +3 min: a millisecond short of an hour after it, it still counts; at the hour it does not
    app.clock.advance(57 * 60_000 - 1);
    expect((await resend(DIRECTOR, reviewId)).statusCode).toBe(429);
    app.clock.advance(1);
    expect((await resend(DIRECTOR, reviewId)).statusCode).toBe(200);
    expect(await reviewEmails(app, DIRECTOR)).toHaveLength(5);
  });

  it('refuses anyone but the person the review waits on, and a review no longer open', async () => {
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    const { reviewId } = await emailedReviewLink(app, DIRECTOR);
    const closed = await resend(DIRECTOR, reviewId);
    expect(closed.statusCode).toBe(403);
    expect(codeOf(closed)).toBe('TASK_CLOSED');
    expect((await resend(LEADER, reviewId)).statusCode).toBe(404);
    expect((await resend(DIRECTOR, 'not-a-review')).statusCode).toBe(404);
  });
});
