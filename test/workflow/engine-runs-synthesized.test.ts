import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidOutput,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_FUNCTIONS, LOCAL_STATE_MACHINE_ARN, functionArn, synthesizeReviewDefinition } from '#infra/local/definition.js';
import { MAX_TIMER_SECONDS, type LocalStepFunctions } from '#infra/local/sfn-engine.js';
import { startSfnEndpoint, type SfnEndpoint } from '#infra/local/sfn-endpoint.js';
import { SfnError } from '#infra/local/sfn-errors.js';
import { SfnWorkflow } from '#shared/sfn/sfn-workflow.js';
import { RoundClosedError, TaskGoneError } from '#shared/workflow/errors.js';
import { decision, EngineFixture, FakeLambdas, FN, INPUT, resubmitted, sleep, tokenOf, until } from './engine-harness.js';

/**
 * The review state machine exactly as CDK synthesizes it, run by the local engine with fake task handlers; then
 * the same engine behind the Step Functions wire protocol, driven by the real @aws-sdk/client-sfn and by the app's
 * own adapter (shared/sfn/sfn-workflow.ts). (One file: each test file pays a CDK synthesis in its worker.)
 */

let definition: Record<string, unknown>;
let fastDefinition: Record<string, unknown>; // 1 s review and revision timeouts

beforeAll(() => {
  definition = synthesizeReviewDefinition();
  fastDefinition = synthesizeReviewDefinition({ reviewTimeoutSeconds: 1, revisionTimeoutSeconds: 1 });
});

const fixture = new EngineFixture();
const endpoints: SfnEndpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((endpoint) => endpoint.stop()));
  await fixture.dispose();
});

const statesOf = (def: Record<string, unknown>) => def['States'] as Record<string, Record<string, unknown>>;

async function expectSfnError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof SfnError && error.code === code);
}

describe('the engine runs the synthesized definition', () => {
  it('holds the definition CDK synthesizes, unchanged, and runs its states and functions', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition: synthesizeReviewDefinition(), invoke: lambdas.invoke });

    expect(engine.definition).toEqual(definition);
    // nothing to cap in the default timeouts (3 and 14 days): what the library runs is the definition itself
    expect(engine.runnableDefinition).toEqual(definition);
    const states = statesOf(engine.definition);
    expect(states['Review']?.['Resource']).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(states['Review']?.['TimeoutSeconds']).toBe(3 * 24 * 3600);
    expect(states['Publish']?.['Resource']).toBe('arn:aws:states:::lambda:invoke');

    lambdas.on(FN.requestReview, () => undefined);
    const { executionArn } = await engine.startExecution('run-synthesized', INPUT);
    await engine.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1)), decision('approve'));
    await engine.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('leader'), 1)), decision('approve'));
    expect((await engine.settled(executionArn)).status).toBe('SUCCEEDED');

    // every state the history names is a state of the synthesized definition; every function invoked is one its
    // tasks name (FunctionName is the placeholder ARN of the local function)
    const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
    const entered = events.flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []));
    expect(entered).toEqual(['Route', 'Review', 'Route', 'Review', 'Route', 'Publish']);
    for (const name of entered) expect(states).toHaveProperty(name);
    const functionNames = Object.values(states).flatMap((state) => {
      const parameters = state['Parameters'] as { FunctionName?: string } | undefined;
      return parameters?.FunctionName === undefined ? [] : [parameters.FunctionName];
    });
    for (const call of lambdas.calls) expect(functionNames).toContain(functionArn(call.functionName));
    const scheduled = events
      .filter((event) => event.type === 'TaskScheduled')
      .map((event) => JSON.parse(event.taskScheduledEventDetails?.parameters ?? '{}') as { FunctionName: string });
    expect(scheduled.map((parameters) => parameters.FunctionName)).toEqual([
      functionArn(LOCAL_FUNCTIONS.requestReview),
      functionArn(LOCAL_FUNCTIONS.requestReview),
      functionArn(LOCAL_FUNCTIONS.publishReport),
    ]);
  });

  it('caps TimeoutSeconds Node cannot hold (and only those), so a year-long wait does not fire at once', async () => {
    const yearLong = structuredClone(definition);
    const review = statesOf(yearLong)['Review'];
    if (!review) throw new Error('no Review');
    review['TimeoutSeconds'] = 365 * 24 * 3600;
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition: yearLong, invoke: lambdas.invoke });

    expect(statesOf(engine.definition)['Review']?.['TimeoutSeconds']).toBe(365 * 24 * 3600);
    expect(statesOf(engine.runnableDefinition)['Review']?.['TimeoutSeconds']).toBe(MAX_TIMER_SECONDS);
    expect(statesOf(engine.runnableDefinition)['OfficerRevision']?.['TimeoutSeconds']).toBe(14 * 24 * 3600);

    await engine.startExecution('year-long', INPUT);
    await lambdas.nth(() => lambdas.reviews('director'), 1);
    await sleep(50); // an uncapped 31536000 s timer fires after 1 ms: a reminder would be here by now
    expect(lambdas.reviews('director')).toHaveLength(1);
  });
});

describe('paths through the review', () => {
  it('approve → approve → Publish once → SUCCEEDED', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('approve-approve', INPUT);

    const director = await lambdas.nth(() => lambdas.reviews('director'), 1);
    expect(director.payload).toEqual({ taskToken: tokenOf(director), reportId: INPUT.reportId, version: 1, step: 0 });
    // $$.Task.Token resolved, and the placeholder it resolved to was replaced by a real token of the engine
    expect(tokenOf(director)).toMatch(/^nbt1\.[A-Za-z0-9_-]{43}$/);
    await engine.sendTaskSuccess(tokenOf(director), decision('approve'));
    const leader = await lambdas.nth(() => lambdas.reviews('leader'), 1);
    expect(leader.payload).toMatchObject({ reportId: INPUT.reportId, version: 1, step: 1 });
    await engine.sendTaskSuccess(tokenOf(leader), decision('approve'));

    const done = await engine.settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stopDate).toBeInstanceOf(Date);
    expect(lambdas.to(FN.publishReport).map((call) => call.payload)).toEqual([{ reportId: INPUT.reportId, version: 1 }]);
    const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
  });

  it('director returns → OfficerRevision gets the decision → resubmitted v2 → DirectorReview again with version 2', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('return-resubmit', INPUT);

    await engine.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1)), decision('return', 1, '数字对不上'));
    const revision = await lambdas.nth(() => lambdas.to(FN.requestRevision), 1);
    expect(revision.payload).toEqual({
      taskToken: tokenOf(revision),
      reportId: INPUT.reportId,
      version: 1,
    });
    await engine.sendTaskSuccess(tokenOf(revision), resubmitted(2));

    const again = await lambdas.nth(() => lambdas.reviews('director'), 2);
    expect(again.payload).toMatchObject({ reportId: INPUT.reportId, version: 2, step: 0 });
    expect(tokenOf(again)).not.toBe(tokenOf(lambdas.reviews('director')[0] ?? again));
    expect((await engine.describeExecution(executionArn)).status).toBe('RUNNING');

    // the leader may return too, and the resubmitted version walks the whole chain again
    await engine.sendTaskSuccess(tokenOf(again), decision('approve', 2));
    await engine.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('leader'), 1)), decision('return', 2));
    await engine.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.to(FN.requestRevision), 2)), resubmitted(3));
    expect((await lambdas.nth(() => lambdas.reviews('director'), 3)).payload['version']).toBe(3);
  });

  it('an outcome the workflow does not know → FAILED with UnknownOutcome', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('unknown-outcome', INPUT);
    await engine.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1)), decision('maybe'));

    const done = await engine.settled(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'UnknownOutcome' });
    const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
    expect(events.at(-2)).toMatchObject({ type: 'FailStateEntered', stateEnteredEventDetails: { name: 'UnknownOutcome' } });
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'UnknownOutcome' } });
  });

  it('Publish failing every time → retried, then FAILED at Publish with its error (no Catch: a redrive reruns Publish)', async () => {
    const lambdas = new FakeLambdas().on(FN.publishReport, () => {
      const error = new Error('the bucket is not there');
      error.name = 'PublishError';
      throw error;
    });
    const engine = fixture.engine({ definition, invoke: lambdas.invoke, retryIntervalMs: 1 });
    const { executionArn } = await engine.startExecution('publish-fails', INPUT);
    await engine.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1)), decision('approve'));
    await engine.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('leader'), 1)), decision('approve'));

    const done = await engine.settled(executionArn);
    expect(done).toMatchObject({
      status: 'FAILED',
      error: 'PublishError',
      cause: JSON.stringify({ errorType: 'PublishError', errorMessage: 'the bucket is not there' }),
      redriveStatus: 'REDRIVABLE',
    });
    // Retry [States.ALL] MaxAttempts 4: the first attempt and four retries
    expect(lambdas.to(FN.publishReport)).toHaveLength(5);
    const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
    expect(events.filter((event) => event.type === 'TaskFailed')).toHaveLength(5);
    // the last state entered is Publish: the step a redrive reruns
    expect(events.filter((event) => event.stateEnteredEventDetails !== undefined).at(-1)?.stateEnteredEventDetails?.name).toBe('Publish');
    expect(events.at(-1)?.type).toBe('ExecutionFailed');
  });

  it('a review task whose function keeps failing is retried (States.TaskFailed), each time with a new token, then fails the execution there', async () => {
    const lambdas = new FakeLambdas().on(FN.requestReview, () => {
      throw new TypeError('mail is down');
    });
    const engine = fixture.engine({ definition, invoke: lambdas.invoke, retryIntervalMs: 1 });
    const { executionArn } = await engine.startExecution('review-fails', INPUT);

    expect(await engine.settled(executionArn)).toMatchObject({ status: 'FAILED', error: 'TypeError' });
    const tokens = lambdas.reviews('director').map(tokenOf);
    expect(tokens).toHaveLength(4); // MaxAttempts 3
    expect(new Set(tokens).size).toBe(4);
    // the failed invocations' tokens are spent
    for (const token of tokens) await expectSfnError(engine.sendTaskSuccess(token, decision('approve')), 'TaskTimedOut');
  });

  it('SendTaskFailure fails the task under the given error name (Retry and Catch see it)', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition, invoke: lambdas.invoke, retryIntervalMs: 1 });
    const { executionArn } = await engine.startExecution('task-failure', INPUT);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await engine.sendTaskFailure(
        tokenOf(await lambdas.nth(() => lambdas.reviews('director'), attempt)),
        'ReviewBroken',
        'no approver on the roster',
      );
    }
    expect(await engine.settled(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'ReviewBroken',
      cause: 'no approver on the roster',
    });
    const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
    expect(events.filter((event) => event.type === 'TaskFailed').map((event) => event.taskFailedEventDetails?.error)).toEqual(
      Array(4).fill('ReviewBroken'),
    );
  });
});

describe('timeouts', () => {
  it('a review that times out is asked again with a NEW token (the reminder); the old token answers TaskTimedOut', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition: fastDefinition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('times-out', INPUT);

    const first = await lambdas.nth(() => lambdas.reviews('director'), 1);
    const reminder = await lambdas.nth(() => lambdas.reviews('director'), 2, 3_000);
    expect(reminder.at - first.at).toBeGreaterThanOrEqual(990);
    expect(reminder.payload).toMatchObject({ reportId: INPUT.reportId, version: 1, step: 0 });
    expect(tokenOf(reminder)).not.toBe(tokenOf(first));

    await expectSfnError(engine.sendTaskSuccess(tokenOf(first), decision('approve')), 'TaskTimedOut');
    await engine.sendTaskSuccess(tokenOf(reminder), decision('approve'));
    await lambdas.nth(() => lambdas.reviews('leader'), 1);

    const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
    const types = events.map((event) => event.stateEnteredEventDetails?.name ?? event.type);
    expect(types).toContain('TaskTimedOut');
    expect(types.slice(types.indexOf('TaskTimedOut'))).toEqual(
      expect.arrayContaining(['TaskStateExited', 'ReviewReminder', 'Review', 'TaskSucceeded', 'Route', 'Review']),
    );
    // the timeout went to the reminder (Catch States.Timeout), not to Retry States.TaskFailed, and not to failure
    expect(events.filter((event) => event.type === 'TaskFailed')).toHaveLength(0);
    expect((await engine.describeExecution(executionArn)).status).toBe('RUNNING');
  });
});

describe('task tokens', () => {
  it('gives every invocation its own token, and answers unknown, garbage, spent and non-JSON as Step Functions does', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const one = await engine.startExecution('tokens-1', INPUT);
    await engine.startExecution('tokens-2', { ...INPUT, reportId: 'other-2020' });
    await until(() => lambdas.reviews('director').length === 2);
    const [a, b] = lambdas.reviews('director').map(tokenOf);
    if (a === undefined || b === undefined) throw new Error('two reviews expected');

    await expectSfnError(engine.sendTaskSuccess(`nbt1.${'A'.repeat(43)}`, decision('approve')), 'TaskDoesNotExist');
    await expectSfnError(engine.sendTaskSuccess('garbage', decision('approve')), 'InvalidToken');
    await expectSfnError(engine.sendTaskSuccess('', decision('approve')), 'InvalidToken');
    await expectSfnError(engine.sendTaskSuccess(a, '{not json'), 'InvalidOutput');
    await engine.sendTaskHeartbeat(a);
    await engine.sendTaskSuccess(a, decision('return'));
    await expectSfnError(engine.sendTaskSuccess(a, decision('approve')), 'TaskTimedOut');
    await expectSfnError(engine.sendTaskHeartbeat(a), 'TaskTimedOut');
    await engine.sendTaskSuccess(b, decision('approve'));

    await lambdas.nth(() => lambdas.to(FN.requestRevision), 1);
    await lambdas.nth(() => lambdas.reviews('leader'), 1);
    const tokens = lambdas.calls.flatMap((call) => (typeof call.payload['taskToken'] === 'string' ? [call.payload['taskToken']] : []));
    expect(tokens).toHaveLength(4);
    expect(new Set(tokens).size).toBe(4);

    // no token is in the history: they are redacted wherever they would appear
    const { events } = await engine.getExecutionHistory(one.executionArn, { maxResults: 1000 });
    const text = JSON.stringify(events);
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).toContain('<task token>');
  });

  it('lets a function answer its own token before it returns (a decision recorded before a reminder)', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    lambdas.on(FN.requestReview, async (payload) => {
      await engine.sendTaskSuccess(String(payload['taskToken']), decision('approve', 1, '', payload));
      return { delivered: true };
    });
    const { executionArn } = await engine.startExecution('self-answer', INPUT);
    expect((await engine.settled(executionArn)).status).toBe('SUCCEEDED');
    expect(lambdas.to(FN.publishReport)).toHaveLength(1);
  });
});

describe('starting and stopping', () => {
  it('a name is used once: the same name and input return the running execution, anything else is ExecutionAlreadyExists', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const first = await engine.startExecution('once', INPUT);
    const again = await engine.startExecution('once', JSON.stringify(INPUT, null, 2));
    expect(again).toEqual(first);
    await expectSfnError(engine.startExecution('once', { ...INPUT, version: 2 }), 'ExecutionAlreadyExists');
    await expectSfnError(engine.startExecution('bad name', INPUT), 'InvalidName');
    await expectSfnError(engine.startExecution('bad-input', '{'), 'InvalidExecutionInput');
    await expectSfnError(engine.describeExecution(`${engine.executionArnOf('nope')}`), 'ExecutionDoesNotExist');
    await sleep(10);
    expect(lambdas.reviews('director')).toHaveLength(1);

    await engine.stopExecution(first.executionArn, 'withdrawn');
    await expectSfnError(engine.startExecution('once', INPUT), 'ExecutionAlreadyExists');
  });

  it('StopExecution → ABORTED, its token answers TaskTimedOut, the history ends with ExecutionAborted', async () => {
    const lambdas = new FakeLambdas();
    const engine = fixture.engine({ definition, invoke: lambdas.invoke });
    const { executionArn } = await engine.startExecution('stopped', INPUT);
    const token = tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1));

    const { stopDate } = await engine.stopExecution(executionArn, '信息员撤回', 'Withdrawn');
    const described = await engine.describeExecution(executionArn);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Withdrawn', cause: '信息员撤回' });
    expect(described.stopDate).toEqual(stopDate);
    await expectSfnError(engine.sendTaskSuccess(token, decision('approve')), 'TaskTimedOut');
    // stopping again changes nothing
    expect((await engine.stopExecution(executionArn, 'again')).stopDate).toEqual(stopDate);

    const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Withdrawn', cause: '信息员撤回' },
    });
    expect((await engine.listExecutions({ statusFilter: 'ABORTED' })).executions.map((item) => item.name)).toEqual(['stopped']);
    expect((await engine.listExecutions({ statusFilter: 'RUNNING' })).executions).toEqual([]);
    await sleep(10);
    expect(lambdas.calls).toHaveLength(1);
  });
});

async function stack(): Promise<{ engine: LocalStepFunctions; lambdas: FakeLambdas; client: SFNClient; endpoint: string }> {
  const lambdas = new FakeLambdas();
  const engine = fixture.engine({ definition, invoke: lambdas.invoke });
  const server = await startSfnEndpoint({ engine });
  endpoints.push(server);
  const client = new SFNClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return { engine, lambdas, client, endpoint: server.endpoint };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function allEvents(client: SFNClient, executionArn: string, maxResults: number): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return events;
}

describe('the Step Functions endpoint', () => {
  it('runs an execution for the real SFNClient: Start, Describe, SendTaskSuccess, GetExecutionHistory, List, Stop', async () => {
    const { engine, lambdas, client } = await stack();
    const before = Date.now();
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, name: 'sdk-run', input: JSON.stringify(INPUT) }),
    );
    expect(started.executionArn).toBe(engine.executionArnOf('sdk-run'));
    expect(started.startDate).toBeInstanceOf(Date);
    expect(Math.abs((started.startDate?.getTime() ?? 0) - before)).toBeLessThan(2_000);
    const executionArn = started.executionArn ?? '';

    const running = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(running).toMatchObject({
      status: 'RUNNING',
      name: 'sdk-run',
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      input: JSON.stringify(INPUT),
    });

    const director = tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1));
    await client.send(new SendTaskHeartbeatCommand({ taskToken: director }));
    await client.send(new SendTaskSuccessCommand({ taskToken: director, output: decision('approve') }));
    await client.send(
      new SendTaskSuccessCommand({
        taskToken: tokenOf(await lambdas.nth(() => lambdas.reviews('leader'), 1)),
        output: decision('approve'),
      }),
    );
    await engine.settled(executionArn);

    const done = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(done.output ?? 'null')).toMatchObject({ reportId: INPUT.reportId, at: { outcome: 'approve', kind: 'publish' } });

    // paged 5 at a time, the same events the engine holds, with dates and details deserialized
    const events = await allEvents(client, executionArn, 5);
    const engineEvents = (await engine.getExecutionHistory(executionArn, { maxResults: 1000 })).events;
    expect(events.map((event) => [event.id, event.type])).toEqual(engineEvents.map((event) => [event.id, event.type]));
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    expect(events[0]?.executionStartedEventDetails?.input).toBe(JSON.stringify(INPUT));
    expect(events.find((event) => event.type === 'TaskStateEntered')?.stateEnteredEventDetails?.name).toBe('Review');
    expect(events.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails?.parameters).toContain('<task token>');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    const reversed = await client.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, includeExecutionData: false, maxResults: 2 }),
    );
    expect(reversed.events?.map((event) => event.type)).toEqual(['ExecutionSucceeded', 'TaskStateExited']);
    expect(reversed.events?.[1]?.stateExitedEventDetails).toMatchObject({ name: 'Publish' });

    const second = await client.send(
      new StartExecutionCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, name: 'sdk-stop', input: JSON.stringify(INPUT) }),
    );
    const stopped = await client.send(
      new StopExecutionCommand({ executionArn: second.executionArn, error: 'Withdrawn', cause: '信息员撤回' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await client.send(new DescribeExecutionCommand({ executionArn: second.executionArn }))).toMatchObject({
      status: 'ABORTED',
      error: 'Withdrawn',
      cause: '信息员撤回',
    });
    expect((await allEvents(client, second.executionArn ?? '', 100)).at(-1)?.type).toBe('ExecutionAborted');

    const list = await client.send(new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN }));
    expect(list.executions?.map((item) => [item.name, item.status])).toEqual([
      ['sdk-stop', 'ABORTED'],
      ['sdk-run', 'SUCCEEDED'],
    ]);
    expect(list.executions?.[0]?.startDate).toBeInstanceOf(Date);
    const succeeded = await client.send(new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, statusFilter: 'SUCCEEDED' }));
    expect(succeeded.executions?.map((item) => item.name)).toEqual(['sdk-run']);
  });

  it('answers errors the SDK turns into its typed exceptions', async () => {
    const { lambdas, client, endpoint } = await stack();
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, name: 'sdk-errors', input: JSON.stringify(INPUT) }),
    );
    const token = tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1));

    const unknown = await rejection(client.send(new SendTaskSuccessCommand({ taskToken: `nbt1.${'Z'.repeat(43)}`, output: '{}' })));
    expect(unknown).toBeInstanceOf(TaskDoesNotExist);
    expect(unknown).toMatchObject({ name: 'TaskDoesNotExist', $metadata: { httpStatusCode: 400 } });
    expect(await rejection(client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })))).toBeInstanceOf(InvalidToken);
    expect(await rejection(client.send(new SendTaskSuccessCommand({ taskToken: token, output: 'not json' })))).toBeInstanceOf(
      InvalidOutput,
    );
    await client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Broken', cause: 'the test broke it' }));
    expect(await rejection(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBeInstanceOf(TaskTimedOut);
    expect(await rejection(client.send(new DescribeExecutionCommand({ executionArn: `${executionArn ?? ''}-nope` })))).toBeInstanceOf(
      ExecutionDoesNotExist,
    );
    const duplicate = new StartExecutionCommand({
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      name: 'sdk-errors',
      input: JSON.stringify({ ...INPUT, version: 9 }),
    });
    expect(await rejection(client.send(duplicate))).toBeInstanceOf(ExecutionAlreadyExists);
    const elsewhere = new StartExecutionCommand({ stateMachineArn: `${LOCAL_STATE_MACHINE_ARN}-other`, name: 'x', input: '{}' });
    expect(await rejection(client.send(elsewhere))).toBeInstanceOf(StateMachineDoesNotExist);

    // the protocol around it
    const raw = async (target: string, method = 'POST') => {
      const response = await fetch(`${endpoint}/`, {
        method,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        body: (await response.json()) as { __type?: string; message?: string },
      };
    };
    const unknownOperation = await raw('AWSStepFunctions.CreateStateMachine');
    expect(unknownOperation).toMatchObject({ status: 400, type: 'application/x-amz-json-1.0' });
    expect(unknownOperation.body.__type).toMatch(/UnknownOperationException$/);
    expect((await raw('AWSStepFunctions.DescribeExecution')).body.__type).toMatch(/#ValidationException$/);
    expect((await raw('AWSStepFunctions.DescribeExecution', 'GET')).status).toBe(404);
  });

  it('is what the app’s SfnWorkflow adapter needs', async () => {
    const { lambdas, client } = await stack();
    const workflow = new SfnWorkflow({ client, stateMachineArn: LOCAL_STATE_MACHINE_ARN });

    await workflow.start('daxing-kw-2020-r1', INPUT);
    await workflow.start('daxing-kw-2020-r1', INPUT); // a retried start: the same execution
    await workflow.start('daxing-kw-2020-r1', { ...INPUT, version: 2 }); // a name is used once: ExecutionAlreadyExists, absorbed
    const described = await workflow.describe('daxing-kw-2020-r1');
    expect(described).toMatchObject({ name: 'daxing-kw-2020-r1', status: 'RUNNING' });
    expect(new Date(described?.startDate ?? 0).getTime()).toBeGreaterThan(Date.now() - 5_000);
    expect(await workflow.describe('nobody-2020-r1')).toBeUndefined();

    const director = tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1));
    expect(lambdas.reviews('director')).toHaveLength(1);
    await workflow.sendTaskSuccess(director, JSON.parse(decision('approve')) as Record<string, unknown>);
    await expect(workflow.sendTaskSuccess(director, { outcome: 'approve' })).rejects.toBeInstanceOf(TaskGoneError);
    await expect(workflow.sendTaskSuccess('garbage', { outcome: 'approve' })).rejects.toBeInstanceOf(TaskGoneError);
    await expect(workflow.sendTaskSuccess(`nbt1.${'Q'.repeat(43)}`, { outcome: 'approve' })).rejects.toBeInstanceOf(TaskGoneError);
    const leader = tokenOf(await lambdas.nth(() => lambdas.reviews('leader'), 1));

    const history = await workflow.history('daxing-kw-2020-r1');
    expect(history.map((event) => event.stateName).filter((name) => name !== undefined)).toEqual([
      'Route',
      'Route',
      'Review',
      'Review',
      'Route',
      'Route',
      'Review',
    ]);
    expect(history[0]).toMatchObject({ id: 1, type: 'ExecutionStarted' });
    expect(JSON.stringify(history)).not.toContain(director);

    await workflow.stop('daxing-kw-2020-r1', '信息员撤回');
    expect(await workflow.describe('daxing-kw-2020-r1')).toMatchObject({ status: 'ABORTED' });
    expect((await workflow.describe('daxing-kw-2020-r1'))?.stopDate).toBeDefined();
    await expect(workflow.sendTaskSuccess(leader, { outcome: 'approve' })).rejects.toBeInstanceOf(TaskGoneError);
    await workflow.stop('nobody-2020-r1', 'nothing to stop');
    expect((await workflow.history('daxing-kw-2020-r1')).at(-1)?.type).toBe('ExecutionAborted');

    // a closed round is not "already started": starting it again is refused, not swallowed
    const refused = await workflow.start('daxing-kw-2020-r1', INPUT).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RoundClosedError);
    expect(refused).toMatchObject({
      status: 409,
      code: 'ROUND_CLOSED',
      details: { executionName: 'daxing-kw-2020-r1', executionStatus: 'ABORTED' },
    });
    expect(lambdas.reviews('director')).toHaveLength(1);
  });

  it('listens on loopback only', async () => {
    const { engine } = await stack();
    await expect(startSfnEndpoint({ engine, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
    const server = await startSfnEndpoint({ engine, host: '127.0.0.1' });
    endpoints.push(server);
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
