import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWithdrawReportHandler } from '#functions/withdraw-report.js';
import type { ReportEvent } from '#shared/workflow/model.js';
import type { Store } from '#shared/workflow/ports.js';
import { createSubmitReportHandler } from '#functions/submit-report.js';
import { referenceReport } from '../support/report-builders.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { signIn } from '../support/sign-in.js';
import {
  cookieOf,
  decideJson,
  DIRECTOR,
  emailedReviewLink,
  eventTypes,
  LEADER,
  OFFICER,
  REPORT_ID,
  requestReview,
  reviewAndDecide,
  submit,
} from './workflow-helpers.js';

/**
 * Who may decide, checked when they act: against the roster as it is now, never only against the address a link
 * was emailed to; nobody decides a report they submitted or two steps of one round; and a decision answered 200 is
 * in the report's log, whatever it raced.
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

/** Who decided, in the order of the log. */
const deciders = async (): Promise<string[]> =>
  (await app.deps.store.listEvents(REPORT_ID)).filter((event) => event.type === 'decided').map((event) => String(event.actor.email));

const errorCode = (body: unknown): unknown => (body as { error?: { code?: unknown } }).error?.code;

/** The leader's review, emailed after the director approved. */
async function leaderLink() {
  await submit(app);
  await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
  await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
  return emailedReviewLink(app, LEADER);
}

describe('a decision is checked against the roster as it is when the person acts', () => {
  it('refuses the emailed link of a leader moved to another agency: nothing logged, nothing sent on', async () => {
    const link = await leaderLink();
    await app.deps.store.putAgency({ id: 'daxing-fgw', name: '北京市大兴区发展和改革委员会' });
    await app.deps.store.putRosterEntry({ email: LEADER, name: '张副主任', agencyId: 'daxing-fgw', roles: ['leader'] });
    const response = await decideJson(app, link, await cookieOf(app, LEADER), { outcome: 'approve', comment: '同意' });
    expect(response.statusCode).toBe(403);
    expect(errorCode(jsonOf(response))).toBe('ROLE_NOT_HELD');
    expect(await deciders()).toEqual([DIRECTOR]);
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'in_review', stage: 'leader' });
  });

  it('refuses a leader whose role was taken away while staying in the agency', async () => {
    const link = await leaderLink();
    await app.deps.store.putRosterEntry({ email: LEADER, name: '张副主任', agencyId: 'daxing-kw', roles: ['officer'] });
    const response = await decideJson(app, link, await cookieOf(app, LEADER), { outcome: 'approve' });
    expect(response.statusCode).toBe(403);
    expect(errorCode(jsonOf(response))).toBe('ROLE_NOT_HELD');
    expect(await deciders()).toEqual([DIRECTOR]);
  });
});

describe('separation of duties', () => {
  it('refuses at submission a person holding officer, director and leader alone, naming the steps that lack people', async () => {
    await app.deps.store.putAgency({ id: 'tiny-office', name: '某小机关' });
    await app.deps.store.putRosterEntry({
      email: 'all@tiny.example.cn',
      name: '全能',
      agencyId: 'tiny-office',
      roles: ['officer', 'director', 'leader'],
    });
    const cookie = await signIn(app, 'all@tiny.example.cn');
    const report = { ...referenceReport(), agency: { id: 'tiny-office', name: '某小机关' } };
    const response = await createSubmitReportHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/reports', body: { report }, cookie }),
    );
    expect(response.statusCode).toBe(409);
    const body = jsonOf(response) as { error: { code: string; message: string; missing: Array<{ stepId: string }> } };
    expect(body.error.code).toBe('CHAIN_UNSTAFFED');
    expect(body.error.message).toContain('办公室主任审核');
    expect(body.error.message).toContain('主管领导签发');
    expect(body.error.missing.map((step) => step.stepId)).toEqual(['director', 'leader']);
    expect(await app.deps.store.listEvents('tiny-office-2020')).toEqual([]);
  });

  it('refuses an agency where one person would have to decide both steps, naming the one step left without a person', async () => {
    await app.deps.store.putAgency({ id: 'small-office', name: '某小机关' });
    await app.deps.store.putRosterEntry({
      email: 'officer@small.example.cn',
      name: '信息员',
      agencyId: 'small-office',
      roles: ['officer'],
    });
    await app.deps.store.putRosterEntry({
      email: 'both@small.example.cn',
      name: '主任兼领导',
      agencyId: 'small-office',
      roles: ['director', 'leader'],
    });
    const cookie = await signIn(app, 'officer@small.example.cn');
    const report = { ...referenceReport(), agency: { id: 'small-office', name: '某小机关' } };
    const response = await createSubmitReportHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/reports', body: { report }, cookie }),
    );
    expect(response.statusCode).toBe(409);
    expect((jsonOf(response) as { error: { missing: Array<{ stepId: string }> } }).error.missing.map((step) => step.stepId)).toEqual([
      'leader',
    ]);
  });

  it('refuses an officer who became the director deciding the report they submitted, and the director deciding the 签发 too', async () => {
    // the officer submits, then is given the director's role; the director holds the leader's role as well
    await submit(app);
    await app.deps.store.putRosterEntry({ email: OFFICER, name: '李信息员', agencyId: 'daxing-kw', roles: ['officer', 'director'] });
    await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
    const directorLink = await emailedReviewLink(app, DIRECTOR);
    await app.deps.store.putRosterEntry({ email: DIRECTOR, name: '王主任', agencyId: 'daxing-kw', roles: ['director', 'leader'] });
    expect(
      (await decideJson(app, directorLink, await cookieOf(app, DIRECTOR), { outcome: 'approve', confidentialityReviewed: true }))
        .statusCode,
    ).toBe(200);
    await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
    // the leader's step goes to the leader, never to the director who already decided a step of this round
    expect((await app.outbox.list()).filter((entry) => entry.subject.startsWith('请签发')).map((entry) => entry.to)).toEqual([LEADER]);
    const leader = await emailedReviewLink(app, LEADER);
    const review = await app.deps.store.getReview(leader.reviewId);
    expect(review?.approverEmail).toBe(LEADER);
  });
});

/**
 * The store with a latch on one report's log: the first `listEvents` made by the held caller returns, then that
 * caller waits until `release()` — between reading the log and writing its event, where a race is lost.
 */
function holdAfterRead(store: Store, reportId: string): { store: Store; held: Promise<void>; release: () => void } {
  let release = () => {};
  let announce = () => {};
  const held = new Promise<void>((resolve) => (announce = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'listEvents') return Reflect.get(target, property, receiver) as unknown;
      return async (id: string): Promise<ReportEvent[]> => {
        const events = await target.listEvents(id);
        if (id === reportId && first) {
          first = false;
          announce();
          await gate;
        }
        return events;
      };
    },
  });
  return { store: proxy, held, release };
}

describe('a decision racing a withdrawal', () => {
  const withdraw = async (deps: TestApp['deps']) =>
    createWithdrawReportHandler(deps)(
      httpEvent({
        method: 'POST',
        path: `/api/reports/${REPORT_ID}/withdraw`,
        pathParameters: { id: REPORT_ID },
        body: { reason: '信息员发现数据有误，撤回修改。' },
        cookie: await cookieOf(app, OFFICER),
      }),
    );

  it('never answers the leader 200 for a decision that is not in the log: the decision read first and the withdrawal wrote first', async () => {
    const link = await leaderLink();
    const leaderCookie = await cookieOf(app, LEADER);
    const { store, held, release } = holdAfterRead(app.deps.store, REPORT_ID);
    const { createDecideReviewHandler } = await import('#functions/decide-review.js');
    const deciding = createDecideReviewHandler({ ...app.deps, store })(
      httpEvent({
        method: 'POST',
        path: `/api/reviews/${link.reviewId}/decision`,
        pathParameters: { reviewId: link.reviewId },
        cookie: leaderCookie,
        body: { sig: link.sig, outcome: 'approve', comment: '同意' },
      }),
    );
    await held;
    expect((await withdraw(app.deps)).statusCode).toBe(200);
    release();
    const decided = await deciding;
    const types = await eventTypes(app);
    expect(decided.statusCode, decided.body).toBe(409);
    expect(errorCode(jsonOf(decided))).toBe('REVIEW_CLOSED');
    expect(types).toEqual(['submitted', 'review_requested', 'decided', 'review_requested', 'withdrawn']);
  });

  it('keeps the decision when it wrote first and the withdrawal read before it: 200, in the log, then withdrawn', async () => {
    const link = await leaderLink();
    const leaderCookie = await cookieOf(app, LEADER);
    const { store, held, release } = holdAfterRead(app.deps.store, REPORT_ID);
    const withdrawing = withdraw({ ...app.deps, store });
    await held;
    const decided = await decideJson(app, link, leaderCookie, { outcome: 'approve', comment: '同意' });
    release();
    const withdrawal = await withdrawing;
    expect(decided.statusCode).toBe(200);
    const events = await app.deps.store.listEvents(REPORT_ID);
    expect(
      events.filter((event) => event.type === 'decided').map((event) => (event.data['decision'] as { approver: string }).approver),
    ).toEqual([DIRECTOR, LEADER]);
    // the 签发 is in: the report is being published and can no longer be withdrawn
    expect(withdrawal.statusCode).toBe(409);
    expect(errorCode(jsonOf(withdrawal))).toBe('NOT_WITHDRAWABLE');
  });
});

describe('open reviews follow the roster', () => {
  it('hands a moved leader’s review to the new leader at the next reminder: new link, an email, the old link answers 409 naming them', async () => {
    const link = await leaderLink();
    // the leader moves to another agency; a new leader takes the post
    await app.deps.store.putAgency({ id: 'daxing-fgw', name: '北京市大兴区发展和改革委员会' });
    await app.deps.store.putRosterEntry({ email: LEADER, name: '张副主任', agencyId: 'daxing-fgw', roles: ['leader'] });
    await app.deps.store.putRosterEntry({ email: 'newleader@kw.example.cn', name: '钱副主任', agencyId: 'daxing-kw', roles: ['leader'] });
    app.clock.advance(3 * 86_400_000);
    expect(await requestReview(app, { taskToken: 'token-leader-2', version: 1, stage: 'leader' })).toBe('emailed');

    const handed = await emailedReviewLink(app, 'newleader@kw.example.cn');
    expect(handed.reviewId).not.toBe(link.reviewId);
    const mail = (await app.outbox.list()).find((entry) => entry.to === 'newleader@kw.example.cn' && entry.subject.startsWith('请签发'));
    expect(mail?.text).toContain('原由张副主任处理');
    const old = await decideJson(app, link, await cookieOf(app, LEADER), { outcome: 'approve' });
    expect(old.statusCode).toBe(409);
    expect(jsonOf(old)).toMatchObject({
      error: { code: 'REVIEW_REASSIGNED', holder: { email: 'newleader@kw.example.cn', name: '钱副主任' } },
    });
    const history = (await app.deps.store.listEvents(REPORT_ID)).at(-1);
    expect(history).toMatchObject({
      type: 'review_requested',
      data: { approverEmail: 'newleader@kw.example.cn', replaces: { approverEmail: LEADER } },
    });

    const signed = await decideJson(app, handed, await cookieOf(app, 'newleader@kw.example.cn'), { outcome: 'approve', comment: '同意' });
    expect(signed.statusCode).toBe(200);
    expect(await deciders()).toEqual([DIRECTOR, 'newleader@kw.example.cn']);
    // the workflow is told through the token the reminder issued, now held by the new review
    expect(app.sfn.commandCalls((await import('@aws-sdk/client-sfn')).SendTaskSuccessCommand).at(-1)?.args[0].input.taskToken).toBe(
      'token-leader-2',
    );
  });
});
