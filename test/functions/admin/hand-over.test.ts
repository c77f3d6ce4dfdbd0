import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMyTasksHandler } from '#functions/my-tasks.js';
import { createRequestReviewHandler } from '#functions/request-review.js';
import { loadRoster } from '#infra/scripts/load-roster.js';
import { eventSummary } from '#shared/http/pages/names.js';
import { handOverReviewsOf, type HandOverDeps } from '#shared/workflow/hand-over.js';
import type { RosterEntry } from '#shared/workflow/model.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../../support/app.js';
import {
  cookieOf,
  decideJson,
  DIRECTOR,
  emailedReviewLink,
  LEADER,
  openReviewPage,
  REPORT_ID,
  requestReview,
  reviewAndDecide,
  submit,
  type ReviewLink,
} from '../workflow-helpers.js';
import { ADMIN, adminRoutes } from './admin-support.js';

/**
 * When the roster changes, open reviews follow it at once: whoever loses a step's role (roles changed, moved to
 * another agency, removed, by the people page, the CSV import or the roster script) has each open review handed to
 * the step's current holder: a new review carrying the waiting task's token, an email with a new link, a line in the
 * report's history, and the old link answering 409 with the new holder's name.
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

const NEW_DIRECTOR: RosterEntry = { email: 'director2@kw.example.cn', name: '李主任', agencyId: 'daxing-kw', roles: ['director'] };
const WANG: RosterEntry = { email: DIRECTOR, name: '王主任', agencyId: 'daxing-kw', roles: ['director'] };

let app: TestApp;
let admin: string;
let r: ReturnType<typeof adminRoutes>;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
  admin = await cookieOf(app, ADMIN);
  r = adminRoutes(app);
});

const handOverDeps = (): HandOverDeps => ({ ...app.deps, linkKey: app.deps.keys.links });
const errorOf = (body: unknown) => (body as { error: { code: string; message: string; holder?: { email: string; name: string } } }).error;
const reviewMails = async (to: string) =>
  (await app.outbox.list()).filter((entry) => entry.to === to && /请(审核|会签|签发)：/.test(entry.subject));

/** Submitted; the director was asked (task token `token-director-1`) and a second director joined the agency. */
async function waitingOnDirector(): Promise<ReviewLink> {
  await submit(app);
  await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
  await app.deps.store.putRosterEntry(NEW_DIRECTOR);
  return emailedReviewLink(app, DIRECTOR);
}

/**
 * What every trigger must leave behind: the new director emailed a new link, the history line, and the old link
 * answering 409 with the new director's name to the old director (`oldCookie`: signed in before the change, absent
 * when they are off the roster and can no longer sign in).
 */
async function expectHandedToNewDirector(old: ReviewLink, oldCookie?: string): Promise<ReviewLink> {
  const handed = await emailedReviewLink(app, NEW_DIRECTOR.email);
  expect(handed.reviewId).not.toBe(old.reviewId);
  const mail = (await reviewMails(NEW_DIRECTOR.email))[0];
  expect(mail?.text).toContain('原由王主任处理');
  expect((await app.deps.store.getReview(old.reviewId))?.replacedBy).toMatchObject({ reviewId: handed.reviewId, approverName: '李主任' });
  if (oldCookie !== undefined) {
    const page = await openReviewPage(app, old, { cookie: oldCookie });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('已转交李主任');
    const refused = await decideJson(app, old, oldCookie, { outcome: 'approve', confidentialityReviewed: true });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(jsonOf(refused))).toMatchObject({ code: 'REVIEW_REASSIGNED', holder: { email: NEW_DIRECTOR.email, name: '李主任' } });
  }
  const last = (await app.deps.store.listEvents(REPORT_ID)).at(-1);
  expect(last?.type).toBe('review_requested');
  expect(last && eventSummary(last)).toBe('办公室主任审核转交：王主任 → 李主任（人员变动），已发送链接');
  return handed;
}

/** The review ids `GET /api/me/tasks` lists for a person. */
async function tasksOf(email: string): Promise<string[]> {
  const response = await createMyTasksHandler(app.deps)(
    httpEvent({ method: 'GET', path: '/api/me/tasks', cookie: await cookieOf(app, email) }),
  );
  return (jsonOf(response) as { tasks: { reviewId: string }[] }).tasks.map((task) => task.reviewId);
}

/** The new director approves from the new link: the waiting task is completed with the token the old review held. */
async function expectNewDirectorCompletesTheStep(handed: ReviewLink): Promise<void> {
  expect(await tasksOf(NEW_DIRECTOR.email)).toEqual([handed.reviewId]);
  const approved = await decideJson(app, handed, await cookieOf(app, NEW_DIRECTOR.email), {
    outcome: 'approve',
    confidentialityReviewed: true,
  });
  expect(approved.statusCode, approved.body).toBe(200);
  const sent = app.sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken);
  expect(sent).toEqual(['token-director-1']);
  expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'in_review', stage: 'leader' });
}

describe('each place the roster changes hands the open reviews on at once', () => {
  it('PUT taking the director’s role away: the new director is emailed, decides, and the step completes', async () => {
    const old = await waitingOnDirector();
    const wang = await cookieOf(app, DIRECTOR);
    const response = await r.savePerson(admin, DIRECTOR, { name: '王主任', agencyId: 'daxing-kw', roles: ['officer'] });
    expect(response.statusCode, response.body).toBe(200);
    expect(jsonOf(response)).toMatchObject({ handedOver: 1, warnings: [] });
    await expectNewDirectorCompletesTheStep(await expectHandedToNewDirector(old, wang));
    const logged = (await app.deps.store.listAdminEvents()).at(-1);
    expect(logged).toMatchObject({ type: 'person_saved', subject: DIRECTOR, data: { handedOver: 1 } });
  });

  it('sends the administrator’s deadline reminder to the new director, not the one who left', async () => {
    await waitingOnDirector();
    await r.removePerson(admin, DIRECTOR);
    const reminded = await r.remind(admin, { year: 2020, agencyIds: ['daxing-kw'] });
    expect(reminded.statusCode, reminded.body).toBe(200);
    expect((jsonOf(reminded) as { sent: { to: string }[] }).sent.map((sent) => sent.to)).toEqual([NEW_DIRECTOR.email]);
  });

  it('PUT moving the director to another agency', async () => {
    const old = await waitingOnDirector();
    const wang = await cookieOf(app, DIRECTOR);
    const response = await r.savePerson(admin, DIRECTOR, { name: '王主任', agencyId: 'daxing-jw', roles: ['director'] });
    expect(jsonOf(response)).toMatchObject({ handedOver: 1 });
    await expectNewDirectorCompletesTheStep(await expectHandedToNewDirector(old, wang));
  });

  it('PUT renaming the director keeps the review theirs: nothing handed over, nobody emailed', async () => {
    const old = await waitingOnDirector();
    const response = await r.savePerson(admin, DIRECTOR, { name: '王新主任', agencyId: 'daxing-kw', roles: ['director'] });
    expect(jsonOf(response)).toMatchObject({ handedOver: 0, warnings: [] });
    expect(await reviewMails(NEW_DIRECTOR.email)).toEqual([]);
    expect((await app.deps.store.getReview(old.reviewId))?.replacedBy).toBeUndefined();
    expect((await app.deps.store.listEvents(REPORT_ID)).map((event) => event.type)).toEqual(['submitted', 'review_requested']);
  });

  it('DELETE of the director', async () => {
    const old = await waitingOnDirector();
    const response = await r.removePerson(admin, DIRECTOR);
    expect(response.statusCode, response.body).toBe(200);
    expect(jsonOf(response)).toMatchObject({ handedOver: 1 });
    await expectHandedToNewDirector(old);
    expect((await app.deps.store.listAdminEvents()).at(-1)).toMatchObject({ type: 'person_removed', data: { handedOver: 1 } });
  });

  it('the CSV import, with the successor appointed in the same file', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
    const old = await emailedReviewLink(app, DIRECTOR);
    const csv = `邮箱,姓名,单位,角色\n${DIRECTOR},王主任,daxing-jw,director\n${NEW_DIRECTOR.email},李主任,daxing-kw,director\n`;
    const response = await r.importPeople(admin, new TextEncoder().encode(csv));
    expect(response.statusCode, response.body).toBe(200);
    expect(jsonOf(response)).toMatchObject({ imported: 2, handedOver: 1 });
    await expectNewDirectorCompletesTheStep(await expectHandedToNewDirector(old));
    expect((await app.deps.store.listAdminEvents()).at(-1)).toMatchObject({ type: 'people_imported', data: { handedOver: 1 } });
  });

  it('the roster script, given the hand-over', async () => {
    const old = await waitingOnDirector();
    const file = { districts: [], agencies: [], roster: [{ ...WANG, roles: ['leader'] }] };
    const written = await loadRoster(file, app.deps.store, (before) => handOverReviewsOf(before, handOverDeps()));
    expect(written).toMatchObject({ roster: 1, handedOver: 1, stranded: [] });
    await expectNewDirectorCompletesTheStep(await expectHandedToNewDirector(old));
  });

  it('the roster script without the functions’ settings leaves the review to be handed on at the next reminder', async () => {
    const old = await waitingOnDirector();
    expect(await loadRoster({ districts: [], agencies: [], roster: [{ ...WANG, roles: ['leader'] }] }, app.deps.store)).toMatchObject({
      handedOver: 0,
    });
    expect(await reviewMails(NEW_DIRECTOR.email)).toEqual([]);
    await requestReview(app, { taskToken: 'token-director-2', version: 1, stage: 'director' });
    const handed = await expectHandedToNewDirector(old);
    const approved = await decideJson(app, handed, await cookieOf(app, NEW_DIRECTOR.email), {
      outcome: 'approve',
      confidentialityReviewed: true,
    });
    expect(approved.statusCode).toBe(200);
    expect(app.sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken)).toEqual(['token-director-2']);
  });
});

describe('a hand-over is done once', () => {
  it('run again (a retried request, a later reminder) creates no second review and sends no second email', async () => {
    const old = await waitingOnDirector();
    await r.savePerson(admin, DIRECTOR, { name: '王主任', agencyId: 'daxing-kw', roles: ['officer'] });
    const again = await handOverReviewsOf(WANG, handOverDeps());
    expect(again).toEqual([]);
    expect(await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' })).toBe('already-emailed');
    expect(await reviewMails(NEW_DIRECTOR.email)).toHaveLength(1);
    const handOvers = (await app.deps.store.listEvents(REPORT_ID)).filter((event) => event.data['replaces'] !== undefined);
    expect(handOvers).toHaveLength(1);
    expect((await app.deps.store.getReview(old.reviewId))?.replacedBy?.approverEmail).toBe(NEW_DIRECTOR.email);
  });

  it('finishes a hand-over stopped after the log (the email failed): the next run emails the new holder once', async () => {
    const old = await waitingOnDirector();
    await app.deps.store.putRosterEntry({ ...WANG, roles: ['officer'] });
    const failing = { ...handOverDeps(), mailer: { send: async () => Promise.reject(new Error('mail server down')) } };
    await expect(handOverReviewsOf(WANG, failing)).rejects.toThrow('mail server down');
    expect(await reviewMails(NEW_DIRECTOR.email)).toEqual([]);
    const finished = await handOverReviewsOf(WANG, handOverDeps());
    expect(finished.map((handOver) => handOver.to?.email)).toEqual([NEW_DIRECTOR.email]);
    await expectHandedToNewDirector(old);
    expect(await reviewMails(NEW_DIRECTOR.email)).toHaveLength(1);
    expect((await app.deps.store.listEvents(REPORT_ID)).filter((event) => event.data['replaces'] !== undefined)).toHaveLength(1);
  });

  it('leaves a review whose decision is already in the log where it is', async () => {
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    await app.deps.store.putRosterEntry(NEW_DIRECTOR);
    const response = await r.removePerson(admin, DIRECTOR);
    expect(jsonOf(response)).toMatchObject({ handedOver: 0, warnings: [] });
    expect(await reviewMails(NEW_DIRECTOR.email)).toEqual([]);
  });
});

describe('nobody to hand it to', () => {
  it('keeps the leader’s review where it is, records nothing, and warns the administrator', async () => {
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
    const before = await app.deps.store.listEvents(REPORT_ID);
    const response = await r.savePerson(admin, LEADER, { name: '张副主任', agencyId: 'daxing-jw', roles: ['leader'] });
    expect(response.statusCode).toBe(200);
    const body = jsonOf(response) as { handedOver: number; warnings: string[] };
    expect(body.handedOver).toBe(0);
    expect(body.warnings).toEqual([
      '北京市大兴区科学技术委员会2020年度报告的“主管领导签发”无人可转交：张副主任的待办审核仍保留在原处，请先为该单位指定接替人员。',
    ]);
    expect(await app.deps.store.listEvents(REPORT_ID)).toEqual(before);
    expect((await app.deps.store.getRosterEntry(LEADER))?.agencyId).toBe('daxing-jw');
  });
});

describe('a 会签 seat', () => {
  const COSIGN_CHAIN = {
    steps: [
      { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
      { id: 'legal', label: '法制会签', kind: 'cosign', role: 'legal' },
      { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
    ],
  } as const;
  const LEGAL = [
    { email: 'legal1@kw.example.cn', name: '郑法制', agencyId: 'daxing-kw', roles: ['legal'] },
    { email: 'legal2@kw.example.cn', name: '冯法制', agencyId: 'daxing-kw', roles: ['legal'] },
  ];

  /** Both co-signers asked (tokens `token-legal1`, `token-legal2`). */
  async function waitingOnCosigners(): Promise<void> {
    const agency = await app.deps.store.getAgency('daxing-kw');
    if (!agency) throw new Error('no demo agency');
    await app.deps.store.putAgency({ ...agency, chain: { steps: [...COSIGN_CHAIN.steps] } });
    for (const person of LEGAL) await app.deps.store.putRosterEntry(person);
    await submit(app);
    await reviewAndDecide(
      app,
      { taskToken: 'token-director-1', version: 1, stage: 'director' },
      { outcome: 'approve', confidentialityReviewed: true },
    );
    for (const [index, person] of LEGAL.entries()) {
      await createRequestReviewHandler(app.deps)({
        reportId: REPORT_ID,
        taskToken: `token-legal${index + 1}`,
        version: 1,
        step: 1,
        stage: 'legal',
        approver: person.email,
      });
    }
  }

  it('passes the seat of a co-signer who left to a holder of the role not already asked, who then co-signs', async () => {
    await waitingOnCosigners();
    const old = await emailedReviewLink(app, 'legal1@kw.example.cn');
    await r.savePerson(admin, 'legal3@kw.example.cn', { name: '褚法制', agencyId: 'daxing-kw', roles: ['legal'] });
    const response = await r.removePerson(admin, 'legal1@kw.example.cn');
    expect(jsonOf(response)).toMatchObject({ handedOver: 1, warnings: [] });
    const handed = await emailedReviewLink(app, 'legal3@kw.example.cn');
    expect(await reviewMails('legal2@kw.example.cn')).toHaveLength(1);
    const last = (await app.deps.store.listEvents(REPORT_ID)).at(-1);
    expect(last && eventSummary(last)).toBe('法制会签转交：郑法制 → 褚法制（人员变动），已发送链接');
    expect((await app.deps.store.getReview(old.reviewId))?.replacedBy).toMatchObject({ reviewId: handed.reviewId, approverName: '褚法制' });
    expect((await decideJson(app, handed, await cookieOf(app, 'legal3@kw.example.cn'), { outcome: 'approve' })).statusCode).toBe(200);
    expect(app.sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken)).toContain('token-legal1');
  });

  it('says so when every other holder of the role is already asked: “法制会签”无人可转交, the seat stays', async () => {
    await waitingOnCosigners();
    const before = await app.deps.store.listEvents(REPORT_ID);
    const response = await r.removePerson(admin, 'legal1@kw.example.cn');
    expect(response.statusCode).toBe(200);
    const body = jsonOf(response) as { handedOver: number; warnings: string[] };
    expect(body.handedOver).toBe(0);
    expect(body.warnings).toHaveLength(1);
    expect(body.warnings[0]).toContain('“法制会签”无人可转交');
    expect(await app.deps.store.listEvents(REPORT_ID)).toEqual(before);
  });
});
