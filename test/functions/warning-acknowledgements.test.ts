import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createResubmitReportHandler } from '#functions/resubmit-report.js';
import { createSubmitReportHandler } from '#functions/submit-report.js';
import type { HttpResponse } from '#shared/http/response.js';
import { typedEvents } from '#shared/workflow/event-data.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { byId, parseHtml, plainText } from './html.js';
import {
  DIRECTOR,
  LEADER,
  OFFICER,
  REPORT_ID,
  cookieOf,
  emailedReviewLink,
  openReviewPage,
  requestReview,
  requestRevision,
  reviewAndDecide,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

/** The reference report, whose 总体情况 now claims 9999 applications while table 三 counts none: one N1 warning. */
function warnedReport(): Record<string, unknown> {
  const report = referenceReport();
  return withValue(report, 'overview', `${String(report['overview'])}\n\n本年度共收到政府信息公开申请9999件。`);
}
const KEY = 'N1@overview';

async function submitWith(report: Record<string, unknown>, acknowledgements?: unknown): Promise<HttpResponse> {
  const body = acknowledgements === undefined ? { report } : { report, acknowledgements };
  return createSubmitReportHandler(app.deps)(
    httpEvent({ method: 'POST', path: '/api/reports', body, cookie: await cookieOf(app, OFFICER) }),
  );
}

async function resubmitWith(report: Record<string, unknown>, acknowledgements?: unknown): Promise<HttpResponse> {
  const body = acknowledgements === undefined ? { report } : { report, acknowledgements };
  return createResubmitReportHandler(app.deps)(
    httpEvent({
      method: 'PUT',
      path: `/api/reports/${REPORT_ID}`,
      pathParameters: { id: REPORT_ID },
      body,
      cookie: await cookieOf(app, OFFICER),
    }),
  );
}

function expectUnacknowledged(response: HttpResponse): void {
  expect(response.statusCode, response.body).toBe(400);
  const { error } = jsonOf(response) as { error: { code: string; message: string; unacknowledged: Array<{ key: string; code: string }> } };
  expect(error.code).toBe('WARNINGS_UNACKNOWLEDGED');
  expect(error.message).toMatch(/^还有 1 条系统提示未确认：请逐条勾选“已核对”或写明原因后再提交。/u);
  expect(error.message).not.toMatch(/N1|WARNINGS/u);
  expect(error.unacknowledged).toMatchObject([{ key: KEY, code: 'N1' }]);
}

/** The director's and the leader's pages for version 1, the director having approved it. */
async function pagesOfVersion1() {
  await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
  const directorLink = await emailedReviewLink(app, DIRECTOR);
  const director = parseHtml((await openReviewPage(app, directorLink, { cookie: await cookieOf(app, DIRECTOR) })).body);
  await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
  await requestReview(app, { taskToken: 'token-leader-1', version: 1, stage: 'leader' });
  const leader = parseHtml((await openReviewPage(app, await emailedReviewLink(app, LEADER), { cookie: await cookieOf(app, LEADER) })).body);
  return { director, leader };
}

describe('submitting a report with warnings', () => {
  it.each([
    ['no acknowledgements at all', undefined],
    ['an empty set', {}],
    ['the box left unticked and no note', { [KEY]: { checked: false } }],
    ['a note of spaces only', { [KEY]: { note: ' \n　' } }],
    ['an answer to another finding', { 'N1@problems': { checked: true } }],
  ])('is refused with %s, and nothing is recorded', async (_, acknowledgements) => {
    expectUnacknowledged(await submitWith(warnedReport(), acknowledgements));
    expect(await app.deps.store.listEvents(REPORT_ID)).toEqual([]);
  });

  it('needs no acknowledgements when there is no warning', async () => {
    const response = await submitWith(referenceReport());
    expect(response.statusCode, response.body).toBe(201);
  });

  it('keeps the note with the version, shows it to the approvers, and leaves nothing unexplained for the 签发', async () => {
    const note = '表三数字以登记台账为准，文字中的9999件为笔误，将在下一版更正。';
    const response = await submitWith(warnedReport(), { [KEY]: { checked: true, note: `  ${note} ` } });
    expect(response.statusCode, response.body).toBe(201);
    const submitted = typedEvents(await app.deps.store.listEvents(REPORT_ID)).find((event) => event.type === 'submitted');
    expect(submitted?.type === 'submitted' && submitted.data.acknowledgements).toMatchObject([
      { key: KEY, code: 'N1', path: 'overview', note },
    ]);

    const { director, leader } = await pagesOfVersion1();
    const directorWarnings = plainText(byId(director, 'warnings') ?? director);
    expect(directorWarnings).toContain('收到政府信息公开申请9999件');
    expect(directorWarnings).toContain(`信息员说明：${note}`);
    expect(plainText(byId(leader, 'warnings') ?? leader)).toContain(`信息员说明：${note}`);
    expect(byId(leader, 'unexplained')).toBeUndefined();
  });

  it('accepts a warning only ticked, and the 签发 page lists it as not explained (the 审核 page does not)', async () => {
    const response = await submitWith(warnedReport(), { [KEY]: { checked: true } });
    expect(response.statusCode, response.body).toBe(201);
    const { director, leader } = await pagesOfVersion1();
    expect(plainText(byId(director, 'warnings') ?? director)).toContain('信息员已勾选“已核对”，未写说明。');
    expect(byId(director, 'unexplained')).toBeUndefined();
    const unexplained = byId(leader, 'unexplained');
    expect(plainText(unexplained ?? leader)).toContain('以下 1 条提示信息员未说明原因，签发前请核实');
    expect(plainText(unexplained ?? leader)).toContain('收到政府信息公开申请9999件');
  });

  it('asks the same again when a returned report is resubmitted', async () => {
    expect((await submitWith(referenceReport())).statusCode).toBe(201);
    const { decision } = await reviewAndDecide(
      app,
      { taskToken: 'token-director-1', version: 1, stage: 'director' },
      { outcome: 'return', comment: '请补充。' },
    );
    await requestRevision(app, { taskToken: 'token-revision-1', version: 1, decision });
    const eventsBefore = (await app.deps.store.listEvents(REPORT_ID)).length;
    expectUnacknowledged(await resubmitWith(warnedReport()));
    expect(await app.deps.store.listEvents(REPORT_ID)).toHaveLength(eventsBefore);
    const note = '已与业务科室核对。';
    const accepted = await resubmitWith(warnedReport(), { [KEY]: { note } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const resubmitted = typedEvents(await app.deps.store.listEvents(REPORT_ID)).find((event) => event.type === 'resubmitted');
    expect(resubmitted?.type === 'resubmitted' && resubmitted.data.acknowledgements).toEqual([
      { key: KEY, code: 'N1', path: 'overview', message: expect.stringContaining('9999件'), note },
    ]);
  });

  it('refuses a note over 500 characters as a bad request, and takes one of exactly 500', async () => {
    const long = await submitWith(warnedReport(), { [KEY]: { note: '说'.repeat(501) } });
    expect(long.statusCode).toBe(400);
    expect(await app.deps.store.listEvents(REPORT_ID)).toEqual([]);
    expect((await submitWith(warnedReport(), { [KEY]: { note: '说'.repeat(500) } })).statusCode).toBe(201);
  });
});
