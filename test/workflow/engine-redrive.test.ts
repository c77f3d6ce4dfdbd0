import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionArn } from '#infra/local/definition.js';
import { MAX_HISTORY_EVENTS, MAX_OPEN_TIME_MS, REDRIVABLE_PERIOD_MS, type LocalStepFunctions } from '#infra/local/sfn-engine.js';
import { SfnError } from '#infra/local/sfn-errors.js';
import { FakeLambdas, fixtureFor, FN, sleep, tokenOf } from './engine-harness.js';

/**
 * RedriveExecution as AWS documents it ("Redriving executions", Step Functions Developer Guide, and the
 * RedriveExecution and DescribeExecution API references). Each test quotes the rule it holds the local engine to.
 */

const lambda = (resultPath: string, fn: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionArn(fn), 'Payload.$': '$' },
  ResultSelector: { 'out.$': '$.Payload' },
  ResultPath: resultPath,
});

const waitFor = (stage: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: functionArn(FN.requestReview), Payload: { 'taskToken.$': '$$.Task.Token', stage, 'item.$': '$' } },
  TimeoutSeconds: 3600,
});

/** First (succeeds) → Second (fails: 1 attempt + 2 retries). */
const TWO_TASKS = {
  StartAt: 'First',
  States: {
    First: { ...lambda('$.first', FN.requestRevision), Next: 'Second' },
    Second: {
      ...lambda('$.second', FN.publishReport),
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
      End: true,
    },
  },
};

async function expectNotRedrivable(engine: LocalStepFunctions, executionArn: string, reason: string): Promise<void> {
  expect(await engine.describeExecution(executionArn)).toMatchObject({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: reason });
  await expect(engine.redriveExecution(executionArn)).rejects.toSatisfy(
    (error: unknown) => error instanceof SfnError && error.code === 'ExecutionNotRedrivable' && error.message.includes(reason),
  );
}

async function typesAfterRedrive(engine: LocalStepFunctions, executionArn: string): Promise<string[]> {
  const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
  expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
  return events.slice(events.findIndex((event) => event.type === 'ExecutionRedriven')).map((event) => event.type);
}

/** A Lambda that fails while `failing()` says so. */
function flaky(lambdas: FakeLambdas, fn: string, failing: () => boolean): FakeLambdas {
  return lambdas.on(fn, () => {
    if (failing()) throw Object.assign(new Error('the bucket is down'), { name: 'ServiceUnavailable' });
    return { ok: true };
  });
}

describe.concurrent('which executions can be redriven', () => {
  it('"The execution status isn\'t SUCCEEDED"; a running one neither: the reasons are DescribeExecution\'s', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition: { StartAt: 'W', States: { W: { ...waitFor('w'), End: true } } }, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('running', { n: 1 });
    const call = await lambdas.nth(() => lambdas.to(FN.requestReview), 1);
    await expectNotRedrivable(engine, executionArn, 'Execution is RUNNING and cannot be redriven');
    await engine.sendTaskSuccess(tokenOf(call), '{}');
    await engine.settled(executionArn);
    await expectNotRedrivable(engine, executionArn, 'Execution is SUCCEEDED and cannot be redriven');
  });

  it('"Restarts unsuccessful executions … These include failed, aborted, or timed out executions"', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = flaky(new FakeLambdas(), FN.publishReport, () => true);
    const engine = fixture.engine({ definition: TWO_TASKS, invoke: lambdas.invoke, retryIntervalMs: 1 });
    const failed = (await engine.startExecution('failed', {})).executionArn;
    expect(await engine.settled(failed)).toMatchObject({ status: 'FAILED', redriveStatus: 'REDRIVABLE', redriveCount: 0 });

    const waits = fixture.engine({ definition: { StartAt: 'W', States: { W: { ...waitFor('w'), End: true } } }, invoke: lambdas.invoke });
    const aborted = (await waits.startExecution('aborted', {})).executionArn;
    await lambdas.nth(() => lambdas.to(FN.requestReview), 1);
    await waits.stopExecution(aborted, 'stopped by hand');
    expect(await waits.describeExecution(aborted)).toMatchObject({ status: 'ABORTED', redriveStatus: 'REDRIVABLE' });

    const timesOut = fixture.engine({
      definition: { TimeoutSeconds: 1, StartAt: 'W', States: { W: { ...waitFor('w'), End: true } } },
      invoke: lambdas.invoke,
    });
    const timedOut = (await timesOut.startExecution('timed-out', {})).executionArn;
    expect(await timesOut.settled(timedOut)).toMatchObject({ status: 'TIMED_OUT', redriveStatus: 'REDRIVABLE' });
  });

  it('"has not exceeded the redrivable period of 14 days … from the day a state machine completes its execution": at 14 days yes, 1 ms later no', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    let now = Date.now();
    const lambdas = flaky(new FakeLambdas(), FN.publishReport, () => true);
    const engine = fixture.engine({ definition: TWO_TASKS, invoke: lambdas.invoke, retryIntervalMs: 1, now: () => now });
    const { executionArn } = await engine.startExecution('window', {});
    const { stopDate } = await engine.settled(executionArn);
    if (!stopDate) throw new Error('a failed execution has a stopDate');
    now = stopDate.getTime() + REDRIVABLE_PERIOD_MS;
    expect(await engine.describeExecution(executionArn)).toMatchObject({ redriveStatus: 'REDRIVABLE' });
    now += 1;
    await expectNotRedrivable(engine, executionArn, 'Execution redrivable period exceeded');
    expect(REDRIVABLE_PERIOD_MS).toBe(14 * 24 * 3600 * 1000);
  });

  it('"has not exceeded the maximum open time of one year" and the history limit of 25,000 events, each at its boundary', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = flaky(new FakeLambdas(), FN.publishReport, () => true);
    const first = fixture.engine({ definition: TWO_TASKS, dataDir, invoke: lambdas.invoke, retryIntervalMs: 1 });
    const { executionArn } = await first.startExecution('limits', {});
    const { stopDate } = await first.settled(executionArn);
    await first.close();
    const file = join(dataDir, readdirSync(dataDir).find((name) => name.endsWith('.json')) ?? '');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { startDate: number; history: Array<Record<string, unknown>> };
    const now = stopDate?.getTime() ?? 0;

    // a history of `events` events: padded before its terminal event
    const rewrite = (startDate: number, events: number) => {
      const padding = Array.from({ length: events - saved.history.length }, () => ({ ...saved.history[0] }));
      const history = [...saved.history.slice(0, -1), ...padding, ...saved.history.slice(-1)].map((event, i) => ({
        ...event,
        id: i + 1,
        previousEventId: i,
      }));
      writeFileSync(file, JSON.stringify({ ...saved, startDate, history }));
      return fixture.engine({ definition: TWO_TASKS, dataDir, invoke: lambdas.invoke, now: () => now });
    };
    expect(await rewrite(now - MAX_OPEN_TIME_MS, MAX_HISTORY_EVENTS - 1).describeExecution(executionArn)).toMatchObject({
      redriveStatus: 'REDRIVABLE',
    });
    await expectNotRedrivable(
      rewrite(now - MAX_OPEN_TIME_MS - 1, MAX_HISTORY_EVENTS - 1),
      executionArn,
      'Execution has exceeded the max execution time',
    );
    await expectNotRedrivable(rewrite(now - 1000, MAX_HISTORY_EVENTS), executionArn, 'Execution history event limit exceeded');
  });
});

describe.concurrent('where a redrive continues', () => {
  it('"continues the failed execution from the unsuccessful step … doesn\'t rerun" the successful ones; the failed task gets a fresh retry budget', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    let failuresLeft = Number.POSITIVE_INFINITY;
    const lambdas = flaky(new FakeLambdas(), FN.publishReport, () => failuresLeft-- > 0);
    const engine = fixture.engine({ definition: TWO_TASKS, invoke: lambdas.invoke, retryIntervalMs: 1 });
    const { executionArn } = await engine.startExecution('fresh-budget', { reportId: 'r' });
    expect(await engine.settled(executionArn)).toMatchObject({ status: 'FAILED', error: 'ServiceUnavailable' });
    expect(lambdas.to(FN.publishReport)).toHaveLength(3);

    // two more failures, then success: only a budget of 1 + 2 retries, counted afresh, gets there
    failuresLeft = 2;
    const { redriveDate } = await engine.redriveExecution(executionArn);
    const done = await engine.settled(executionArn);
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveDate, redriveStatus: 'NOT_REDRIVABLE' });
    expect(lambdas.to(FN.publishReport)).toHaveLength(6);
    expect(lambdas.to(FN.requestRevision)).toHaveLength(1);
    expect(JSON.parse(done.output ?? 'null')).toEqual({ reportId: 'r', first: { out: {} }, second: { out: { ok: true } } });
    expect(await typesAfterRedrive(engine, executionArn)).toEqual([
      'ExecutionRedriven',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
    expect(events.find((event) => event.type === 'ExecutionRedriven')?.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
  });

  it('a failure caught into a Fail state: the unsuccessful step IS the Fail state, so a redrive fails again and reruns nothing', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = flaky(new FakeLambdas(), FN.publishReport, () => true);
    const definition = {
      StartAt: 'Publish',
      States: {
        Publish: {
          ...lambda('$.published', FN.publishReport),
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PublishFailed' }],
          End: true,
        },
        PublishFailed: { Type: 'Fail', Error: 'PublishFailed', Cause: 'publishing failed' },
      },
    };
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('fail-state', {});
    expect(await engine.settled(executionArn)).toMatchObject({ status: 'FAILED', error: 'PublishFailed' });
    await engine.redriveExecution(executionArn);
    expect(await engine.settled(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'PublishFailed',
      redriveCount: 1,
      redriveStatus: 'REDRIVABLE',
    });
    expect(lambdas.to(FN.publishReport)).toHaveLength(1);
    expect(await typesAfterRedrive(engine, executionArn)).toEqual(['ExecutionRedriven', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('TIMED_OUT: the task that was waiting runs again with a new token, and "the state machine level timeout … is reset to 0"', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const definition = { TimeoutSeconds: 1, StartAt: 'Ask', States: { Ask: { ...waitFor('ask'), End: true } } };
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('timed-out', { reportId: 'r' });
    const first = await lambdas.nth(() => lambdas.reviews('ask'), 1);
    expect(await engine.settled(executionArn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });

    await sleep(200); // longer than what was left of the first second: a timer that was not reset would fire at once
    await engine.redriveExecution(executionArn);
    const again = await lambdas.nth(() => lambdas.reviews('ask'), 2);
    expect(tokenOf(again)).not.toBe(tokenOf(first));
    await expect(engine.sendTaskSuccess(tokenOf(first), '{}')).rejects.toSatisfy(
      (error: unknown) => error instanceof SfnError && error.code === 'TaskTimedOut',
    );
    await sleep(300);
    await engine.sendTaskSuccess(tokenOf(again), JSON.stringify({ answered: true }));
    expect(await engine.settled(executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(await typesAfterRedrive(engine, executionArn)).toEqual([
      'ExecutionRedriven',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('ABORTED: the task the execution was stopped in runs again with a new token', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const definition = {
      StartAt: 'First',
      States: { First: { ...lambda('$.first', FN.requestRevision), Next: 'Ask' }, Ask: { ...waitFor('ask'), End: true } },
    };
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('aborted', {});
    const first = await lambdas.nth(() => lambdas.reviews('ask'), 1);
    await engine.stopExecution(executionArn, 'stopped by hand');
    await engine.redriveExecution(executionArn);
    const again = await lambdas.nth(() => lambdas.reviews('ask'), 2);
    expect(tokenOf(again)).not.toBe(tokenOf(first));
    await engine.sendTaskSuccess(tokenOf(again), '{}');
    expect(await engine.settled(executionArn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(lambdas.to(FN.requestRevision)).toHaveLength(1);
  });

  it('a Map: "redrives only the iterations and branches that failed or aborted"; the one that succeeded keeps its result', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const definition = {
      StartAt: 'AskAll',
      States: {
        AskAll: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'AskOne', States: { AskOne: { ...waitFor('one'), End: true } } },
          End: true,
        },
      },
    };
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('map-redrive', { items: ['a', 'b', 'c'] });
    await lambdas.nth(() => lambdas.reviews('one'), 3);
    const byItem = (item: string, nth = 0) => lambdas.reviews('one').filter((call) => call.payload['item'] === item)[nth];
    await engine.sendTaskSuccess(tokenOf(byItem('a')!), JSON.stringify({ from: 'a', attempt: 1 }));
    await sleep(20);
    await engine.sendTaskFailure(tokenOf(byItem('b')!), 'Refused', 'b refused');
    expect(await engine.settled(executionArn)).toMatchObject({ status: 'FAILED', error: 'Refused' });

    await engine.redriveExecution(executionArn);
    await lambdas.nth(() => lambdas.reviews('one'), 5);
    await sleep(30);
    expect(lambdas.reviews('one')).toHaveLength(5);
    expect(
      lambdas
        .reviews('one')
        .slice(3)
        .map((call) => call.payload['item'])
        .sort(),
    ).toEqual(['b', 'c']);
    await engine.sendTaskSuccess(tokenOf(byItem('c', 1)!), JSON.stringify({ from: 'c', attempt: 2 }));
    await engine.sendTaskSuccess(tokenOf(byItem('b', 1)!), JSON.stringify({ from: 'b', attempt: 2 }));
    const done = await engine.settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? 'null')).toEqual([
      { from: 'a', attempt: 1 },
      { from: 'b', attempt: 2 },
      { from: 'c', attempt: 2 },
    ]);
  });
});
