import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { definitionFromTemplate, functionArn, LOCAL_ACCOUNT, LOCAL_REGION } from '#infra/local/definition.js';
import type { ExecutionHistoryEvent, LocalStepFunctions } from '#infra/local/sfn-engine.js';
import { SfnError } from '#infra/local/sfn-errors.js';
import { FakeLambdas, fixtureFor, FN, sleep, tokenOf, type Call } from './engine-harness.js';

/**
 * Map and Parallel states, written by hand in ASL as a review chain with a co-sign step would use them: a Map over
 * the co-signers, each iteration a `.waitForTaskToken` task; an iteration that ends in a Fail state fails the Map,
 * which aborts the other iterations (as AWS does) and is caught. Then the same across a restart of the engine.
 */

const waitFor = (stage: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: {
    FunctionName: functionArn(FN.requestReview),
    Payload: { 'taskToken.$': '$$.Task.Token', 'reportId.$': '$.reportId', stage, ...extra },
  },
  TimeoutSeconds: 3600,
});

/** CoSign: a Map over `$.cosigners`; a return ends the iteration in the Fail state Returned, which the Map catches. */
function coSignDefinition(map: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    StartAt: 'CoSign',
    States: {
      CoSign: {
        Type: 'Map',
        ItemsPath: '$.cosigners',
        ItemSelector: { 'reportId.$': '$.reportId', 'approver.$': '$$.Map.Item.Value', 'position.$': '$$.Map.Item.Index' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'AskCosigner',
          States: {
            AskCosigner: { ...waitFor('cosign', { 'approver.$': '$.approver' }), ResultPath: '$.decision', Next: 'CosignerDecision' },
            CosignerDecision: {
              Type: 'Choice',
              Choices: [{ Variable: '$.decision.outcome', StringEquals: 'approve', Next: 'Cosigned' }],
              Default: 'Returned',
            },
            Cosigned: { Type: 'Pass', Parameters: { 'approver.$': '$.approver', 'outcome.$': '$.decision.outcome' }, End: true },
            Returned: { Type: 'Fail', Error: 'Returned', Cause: 'a co-signer returned the report' },
          },
        },
        ResultPath: '$.cosigned',
        Catch: [{ ErrorEquals: ['Returned'], ResultPath: '$.error', Next: 'Revise' }],
        Next: 'Sign',
        ...map,
      },
      Sign: { ...waitFor('sign'), ResultPath: '$.signed', End: true },
      Revise: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: functionArn(FN.requestRevision), 'Payload.$': '$' },
        ResultPath: null,
        End: true,
      },
    },
  };
}

const INPUT = { reportId: 'daxing-kw-2020', cosigners: ['fazhi@kw.example.cn', 'baomi@kw.example.cn'] };
const approve = JSON.stringify({ outcome: 'approve' });
const giveBack = JSON.stringify({ outcome: 'return' });

const cosigns = (lambdas: FakeLambdas): Call[] => lambdas.reviews('cosign');
const signs = (lambdas: FakeLambdas): Call[] => lambdas.reviews('sign');
const approverOf = (call: Call): unknown => call.payload['approver'];

async function historyOf(engine: LocalStepFunctions, executionArn: string): Promise<ExecutionHistoryEvent[]> {
  const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
  expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
  return events;
}

const typesOf = (events: ExecutionHistoryEvent[], prefix: string): string[] =>
  events.map((event) => event.type).filter((type) => type.startsWith(prefix));

async function expectSfnError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof SfnError && error.code === code);
}

describe.concurrent('Map', () => {
  it('runs one iteration per co-signer, each task invoked with its own fresh token; both approve → results in item order → Sign', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition: coSignDefinition(), invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('cosign-both', INPUT);

    await lambdas.nth(() => cosigns(lambdas), 2);
    const [first, second] = cosigns(lambdas);
    if (!first || !second) throw new Error('unreachable');
    expect([first, second].map((call) => call.payload)).toEqual([
      { taskToken: tokenOf(first), reportId: INPUT.reportId, stage: 'cosign', approver: INPUT.cosigners[0] },
      { taskToken: tokenOf(second), reportId: INPUT.reportId, stage: 'cosign', approver: INPUT.cosigners[1] },
    ]);
    expect(tokenOf(first)).toMatch(/^nbt1\.[A-Za-z0-9_-]{43}$/);
    expect(tokenOf(second)).not.toBe(tokenOf(first));

    // answered in reverse order: the Map's result is still in item order
    await engine.sendTaskSuccess(tokenOf(second), approve);
    await sleep(20);
    expect(signs(lambdas)).toHaveLength(0); // the Map waits for every iteration
    await engine.sendTaskSuccess(tokenOf(first), approve);
    const sign = await lambdas.nth(() => signs(lambdas), 1);
    await engine.sendTaskSuccess(tokenOf(sign), approve);
    const done = await engine.settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? 'null')).toMatchObject({
      cosigned: [
        { approver: INPUT.cosigners[0], outcome: 'approve' },
        { approver: INPUT.cosigners[1], outcome: 'approve' },
      ],
      signed: { outcome: 'approve' },
    });
    // a spent token is refused
    await expectSfnError(engine.sendTaskSuccess(tokenOf(first), approve), 'TaskTimedOut');

    const events = await historyOf(engine, executionArn);
    expect(typesOf(events, 'Map')).toEqual([
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'MapIterationStarted',
      'MapIterationSucceeded',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
    ]);
    expect(events.find((event) => event.type === 'MapStateStarted')?.mapStateStartedEventDetails).toEqual({ length: 2 });
    const iterations = events.filter((event) => event.type === 'MapIterationStarted').map((event) => event.mapIterationStartedEventDetails);
    expect(iterations).toEqual([
      { name: 'CoSign', index: 0 },
      { name: 'CoSign', index: 1 },
    ]);
    expect(typesOf(events, 'TaskSucceeded')).toHaveLength(3);
    expect(events.filter((event) => event.stateEnteredEventDetails?.name === 'AskCosigner')).toHaveLength(2);
  });

  it('one co-signer returning fails the Map: the other iteration is aborted (its token refused), the Catch runs Revise', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition: coSignDefinition(), invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('cosign-return', INPUT);
    await lambdas.nth(() => cosigns(lambdas), 2);
    const [first, second] = cosigns(lambdas);
    if (!first || !second) throw new Error('unreachable');

    await engine.sendTaskSuccess(tokenOf(second), giveBack);
    const revise = await lambdas.nth(() => lambdas.to(FN.requestRevision), 1);
    expect(revise.payload).toMatchObject({
      reportId: INPUT.reportId,
      error: { Error: 'Returned', Cause: 'a co-signer returned the report' },
    });
    expect((await engine.settled(executionArn)).status).toBe('SUCCEEDED');
    expect(signs(lambdas)).toHaveLength(0);
    // the aborted iteration's wait is over: its token answers as a task that no longer exists would
    await expectSfnError(engine.sendTaskSuccess(tokenOf(first), approve), 'TaskTimedOut');

    const events = await historyOf(engine, executionArn);
    expect(typesOf(events, 'Map')).toEqual([
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'MapIterationStarted',
      'MapIterationFailed',
      'MapIterationAborted',
      'MapStateFailed',
      'MapStateExited',
    ]);
    expect(events.find((event) => event.type === 'MapIterationFailed')?.mapIterationFailedEventDetails).toEqual({
      name: 'CoSign',
      index: 1,
    });
    expect(events.find((event) => event.type === 'MapIterationAborted')?.mapIterationAbortedEventDetails).toEqual({
      name: 'CoSign',
      index: 0,
    });
  });

  it('an iteration failing with no Catch fails the execution with its error', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const definition = coSignDefinition({ Catch: [] });
    delete (definition['States'] as Record<string, unknown>)['Revise'];
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('cosign-uncaught', INPUT);
    await lambdas.nth(() => cosigns(lambdas), 2);
    await engine.sendTaskSuccess(tokenOf(cosigns(lambdas)[0]!), giveBack);
    expect(await engine.settled(executionArn)).toMatchObject({ status: 'FAILED', error: 'Returned' });
    expect(lambdas.to(FN.requestRevision)).toHaveLength(0);
    await expectSfnError(engine.sendTaskSuccess(tokenOf(cosigns(lambdas)[1]!), approve), 'TaskTimedOut');
  });

  it('MaxConcurrency 1 asks one co-signer at a time; after a return, the co-signers still queued are never asked', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition: coSignDefinition({ MaxConcurrency: 1 }), invoke: lambdas.invoke });
    const three = { ...INPUT, cosigners: ['a@kw.example.cn', 'b@kw.example.cn', 'c@kw.example.cn'] };
    const { executionArn } = await engine.startExecution('cosign-one-at-a-time', three);

    const first = await lambdas.nth(() => cosigns(lambdas), 1);
    await sleep(30);
    expect(cosigns(lambdas).map(approverOf)).toEqual(['a@kw.example.cn']);
    await engine.sendTaskSuccess(tokenOf(first), approve);
    const second = await lambdas.nth(() => cosigns(lambdas), 2);
    expect(approverOf(second)).toBe('b@kw.example.cn');
    await engine.sendTaskSuccess(tokenOf(second), giveBack);
    await lambdas.nth(() => lambdas.to(FN.requestRevision), 1);
    expect((await engine.settled(executionArn)).status).toBe('SUCCEEDED');
    await sleep(30);
    expect(cosigns(lambdas).map(approverOf)).toEqual(['a@kw.example.cn', 'b@kw.example.cn']);
  });

  it('Retry on the Map runs every iteration again; ResultSelector shapes the result', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    let failures = 1;
    const lambdas = new FakeLambdas().on(FN.publishReport, () => {
      if (failures-- > 0) throw Object.assign(new Error('bucket down'), { name: 'SiteDown' });
      return { ok: true };
    });
    const definition = {
      StartAt: 'PublishAll',
      States: {
        PublishAll: {
          Type: 'Map',
          ItemsPath: '$.pages',
          MaxConcurrency: 1,
          ItemProcessor: {
            StartAt: 'PublishPage',
            States: {
              PublishPage: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: functionArn(FN.publishReport), 'Payload.$': '$' },
                OutputPath: '$.Payload',
                End: true,
              },
            },
          },
          Retry: [
            { ErrorEquals: ['SiteDown'], IntervalSeconds: 1, MaxAttempts: 1, BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: 2 },
          ],
          ResultSelector: { 'count.$': 'States.ArrayLength($)' },
          End: true,
        },
      },
    };
    const engine = fixture.engine({ definition, invoke: lambdas.invoke, retryIntervalMs: 1 });
    const { executionArn } = await engine.startExecution('map-retry', { pages: [{ page: 'a' }, { page: 'b' }] });
    const done = await engine.settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? 'null')).toEqual({ count: 2 });
    // attempt 1: page a fails (b never starts); attempt 2: a and b
    expect(lambdas.to(FN.publishReport).map((call) => call.payload)).toEqual([{ page: 'a' }, { page: 'a' }, { page: 'b' }]);
  });
});

/** A co-sign Map as CDK writes it (sfn.Map with an item processor of waitForTaskToken LambdaInvoke tasks). */
function synthesizedCoSign(): Record<string, unknown> {
  const stack = new Stack(new App(), 'CoSign', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const review = lambda.Function.fromFunctionArn(stack, 'RequestReview', functionArn(FN.requestReview));
  const ask = new tasks.LambdaInvoke(stack, 'AskCosignerCdk', {
    lambdaFunction: review,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({ taskToken: sfn.JsonPath.taskToken, stage: 'cdk', approver: sfn.JsonPath.stringAt('$.approver') }),
    taskTimeout: sfn.Timeout.duration(Duration.hours(1)),
    retryOnServiceExceptions: false,
  });
  const map = new sfn.Map(stack, 'CoSignCdk', {
    itemsPath: sfn.JsonPath.stringAt('$.cosigners'),
    itemSelector: { approver: sfn.JsonPath.stringAt('$$.Map.Item.Value') },
    maxConcurrency: 2,
    resultPath: '$.cosigned',
  });
  map.itemProcessor(ask);
  new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(map),
    queryLanguage: sfn.QueryLanguage.JSON_PATH,
  });
  return definitionFromTemplate(Template.fromStack(stack).toJSON());
}

describe('Map as CDK synthesizes it', () => {
  it('runs unchanged: one waiting task per co-signer, each with its own token', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const definition = synthesizedCoSign();
    const map = (definition['States'] as Record<string, Record<string, unknown>>)['CoSignCdk'];
    expect(map).toMatchObject({ Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' } }, MaxConcurrency: 2 });
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    expect(engine.runnableDefinition).toEqual(definition);
    const { executionArn } = await engine.startExecution('cdk-map', INPUT);
    await lambdas.nth(() => lambdas.reviews('cdk'), 2);
    const calls = lambdas.reviews('cdk');
    expect(calls.map(approverOf)).toEqual(INPUT.cosigners);
    expect(new Set(calls.map(tokenOf)).size).toBe(2);
    for (const call of calls) await engine.sendTaskSuccess(tokenOf(call), approve);
    const done = await engine.settled(executionArn);
    expect(JSON.parse(done.output ?? 'null')).toMatchObject({ cosigned: [{ outcome: 'approve' }, { outcome: 'approve' }] });
  });
});

describe.concurrent('Map, the older field names', () => {
  it('runs Iterator and Parameters (ItemProcessor and ItemSelector before 2022) the same way', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const definition = {
      StartAt: 'Legacy',
      States: {
        Legacy: {
          Type: 'Map',
          ItemsPath: '$.cosigners',
          Parameters: { 'reportId.$': '$.reportId', 'approver.$': '$$.Map.Item.Value' },
          Iterator: { StartAt: 'AskLegacy', States: { AskLegacy: { ...waitFor('legacy', { 'approver.$': '$.approver' }), End: true } } },
          End: true,
        },
      },
    };
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('legacy-fields', INPUT);
    await lambdas.nth(() => lambdas.reviews('legacy'), 2);
    expect(lambdas.reviews('legacy').map(approverOf)).toEqual(INPUT.cosigners);
    for (const call of lambdas.reviews('legacy')) await engine.sendTaskSuccess(tokenOf(call), JSON.stringify({ by: approverOf(call) }));
    const done = await engine.settled(executionArn);
    expect(JSON.parse(done.output ?? 'null')).toEqual(INPUT.cosigners.map((by) => ({ by })));
  });
});

describe.concurrent('Parallel', () => {
  it('runs its branches at once, each task with its own token; the outputs come in branch order', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const lambdas = new FakeLambdas();
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Legal', States: { Legal: { ...waitFor('legal'), End: true } } },
            { StartAt: 'Secrecy', States: { Secrecy: { ...waitFor('secrecy'), End: true } } },
          ],
          ResultPath: '$.answers',
          End: true,
        },
      },
    };
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('parallel', { reportId: 'r' });
    await lambdas.nth(() => lambdas.to(FN.requestReview), 2);
    const legal = lambdas.reviews('legal')[0];
    const secrecy = lambdas.reviews('secrecy')[0];
    if (!legal || !secrecy) throw new Error('both branches should wait');
    expect(tokenOf(legal)).not.toBe(tokenOf(secrecy));
    await engine.sendTaskSuccess(tokenOf(secrecy), JSON.stringify({ by: 'secrecy' }));
    await engine.sendTaskSuccess(tokenOf(legal), JSON.stringify({ by: 'legal' }));
    const done = await engine.settled(executionArn);
    expect(JSON.parse(done.output ?? 'null')).toEqual({ reportId: 'r', answers: [{ by: 'legal' }, { by: 'secrecy' }] });
    const events = await historyOf(engine, executionArn);
    expect(typesOf(events, 'Parallel')).toEqual([
      'ParallelStateEntered',
      'ParallelStateStarted',
      'ParallelStateSucceeded',
      'ParallelStateExited',
    ]);
  });
});

describe.concurrent('Map across a restart', () => {
  it('two co-signers waiting: each is invoked again with ITS token, and either answer continues the execution', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition: coSignDefinition(), dataDir, invoke: lambdas.invoke });
    const { executionArn } = await first.startExecution('restart-two-waiting', INPUT);
    await lambdas.nth(() => cosigns(lambdas), 2);
    const before = cosigns(lambdas).map((call) => [approverOf(call), tokenOf(call)]);
    await first.close();

    const second = fixture.engine({ definition: coSignDefinition(), dataDir, invoke: lambdas.invoke });
    await lambdas.nth(() => cosigns(lambdas), 4);
    const after = cosigns(lambdas)
      .slice(2)
      .map((call) => [approverOf(call), tokenOf(call)]);
    expect(after.sort()).toEqual([...before].sort());

    await second.sendTaskSuccess(String(before[1]?.[1]), approve);
    await second.sendTaskSuccess(String(before[0]?.[1]), approve);
    await second.sendTaskSuccess(tokenOf(await lambdas.nth(() => signs(lambdas), 1)), approve);
    expect((await second.settled(executionArn)).status).toBe('SUCCEEDED');
    expect(cosigns(lambdas)).toHaveLength(4);
    const events = await historyOf(second, executionArn);
    expect(events.filter((event) => event.type === 'ExecutionStarted')).toHaveLength(1);
    expect(typesOf(events, 'MapIteration')).toEqual([
      'MapIterationStarted',
      'MapIterationStarted',
      'MapIterationSucceeded',
      'MapIterationSucceeded',
    ]);
    expect(typesOf(events, 'TaskScheduled')).toHaveLength(3);
  });

  it('one co-signer answered before the restart: only the other is invoked again', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition: coSignDefinition(), dataDir, invoke: lambdas.invoke });
    const { executionArn } = await first.startExecution('restart-one-answered', INPUT);
    await lambdas.nth(() => cosigns(lambdas), 2);
    const [a, b] = cosigns(lambdas);
    if (!a || !b) throw new Error('unreachable');
    await first.sendTaskSuccess(tokenOf(a), approve);
    await sleep(20);
    await first.close();

    const second = fixture.engine({ definition: coSignDefinition(), dataDir, invoke: lambdas.invoke });
    const again = await lambdas.nth(() => cosigns(lambdas), 3);
    expect(tokenOf(again)).toBe(tokenOf(b));
    await sleep(30);
    expect(cosigns(lambdas)).toHaveLength(3);
    await expectSfnError(second.sendTaskSuccess(tokenOf(a), approve), 'TaskTimedOut');
    await second.sendTaskSuccess(tokenOf(b), approve);
    await lambdas.nth(() => signs(lambdas), 1);
    expect((await second.describeExecution(executionArn)).status).toBe('RUNNING');
  });

  it('a Map that failed and was caught before the restart replays into its Catch without asking anyone again', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const definition = coSignDefinition({ Catch: [{ ErrorEquals: ['Returned'], ResultPath: '$.error', Next: 'ReviseAndWait' }] });
    const states = definition['States'] as Record<string, unknown>;
    states['ReviseAndWait'] = { ...waitFor('revise'), End: true };
    delete states['Revise'];
    const first = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const { executionArn } = await first.startExecution('restart-after-catch', INPUT);
    await lambdas.nth(() => cosigns(lambdas), 2);
    await first.sendTaskSuccess(tokenOf(cosigns(lambdas)[0]!), giveBack);
    const revise = await lambdas.nth(() => lambdas.reviews('revise'), 1);
    await first.close();

    const second = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const again = await lambdas.nth(() => lambdas.reviews('revise'), 2);
    expect(tokenOf(again)).toBe(tokenOf(revise));
    await sleep(30);
    expect(cosigns(lambdas)).toHaveLength(2);
    await expectSfnError(second.sendTaskSuccess(tokenOf(cosigns(lambdas)[1]!), approve), 'TaskTimedOut');
    await second.sendTaskSuccess(tokenOf(revise), approve);
    expect((await second.settled(executionArn)).status).toBe('SUCCEEDED');
    const events = await historyOf(second, executionArn);
    expect(typesOf(events, 'Map')).toEqual([
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'MapIterationStarted',
      'MapIterationFailed',
      'MapIterationAborted',
      'MapStateFailed',
      'MapStateExited',
    ]);
  });
});

describe.concurrent('Retry fields AWS added later', () => {
  it('accepts JitterStrategy and MaxDelaySeconds; MaxDelaySeconds caps the wait (an hour-long interval retried within seconds)', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    let failures = 1;
    const lambdas = new FakeLambdas().on(FN.publishReport, () => {
      if (failures-- > 0) throw new Error('busy');
      return {};
    });
    const definition = {
      StartAt: 'Publish',
      States: {
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: functionArn(FN.publishReport), Payload: {} },
          Retry: [
            {
              ErrorEquals: ['Lambda.TooManyRequestsException'],
              IntervalSeconds: 2,
              MaxAttempts: 20,
              BackoffRate: 2,
              JitterStrategy: 'FULL',
              MaxDelaySeconds: 60,
            },
            {
              ErrorEquals: ['States.ALL'],
              IntervalSeconds: 3600,
              MaxAttempts: 2,
              BackoffRate: 2,
              JitterStrategy: 'NONE',
              MaxDelaySeconds: 1,
            },
          ],
          End: true,
        },
      },
    };
    // no retryIntervalMs: the definition's own intervals
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('max-delay', {});
    await lambdas.nth(() => lambdas.to(FN.publishReport), 2, 5_000);
    expect((await engine.settled(executionArn)).status).toBe('SUCCEEDED');
  });
});
