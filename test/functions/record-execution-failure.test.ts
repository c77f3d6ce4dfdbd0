import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRecordExecutionFailureHandler } from '#functions/record-execution-failure.js';
import { createWithdrawReportHandler } from '#functions/withdraw-report.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { OFFICER, REPORT_ID, cookieOf, eventTypes, submit } from './workflow-helpers.js';

/**
 * The target of the EventBridge rule on the review machine's status changes: a round that ends FAILED, TIMED_OUT or
 * ABORTED is written into its report's log once, however often EventBridge delivers the event.
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

const ROUND_1 = `${REPORT_ID}-r1`;

function statusChange(
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED',
  overrides: { name?: string; redriveCount?: number; error?: string } = {},
) {
  const name = overrides.name ?? ROUND_1;
  return {
    version: '0',
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: {
      executionArn: `arn:aws:states:cn-north-1:123456789012:execution:Nianbao-prod-Stateless-Review:${name}`,
      stateMachineArn: 'arn:aws:states:cn-north-1:123456789012:stateMachine:Nianbao-prod-Stateless-Review',
      name,
      status,
      startDate: 1_767_225_600_000,
      stopDate: 1_767_225_700_000,
      input: JSON.stringify({ reportId: REPORT_ID, version: 1 }),
      output: null,
      error: overrides.error ?? 'Lambda.Unknown',
      cause: 'the mail service refused every attempt',
      redriveCount: overrides.redriveCount ?? 0,
    },
  };
}

const record = (event: unknown) => createRecordExecutionFailureHandler(app.deps)(event);

describe('record-execution-failure', () => {
  it('writes workflow_failed once for a round that failed in review, and again only for a failed redrive of it', async () => {
    await submit(app);
    expect(await record(statusChange('FAILED'))).toBe('workflow_failed');
    expect(await record(statusChange('FAILED'))).toBe('nothing');
    const events = await app.deps.store.listEvents(REPORT_ID);
    expect(events.at(-1)).toMatchObject({
      type: 'workflow_failed',
      actor: { role: 'system' },
      version: 1,
      data: {
        executionName: ROUND_1,
        status: 'FAILED',
        error: 'Lambda.Unknown',
        cause: 'the mail service refused every attempt',
        redriveCount: 0,
      },
    });
    // the round stays where it was: a redrive continues it
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'in_review', stage: 'director', executionName: ROUND_1 });

    expect(await record(statusChange('TIMED_OUT', { redriveCount: 1, error: 'States.Timeout' }))).toBe('workflow_failed');
    expect((await eventTypes(app)).filter((type) => type === 'workflow_failed')).toHaveLength(2);
  });

  it('records nothing for a withdrawn report (withdrawing stops the execution on purpose) nor for another round', async () => {
    await submit(app);
    expect(await record(statusChange('ABORTED', { name: `${REPORT_ID}-r7` }))).toBe('nothing');
    const response = await createWithdrawReportHandler(app.deps)(
      httpEvent({
        method: 'POST',
        path: `/api/reports/${REPORT_ID}/withdraw`,
        pathParameters: { id: REPORT_ID },
        body: { reason: '发现数据有误，撤回修改。' },
        cookie: await cookieOf(app, OFFICER),
      }),
    );
    expect(response.statusCode, response.body).toBe(200);
    const before = await eventTypes(app);
    expect(await record(statusChange('ABORTED'))).toBe('nothing');
    expect(await eventTypes(app)).toEqual(before);
  });

  it('refuses what is not an execution status change of a failed round (a malformed event fails loudly, EventBridge retries it)', async () => {
    await submit(app);
    await expect(record({ ...statusChange('FAILED'), source: 'aws.lambda' })).rejects.toThrow();
    await expect(
      record({ ...statusChange('FAILED'), detail: { ...statusChange('FAILED').detail, status: 'SUCCEEDED' } }),
    ).rejects.toThrow();
    expect(await eventTypes(app)).toEqual(['submitted']);
  });
});
