import { DEFAULT_CHAIN } from '#shared/workflow/review-chain.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDecideReviewHandler } from '#functions/decide-review.js';
import { createGetReportHandler } from '#functions/get-report.js';
import { createListReportsHandler } from '#functions/list-reports.js';
import { createPublishReportHandler } from '#functions/publish-report.js';
import { createReportHistoryHandler } from '#functions/report-history.js';
import { createRequestReviewHandler } from '#functions/request-review.js';
import { createResubmitReportHandler } from '#functions/resubmit-report.js';
import { createSubmitReportHandler } from '#functions/submit-report.js';
import { createWithdrawReportHandler } from '#functions/withdraw-report.js';
import type { HttpResponse } from '#shared/http/response.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { adjust, referenceReport, withValue } from '../support/report-builders.js';
import { signIn } from '../support/sign-in.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

const OFFICER = 'officer@kw.example.cn';
const DIRECTOR = 'director@kw.example.cn';
const LEADER = 'leader@kw.example.cn';
const AUDITOR = 'auditor@audit.example.cn';
const FGW_OFFICER = 'officer@fgw.example.cn';
const REPORT_ID = 'daxing-kw-2020';
const FGW_REPORT_ID = 'daxing-fgw-2020';
const EXECUTION_ARN_PREFIX = 'arn:aws:states:us-east-1:000000000000:execution:review:';
const CHINESE = /[\u4e00-\u9fff]/;
const noResponse: HttpResponse = { statusCode: 0, headers: {}, body: 'null' };

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

/** A second agency with its own officer, put in the store the way an administrator would. */
async function addSecondAgency(): Promise<void> {
  await app.deps.store.putAgency({ id: 'daxing-fgw', name: '北京市大兴区发展和改革委员会' });
  await app.deps.store.putRosterEntry({ email: FGW_OFFICER, name: '陈信息员', agencyId: 'daxing-fgw', roles: ['officer'] });
  await app.deps.store.putRosterEntry({ email: 'director@fgw.example.cn', name: '刘主任', agencyId: 'daxing-fgw', roles: ['director'] });
  await app.deps.store.putRosterEntry({ email: 'leader@fgw.example.cn', name: '孙局长', agencyId: 'daxing-fgw', roles: ['leader'] });
}

/** What a round of the default chain starts its execution with: the chain, and the cursor at the director's step. */
const roundInput = (version: number) => ({
  reportId: REPORT_ID,
  version,
  chain: DEFAULT_CHAIN,
  at: { outcome: 'start', index: 0, kind: 'review', stepId: 'director', cosigners: [] },
});

const fgwReport = () => withValue(referenceReport(), 'agency', { id: 'daxing-fgw', name: '北京市大兴区发展和改革委员会' });

function submit(cookie: string, report: unknown = referenceReport()): Promise<HttpResponse> {
  return createSubmitReportHandler(app.deps)(httpEvent({ method: 'POST', path: '/api/reports', body: { report }, cookie }));
}

function getReport(cookie: string, id = REPORT_ID): Promise<HttpResponse> {
  return createGetReportHandler(app.deps)(httpEvent({ method: 'GET', path: `/api/reports/${id}`, pathParameters: { id }, cookie }));
}

function listReports(cookie: string, query: Record<string, string> = {}): Promise<HttpResponse> {
  return createListReportsHandler(app.deps)(httpEvent({ method: 'GET', path: '/api/reports', cookie, query }));
}

function resubmit(cookie: string, report: unknown, id = REPORT_ID): Promise<HttpResponse> {
  return createResubmitReportHandler(app.deps)(
    httpEvent({ method: 'PUT', path: `/api/reports/${id}`, pathParameters: { id }, body: { report }, cookie }),
  );
}

function withdraw(cookie: string, id = REPORT_ID): Promise<HttpResponse> {
  return createWithdrawReportHandler(app.deps)(
    httpEvent({
      method: 'POST',
      path: `/api/reports/${id}/withdraw`,
      pathParameters: { id },
      body: { reason: '信息员发现数据有误，撤回修改。' },
      cookie,
    }),
  );
}

function history(cookie: string, id = REPORT_ID): Promise<HttpResponse> {
  return createReportHistoryHandler(app.deps)(
    httpEvent({ method: 'GET', path: `/api/reports/${id}/history`, pathParameters: { id }, cookie }),
  );
}

async function submittedEvents(reportId = REPORT_ID) {
  return (await app.deps.store.listEvents(reportId)).filter((event) => event.type === 'submitted');
}

function startedExecutions(): Array<{ name: string | undefined; input: unknown }> {
  return app.sfn
    .commandCalls(StartExecutionCommand)
    .map((call) => ({ name: call.args[0].input.name, input: JSON.parse(call.args[0].input.input ?? 'null') }));
}

const ids = (response: HttpResponse): string[] =>
  (jsonOf(response) as { reports: Array<{ id: string }> }).reports.map((report) => report.id);

/** The approver's review link from the newest request email. */
async function emailedReview(to: string) {
  const message = (await app.outbox.list()).find((entry) => entry.to === to && /请(审核|会签|签发)：/.test(entry.subject));
  const link = message?.links.find((url) => url.includes('/reviews/'));
  if (!link) throw new Error(`no review link emailed to ${to}`);
  const url = new URL(link);
  return { reviewId: decodeURIComponent(url.pathname.split('/')[2] ?? ''), sig: url.searchParams.get('sig') ?? '' };
}

async function approve(stage: 'director' | 'leader', email: string, version: number): Promise<void> {
  await createRequestReviewHandler(app.deps)({ taskToken: `token-${stage}-${version}`, reportId: REPORT_ID, version, stage });
  const review = await emailedReview(email);
  const cookie = await signIn(app, email);
  const decided = await createDecideReviewHandler(app.deps)(
    httpEvent({
      method: 'POST',
      path: `/api/reviews/${review.reviewId}/decision`,
      pathParameters: { reviewId: review.reviewId },
      cookie,
      body: { sig: review.sig, outcome: 'approve', comment: '', confidentialityReviewed: stage === 'director' },
    }),
  );
  if (decided.statusCode !== 200) throw new Error(`the ${stage} could not approve: ${decided.statusCode} ${decided.body}`);
}

/** Drives version 1 through both approvals and the Publish task, as the state machine would. */
async function publishVersionOne(officer: string): Promise<void> {
  expect((await submit(officer)).statusCode).toBe(201);
  await approve('director', DIRECTOR, 1);
  await approve('leader', LEADER, 1);
  await createPublishReportHandler(app.deps)({ reportId: REPORT_ID, version: 1 });
}

describe('POST /api/reports', () => {
  it('accepts the officer’s consistent report with 201 and starts one execution named after the report and round', async () => {
    const officer = await signIn(app, OFFICER);
    const response = await submit(officer);

    expect(response.statusCode).toBe(201);
    expect(jsonOf(response)).toEqual({ id: REPORT_ID, version: 1, status: 'in_review', stage: 'director' });
    expect(startedExecutions()).toEqual([{ name: 'daxing-kw-2020-r1', input: roundInput(1) }]);
    expect(app.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.stateMachineArn).toBe(
      'arn:aws:states:us-east-1:000000000000:stateMachine:review',
    );
    expect(await submittedEvents()).toHaveLength(1);
  });

  it('refuses an inconsistent report with 400, the R-coded errors with their cells, the warnings, and writes and starts nothing', async () => {
    const officer = await signIn(app, OFFICER);
    const response = await submit(officer, adjust(referenceReport(), { 'applications.outcomes.total.naturalPerson': 1 }));

    expect(response.statusCode).toBe(400);
    const body = jsonOf(response) as {
      error: { code: string; message: string };
      errors: Array<{ code: string; path: string; message: string }>;
      warnings: unknown[];
    };
    expect(body.error).toMatchObject({ code: 'REPORT_INVALID', message: expect.stringMatching(CHINESE) });
    expect(body.errors.length).toBeGreaterThan(0);
    for (const finding of body.errors) {
      expect(finding.code).toMatch(/^R[1-5]$/);
      expect(finding.path).toMatch(/^[a-zA-Z]+(\.[a-zA-Z]+)+$/);
      expect(finding.message).toMatch(CHINESE);
    }
    expect(body.errors.map((finding) => finding.path)).toContain('applications.outcomes.total.naturalPerson');
    expect(Array.isArray(body.warnings)).toBe(true);
    expect(await app.deps.store.listEvents(REPORT_ID)).toEqual([]);
    expect(await app.deps.store.getHead(REPORT_ID)).toBeUndefined();
    expect(startedExecutions()).toEqual([]);
  });

  it('refuses a second, different submission for the same agency and year with 409 REPORT_EXISTS', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);

    const again = await submit(officer, withValue(referenceReport(), 'overview', '改过的总体情况。'));
    expect(again.statusCode).toBe(409);
    expect(jsonOf(again)).toMatchObject({
      error: { code: 'REPORT_EXISTS', message: expect.stringMatching(CHINESE), id: REPORT_ID, status: 'in_review' },
    });
    expect(await submittedEvents()).toHaveLength(1);
    expect(startedExecutions()).toHaveLength(1);
  });

  it('treats the same report sent again right after (a retry) as the same submission', async () => {
    const officer = await signIn(app, OFFICER);
    const first = await submit(officer);
    const retry = await submit(officer);

    expect(retry.statusCode).toBe(201);
    expect(jsonOf(retry)).toEqual(jsonOf(first));
    expect(await submittedEvents()).toHaveLength(1);
    expect(new Set(startedExecutions().map((execution) => execution.name))).toEqual(new Set(['daxing-kw-2020-r1']));
  });

  it('treats a double click (two identical submissions at once) as one submission', async () => {
    const officer = await signIn(app, OFFICER);
    const [a, b] = await Promise.all([submit(officer), submit(officer)]);

    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(jsonOf(a)).toEqual({ id: REPORT_ID, version: 1, status: 'in_review', stage: 'director' });
    expect(jsonOf(b)).toEqual(jsonOf(a));
    expect(await submittedEvents()).toHaveLength(1);
    expect(new Set(startedExecutions().map((execution) => execution.name))).toEqual(new Set(['daxing-kw-2020-r1']));
  });

  it('refuses a report for another agency with 403', async () => {
    await addSecondAgency();
    const officer = await signIn(app, OFFICER);
    const response = await submit(officer, fgwReport());

    expect(response.statusCode).toBe(403);
    expect(jsonOf(response)).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringMatching(CHINESE) } });
    expect(await app.deps.store.listEvents(FGW_REPORT_ID)).toEqual([]);
    expect(startedExecutions()).toEqual([]);
  });

  it.each([
    ['the office director', DIRECTOR],
    ['the leader in charge', LEADER],
    ['an auditor', AUDITOR],
  ])('refuses a submission by %s with 403', async (_who, email) => {
    const cookie = await signIn(app, email);
    const response = await submit(cookie);

    expect(response.statusCode).toBe(403);
    expect(await app.deps.store.listEvents(REPORT_ID)).toEqual([]);
    expect(startedExecutions()).toEqual([]);
  });

  it('answers 401 without a session', async () => {
    const response = await createSubmitReportHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/reports', body: { report: referenceReport() } }),
    );
    expect(response.statusCode).toBe(401);
  });

  it('allows a new submission after a withdrawal: version 2 in a new execution', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);
    expect((await withdraw(officer)).statusCode).toBe(200);

    const response = await submit(officer, withValue(referenceReport(), 'overview', '撤回后重新提交的总体情况。'));
    expect(response.statusCode).toBe(201);
    expect(jsonOf(response)).toEqual({ id: REPORT_ID, version: 2, status: 'in_review', stage: 'director' });
    expect(startedExecutions()).toEqual([
      { name: 'daxing-kw-2020-r1', input: roundInput(1) },
      { name: 'daxing-kw-2020-r2', input: roundInput(2) },
    ]);
    const view = jsonOf(await getReport(officer)) as { versions: Array<{ version: number }>; content: { overview: string } };
    expect(view.versions.map((entry) => entry.version)).toEqual([1, 2]);
    expect(view.content.overview).toBe('撤回后重新提交的总体情况。');
  });

  it('allows the very same report to be submitted again after a withdrawal', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);
    await withdraw(officer);

    const response = await submit(officer);
    expect(response.statusCode).toBe(201);
    expect(jsonOf(response)).toMatchObject({ version: 2, status: 'in_review' });
    expect(startedExecutions().map((execution) => execution.name)).toEqual(['daxing-kw-2020-r1', 'daxing-kw-2020-r2']);
  });
});

describe('GET /api/reports and /api/reports/{id}', () => {
  it('shows the officer their agency’s report with its status, versions and content', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);

    const list = await listReports(officer);
    expect(list.statusCode).toBe(200);
    expect(jsonOf(list)).toEqual({
      reports: [
        expect.objectContaining({
          id: REPORT_ID,
          agencyId: 'daxing-kw',
          agencyName: '北京市大兴区科学技术委员会',
          year: 2020,
          status: 'in_review',
          stage: 'director',
          version: 1,
        }),
      ],
    });

    const one = await getReport(officer);
    expect(one.statusCode).toBe(200);
    expect(jsonOf(one)).toMatchObject({
      id: REPORT_ID,
      status: 'in_review',
      stage: 'director',
      version: 1,
      versions: [{ version: 1 }],
      content: { year: 2020 },
    });
  });

  it('lets the agency’s director read it too', async () => {
    await submit(await signIn(app, OFFICER));
    const director = await signIn(app, DIRECTOR);
    expect((await getReport(director)).statusCode).toBe(200);
    expect(ids(await listReports(director))).toEqual([REPORT_ID]);
  });

  it('keeps each agency’s reports to itself: 404 for the other’s report, absent from the other’s list; an auditor with scope * sees both', async () => {
    await addSecondAgency();
    const kw = await signIn(app, OFFICER);
    const fgw = await signIn(app, FGW_OFFICER);
    expect((await submit(kw)).statusCode).toBe(201);
    expect((await submit(fgw, fgwReport())).statusCode).toBe(201);

    expect((await getReport(kw, FGW_REPORT_ID)).statusCode).toBe(404);
    expect((await getReport(fgw, REPORT_ID)).statusCode).toBe(404);
    expect((await history(kw, FGW_REPORT_ID)).statusCode).toBe(404);
    expect((await history(fgw, REPORT_ID)).statusCode).toBe(404);
    expect(ids(await listReports(kw))).toEqual([REPORT_ID]);
    expect(ids(await listReports(fgw))).toEqual([FGW_REPORT_ID]);
    expect(ids(await listReports(kw, { agency: 'daxing-fgw' }))).toEqual([]);

    const auditor = await signIn(app, AUDITOR);
    expect(ids(await listReports(auditor)).sort()).toEqual([FGW_REPORT_ID, REPORT_ID]);
    expect(ids(await listReports(auditor, { agency: 'daxing-fgw' }))).toEqual([FGW_REPORT_ID]);
    expect(ids(await listReports(auditor, { year: '2021' }))).toEqual([]);
    expect((await getReport(auditor, FGW_REPORT_ID)).statusCode).toBe(200);
    expect((await getReport(auditor, REPORT_ID)).statusCode).toBe(200);
  });

  it('lets an auditor whose scope is one agency see only that agency', async () => {
    await addSecondAgency();
    await app.deps.store.putRosterEntry({
      email: 'auditor@fgw.example.cn',
      name: '钱监督',
      agencyId: 'daxing-fgw',
      roles: ['auditor'],
      auditScope: ['daxing-kw'],
    });
    await submit(await signIn(app, OFFICER));
    await submit(await signIn(app, FGW_OFFICER), fgwReport());

    const auditor = await signIn(app, 'auditor@fgw.example.cn');
    expect(ids(await listReports(auditor))).toEqual([REPORT_ID]);
    expect((await getReport(auditor, REPORT_ID)).statusCode).toBe(200);
    expect((await getReport(auditor, FGW_REPORT_ID)).statusCode).toBe(404);
  });

  it('answers 404 for a report that does not exist', async () => {
    const officer = await signIn(app, OFFICER);
    const response = await getReport(officer, 'daxing-kw-1999');
    expect(response.statusCode).toBe(404);
    expect(jsonOf(response)).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(CHINESE) } });
  });
});

describe('PUT /api/reports/{id}', () => {
  it('refuses a new version with 409 NOT_RETURNED while the report is in review', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);

    const response = await resubmit(officer, withValue(referenceReport(), 'overview', '审核中又改了一版。'));
    expect(response.statusCode).toBe(409);
    expect(jsonOf(response)).toMatchObject({
      error: { code: 'NOT_RETURNED', message: expect.stringMatching(CHINESE), status: 'in_review' },
    });
    expect((await app.deps.store.listEvents(REPORT_ID)).map((event) => event.type)).toEqual(['submitted']);
  });

  it('answers another agency’s officer with 404', async () => {
    await addSecondAgency();
    await submit(await signIn(app, OFFICER));
    const response = await resubmit(await signIn(app, FGW_OFFICER), fgwReport());
    expect(response.statusCode).toBe(404);
  });
});

describe('POST /api/reports/{id}/withdraw', () => {
  it('records the withdrawal and stops the execution', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);

    const response = await withdraw(officer);
    expect(response.statusCode).toBe(200);
    expect(jsonOf(response)).toEqual({ id: REPORT_ID, version: 1, status: 'withdrawn', stage: 'none' });
    const events = await app.deps.store.listEvents(REPORT_ID);
    expect(events.map((event) => event.type)).toEqual(['submitted', 'withdrawn']);
    expect(events[1]?.actor).toMatchObject({ email: OFFICER, role: 'officer' });
    expect(app.sfn.commandCalls(StopExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([
      `${EXECUTION_ARN_PREFIX}daxing-kw-2020-r1`,
    ]);
    expect(jsonOf(await getReport(officer))).toMatchObject({ status: 'withdrawn', stage: 'none' });
  });

  it('refuses the director with 403 and another agency’s officer with 404', async () => {
    await addSecondAgency();
    await submit(await signIn(app, OFFICER));

    expect((await withdraw(await signIn(app, DIRECTOR))).statusCode).toBe(403);
    expect((await withdraw(await signIn(app, FGW_OFFICER))).statusCode).toBe(404);
    expect((await app.deps.store.listEvents(REPORT_ID)).map((event) => event.type)).toEqual(['submitted']);
    expect(app.sfn.commandCalls(StopExecutionCommand)).toEqual([]);
  });

  it('refuses to withdraw a published report with 409 and leaves it published', async () => {
    const officer = await signIn(app, OFFICER);
    await publishVersionOne(officer);
    expect(jsonOf(await getReport(officer))).toMatchObject({ status: 'published', stage: 'published', publishedVersion: 1 });

    const response = await withdraw(officer);
    expect(response.statusCode).toBe(409);
    expect(jsonOf(response)).toMatchObject({
      error: { code: 'NOT_WITHDRAWABLE', message: expect.stringMatching(CHINESE), status: 'published' },
    });
    expect((await app.deps.store.listEvents(REPORT_ID)).at(-1)?.type).toBe('published');
    expect(app.sfn.commandCalls(StopExecutionCommand)).toEqual([]);
  });

  it('refuses to withdraw a report the leader has signed while it is being published, so it cannot end up both withdrawn and public', async () => {
    const officer = await signIn(app, OFFICER);
    expect((await submit(officer)).statusCode).toBe(201);
    await approve('director', DIRECTOR, 1);
    await approve('leader', LEADER, 1);
    expect(jsonOf(await getReport(officer))).toMatchObject({ status: 'in_review', stage: 'publishing' });
    // the officer clicks 撤回 while the Publish task is writing the page
    let withdrawal: HttpResponse | undefined;
    app.s3.on(PutObjectCommand).callsFake(async () => {
      withdrawal ??= await withdraw(officer);
      return { VersionId: 'v1' };
    });

    await createPublishReportHandler(app.deps)({ reportId: REPORT_ID, version: 1 });

    expect(withdrawal?.statusCode).toBe(409);
    expect(jsonOf(withdrawal ?? noResponse)).toMatchObject({
      error: { code: 'NOT_WITHDRAWABLE', message: expect.stringMatching(CHINESE) },
    });
    const types = (await app.deps.store.listEvents(REPORT_ID)).map((event) => event.type);
    expect(types).not.toContain('withdrawn');
    expect(types.at(-1)).toBe('published');
    expect(jsonOf(await getReport(officer))).toMatchObject({ status: 'published' });
    expect(app.sfn.commandCalls(StopExecutionCommand)).toEqual([]);
  });

  // A link kept from before a withdrawal must not pull the report back into review.
  it('keeps a withdrawn report withdrawn when the director then decides from the old review link', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);
    await createRequestReviewHandler(app.deps)({ taskToken: 'token-director-1', reportId: REPORT_ID, version: 1, stage: 'director' });
    expect((await withdraw(officer)).statusCode).toBe(200);
    const review = await emailedReview(DIRECTOR);

    const decided = await createDecideReviewHandler(app.deps)(
      httpEvent({
        method: 'POST',
        path: `/api/reviews/${review.reviewId}/decision`,
        pathParameters: { reviewId: review.reviewId },
        cookie: await signIn(app, DIRECTOR),
        body: { sig: review.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
      }),
    );

    expect(decided.statusCode).not.toBe(200);
    expect(jsonOf(await getReport(officer))).toMatchObject({ status: 'withdrawn' });
    expect((await submit(officer, withValue(referenceReport(), 'overview', '撤回后重新提交。'))).statusCode).toBe(201);
  });
});

describe('GET /api/reports/{id}/history', () => {
  it('gives the events and a chain that verifies', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);
    await createRequestReviewHandler(app.deps)({ taskToken: 'token-director-1', reportId: REPORT_ID, version: 1, stage: 'director' });
    await withdraw(officer);

    const auditor = await signIn(app, AUDITOR);
    const response = await history(auditor);
    expect(response.statusCode).toBe(200);
    const body = jsonOf(response) as {
      events: Array<{ seq: number; type: string; hash: string }>;
      chain: { valid: boolean; head: string };
      executions: Array<{ name: string }>;
    };
    expect(body.events.map((event) => [event.seq, event.type])).toEqual([
      [1, 'submitted'],
      [2, 'review_requested'],
      [3, 'withdrawn'],
    ]);
    expect(body.chain).toMatchObject({ valid: true, head: body.events.at(-1)?.hash });
    expect(body.executions.map((execution) => execution.name)).toEqual(['daxing-kw-2020-r1']);
    expect(response.body).not.toContain('token-director-1');
    expect((await history(officer)).statusCode).toBe(200);
  });

  it('shows a broken chain, naming the edited event, once a stored event has been tampered with', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);
    await createRequestReviewHandler(app.deps)({ taskToken: 'token-director-1', reportId: REPORT_ID, version: 1, stage: 'director' });
    await withdraw(officer);
    const table = app.table;
    if (!table) throw new Error('the test app does not expose its table');

    // someone with write access to the table quietly rewrites the report text of the first submission
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: { pk: `REPORT#${REPORT_ID}`, sk: 'EVENT#00000001' },
        UpdateExpression: 'SET #data.#report.#overview = :text',
        ExpressionAttributeNames: { '#data': 'data', '#report': 'report', '#overview': 'overview' },
        ExpressionAttributeValues: { ':text': '改写过的总体情况。' },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );

    const response = await history(await signIn(app, AUDITOR));
    expect(response.statusCode).toBe(200);
    const body = jsonOf(response) as {
      events: Array<{ seq: number }>;
      chain: { valid: boolean; head?: string; problem?: { seq: number; kind: string; message: string } };
    };
    expect(body.events).toHaveLength(3);
    expect(body.chain.valid).toBe(false);
    expect(body.chain.head).toBeUndefined();
    expect(body.chain.problem).toMatchObject({ seq: 1, kind: 'hash', message: expect.stringMatching(CHINESE) });
  });

  it('shows a broken chain when an event in the middle is rewritten', async () => {
    const officer = await signIn(app, OFFICER);
    await submit(officer);
    await createRequestReviewHandler(app.deps)({ taskToken: 'token-director-1', reportId: REPORT_ID, version: 1, stage: 'director' });
    await withdraw(officer);
    const table = app.table;
    if (!table) throw new Error('the test app does not expose its table');

    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: { pk: `REPORT#${REPORT_ID}`, sk: 'EVENT#00000002' },
        UpdateExpression: 'SET #at = :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':at': '2021-01-19T01:00:00.000Z' },
      }),
    );

    const body = jsonOf(await history(await signIn(app, AUDITOR))) as { chain: { valid: boolean; problem?: { seq: number } } };
    expect(body.chain).toMatchObject({ valid: false, problem: { seq: 2 } });
  });
});
