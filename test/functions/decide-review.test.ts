import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InvalidToken, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpResponse } from '#shared/http/response.js';
import { DecisionSchema, type Decision } from '#shared/workflow/model.js';
import { createTestApp, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { byId, parseHtml, plainText } from './html.js';
import {
  DIRECTOR,
  LEADER,
  OFFICER,
  REPORT_ID,
  cookieOf,
  csrfOf,
  decideForm,
  decideJson,
  emailedReviewLink,
  eventTypes,
  forgetCookies,
  openReviewPage,
  parseReviewLink,
  requestReview,
  reviewAndDecide,
  reviewEmails,
  reviewOf,
  submit,
  tokensSent,
  type ReviewLink,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

async function directorReview(token = 'token-director-1'): Promise<ReviewLink> {
  await submit(app);
  await requestReview(app, { taskToken: token, version: 1, stage: 'director' });
  return emailedReviewLink(app, DIRECTOR);
}

async function leaderReview(): Promise<ReviewLink> {
  await submit(app);
  await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
  await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
  return emailedReviewLink(app, LEADER);
}

function errorOf(response: HttpResponse): { code: string; message: string } {
  return (jsonOf(response) as { error: { code: string; message: string } }).error;
}

/** Nothing was decided: the review has no decision, the log no decided event, Step Functions heard nothing. */
async function expectNothingRecorded(link: ReviewLink, sfnCallsBefore = 0): Promise<void> {
  expect((await reviewOf(app, link.reviewId)).decision).toBeUndefined();
  expect(await eventTypes(app)).not.toContain('decided');
  expect(app.sfn.commandCalls(SendTaskSuccessCommand).length).toBe(sfnCallsBefore);
}

/** What the director's review task answers the state machine: on to the leader's 签发, or back to the officer. */
const TO_LEADER = { outcome: 'approve', index: 1, kind: 'sign', stepId: 'leader', cosigners: [] };
const RETURNED = { outcome: 'return', index: 0, kind: 'return', stepId: 'director', cosigners: [] };
const cursorFor = (decision: Decision) => (decision.outcome === 'approve' ? TO_LEADER : RETURNED);

describe('POST /api/reviews/{id}/decision', () => {
  it('records the director’s approval, answers 200 and sends the decision to the waiting task', async () => {
    const link = await directorReview();
    const response = await decideJson(app, link, await cookieOf(app, DIRECTOR), {
      outcome: 'approve',
      comment: '  已审核，同意。 ',
      confidentialityReviewed: true,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const expected: Decision = {
      outcome: 'approve',
      comment: '已审核，同意。',
      approver: DIRECTOR,
      approverName: '王主任',
      stage: 'director',
      confidentialityReviewed: true,
      version: 1,
      decidedAt: app.clock.now().toISOString(),
      stepLabel: '办公室主任审核',
    };
    expect(jsonOf(response)).toEqual({ decision: expected });
    // the workflow is told where the round goes: the leader's 签发 step
    expect(tokensSent(app)).toEqual([{ token: 'token-director-1', output: TO_LEADER }]);
    expect(DecisionSchema.parse((jsonOf(response) as { decision: unknown }).decision)).toEqual(expected);

    const review = await reviewOf(app, link.reviewId);
    expect(review.decision).toEqual(expected);
    expect(review.deliveredTokenSeq).toBe(1);
    const events = await app.deps.store.listEvents(REPORT_ID);
    expect(events.map((event) => event.type)).toEqual(['submitted', 'review_requested', 'decided']);
    expect(events.at(-1)).toMatchObject({
      actor: { email: DIRECTOR, name: '王主任', role: 'director' },
      version: 1,
      data: { reviewId: link.reviewId, decision: expected },
    });
    expect(review.decisionEventSeq).toBe(3);
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'in_review', stage: 'leader' });
  });

  it('records the leader’s sign-off without 保密审查 (only the director confirms it)', async () => {
    const link = await leaderReview();
    const response = await decideJson(app, link, await cookieOf(app, LEADER), { outcome: 'approve', confidentialityReviewed: true });
    expect(response.statusCode).toBe(200);
    expect((jsonOf(response) as { decision: Decision }).decision).toMatchObject({
      outcome: 'approve',
      stage: 'leader',
      approver: LEADER,
      confidentialityReviewed: false,
      version: 1,
    });
    expect(tokensSent(app).at(-1)).toEqual({
      token: 'token-leader-1',
      output: { outcome: 'approve', index: 2, kind: 'publish', stepId: 'publishing', cosigners: [] },
    });
  });

  it('answers a second decision with 409 and the first decision, and tells the workflow nothing more', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    const first = await decideJson(app, link, director, { outcome: 'approve', confidentialityReviewed: true });
    expect(first.statusCode).toBe(200);
    const winner = (jsonOf(first) as { decision: Decision }).decision;
    app.clock.advance(60_000);
    for (const body of [
      { outcome: 'approve', confidentialityReviewed: true },
      { outcome: 'return', comment: '改主意了' },
    ] as const) {
      const again = await decideJson(app, link, director, body);
      expect(again.statusCode).toBe(409);
      expect(jsonOf(again)).toMatchObject({ error: { code: 'ALREADY_DECIDED' }, decision: winner });
      expect(errorOf(again).message).toMatch(/[\u4e00-\u9fff]/u);
    }
    expect(app.sfn.commandCalls(SendTaskSuccessCommand).length).toBe(1);
    expect((await eventTypes(app)).filter((type) => type === 'decided')).toHaveLength(1);
    expect((await reviewOf(app, link.reviewId)).decision).toEqual(winner);
  });

  it('refuses the director’s approval without 保密审查 (400 CONFIDENTIALITY_REVIEW_REQUIRED) and records nothing', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    for (const body of [{ outcome: 'approve' }, { outcome: 'approve', confidentialityReviewed: false }] as const) {
      const response = await decideJson(app, link, director, body);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('CONFIDENTIALITY_REVIEW_REQUIRED');
    }
    await expectNothingRecorded(link);
    // and the director can still decide
    expect((await decideJson(app, link, director, { outcome: 'approve', confidentialityReviewed: true })).statusCode).toBe(200);
  });

  it('refuses a return without a comment (400 COMMENT_REQUIRED), blank or missing, and records nothing', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    for (const comment of ['', '   ', '\n\t　']) {
      const response = await decideJson(app, link, director, { outcome: 'return', comment });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('COMMENT_REQUIRED');
    }
    await expectNothingRecorded(link);
  });

  it('refuses a comment over 2000 characters', async () => {
    const link = await directorReview();
    const response = await decideJson(app, link, await cookieOf(app, DIRECTOR), { outcome: 'return', comment: '改'.repeat(2001) });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('COMMENT_TOO_LONG');
    await expectNothingRecorded(link);
  });

  it('refuses anyone but the named approver (403), even a director-to-be of the next stage', async () => {
    const link = await directorReview();
    for (const person of [LEADER, OFFICER, 'auditor@audit.example.cn']) {
      const response = await decideJson(app, link, await cookieOf(app, person), { outcome: 'approve', confidentialityReviewed: true });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response)).toMatchObject({
        code: 'NOT_YOUR_REVIEW',
        message: expect.stringContaining('该审核链接发给了另一位审核人'),
      });
    }
    await expectNothingRecorded(link);
  });

  it('refuses a request without a session (401)', async () => {
    const link = await directorReview();
    for (const cookie of [undefined, 'nianbao_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const response = await decideJson(app, link, cookie, { outcome: 'approve', confidentialityReviewed: true });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('UNAUTHENTICATED');
    }
    await expectNothingRecorded(link);
  });

  it('refuses a body that is not JSON by its Content-Type (400), as a cross-site form would send', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const response = await decideJson(
        app,
        link,
        director,
        { outcome: 'approve', confidentialityReviewed: true },
        { 'content-type': type },
      );
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    await expectNothingRecorded(link);
  });

  it('refuses a request from a foreign Origin (403) and accepts our own', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    for (const origin of [
      'https://evil.example.com',
      'http://nianbao.example.gov.cn',
      'https://nianbao.example.gov.cn.evil.example',
      'null',
    ]) {
      const response = await decideJson(app, link, director, { outcome: 'approve', confidentialityReviewed: true }, { origin });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response).code).toBe('CROSS_ORIGIN');
    }
    await expectNothingRecorded(link);
    const ours = await decideJson(
      app,
      link,
      director,
      { outcome: 'approve', confidentialityReviewed: true },
      { origin: 'https://nianbao.example.gov.cn' },
    );
    expect(ours.statusCode).toBe(200);
  });

  it('refuses an expired link (410) and a tampered signature (403), recording nothing', async () => {
    const link = await directorReview();
    const [expiry, mac = ''] = link.sig.split('.');
    const tampered = await decideJson(app, link, await cookieOf(app, DIRECTOR), {
      outcome: 'approve',
      confidentialityReviewed: true,
      sig: `${expiry}.${mac.slice(0, -2)}AA` === link.sig ? `${expiry}.${mac.slice(0, -2)}BB` : `${expiry}.${mac.slice(0, -2)}AA`,
    });
    expect(tampered.statusCode).toBe(403);
    expect(errorOf(tampered).code).toBe('LINK_INVALID');
    const otherReview = await decideJson(app, { ...link, reviewId: 'A'.repeat(24) }, await cookieOf(app, DIRECTOR), {
      outcome: 'approve',
      confidentialityReviewed: true,
    });
    expect(otherReview.statusCode).toBe(404);

    app.clock.advance(31 * 86_400_000);
    forgetCookies(app);
    const expired = await decideJson(app, link, await cookieOf(app, DIRECTOR), { outcome: 'approve', confidentialityReviewed: true });
    expect(expired.statusCode).toBe(410);
    expect(errorOf(expired).code).toBe('LINK_EXPIRED');
    await expectNothingRecorded(link);
  });

  it('refuses a malformed body (400) and records nothing', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    const { createDecideReviewHandler } = await import('#functions/decide-review.js');
    const { httpEvent } = await import('../support/app.js');
    for (const body of [
      '{',
      JSON.stringify({ sig: link.sig, outcome: 'maybe' }),
      JSON.stringify({ outcome: 'approve', confidentialityReviewed: true }),
      JSON.stringify({ sig: link.sig, outcome: 'approve', confidentialityReviewed: 'yes' }),
    ]) {
      const response = await createDecideReviewHandler(app.deps)(
        httpEvent({
          method: 'POST',
          path: `/api/reviews/${link.reviewId}/decision`,
          pathParameters: { reviewId: link.reviewId },
          cookie: director,
          body,
        }),
      );
      expect(response.statusCode).toBe(400);
    }
    await expectNothingRecorded(link);
  });
});

describe('POST /reviews/{id}/decision (the review page’s form)', () => {
  it('sends a post without the session’s CSRF token back to the page with error=CSRF, recording nothing', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    const leaderCsrf = await csrfOf(app, await cookieOf(app, LEADER));
    for (const csrf of [undefined, '', 'wrong', leaderCsrf]) {
      const response = await decideForm(app, link, director, {
        outcome: 'approve',
        confidentialityReviewed: 'yes',
        ...(csrf === undefined ? {} : { csrf }),
      });
      expect(response.statusCode).toBe(303);
      const location = new URL(response.headers['location'] ?? '', 'https://x.invalid');
      expect(location.pathname).toBe(`/reviews/${link.reviewId}`);
      expect(location.searchParams.get('error')).toBe('CSRF');
      expect(location.searchParams.get('sig')).toBe(link.sig);
    }
    await expectNothingRecorded(link);
    // the page it lands on says why
    const page = await openReviewPage(app, link, { cookie: director, error: 'CSRF' });
    expect(plainText(parseHtml(page.body))).toContain('页面已过期，请刷新后重新提交');
  });

  it('sends a post without a session to the sign-in page, which comes back to the review page', async () => {
    const link = await directorReview();
    const response = await decideForm(app, link, undefined, { outcome: 'approve', confidentialityReviewed: 'yes', csrf: 'x' });
    expect(response.statusCode).toBe(303);
    const location = new URL(response.headers['location'] ?? '', 'https://x.invalid');
    expect(location.pathname).toBe('/login');
    const next = new URL(location.searchParams.get('next') ?? '', 'https://x.invalid');
    expect(next.pathname).toBe(`/reviews/${link.reviewId}`);
    expect(next.searchParams.get('sig')).toBe(link.sig);
    await expectNothingRecorded(link);
  });

  it('brings the approver back from the sign-in form to the review page, and never off the site whatever `next` says', async () => {
    const link = await directorReview();
    const { createRequestSignInCodeHandler } = await import('#functions/request-sign-in-code.js');
    const { createCreateSessionHandler } = await import('#functions/create-session.js');
    const { httpEvent } = await import('../support/app.js');
    const signInWith = async (next: string) => {
      app.clock.advance(13 * 60_000); // five codes an hour per address
      await createRequestSignInCodeHandler(app.deps)(httpEvent({ method: 'POST', path: '/api/auth/code', body: { email: DIRECTOR } }));
      const message = app.outbox.list().find((entry) => entry.to === DIRECTOR && entry.subject.includes('验证码'));
      const code = /\b(\d{6})\b/u.exec(message?.text ?? '')?.[1] ?? '';
      const response = await createCreateSessionHandler(app.deps)(
        httpEvent({
          method: 'POST',
          path: '/login/session',
          headers: { origin: 'https://nianbao.example.gov.cn' },
          form: { email: DIRECTOR, code, next },
        }),
      );
      expect(response.statusCode).toBe(303);
      return response.headers['location'] ?? '';
    };
    const back = `/reviews/${encodeURIComponent(link.reviewId)}?sig=${encodeURIComponent(link.sig)}`;
    expect(await signInWith(back)).toBe(back);
    // a browser drops tabs and newlines inside a URL, so each of these would become //evil.example
    for (const next of [
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      'https://evil.example/',
    ]) {
      const location = await signInWith(next);
      expect(new URL(location.replace(/[\t\n\r]/gu, ''), 'https://nianbao.example.gov.cn/').origin, JSON.stringify(next)).toBe(
        'https://nianbao.example.gov.cn',
      );
    }
  });

  it('records the decision and sends the approver back to the review page, which then shows 已审核', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    const response = await decideForm(app, link, director, {
      outcome: 'return',
      comment: '第三部分数字请再核对。\r\n第五部分请写具体。',
      csrf: await csrfOf(app, director),
    });
    expect(response.statusCode).toBe(303);
    expect(response.body).toBe('');
    const location = new URL(response.headers['location'] ?? '', 'https://nianbao.example.gov.cn');
    expect(location.pathname).toBe(`/reviews/${link.reviewId}`);
    expect(location.searchParams.get('error')).toBeNull();
    expect(tokensSent(app)).toEqual([{ token: 'token-director-1', output: RETURNED }]);

    const followed = parseReviewLink(location.href);
    const page = await openReviewPage(app, followed, { cookie: director });
    expect(page.statusCode).toBe(200);
    const decision = byId(parseHtml(page.body), 'decision');
    expect(plainText(decision ?? parseHtml(''))).toContain('已审核：退回修改');
    expect(plainText(decision ?? parseHtml(''))).toContain('第五部分请写具体');
    expect(byId(parseHtml(page.body), 'decision-form')).toBeUndefined();

    // a replayed form shows the recorded decision, and changes nothing
    const replay = await decideForm(app, link, director, {
      outcome: 'approve',
      confidentialityReviewed: 'yes',
      csrf: await csrfOf(app, director),
    });
    expect(replay.statusCode).toBe(303);
    expect(new URL(replay.headers['location'] ?? '', 'https://x.invalid').searchParams.get('error')).toBeNull();
    expect(app.sfn.commandCalls(SendTaskSuccessCommand).length).toBe(1);
    expect((await reviewOf(app, link.reviewId)).decision?.outcome).toBe('return');
  });

  it('sends an approval without the 保密审查 box back with the reason, recording nothing', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    const response = await decideForm(app, link, director, { outcome: 'approve', csrf: await csrfOf(app, director) });
    expect(response.statusCode).toBe(303);
    expect(new URL(response.headers['location'] ?? '', 'https://x.invalid').searchParams.get('error')).toBe(
      'CONFIDENTIALITY_REVIEW_REQUIRED',
    );
    await expectNothingRecorded(link);
  });

  it('refuses the form of another roster member with a 403 page', async () => {
    const link = await directorReview();
    const leader = await cookieOf(app, LEADER);
    const response = await decideForm(app, link, leader, {
      outcome: 'approve',
      confidentialityReviewed: 'yes',
      csrf: await csrfOf(app, leader),
    });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(plainText(parseHtml(response.body))).toContain('该审核链接发给了另一位审核人');
    await expectNothingRecorded(link);
  });
});

describe('races and lost tokens', () => {
  it('lets exactly one of two concurrent decisions win: one 200, one 409 carrying the winner, one decided event, one SendTaskSuccess', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    const responses = await Promise.all([
      decideJson(app, link, director, { outcome: 'approve', confidentialityReviewed: true }),
      decideJson(app, link, director, { outcome: 'return', comment: '请修改。' }),
    ]);
    expect(responses.map((response) => response.statusCode).sort()).toEqual([200, 409]);
    const won = responses.find((response) => response.statusCode === 200);
    const lost = responses.find((response) => response.statusCode === 409);
    const winner = (jsonOf(won ?? responses[0] ?? ({} as HttpResponse)) as { decision: Decision }).decision;
    expect(jsonOf(lost ?? ({} as HttpResponse))).toMatchObject({ error: { code: 'ALREADY_DECIDED' }, decision: winner });
    expect((await eventTypes(app)).filter((type) => type === 'decided')).toHaveLength(1);
    expect(tokensSent(app)).toEqual([{ token: 'token-director-1', output: cursorFor(winner) }]);
    expect((await reviewOf(app, link.reviewId)).decision).toEqual(winner);
  });

  it('lets exactly one win when both requests read the undecided review before either writes (the conditional write decides)', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    // both requests' first read of the review waits until the other has made it too
    let waiting: Array<() => void> = [];
    let reads = 0;
    const store = new Proxy(app.deps.store, {
      get(target, property, receiver) {
        if (property !== 'getReview') return Reflect.get(target, property, receiver) as unknown;
        return async (reviewId: string) => {
          const review = await target.getReview(reviewId);
          if (++reads <= 2) {
            await new Promise<void>((resolve) => {
              waiting.push(resolve);
              if (waiting.length === 2) {
                for (const release of waiting) release();
                waiting = [];
              }
            });
          }
          return review;
        };
      },
    });
    const { createDecideReviewHandler } = await import('#functions/decide-review.js');
    const { httpEvent } = await import('../support/app.js');
    const decide = createDecideReviewHandler({ ...app.deps, store });
    const post = (body: Record<string, unknown>) =>
      decide(
        httpEvent({
          method: 'POST',
          path: `/api/reviews/${link.reviewId}/decision`,
          pathParameters: { reviewId: link.reviewId },
          cookie: director,
          body: { sig: link.sig, ...body },
        }),
      );
    const responses = await Promise.all([
      post({ outcome: 'approve', confidentialityReviewed: true }),
      post({ outcome: 'return', comment: '请修改。' }),
    ]);
    expect(reads).toBeGreaterThanOrEqual(3);
    expect(responses.map((response) => response.statusCode).sort()).toEqual([200, 409]);
    const winner = (jsonOf(responses.find((response) => response.statusCode === 200) ?? ({} as HttpResponse)) as { decision: Decision })
      .decision;
    expect(jsonOf(responses.find((response) => response.statusCode === 409) ?? ({} as HttpResponse))).toMatchObject({ decision: winner });
    expect((await eventTypes(app)).filter((type) => type === 'decided')).toHaveLength(1);
    expect(tokensSent(app)).toEqual([{ token: 'token-director-1', output: cursorFor(winner) }]);
  });

  it('lets exactly one win when the form and the JSON twin race', async () => {
    const link = await directorReview();
    const director = await cookieOf(app, DIRECTOR);
    const csrf = await csrfOf(app, director);
    const [form, api] = await Promise.all([
      decideForm(app, link, director, { outcome: 'return', comment: '表单退回', csrf }),
      decideJson(app, link, director, { outcome: 'approve', confidentialityReviewed: true }),
    ]);
    expect(form?.statusCode).toBe(303);
    expect([200, 409]).toContain(api?.statusCode);
    expect((await eventTypes(app)).filter((type) => type === 'decided')).toHaveLength(1);
    expect(app.sfn.commandCalls(SendTaskSuccessCommand).length).toBe(1);
    const stored = (await reviewOf(app, link.reviewId)).decision;
    expect(tokensSent(app)[0]?.output).toEqual(stored && cursorFor(stored));
    if (api?.statusCode === 409) expect((jsonOf(api) as { decision: Decision }).decision).toEqual(stored);
  });

  const gone = [
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'x', $metadata: {} })],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'x', $metadata: {} })],
    ['InvalidToken', () => new InvalidToken({ message: 'x', $metadata: {} })],
  ] as const;

  it.each(gone)(
    'keeps a decision whose token is gone (%s): 200, recorded; the reminder’s new token carries it at once and emails nobody',
    async (_name, error) => {
      const link = await directorReview();
      app.sfn.on(SendTaskSuccessCommand).rejects(error());
      const response = await decideJson(app, link, await cookieOf(app, DIRECTOR), {
        outcome: 'approve',
        comment: '同意',
        confidentialityReviewed: true,
      });
      expect(response.statusCode).toBe(200);
      const decision = (jsonOf(response) as { decision: Decision }).decision;
      const recorded = await reviewOf(app, link.reviewId);
      expect(recorded.decision).toEqual(decision);
      expect(recorded.deliveredTokenSeq).toBeUndefined();
      expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided']);
      expect(tokensSent(app)).toEqual([{ token: 'token-director-1', output: cursorFor(decision) }]);

      // the state machine timed out the wait and asks again with a new token
      app.sfn.on(SendTaskSuccessCommand).resolves({});
      app.clock.advance(3 * 86_400_000);
      const emailsBefore = (await app.outbox.list()).length;
      const outcome = await requestReview(app, { taskToken: 'token-director-2', version: 1, stage: 'director' });
      expect(outcome).toBe('delivered-recorded-decision');
      expect(tokensSent(app)).toEqual([
        { token: 'token-director-1', output: cursorFor(decision) },
        { token: 'token-director-2', output: cursorFor(decision) },
      ]);
      expect((await app.outbox.list()).length).toBe(emailsBefore);
      expect(await reviewEmails(app, DIRECTOR)).toHaveLength(1);
      expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided']);
      const delivered = await reviewOf(app, link.reviewId);
      expect(delivered).toMatchObject({ taskToken: 'token-director-2', tokenSeq: 2, deliveredTokenSeq: 2, decision });

      // a Lambda retry of that task delivers again (Step Functions ignores the second) and still emails nobody
      await requestReview(app, { taskToken: 'token-director-2', version: 1, stage: 'director' });
      expect((await app.outbox.list()).length).toBe(emailsBefore);
      expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided']);
    },
  );

  it('finishes a decision whose request died right after its event was logged: the reminder delivers it once, emailing nobody', async () => {
    const link = await directorReview();
    // the decision's event is committed, then its Lambda dies before the review item is written or anything is sent
    const store = new Proxy(app.deps.store, {
      get(target, property, receiver) {
        if (property === 'recordDecision') return async () => Promise.reject(new Error('the Lambda was killed'));
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const { createDecideReviewHandler } = await import('#functions/decide-review.js');
    const { httpEvent } = await import('../support/app.js');
    const died = await createDecideReviewHandler({ ...app.deps, store })(
      httpEvent({
        method: 'POST',
        path: `/api/reviews/${link.reviewId}/decision`,
        pathParameters: { reviewId: link.reviewId },
        cookie: await cookieOf(app, DIRECTOR),
        body: { sig: link.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
      }),
    );
    expect(died.statusCode).toBe(500);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided']);
    expect(tokensSent(app)).toEqual([]);
    const decision = DecisionSchema.parse((await app.deps.store.listEvents(REPORT_ID)).at(-1)?.data['decision']);
    // a second click is told the decision stands
    expect((await decideJson(app, link, await cookieOf(app, DIRECTOR), { outcome: 'return', comment: '再看看' })).statusCode).toBe(409);

    app.clock.advance(3 * 86_400_000);
    const emails = app.outbox.list().length;
    expect(await requestReview(app, { taskToken: 'token-director-2', version: 1, stage: 'director' })).toBe('delivered-recorded-decision');
    await requestReview(app, { taskToken: 'token-director-2', version: 1, stage: 'director' });
    expect(tokensSent(app)).toEqual([
      { token: 'token-director-2', output: TO_LEADER },
      { token: 'token-director-2', output: TO_LEADER },
    ]);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided']);
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ stage: 'leader', status: 'in_review' });
    expect(app.outbox.list().length).toBe(emails);
    expect(await reviewOf(app, link.reviewId)).toMatchObject({ decision, decisionEventSeq: 3, deliveredTokenSeq: 2 });
  });

  it('answers 200 and keeps the decision when the workflow is not reachable by any token, then a reminder delivers it', async () => {
    const link = await directorReview();
    app.sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'x', $metadata: {} }));
    await decideJson(app, link, await cookieOf(app, DIRECTOR), { outcome: 'return', comment: '请补充。' });
    // a second click after the first answered: still 409 with the decision, still no second decided event
    const again = await decideJson(app, link, await cookieOf(app, DIRECTOR), { outcome: 'return', comment: '请补充。' });
    expect(again.statusCode).toBe(409);
    expect(app.sfn.commandCalls(SendTaskSuccessCommand).length).toBe(1);
    app.sfn.on(SendTaskSuccessCommand).resolves({});
    await requestReview(app, { taskToken: 'token-director-2', version: 1, stage: 'director' });
    expect(tokensSent(app).at(-1)).toMatchObject({ token: 'token-director-2', output: RETURNED });
    expect((await eventTypes(app)).filter((type) => type === 'decided')).toHaveLength(1);
  });
});
