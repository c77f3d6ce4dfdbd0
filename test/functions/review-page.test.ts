import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpResponse } from '#shared/http/response.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { createTestApp, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { byId, byTag, inputNamed, parseHtml, plainText } from './html.js';
import {
  DIRECTOR,
  LEADER,
  OFFICER,
  REPORT_ID,
  cookieOf,
  csrfOf,
  emailedReviewLink,
  forgetCookies,
  openReviewPage,
  requestReview,
  requestRevision,
  resubmit,
  reviewAndDecide,
  reviewOf,
  submit,
  type ReviewLink,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

const TITLE = '北京市大兴区科学技术委员会2020年政府信息公开工作年度报告';
const DIRECTOR_TOKEN = 'arn:aws:states:task-token-director-1:AAAAKgAAAAIAAAAAAAAAAQ==';
const CHINESE = /[\u4e00-\u9fff]/u;

/** Everything a GET could conceivably change. */
async function snapshot(reviewId: string) {
  return {
    events: await app.deps.store.listEvents(REPORT_ID),
    head: await app.deps.store.getHead(REPORT_ID),
    review: await app.deps.store.getReview(reviewId),
    pointers: await app.deps.store.listReviewPointers(REPORT_ID),
    sfnCalls: app.sfn.calls().length,
    s3Calls: app.s3.calls().length,
    emails: (await app.outbox.list()).filter((entry) => !entry.subject.includes('验证码')).length,
  };
}

async function submittedForDirector(): Promise<ReviewLink> {
  await submit(app);
  await requestReview(app, { taskToken: DIRECTOR_TOKEN, version: 1, stage: 'director' });
  return emailedReviewLink(app, DIRECTOR);
}

function expectHtml(response: HttpResponse, status: number): void {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['referrer-policy']).toBe('same-origin');
  expect(response.body).toMatch(/^<!doctype html>/u);
  expect(parseHtml(response.body).children[0]?.attrs['lang']).toBe('zh-CN');
  expect(response.body).not.toContain(DIRECTOR_TOKEN);
}

describe('GET /reviews/{id}?sig=', () => {
  it('never changes anything, however often it is opened, with or without a session (mail scanners, previews)', async () => {
    const link = await submittedForDirector();
    const director = await cookieOf(app, DIRECTOR);
    const leader = await cookieOf(app, LEADER);
    const officer = await cookieOf(app, OFFICER);
    const before = await snapshot(link.reviewId);
    expect(before.review?.taskToken).toBe(DIRECTOR_TOKEN);

    const opened: HttpResponse[] = [];
    for (let round = 0; round < 3; round++) {
      opened.push(await openReviewPage(app, link));
      opened.push(await openReviewPage(app, link, { cookie: director }));
      opened.push(await openReviewPage(app, link, { cookie: leader }));
      opened.push(await openReviewPage(app, link, { cookie: officer }));
      opened.push(await openReviewPage(app, link, { cookie: 'nianbao_session=not-a-session' }));
      opened.push(await openReviewPage(app, link, { sig: `${link.sig}x` }));
      opened.push(await openReviewPage(app, link, { cookie: director, error: 'CSRF' }));
    }
    expect(opened.map((response) => response.statusCode)).toEqual(
      Array.from({ length: 3 }, () => [200, 200, 403, 403, 200, 403, 200]).flat(),
    );
    for (const response of opened) expect(response.body).not.toContain(DIRECTOR_TOKEN);
    expect(await snapshot(link.reviewId)).toEqual(before);
  });

  it('answers a tampered signature with a 403 page in Chinese', async () => {
    const link = await submittedForDirector();
    const [expiry, mac = ''] = link.sig.split('.');
    for (const sig of [`${expiry}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, `${Number(expiry) + 3600}.${mac}`, '', 'garbage']) {
      const response = await openReviewPage(app, link, { sig, cookie: await cookieOf(app, DIRECTOR) });
      expectHtml(response, 403);
      const page = parseHtml(response.body);
      expect(plainText(page)).toContain('审核链接无效');
      expect(plainText(page)).toMatch(CHINESE);
      expect(byTag(page, 'form')).toEqual([]);
      expect(response.body).not.toContain(TITLE);
    }
  });

  it('answers a link past its 30 days with a 410 page, signed in or not', async () => {
    const link = await submittedForDirector();
    app.clock.advance(30 * 86_400_000 - 60_000);
    expect((await openReviewPage(app, link)).statusCode).toBe(200);
    app.clock.advance(61_000);
    forgetCookies(app);
    for (const cookie of [undefined, await cookieOf(app, DIRECTOR)]) {
      const response = await openReviewPage(app, link, cookie === undefined ? {} : { cookie });
      expectHtml(response, 410);
      expect(plainText(parseHtml(response.body))).toContain('审核链接已过期');
      expect(byTag(parseHtml(response.body), 'form')).toEqual([]);
    }
  });

  it('tells another roster member signed in that the link was sent to someone else (403), and shows them nothing of the report', async () => {
    const link = await submittedForDirector();
    for (const person of [LEADER, OFFICER]) {
      const response = await openReviewPage(app, link, { cookie: await cookieOf(app, person) });
      expectHtml(response, 403);
      expect(plainText(parseHtml(response.body))).toContain('该审核链接发给了另一位审核人');
      expect(response.body).not.toContain(TITLE);
      expect(byTag(parseHtml(response.body), 'form')).toEqual([]);
    }
  });

  it('shows someone not signed in only which report the link is for and a sign-in without the address, never the report', async () => {
    const link = await submittedForDirector();
    const response = await openReviewPage(app, link);
    expectHtml(response, 200);
    const page = parseHtml(response.body);
    expect(plainText(page)).toContain(TITLE);
    // nothing of the content, and nobody's name or address: the link alone is not a key to the report
    expect(byTag(page, 'table')).toEqual([]);
    expect(byId(page, 'report')).toBeUndefined();
    expect(plainText(page)).not.toContain('王主任');
    expect(response.body).not.toContain(DIRECTOR);
    expect(inputNamed(page, 'email')?.attrs['value'] ?? '').toBe('');
    // no decision form: the only forms are for signing in, and they come back here
    expect(byId(page, 'decision-form')).toBeUndefined();
    expect(inputNamed(page, 'csrf')).toBeUndefined();
    for (const form of byTag(page, 'form')) {
      expect(form.attrs['action']).toMatch(/^\/login\//u);
      expect(inputNamed(form, 'next')?.attrs['value']).toBe(
        `/reviews/${encodeURIComponent(link.reviewId)}?sig=${encodeURIComponent(link.sig)}`,
      );
    }
    const login = byTag(page, 'a').filter(
      (anchor) => anchor.text.trim() === '登录' && (anchor.attrs['href'] ?? '').startsWith('/login?next='),
    );
    expect(login.length).toBeGreaterThan(0);
    const next = new URL(login[0]?.attrs['href'] ?? '', 'https://x.invalid').searchParams.get('next') ?? '';
    expect(next).toBe(`/reviews/${encodeURIComponent(link.reviewId)}?sig=${encodeURIComponent(link.sig)}`);
    // the browser gets its sign-in id here, so a code it asks for works only in it
    expect(response.cookies?.some((line) => line.startsWith('nianbao_browser='))).toBe(true);
  });

  it('titles the signed-out page by the step: 审核 for the director, 签发 for the leader', async () => {
    const directorLink = await submittedForDirector();
    const directorPage = parseHtml((await openReviewPage(app, directorLink)).body);
    expect(plainText(byTag(directorPage, 'title')[0] ?? directorPage)).toMatch(/^审核：/u);
    await reviewAndDecide(app, { taskToken: DIRECTOR_TOKEN, version: 1, stage: 'director' }, { outcome: 'approve' });
    await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
    const leaderPage = parseHtml((await openReviewPage(app, await emailedReviewLink(app, LEADER))).body);
    expect(plainText(byTag(leaderPage, 'title')[0] ?? leaderPage)).toMatch(/^签发：/u);
    expect(plainText(byId(leaderPage, 'sign-in-title') ?? leaderPage)).toBe('登录后查看和签发');
    expect(plainText(leaderPage)).not.toContain('审核');
  });

  it('shows an auditor of the agency the report to read, without the decision form', async () => {
    const link = await submittedForDirector();
    const response = await openReviewPage(app, link, { cookie: await cookieOf(app, 'auditor@audit.example.cn') });
    expectHtml(response, 200);
    const page = parseHtml(response.body);
    // the report itself is on the page: its tables, 二 drawn as one
    const tables = byTag(page, 'table').map((table) => table.attrs['id']);
    expect(tables).toEqual(expect.arrayContaining(['activeDisclosure', 'applications', 'reviewsAndLitigation']));
    expect(byId(page, 'decision-form')).toBeUndefined();
    expect(byId(page, 'sign-in')).toBeUndefined();
  });

  it('shows the named director the form with the hidden csrf and sig and the 保密审查 checkbox', async () => {
    const link = await submittedForDirector();
    const director = await cookieOf(app, DIRECTOR);
    const response = await openReviewPage(app, link, { cookie: director });
    expectHtml(response, 200);
    const page = parseHtml(response.body);
    const form = byId(page, 'decision-form');
    expect(form?.tag).toBe('form');
    expect(form?.attrs['method']).toBe('post');
    expect(form?.attrs['action']).toBe(`/reviews/${encodeURIComponent(link.reviewId)}/decision`);
    if (!form) throw new Error('no form');
    expect(inputNamed(form, 'csrf')?.attrs).toMatchObject({ type: 'hidden', value: await csrfOf(app, director) });
    expect(inputNamed(form, 'sig')?.attrs).toMatchObject({ type: 'hidden', value: link.sig });
    expect(inputNamed(form, 'confidentialityReviewed')?.attrs).toMatchObject({ type: 'checkbox', value: 'yes' });
    expect(plainText(form)).toContain('保密审查');
    expect(
      byTag(form, 'input')
        .filter((input) => input.attrs['name'] === 'outcome')
        .map((input) => input.attrs['value']),
    ).toEqual(['approve', 'return']);
    expect(byTag(form, 'textarea').map((area) => area.attrs['name'])).toEqual(['comment']);
    // no diff section for a first look
    expect(byId(page, 'changes')).toBeUndefined();
  });

  it('shows the leader the form without the 保密审查 checkbox', async () => {
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
    const link = await emailedReviewLink(app, LEADER);
    const leader = await cookieOf(app, LEADER);
    const response = await openReviewPage(app, link, { cookie: leader });
    expectHtml(response, 200);
    const form = byId(parseHtml(response.body), 'decision-form');
    if (!form) throw new Error('no form');
    expect(inputNamed(form, 'csrf')?.attrs['value']).toBe(await csrfOf(app, leader));
    expect(inputNamed(form, 'confidentialityReviewed')).toBeUndefined();
    expect(response.body).not.toContain('token-leader-1');
    expect(response.body).not.toContain('token-director-1');
  });

  it('shows the recorded decision, and no form, once decided', async () => {
    await submit(app);
    const { link } = await reviewAndDecide(
      app,
      { taskToken: DIRECTOR_TOKEN, version: 1, stage: 'director' },
      { outcome: 'approve', comment: '同意。' },
    );
    // signed out, the page says only that it was decided, not what or by whom
    const signedOut = plainText(parseHtml((await openReviewPage(app, link)).body));
    expect(signedOut).toContain('这一审核已有结果');
    expect(signedOut).not.toContain('同意。');
    for (const cookie of [await cookieOf(app, DIRECTOR), await cookieOf(app, 'auditor@audit.example.cn')]) {
      const response = await openReviewPage(app, link, { cookie });
      expectHtml(response, 200);
      const page = parseHtml(response.body);
      expect(plainText(byId(page, 'decision') ?? page)).toContain('已审核：同意');
      expect(plainText(page)).toContain('已确认完成保密审查');
      expect(byId(page, 'decision-form')).toBeUndefined();
    }
  });

  it('escapes what people typed: a comment with markup is shown as text', async () => {
    await submit(app);
    const comment = '<script>alert("x")</script><img src=x onerror=alert(1)> 请修改';
    const { link } = await reviewAndDecide(
      app,
      { taskToken: DIRECTOR_TOKEN, version: 1, stage: 'director' },
      { outcome: 'return', comment },
    );
    const response = await openReviewPage(app, link, { cookie: await cookieOf(app, DIRECTOR) });
    expectHtml(response, 200);
    expect(response.body).not.toContain('<script>alert');
    expect(response.body).not.toContain('<img src=x');
    const page = parseHtml(response.body);
    // the only scripts are the app's own files
    for (const script of byTag(page, 'script')) {
      expect(script.attrs['src']).toMatch(/^\/assets\//u);
      expect(script.text).toBe('');
    }
    expect(plainText(byId(page, 'decision') ?? page)).toContain(comment);
  });

  it('shows the director, on v2 after a return, the cells that changed old → new and the changed paragraphs', async () => {
    await submit(app);
    const comment = '采购项目数有误，第五部分请写具体。';
    const { decision } = await reviewAndDecide(
      app,
      { taskToken: DIRECTOR_TOKEN, version: 1, stage: 'director' },
      { outcome: 'return', comment },
    );
    await requestRevision(app, { taskToken: 'token-revision-1', version: 1, decision });

    const v1 = referenceReport();
    const oldParagraph = String(v1['problems']).split('\n\n')[1] ?? '';
    const newParagraph = '2.信息公开更新不够及时。2021年起每月由办公室逐条核对公开目录，逾期未更新的通报到科室。';
    let v2 = withValue(v1, 'activeDisclosure.procurement.centralizedProcurement.projects', 11);
    v2 = withValue(v2, 'problems', String(v1['problems']).replace(oldParagraph, newParagraph));
    const resubmitted = await resubmit(app, v2);
    expect(resubmitted.statusCode, resubmitted.body).toBe(200);

    await requestReview(app, { taskToken: 'token-director-2', version: 2, stage: 'director' });
    const link = await emailedReviewLink(app, DIRECTOR);
    expect((await reviewOf(app, link.reviewId)).version).toBe(2);
    const response = await openReviewPage(app, link, { cookie: await cookieOf(app, DIRECTOR) });
    expectHtml(response, 200);
    expect(response.body).not.toContain('token-director-2');
    const page = parseHtml(response.body);
    const changes = byId(page, 'changes');
    if (!changes) throw new Error('no changes section');
    expect(plainText(changes)).toContain('自您审阅的第1版以来的修改');

    const rows = byTag(changes, 'tr').filter((row) => row.attrs['data-path'] !== undefined);
    expect(rows.map((row) => row.attrs['data-path'])).toEqual(['activeDisclosure.procurement.centralizedProcurement.projects']);
    const cells = byTag(rows[0] ?? changes, 'td').map(plainText);
    expect(cells.slice(-2)).toEqual(['9', '11']);

    const paragraphs = byTag(changes, 'p');
    expect(paragraphs.filter((p) => p.attrs['class'] === 'removed').map(plainText)).toEqual([`删除：${oldParagraph}`]);
    expect(paragraphs.filter((p) => p.attrs['class'] === 'added').map(plainText)).toEqual([`新增：${newParagraph}`]);
    expect(plainText(changes)).toContain('五、存在的主要问题及改进情况');

    // the form is there for v2, and the v1 link still shows v1 as decided
    expect(byId(page, 'decision-form')).toBeDefined();
    const first = (await app.outbox.list()).filter((entry) => entry.to === DIRECTOR && /请(审核|会签|签发)：/.test(entry.subject)).at(-1);
    const firstLink = first?.links.find((url) => url.includes('/reviews/'));
    expect(firstLink).toBeDefined();
    expect(firstLink).not.toBe(link.link);
  });
});
