import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGetReportHandler } from '#functions/get-report.js';
import type { Decision } from '#shared/workflow/model.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { BASE_URL, createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import {
  DIRECTOR,
  LEADER,
  OFFICER,
  REPORT_ID,
  cookieOf,
  eventTypes,
  requestReview,
  requestRevision,
  resubmit,
  reviewAndDecide,
  reviewEmails,
  submit,
  tokensSent,
  workflowEmails,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

const COMMENT = '第三部分“本年新收政府信息公开申请数量”与正文不一致，请核对。\n第五部分请写明整改措施和时限。';
const REVISION_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAW+officer/revision+token==';
/** What the revision task answers once v2 is in: the version, and the cursor back at the chain's first step. */
const RESUBMITTED_V2 = {
  outcome: 'resubmitted',
  version: 2,
  at: { outcome: 'resubmitted', index: 0, kind: 'review', stepId: 'director', cosigners: [] },
};

const revised = () => withValue(referenceReport(), 'activeDisclosure.procurement.centralizedProcurement.projects', 10);

async function returnedByDirector(): Promise<Decision> {
  await submit(app);
  const { decision } = await reviewAndDecide(
    app,
    { taskToken: 'token-director-1', version: 1, stage: 'director' },
    { outcome: 'return', comment: COMMENT },
  );
  return decision;
}

function revisionEmails() {
  return app.outbox.list().filter((entry) => entry.subject.startsWith('退回修改'));
}

describe('the return path through the handlers', () => {
  it('emails each officer the comment verbatim and a link to the report; a retry with the same token emails no one', async () => {
    // a second officer at the agency: each of them is told
    await app.deps.store.putRosterEntry({ email: 'officer2@kw.example.cn', name: '周信息员', agencyId: 'daxing-kw', roles: ['officer'] });
    const decision = await returnedByDirector();
    expect(decision).toMatchObject({ outcome: 'return', comment: COMMENT, stage: 'director', version: 1 });
    expect(tokensSent(app)).toEqual([
      { token: 'token-director-1', output: { outcome: 'return', index: 0, kind: 'return', stepId: 'director', cosigners: [] } },
    ]);
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'returned', stage: 'officer', returnComment: COMMENT });

    expect(await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision })).toBe('emailed');
    const emails = revisionEmails();
    expect(emails.map((email) => email.to).sort()).toEqual([OFFICER, 'officer2@kw.example.cn'].sort());
    for (const email of emails) {
      expect(email.subject).toBe('退回修改：北京市大兴区科学技术委员会2020年政府信息公开工作年度报告（第1版）');
      expect(email.text).toContain(COMMENT);
      expect(email.text).toContain('王主任');
      expect(email.links).toEqual([`${BASE_URL}/reports/${REPORT_ID}`]);
      expect(email.text).not.toContain(REVISION_TOKEN);
      expect(email.html).not.toContain(REVISION_TOKEN);
    }
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided', 'revision_requested']);
    const events = await app.deps.store.listEvents(REPORT_ID);
    expect(events.at(-1)).toMatchObject({
      version: 1,
      actor: { role: 'system' },
      data: { comment: COMMENT, returnedBy: DIRECTOR, stage: 'director' },
    });
    expect(JSON.stringify(events)).not.toContain(REVISION_TOKEN);

    for (let retry = 0; retry < 2; retry++) {
      app.clock.advance(1000);
      expect(await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision })).toBe('already-emailed');
    }
    expect(revisionEmails()).toHaveLength(2);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided', 'revision_requested']);
    expect(tokensSent(app)).toHaveLength(1);
  });

  it('shows the officer the return on the report (GET /api/reports/{id})', async () => {
    const decision = await returnedByDirector();
    await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision });
    const response = await createGetReportHandler(app.deps)(
      httpEvent({
        method: 'GET',
        path: `/api/reports/${REPORT_ID}`,
        pathParameters: { id: REPORT_ID },
        cookie: await cookieOf(app, OFFICER),
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(jsonOf(response)).toMatchObject({ status: 'returned', stage: 'officer', returnComment: COMMENT, version: 1 });
  });

  it('releases the revision task with {outcome: resubmitted, version: 2} when the officer PUTs v2, and the new version walks the whole chain', async () => {
    const decision = await returnedByDirector();
    await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision });

    const response = await resubmit(app, revised());
    expect(response.statusCode, response.body).toBe(200);
    expect(jsonOf(response)).toEqual({ id: REPORT_ID, version: 2, status: 'in_review', stage: 'director' });
    expect(tokensSent(app).at(-1)).toEqual({ token: REVISION_TOKEN, output: RESUBMITTED_V2 });
    expect(tokensSent(app)).toHaveLength(2);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided', 'revision_requested', 'resubmitted']);
    expect((await app.deps.store.getRevision(REPORT_ID, 1))?.resubmittedVersion).toBe(2);
    expect((await app.deps.store.getVersion(REPORT_ID, 2))?.content).toMatchObject({
      activeDisclosure: { procurement: { centralizedProcurement: { projects: 10 } } },
    });

    // the same PUT again (a double click) writes nothing; it may tell the same token the same thing again (Step
    // Functions refuses a closed token, which is taken as delivered), never anything else
    const again = await resubmit(app, revised());
    expect(again.statusCode).toBe(200);
    expect(jsonOf(again)).toEqual({ id: REPORT_ID, version: 2, status: 'in_review', stage: 'director' });
    expect(
      new Set(
        tokensSent(app)
          .slice(1)
          .map((sent) => JSON.stringify(sent)),
      ),
    ).toEqual(new Set([JSON.stringify({ token: REVISION_TOKEN, output: RESUBMITTED_V2 })]));
    expect((await eventTypes(app)).filter((type) => type === 'resubmitted')).toHaveLength(1);
    const sentBefore = tokensSent(app).length;

    // the revision task retried after the release: delivers the resubmission again, emails no one
    expect(await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision })).toBe('delivered-resubmission');
    expect(revisionEmails()).toHaveLength(1);

    // v2 goes to the director again, then the leader
    await reviewAndDecide(app, { taskToken: 'token-director-2', version: 2, stage: 'director' }, { outcome: 'approve' });
    await reviewAndDecide(app, { taskToken: 'token-leader-2', version: 2, stage: 'leader' }, { outcome: 'approve' });
    expect(
      tokensSent(app)
        .slice(sentBefore + 1)
        .map((sent) => [sent.token, sent.output['outcome'], sent.output['stepId']]),
    ).toEqual([
      ['token-director-2', 'approve', 'leader'],
      ['token-leader-2', 'approve', 'publishing'],
    ]);
    expect(await reviewEmails(app, DIRECTOR)).toHaveLength(2);
    expect(await reviewEmails(app, LEADER)).toHaveLength(1);
  });

  it('refuses a second version while the report is in review (409 NOT_RETURNED)', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
    const response = await resubmit(app, revised());
    expect(response.statusCode).toBe(409);
    expect((jsonOf(response) as { error: { code: string } }).error.code).toBe('NOT_RETURNED');
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested']);
  });

  it('delivers a resubmission made before request-revision ran at once, and emails nobody', async () => {
    const decision = await returnedByDirector();
    const response = await resubmit(app, revised());
    expect(response.statusCode, response.body).toBe(200);
    expect(tokensSent(app)).toHaveLength(1);

    expect(await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision })).toBe('delivered-resubmission');
    expect(tokensSent(app).at(-1)).toEqual({ token: REVISION_TOKEN, output: RESUBMITTED_V2 });
    expect(revisionEmails()).toHaveLength(0);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided', 'resubmitted']);
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'in_review', stage: 'director', version: 2 });

    // a retry does the same and no more
    expect(await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision })).toBe('delivered-resubmission');
    expect(revisionEmails()).toHaveLength(0);
    expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided', 'resubmitted']);
  });

  it('keeps the resubmission when the revision token is gone, and the next revision task delivers it', async () => {
    const decision = await returnedByDirector();
    await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision });
    app.sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'x', $metadata: {} }));
    const response = await resubmit(app, revised());
    expect(response.statusCode).toBe(200);
    app.sfn.on(SendTaskSuccessCommand).resolves({});
    expect(await requestRevision(app, { taskToken: 'revision-token-2', version: 1, decision })).toBe('delivered-resubmission');
    expect(tokensSent(app).at(-1)).toEqual({ token: 'revision-token-2', output: RESUBMITTED_V2 });
    expect(revisionEmails()).toHaveLength(1);
  });

  it('goes back to the officer when the leader returns, with the leader’s comment', async () => {
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    const { decision } = await reviewAndDecide(
      app,
      { taskToken: 'token-leader-1', version: 1, stage: 'leader' },
      { outcome: 'return', comment: '请补充年度对比。' },
    );
    await requestRevision(app, { taskToken: REVISION_TOKEN, version: 1, decision });
    const [email] = revisionEmails();
    expect(email?.text).toContain('请补充年度对比。');
    expect(email?.text).toContain('张副主任');
    const response = await resubmit(app, revised());
    expect(response.statusCode).toBe(200);
    expect(tokensSent(app).at(-1)).toEqual({ token: REVISION_TOKEN, output: RESUBMITTED_V2 });
    // the whole chain again, from the director
    expect(jsonOf(response)).toMatchObject({ stage: 'director' });
    expect((await workflowEmails(app)).map((entry) => entry.to)).toEqual([DIRECTOR, LEADER, OFFICER]);
  });
});
