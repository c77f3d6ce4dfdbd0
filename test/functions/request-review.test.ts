import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWithdrawReportHandler } from '#functions/withdraw-report.js';
import { MailDeliveryError } from '#shared/mail/errors.js';
import { sealEvent } from '#shared/workflow/chain.js';
import type { MailMessage, Mailer } from '#shared/workflow/ports.js';
import { BASE_URL, createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import {
  DIRECTOR,
  LEADER,
  OFFICER,
  REPORT_ID,
  cookieOf,
  emailedReviewLink,
  eventTypes,
  openReviewPage,
  parseReviewLink,
  requestReview,
  reviewAndDecide,
  reviewEmails,
  reviewOf,
  submit,
  workflowEmails,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

// tokens as Step Functions makes them: long, opaque, with characters a URL would have to escape
const TOKEN_1 = 'AQCEAAAAKgAAAAMAAAAAAAAAAW+director/first+token==';
const TOKEN_2 = 'AQCEAAAAKgAAAAMAAAAAAAAAAm+director/reminder+token==';
const TOKEN_3 = 'AQCEAAAAKgAAAAMAAAAAAAAAA3+director/second+reminder==';

function expectNoToken(
  messages: ReadonlyArray<{ subject: string; text: string; html: string; links: readonly string[] }>,
  tokens: readonly string[],
): void {
  for (const message of messages) {
    for (const token of tokens) {
      for (const form of [token, encodeURIComponent(token), token.replace(/=+$/u, '')]) {
        expect(message.subject).not.toContain(form);
        expect(message.text).not.toContain(form);
        expect(message.html).not.toContain(form);
        for (const link of message.links) expect(link).not.toContain(form);
      }
    }
  }
}

describe('the review task (DirectorReview / LeaderReview)', () => {
  it('emails the director one absolute link under BASE_URL carrying only the review id and a signature, and logs review_requested', async () => {
    await submit(app);
    expect(await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' })).toBe('emailed');

    const emails = await workflowEmails(app);
    expect(emails.map((email) => email.to)).toEqual([DIRECTOR]);
    const [email] = emails;
    if (!email) throw new Error('no email');
    expect(email.subject).toBe('请审核：北京市大兴区科学技术委员会2020年政府信息公开工作年度报告（第1版）');
    const reviewLinks = email.links.filter((link) => link.includes('/reviews/'));
    expect(new Set(reviewLinks).size).toBe(1);
    const url = new URL(reviewLinks[0] ?? '');
    expect(url.origin).toBe(new URL(BASE_URL).origin);
    expect(url.href.startsWith(`${BASE_URL}/reviews/`)).toBe(true);
    expect([...url.searchParams.keys()]).toEqual(['sig']);
    const { reviewId, sig } = parseReviewLink(url.href);
    expect(sig).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(url.pathname).toBe(`/reviews/${reviewId}`);
    expect(email.text).toContain('王主任');
    expect(email.text).toContain('办公室主任审核（含保密审查）');

    const review = await reviewOf(app, reviewId);
    expect(review).toMatchObject({
      reportId: REPORT_ID,
      version: 1,
      stage: 'director',
      approverEmail: DIRECTOR,
      taskToken: TOKEN_1,
      tokenSeq: 1,
      emailedTokenSeq: 1,
    });
    const events = await app.deps.store.listEvents(REPORT_ID);
    expect(events.map((event) => event.type)).toEqual(['submitted', 'review_requested']);
    expect(events[1]).toMatchObject({
      actor: { role: 'system' },
      version: 1,
      data: { reviewId, stage: 'director', approverEmail: DIRECTOR, approverName: '王主任', tokenSeq: 1 },
    });
    expect(JSON.stringify(events)).not.toContain(TOKEN_1);
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ stage: 'director', pendingReviewId: reviewId });
    expectNoToken(emails, [TOKEN_1]);
    expect(app.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('does nothing more on a Lambda retry with the same token: no second email, no second event', async () => {
    await submit(app);
    await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' });
    const before = {
      events: await app.deps.store.listEvents(REPORT_ID),
      review: await reviewOf(app, (await emailedReviewLink(app, DIRECTOR)).reviewId),
    };
    for (let retry = 0; retry < 3; retry++) {
      app.clock.advance(1000);
      expect(await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' })).toBe('already-emailed');
    }
    expect(await reviewEmails(app)).toHaveLength(1);
    expect(await app.deps.store.listEvents(REPORT_ID)).toEqual(before.events);
    expect(await reviewOf(app, before.review.reviewId)).toEqual(before.review);
  });

  it('sends a reminder for a new token: same review id, 【提醒】 subject, reminder_sent, the new token stored, the old link still working', async () => {
    await submit(app);
    await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' });
    const first = await emailedReviewLink(app, DIRECTOR);

    app.clock.advance(3 * 86_400_000);
    expect(await requestReview(app, { taskToken: TOKEN_2, version: 1, stage: 'director' })).toBe('emailed');
    const emails = await reviewEmails(app, DIRECTOR);
    expect(emails).toHaveLength(2);
    const reminder = emails[0];
    expect(reminder?.subject.startsWith('【提醒】')).toBe(true);
    expect(reminder?.subject).toBe('【提醒】请审核：北京市大兴区科学技术委员会2020年政府信息公开工作年度报告（第1版）');
    expect(reminder?.text).toContain('此前邮件中的审核链接继续有效');
    const second = await emailedReviewLink(app, DIRECTOR);
    expect(second.reviewId).toBe(first.reviewId);
    expect(second.link.startsWith(`${BASE_URL}/reviews/`)).toBe(true);

    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'reminder_sent']);
    const events = await app.deps.store.listEvents(REPORT_ID);
    expect(events[2]?.data).toMatchObject({ reviewId: first.reviewId, tokenSeq: 2 });
    const review = await reviewOf(app, first.reviewId);
    expect(review).toMatchObject({ taskToken: TOKEN_2, tokenSeq: 2, emailedTokenSeq: 2 });
    // the reminder keeps the time the review has been waiting since
    expect((await app.deps.store.getHead(REPORT_ID))?.pendingSince).toBe(events[1]?.at);

    for (const link of [first, second]) {
      const page = await openReviewPage(app, link);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(TOKEN_2);
    }
    // and the old link lets the director decide, delivering to the new token
    const decided = await reviewAndDecideWith(first);
    expect(decided).toEqual(TOKEN_2);

    // a retry of the reminder task sends nothing more
    await requestReview(app, { taskToken: TOKEN_2, version: 1, stage: 'director' });
    expect(await reviewEmails(app, DIRECTOR)).toHaveLength(2);
    expectNoToken(await workflowEmails(app), [TOKEN_1, TOKEN_2]);
  });

  it('sends a second reminder for a third token, and never a token in any subject, body or link', async () => {
    await submit(app);
    for (const token of [TOKEN_1, TOKEN_2, TOKEN_3]) {
      await requestReview(app, { taskToken: token, version: 1, stage: 'director' });
      app.clock.advance(3 * 86_400_000);
    }
    const emails = await reviewEmails(app, DIRECTOR);
    expect(emails.map((email) => email.subject.startsWith('【提醒】'))).toEqual([true, true, false]);
    expect(
      new Set(emails.map((email) => parseReviewLink(email.links.find((link) => link.includes('/reviews/')) ?? '').reviewId)).size,
    ).toBe(1);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'reminder_sent', 'reminder_sent']);
    expectNoToken(await workflowEmails(app), [TOKEN_1, TOKEN_2, TOKEN_3]);
  });

  it('fails the task when the mail service fails (so Step Functions retries), and the retry emails exactly once', async () => {
    await submit(app);
    let failures = 1;
    const flaky: Mailer = {
      send: async (message: MailMessage) => {
        if (failures > 0) {
          failures--;
          throw new MailDeliveryError({ provider: 'ses', errorName: 'TooManyRequestsException', retryable: true, statusCode: 429 });
        }
        return app.outbox.send(message);
      },
    };
    await expect(requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' }, { mailer: flaky })).rejects.toBeInstanceOf(
      MailDeliveryError,
    );
    expect(await reviewEmails(app)).toHaveLength(0);

    expect(await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' }, { mailer: flaky })).toBe('emailed');
    expect(await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' }, { mailer: flaky })).toBe('already-emailed');
    expect(await reviewEmails(app)).toHaveLength(1);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested']);
    const review = await reviewOf(app, (await emailedReviewLink(app, DIRECTOR)).reviewId);
    expect(review).toMatchObject({ tokenSeq: 1, emailedTokenSeq: 1, taskToken: TOKEN_1 });
  });

  it('emails nobody for a withdrawn report, neither the first request nor a reminder', async () => {
    await submit(app);
    const withdraw = () =>
      createWithdrawReportHandler(app.deps)(
        httpEvent({
          method: 'POST',
          path: `/api/reports/${REPORT_ID}/withdraw`,
          pathParameters: { id: REPORT_ID },
          body: { reason: '信息员发现数据有误，撤回修改。' },
          cookie: officer,
        }),
      );
    const officer = await cookieOf(app, OFFICER);
    app.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    expect((await withdraw()).statusCode).toBe(200);
    expect(await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' })).toBe('withdrawn');
    expect(await reviewEmails(app)).toHaveLength(0);
    expect(await eventTypes(app)).toEqual(['submitted', 'withdrawn']);
    expect(await app.deps.store.listReviewPointers(REPORT_ID)).toEqual([]);
  });

  it('emails nobody when the report is withdrawn between the request and its reminder', async () => {
    await submit(app);
    await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' });
    app.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const officer = await cookieOf(app, OFFICER);
    const withdrawn = await createWithdrawReportHandler(app.deps)(
      httpEvent({
        method: 'POST',
        path: `/api/reports/${REPORT_ID}/withdraw`,
        pathParameters: { id: REPORT_ID },
        body: { reason: '信息员发现数据有误，撤回修改。' },
        cookie: officer,
      }),
    );
    expect(withdrawn.statusCode).toBe(200);
    expect(await requestReview(app, { taskToken: TOKEN_2, version: 1, stage: 'director' })).toBe('withdrawn');
    expect(await reviewEmails(app)).toHaveLength(1);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'withdrawn']);
  });

  it('reads the log, not the head projection: a withdrawal whose head was never written (a crash in between) still stops the email', async () => {
    await submit(app);
    const events = await app.deps.store.listEvents(REPORT_ID);
    const last = events.at(-1);
    if (!last) throw new Error('no events');
    await app.deps.store.appendEvent(
      sealEvent(
        {
          reportId: REPORT_ID,
          type: 'withdrawn',
          at: app.clock.now().toISOString(),
          actor: { email: OFFICER, name: '李信息员', role: 'officer' },
          version: 1,
          contentSha256: last.contentSha256,
          data: {},
        },
        last,
      ),
    );
    expect((await app.deps.store.getHead(REPORT_ID))?.status).toBe('in_review');
    expect(await requestReview(app, { taskToken: TOKEN_1, version: 1, stage: 'director' })).toBe('withdrawn');
    expect(await reviewEmails(app)).toHaveLength(0);
    expect(await eventTypes(app)).toEqual(['submitted', 'withdrawn']);
  });

  it('asks the leader with a review of their own after the director approved', async () => {
    await submit(app);
    const { link: director } = await reviewAndDecide(app, { taskToken: TOKEN_1, version: 1, stage: 'director' }, { outcome: 'approve' });
    await requestReview(app, { taskToken: 'leader-token', version: 1, stage: 'leader' });
    const leader = await emailedReviewLink(app, LEADER);
    expect(leader.reviewId).not.toBe(director.reviewId);
    expect((await reviewEmails(app, LEADER))[0]?.subject).toBe('请签发：北京市大兴区科学技术委员会2020年政府信息公开工作年度报告（第1版）');
    expect(await reviewOf(app, leader.reviewId)).toMatchObject({ stage: 'leader', approverEmail: LEADER, taskToken: 'leader-token' });
    // the director's link does not open the leader's review, and the other way round
    expect((await openReviewPage(app, { ...leader, sig: director.sig })).statusCode).toBe(403);
    expect((await openReviewPage(app, { ...director, sig: leader.sig })).statusCode).toBe(403);
  });
});

/** The director decides from `link`; returns the token the decision was sent with. */
async function reviewAndDecideWith(link: ReturnType<typeof parseReviewLink>): Promise<string | undefined> {
  const { decideJson } = await import('./workflow-helpers.js');
  const response = await decideJson(app, link, await cookieOf(app, DIRECTOR), { outcome: 'approve', confidentialityReviewed: true });
  expect(response.statusCode).toBe(200);
  return app.sfn.commandCalls(SendTaskSuccessCommand).at(-1)?.args[0].input.taskToken;
}
