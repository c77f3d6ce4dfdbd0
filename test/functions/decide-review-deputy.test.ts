import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMyDelegationHandler } from '#functions/my-delegation.js';
import { createMyTasksHandler } from '#functions/my-tasks.js';
import { createRequestReviewHandler } from '#functions/request-review.js';
import { createDecideReviewHandler } from '#functions/decide-review.js';
import { createReviewPageHandler } from '#functions/review-page.js';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { guardedStores } from '#infra/local/partition-guard.js';
import { withSignedHistory } from '#shared/history/signed-history-store.js';
import { createSubmitReportHandler } from '#functions/submit-report.js';
import type { HttpResponse } from '#shared/http/response.js';
import { eventSummary } from '#shared/http/pages/names.js';
import type { Decision } from '#shared/workflow/model.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { referenceReport } from '../support/report-builders.js';
import {
  cookieOf,
  decideJson,
  DIRECTOR,
  emailedReviewLink,
  forgetCookies,
  LEADER,
  openReviewPage,
  REPORT_ID,
  requestReview,
  reviewAndDecide,
  reviewEmails,
  reviewOf,
  submit,
  tokensSent,
  type ReviewLink,
} from './workflow-helpers.js';

/**
 * A deputy (代理) at work: while the director's delegation runs, the review emails go to the deputy, the deputy's
 * 待办 lists the director's reviews, and the deputy decides them; the decision reads "陈副主任（王主任代）" in the
 * history and on the 签发单. Roles and separation of duties are checked for both people when the deputy acts. The
 * test clock stands at 2021-01-20 09:00 Beijing time.
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

const VICE = 'vice@kw.example.cn';
const TODAY = '2021-01-20';
const HOUR = 3_600_000;

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  await app.deps.store.putRosterEntry({ email: VICE, name: '陈副主任', agencyId: 'daxing-kw', roles: ['officer'] });
});

async function delegate(from: string, to: string, days: { from: string; until: string }): Promise<void> {
  const response = await createMyDelegationHandler(app.deps)(
    httpEvent({ method: 'PUT', path: '/api/me/delegation', cookie: await cookieOf(app, from), body: { to, ...days } }),
  );
  expect(response.statusCode, response.body).toBe(200);
}

async function endDelegation(email: string): Promise<void> {
  const response = await createMyDelegationHandler(app.deps)(
    httpEvent({ method: 'DELETE', path: '/api/me/delegation', cookie: await cookieOf(app, email) }),
  );
  expect(response.statusCode, response.body).toBe(200);
}

async function tasksOf(email: string): Promise<Array<Record<string, unknown>>> {
  const response = await createMyTasksHandler(app.deps)(
    httpEvent({ method: 'GET', path: '/api/me/tasks', cookie: await cookieOf(app, email) }),
  );
  expect(response.statusCode).toBe(200);
  return (jsonOf(response) as { tasks: Array<Record<string, unknown>> }).tasks;
}

const approve = (link: ReviewLink, email: string): Promise<HttpResponse> =>
  cookieOf(app, email).then((cookie) =>
    decideJson(app, link, cookie, { outcome: 'approve', comment: '同意。', confidentialityReviewed: true }),
  );

const codeOf = (response: HttpResponse) => (jsonOf(response) as { error?: { code?: string } }).error?.code;
const decisionOf = (response: HttpResponse) => (jsonOf(response) as { decision: Decision }).decision;

/** The director's review of v1 requested while the delegation runs: its link, as emailed to the deputy. */
async function directorReviewForDeputy(): Promise<ReviewLink> {
  await submit(app);
  await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
  return emailedReviewLink(app, VICE);
}

describe('while the delegation runs', () => {
  beforeEach(() => delegate(DIRECTOR, VICE, { from: TODAY, until: '2021-01-30' }));

  it('emails the director’s new review to the deputy, saying for whom; the review stays the director’s', async () => {
    const link = await directorReviewForDeputy();
    expect(await reviewEmails(app, DIRECTOR)).toEqual([]);
    const [email] = await reviewEmails(app, VICE);
    expect(email?.subject).toMatch(/^请审核：/u);
    expect(email?.text).toContain('陈副主任，您好');
    expect(email?.text).toContain('您正在代理王主任');
    const review = await reviewOf(app, link.reviewId);
    expect([review.approverEmail, review.approverName]).toEqual([DIRECTOR, '王主任']);
    const requested = (await app.deps.store.listEvents(REPORT_ID)).find((event) => event.type === 'review_requested');
    if (!requested) throw new Error('no review request in the log');
    expect(eventSummary(requested)).toBe('请 王主任（办公室主任审核）审核，已发送链接（代理期间，链接发给代理人陈副主任）');
  });

  it('lists the review in the deputy’s 待办 (saying for whom) and in the director’s own', async () => {
    const link = await directorReviewForDeputy();
    const [task, ...others] = await tasksOf(VICE);
    expect(others).toEqual([]);
    expect(task).toMatchObject({ reviewId: link.reviewId, stepId: 'director', onBehalfOf: { email: DIRECTOR, name: '王主任' } });
    expect((await tasksOf(DIRECTOR)).map((mine) => [mine['reviewId'], mine['onBehalfOf']])).toEqual([[link.reviewId, undefined]]);
    expect(await tasksOf(LEADER)).toEqual([]);
  });

  it('lets the deputy approve: recorded as the deputy for the director, read "陈副主任（王主任代）" in the history and on the 签发单', async () => {
    const link = await directorReviewForDeputy();
    const page = await openReviewPage(app, link, { cookie: await cookieOf(app, VICE) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('您正在代理王主任处理');
    expect(page.body).toContain('id="decision-form"');

    const response = await approve(link, VICE);
    expect(response.statusCode, response.body).toBe(200);
    expect(decisionOf(response)).toMatchObject({
      approver: VICE,
      approverName: '陈副主任',
      onBehalfOf: { email: DIRECTOR, name: '王主任' },
      outcome: 'approve',
    });
    expect(tokensSent(app).map((sent) => sent.token)).toEqual(['token-director-1']);

    const decided = (await app.deps.store.listEvents(REPORT_ID)).find((event) => event.type === 'decided');
    if (!decided) throw new Error('no decision in the log');
    expect(decided.actor.email).toBe(VICE);
    expect(eventSummary(decided)).toBe('陈副主任（王主任代）（办公室主任审核）：同意；已完成保密审查；意见：同意。');

    // the leader reads the 签发单 before signing
    await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
    const leaderPage = await openReviewPage(app, await emailedReviewLink(app, LEADER), { cookie: await cookieOf(app, LEADER) });
    expect(leaderPage.body).toContain('陈副主任（王主任代）');
  });

  it('lets the deputy return the report with the reason, read the same way', async () => {
    const link = await directorReviewForDeputy();
    const response = await decideJson(app, link, await cookieOf(app, VICE), { outcome: 'return', comment: '第二部分数字有误。' });
    expect(response.statusCode, response.body).toBe(200);
    const decided = (await app.deps.store.listEvents(REPORT_ID)).find((event) => event.type === 'decided');
    if (!decided) throw new Error('no decision in the log');
    expect(eventSummary(decided)).toBe('陈副主任（王主任代）（办公室主任审核）：退回修改；意见：第二部分数字有误。');
    expect((await app.deps.store.getHead(REPORT_ID))?.status).toBe('returned');
  });

  it('lets the director still decide his own review, and then the deputy’s link decides nothing', async () => {
    const link = await directorReviewForDeputy();
    expect((await approve(link, DIRECTOR)).statusCode).toBe(200);
    const late = await approve(link, VICE);
    expect(late.statusCode).toBe(409);
    expect(codeOf(late)).toBe('ALREADY_DECIDED');
  });

  it('refuses the deputy once the director no longer holds the post (roles read from the roster when acting)', async () => {
    const link = await directorReviewForDeputy();
    await app.deps.store.putRosterEntry({ email: DIRECTOR, name: '王主任', agencyId: 'daxing-kw', roles: ['officer'] });
    const response = await approve(link, VICE);
    expect(response.statusCode).toBe(403);
    expect(codeOf(response)).toBe('ROLE_NOT_HELD');
    expect((await app.deps.store.listEvents(REPORT_ID)).map((event) => event.type)).not.toContain('decided');
  });

  it('refuses the deputy once the deputy has left the agency', async () => {
    const link = await directorReviewForDeputy();
    await app.deps.store.putRosterEntry({ email: VICE, name: '陈副主任', agencyId: 'daxing-czj', roles: ['officer'] });
    forgetCookies(app);
    const response = await approve(link, VICE);
    expect(response.statusCode).toBe(403);
    expect(codeOf(response)).toBe('NOT_YOUR_REVIEW');
  });

  it('refuses the deputy once the delegation is ended', async () => {
    const link = await directorReviewForDeputy();
    await endDelegation(DIRECTOR);
    const response = await approve(link, VICE);
    expect(response.statusCode).toBe(403);
    expect(codeOf(response)).toBe('DELEGATION_NOT_ACTIVE');
    expect(await tasksOf(VICE)).toEqual([]);
  });
});

describe('the delegation’s days, Beijing time, both ends included', () => {
  it('refuses the deputy the day before the first day and lets them decide from its first moment', async () => {
    await delegate(DIRECTOR, VICE, { from: '2021-01-21', until: '2021-01-22' });
    await submit(app);
    await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
    // not yet running: the email went to the director
    const link = await emailedReviewLink(app, DIRECTOR);
    expect(await reviewEmails(app, VICE)).toEqual([]);
    const early = await approve(link, VICE);
    expect(codeOf(early)).toBe('DELEGATION_NOT_ACTIVE');
    // 2021-01-20T16:00Z is 2021-01-21 00:00 in Beijing
    app.clock.advance(15 * HOUR - 1);
    forgetCookies(app);
    expect(codeOf(await approve(link, VICE))).toBe('DELEGATION_NOT_ACTIVE');
    app.clock.advance(1);
    expect((await approve(link, VICE)).statusCode).toBe(200);
  });

  it('lets the deputy decide to the last moment of the last day and refuses them the day after', async () => {
    await delegate(DIRECTOR, VICE, { from: TODAY, until: TODAY });
    const link = await directorReviewForDeputy();
    app.clock.advance(15 * HOUR);
    forgetCookies(app);
    expect(codeOf(await approve(link, VICE))).toBe('DELEGATION_NOT_ACTIVE');
    expect(await tasksOf(VICE)).toEqual([]);
    expect((await approve(link, DIRECTOR)).statusCode).toBe(200);
  });

  it('counts the last millisecond of the last day', async () => {
    await delegate(DIRECTOR, VICE, { from: TODAY, until: TODAY });
    const link = await directorReviewForDeputy();
    app.clock.advance(15 * HOUR - 1);
    forgetCookies(app);
    expect((await approve(link, VICE)).statusCode).toBe(200);
  });
});

describe('separation of duties holds for the deputy', () => {
  it('refuses a deputy who submitted the report', async () => {
    await delegate(DIRECTOR, VICE, { from: TODAY, until: TODAY });
    // the deputy is also an officer and submits this round's report
    const submitted = await createSubmitReportHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/reports', body: { report: referenceReport() }, cookie: await cookieOf(app, VICE) }),
    );
    expect(submitted.statusCode, submitted.body).toBe(201);
    await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
    expect(await reviewEmails(app, VICE)).toHaveLength(0);
    expect(await tasksOf(VICE)).toEqual([]);
    const refused = await approve(await emailedReviewLink(app, DIRECTOR), VICE);
    expect(refused.statusCode).toBe(403);
    expect(codeOf(refused)).toBe('OWN_SUBMISSION');
  });

  it('refuses a deputy who decided another step of the round (the director deputising for the leader)', async () => {
    await delegate(LEADER, DIRECTOR, { from: TODAY, until: TODAY });
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
    // a deputy who may not decide the step is not sent it: the leader is asked himself
    expect((await reviewEmails(app, DIRECTOR)).map((email) => email.subject.slice(0, 4))).toEqual(['请审核：']);
    expect(await tasksOf(DIRECTOR)).toEqual([]);
    const link = await emailedReviewLink(app, LEADER);
    expect((await reviewOf(app, link.reviewId)).approverEmail).toBe(LEADER);
    const refused = await approve(link, DIRECTOR);
    expect(refused.statusCode).toBe(403);
    expect(codeOf(refused)).toBe('SECOND_STEP');
    // the leader signs himself
    expect((await approve(link, LEADER)).statusCode).toBe(200);
  });

  it('rules out the person deputised for as well: their step is taken for them in the round', async () => {
    await delegate(DIRECTOR, VICE, { from: TODAY, until: TODAY });
    const link = await directorReviewForDeputy();
    expect((await approve(link, VICE)).statusCode).toBe(200);
    // the director, now also a leader, is not asked to sign the report he was deputised for
    await app.deps.store.putRosterEntry({ email: DIRECTOR, name: '王主任', agencyId: 'daxing-kw', roles: ['director', 'leader'] });
    await app.deps.store.putRosterEntry({ email: LEADER, name: '张副主任', agencyId: 'daxing-kw', roles: ['officer'] });
    await expect(requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' })).rejects.toThrow(/nobody may decide/u);
    expect(await reviewEmails(app, DIRECTOR)).toEqual([]);
  });
});

describe('the partitions each function of the deputy’s path reaches', () => {
  it('stays within what infra/function-needs.ts declares (the local stack’s guard, as IAM in AWS)', async () => {
    const table = app.table;
    if (!table) throw new Error('the test app has no table');
    const storeFor = guardedStores(table.client, table.name, (store) =>
      withSignedHistory(store, app.history, (error) => {
        throw error;
      }),
    );
    const as = (name: Parameters<typeof storeFor>[0]) => ({ ...app.deps, store: storeFor(name) });
    const ok = (response: HttpResponse, status = 200) => expect(response.statusCode, response.body).toBe(status);
    const vice = await cookieOf(app, VICE);
    const director = await cookieOf(app, DIRECTOR);

    const delegation = createMyDelegationHandler(as('my-delegation'));
    ok(
      await delegation(
        httpEvent({ method: 'PUT', path: '/api/me/delegation', cookie: director, body: { to: VICE, from: TODAY, until: TODAY } }),
      ),
    );
    ok(await delegation(httpEvent({ method: 'GET', path: '/api/me/delegation', cookie: director })));
    await submit(app);
    await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, as('request-review'));
    const link = await emailedReviewLink(app, VICE);

    const tasks = createMyTasksHandler(as('my-tasks'));
    ok(await tasks(httpEvent({ method: 'GET', path: '/api/me/tasks', cookie: vice })));
    ok(
      await tasks(
        httpEvent({
          method: 'POST',
          path: `/api/me/tasks/${link.reviewId}/resend`,
          pathParameters: { reviewId: link.reviewId },
          body: {},
          cookie: vice,
        }),
      ),
    );
    expect(await reviewEmails(app, VICE)).toHaveLength(2);
    ok(
      await createReviewPageHandler(as('review-page'))(
        httpEvent({
          method: 'GET',
          path: `/reviews/${link.reviewId}`,
          pathParameters: { reviewId: link.reviewId },
          query: { sig: link.sig },
          cookie: vice,
        }),
      ),
    );
    ok(await createWebPagesHandler(as('web-pages'))(httpEvent({ method: 'GET', path: '/', cookie: vice })));
    ok(await createWebPagesHandler(as('web-pages'))(httpEvent({ method: 'GET', path: '/', cookie: director })));
    ok(
      await createDecideReviewHandler(as('decide-review'))(
        httpEvent({
          method: 'POST',
          path: `/api/reviews/${link.reviewId}/decision`,
          pathParameters: { reviewId: link.reviewId },
          cookie: vice,
          body: { sig: link.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
        }),
      ),
    );
    ok(await delegation(httpEvent({ method: 'DELETE', path: '/api/me/delegation', cookie: director })));
  });
});

describe('a deputy in a 会签', () => {
  it('co-signs the delegator’s seat: the step then waits only on the other co-signer, and moves on when they sign', async () => {
    const LEGAL = 'legal@kw.example.cn';
    const SECRECY = 'secrecy@kw.example.cn';
    await app.deps.store.putAgency({
      id: 'daxing-kw',
      name: '北京市大兴区科学技术委员会',
      chain: {
        steps: [
          { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
          { id: 'cosign', label: '法制保密会签', kind: 'cosign', role: 'counsel' },
          { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
        ],
      },
    });
    await app.deps.store.putRosterEntry({ email: LEGAL, name: '孙法制', agencyId: 'daxing-kw', roles: ['counsel'] });
    await app.deps.store.putRosterEntry({ email: SECRECY, name: '周保密', agencyId: 'daxing-kw', roles: ['counsel'] });
    await delegate(LEGAL, VICE, { from: TODAY, until: TODAY });
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    expect(tokensSent(app).at(-1)?.output).toMatchObject({ kind: 'cosign', stepId: 'cosign', cosigners: [LEGAL, SECRECY] });

    const ask = (approver: string) =>
      createRequestReviewHandler(app.deps)({ reportId: REPORT_ID, taskToken: `token-${approver}`, version: 1, step: 1, approver });
    await ask(LEGAL);
    await ask(SECRECY);
    expect(await reviewEmails(app, LEGAL)).toEqual([]);
    const forLegal = await emailedReviewLink(app, VICE);
    expect((await reviewOf(app, forLegal.reviewId)).approverEmail).toBe(LEGAL);
    expect((await approve(forLegal, VICE)).statusCode).toBe(200);
    // the seat is the co-signer's: it is done, and the step waits on the other one alone
    const progress = await app.deps.store.getHead(REPORT_ID);
    expect(progress?.stage).toBe('cosign');
    expect(codeOf(await approve(forLegal, LEGAL))).toBe('ALREADY_DECIDED');

    expect((await approve(await emailedReviewLink(app, SECRECY), SECRECY)).statusCode).toBe(200);
    expect(tokensSent(app).at(-1)?.output).toMatchObject({ kind: 'sign', stepId: 'leader' });
    expect((await app.deps.store.getHead(REPORT_ID))?.stage).toBe('leader');
  });
});
