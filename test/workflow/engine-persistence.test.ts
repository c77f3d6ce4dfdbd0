import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeReviewDefinition } from '#infra/local/definition.js';
import type { LocalStepFunctions } from '#infra/local/sfn-engine.js';
import { SfnError } from '#infra/local/sfn-errors.js';
import { decision, FakeLambdas, fixtureFor, FN, INPUT, resubmitted, sleep, tokenOf } from './engine-harness.js';
import { selfAnsweringInvoke } from './sfn-self-answering.js';

/**
 * Executions survive the process: a new engine on the same data directory resumes every running execution by
 * replaying its journal, keeping the token of the task that was waiting.
 */

let definition: Record<string, unknown>;
let fastDefinition: Record<string, unknown>; // 1 s review and revision timeouts
let twoSecondDefinition: Record<string, unknown>; // 2 s: room to tell a kept deadline from a restarted clock

beforeAll(() => {
  definition = synthesizeReviewDefinition();
  fastDefinition = synthesizeReviewDefinition({ reviewTimeoutSeconds: 1, revisionTimeoutSeconds: 1 });
  twoSecondDefinition = synthesizeReviewDefinition({ reviewTimeoutSeconds: 2, revisionTimeoutSeconds: 2 });
});

async function expectSfnError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof SfnError && error.code === code);
}

/** The states the history shows entered, in order. */
async function enteredStates(engine: LocalStepFunctions, executionArn: string): Promise<string[]> {
  const { events } = await engine.getExecutionHistory(executionArn, { maxResults: 1000 });
  expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
  expect(events.filter((event) => event.type === 'ExecutionStarted')).toHaveLength(1);
  return events.flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []));
}

// every test has its own data directory, engines and functions: they run concurrently (most of them wait on timers)
describe.concurrent.each([
  { how: 'a restart (the first engine closed)', crash: false },
  { how: 'a crash (the first engine never stopped, just dropped)', crash: true },
])('after $how', ({ crash }) => {
  it('the waiting DirectorReview is invoked once more with the SAME token, which then continues the execution', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const { executionArn } = await first.startExecution('resume-director', INPUT);
    const waiting = await lambdas.nth(() => lambdas.reviews('director'), 1);
    if (crash) await sleep(20);
    else await first.close();

    const second = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const again = await lambdas.nth(() => lambdas.reviews('director'), 2);
    expect(again.payload).toEqual(waiting.payload); // the same token, reportId, version, stage
    expect((await second.describeExecution(executionArn)).status).toBe('RUNNING');

    await second.sendTaskSuccess(tokenOf(waiting), decision('approve'));
    const leader = await lambdas.nth(() => lambdas.reviews('leader'), 1);
    expect(tokenOf(leader)).not.toBe(tokenOf(waiting));
    await sleep(20);
    expect(lambdas.reviews('director')).toHaveLength(2);
    expect(await enteredStates(second, executionArn)).toEqual(['Route', 'Review', 'Route', 'Review']);
  });

  it('tasks that completed before it are not invoked again; the execution finishes once', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const { executionArn } = await first.startExecution('resume-later', INPUT);
    await first.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1)), decision('return'));
    await first.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.to(FN.requestRevision), 1)), resubmitted(2));
    await first.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 2)), decision('approve', 2));
    const leader = await lambdas.nth(() => lambdas.reviews('leader'), 1);
    if (crash) await sleep(20);
    else await first.close();
    const before = lambdas.calls.length; // 4

    const second = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const leaderAgain = await lambdas.nth(() => lambdas.reviews('leader'), 2);
    expect(tokenOf(leaderAgain)).toBe(tokenOf(leader));
    expect(lambdas.calls.slice(before).map((call) => call.functionName)).toEqual([FN.requestReview]);

    await second.sendTaskSuccess(tokenOf(leader), decision('approve', 2));
    expect(await second.settled(executionArn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(lambdas.reviews('director')).toHaveLength(2);
    expect(lambdas.to(FN.requestRevision)).toHaveLength(1);
    expect(lambdas.to(FN.publishReport).map((call) => call.payload)).toEqual([{ reportId: INPUT.reportId, version: 2 }]);
    expect(await enteredStates(second, executionArn)).toEqual([
      'Route',
      'Review',
      'Route',
      'OfficerRevision',
      'RevisionOutcome',
      'NewVersion',
      'Route',
      'Review',
      'Route',
      'Review',
      'Route',
      'Publish',
    ]);
  });
});

describe.concurrent('replay', () => {
  it('does not run finished executions again, and keeps their history', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const { executionArn } = await first.startExecution('finished', INPUT);
    await first.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1)), decision('approve'));
    await first.sendTaskSuccess(tokenOf(await lambdas.nth(() => lambdas.reviews('leader'), 1)), decision('approve'));
    await first.settled(executionArn);
    const history = await first.getExecutionHistory(executionArn, { maxResults: 1000 });
    await first.close();
    const calls = lambdas.calls.length;

    const second = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    await sleep(20);
    expect(lambdas.calls).toHaveLength(calls);
    expect(await second.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await second.getExecutionHistory(executionArn, { maxResults: 1000 })).toEqual(history);
    await expectSfnError(
      second.sendTaskSuccess(tokenOf(lambdas.reviews('leader')[0] ?? lambdas.calls[0]!), decision('approve')),
      'TaskTimedOut',
    );
  });

  it('replays a recorded Lambda failure through Retry without invoking it or waiting its interval', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    let failures = 1;
    const lambdas = new FakeLambdas().on(FN.requestReview, () => {
      if (failures-- > 0) throw new Error('mail is down');
      return {};
    });
    const first = fixture.engine({ definition, dataDir, invoke: lambdas.invoke, retryIntervalMs: 1 });
    const { executionArn } = await first.startExecution('replay-retry', INPUT);
    const waiting = await lambdas.nth(() => lambdas.reviews('director'), 2);
    await first.close();

    // no retryIntervalMs: a replayed retry that waited its IntervalSeconds (5 s) would not be back within 1 s
    const second = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const again = await lambdas.nth(() => lambdas.reviews('director'), 3, 1_000);
    expect(tokenOf(again)).toBe(tokenOf(waiting));
    await second.sendTaskSuccess(tokenOf(waiting), decision('approve'));
    await lambdas.nth(() => lambdas.reviews('leader'), 1);
    const { events } = await second.getExecutionHistory(executionArn, { maxResults: 1000 });
    expect(events.map((event) => event.type).filter((type) => type.startsWith('Task'))).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
    ]);
  });

  it('a timeout recorded before the restart replays into the reminder (Catch States.Timeout), whose token still works', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition: fastDefinition, dataDir, invoke: lambdas.invoke });
    const { executionArn } = await first.startExecution('replay-timeout', INPUT);
    const original = await lambdas.nth(() => lambdas.reviews('director'), 1);
    const reminder = await lambdas.nth(() => lambdas.reviews('director'), 2, 3_000);
    await first.close();

    const second = fixture.engine({ definition: fastDefinition, dataDir, invoke: lambdas.invoke });
    const again = await lambdas.nth(() => lambdas.reviews('director'), 3);
    expect(tokenOf(again)).toBe(tokenOf(reminder));
    await expectSfnError(second.sendTaskSuccess(tokenOf(original), decision('approve')), 'TaskTimedOut');
    await second.sendTaskSuccess(tokenOf(reminder), decision('approve'));
    await lambdas.nth(() => lambdas.reviews('leader'), 1);
    expect(await enteredStates(second, executionArn)).toEqual(['Route', 'Review', 'ReviewReminder', 'Review', 'Route', 'Review']);
  });

  it('a wait keeps its deadline across a restart: passed while down → the reminder at once, with a new token', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition: fastDefinition, dataDir, invoke: lambdas.invoke });
    await first.startExecution('deadline-passed', INPUT);
    const original = await lambdas.nth(() => lambdas.reviews('director'), 1);
    await first.close();
    await sleep(1_050);

    const restartedAt = Date.now();
    const second = fixture.engine({ definition: fastDefinition, dataDir, invoke: lambdas.invoke });
    const reminder = await lambdas.nth(() => lambdas.reviews('director'), 2, 3_000);
    expect(tokenOf(reminder)).not.toBe(tokenOf(original));
    // at once: neither the old token invoked again nor a clock restarted by the restart (a whole second more)
    expect(reminder.at - restartedAt).toBeLessThan(1_000);
    await expectSfnError(second.sendTaskSuccess(tokenOf(original), decision('approve')), 'TaskTimedOut');
  });

  it('a wait keeps its deadline across a restart: still open → the same token now, the reminder when the ORIGINAL deadline comes', async ({
    onTestFinished,
  }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition: twoSecondDefinition, dataDir, invoke: lambdas.invoke });
    await first.startExecution('deadline-kept', INPUT);
    const original = await lambdas.nth(() => lambdas.reviews('director'), 1);
    await first.close();
    await sleep(1_000);

    const restartedAt = Date.now();
    const second = fixture.engine({ definition: twoSecondDefinition, dataDir, invoke: lambdas.invoke });
    const resumed = await lambdas.nth(() => lambdas.reviews('director'), 2);
    expect(tokenOf(resumed)).toBe(tokenOf(original));
    const reminder = await lambdas.nth(() => lambdas.reviews('director'), 3, 4_000);
    expect(tokenOf(reminder)).not.toBe(tokenOf(original));
    // the original deadline (2 s after the first invocation), not a clock restarted by the restart (2 s after it)
    expect(reminder.at - original.at).toBeGreaterThanOrEqual(1_990);
    expect(reminder.at - restartedAt).toBeLessThan(2_000);
    await expectSfnError(second.sendTaskSuccess(tokenOf(original), decision('approve')), 'TaskTimedOut');
  });

  it('a stopped execution stays stopped', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const lambdas = new FakeLambdas();
    const first = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    const { executionArn } = await first.startExecution('stays-stopped', INPUT);
    const token = tokenOf(await lambdas.nth(() => lambdas.reviews('director'), 1));
    await first.stopExecution(executionArn, 'withdrawn');
    await first.close();

    const second = fixture.engine({ definition, dataDir, invoke: lambdas.invoke });
    await sleep(20);
    expect(lambdas.calls).toHaveLength(1);
    expect(await second.describeExecution(executionArn)).toMatchObject({ status: 'ABORTED', cause: 'withdrawn' });
    await expectSfnError(second.sendTaskSuccess(token, decision('approve')), 'TaskTimedOut');
    const { events } = await second.getExecutionHistory(executionArn);
    expect(events.at(-1)?.type).toBe('ExecutionAborted');
  });
});

describe.concurrent('files', () => {
  it('removes temporary files a killed process left, and sets aside a file that does not load', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    writeFileSync(join(dataDir, 'execution-x.json.123.4.tmp'), '{"format":1,"na');
    writeFileSync(join(dataDir, 'execution-broken.json'), '{ not json');
    const reports: string[] = [];
    const engine = fixture.engine({ definition, dataDir, invoke: new FakeLambdas().invoke, log: (message) => reports.push(message) });
    expect(readdirSync(dataDir).sort()).toEqual(['execution-broken.json.corrupt']);
    expect(reports).toHaveLength(1);
    expect((await engine.listExecutions()).executions).toEqual([]);
  });

  it('a SIGKILL at any moment leaves files that load, and every execution then finishes exactly once', async ({ onTestFinished }) => {
    const fixture = fixtureFor({ onTestFinished });
    const dataDir = fixture.dataDir();
    const definitionFile = join(fixture.dataDir(), 'definition.json');
    writeFileSync(definitionFile, JSON.stringify(definition));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./sfn-kill-child.ts', import.meta.url)), dataDir, definitionFile],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.once('exit', () => reject(new Error('the child exited before it was ready')));
    });
    await sleep(100 + Math.floor(Math.random() * 200));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const holder: { engine?: LocalStepFunctions } = {};
    const engine = fixture.engine({ definition, dataDir, invoke: selfAnsweringInvoke(() => holder.engine) });
    holder.engine = engine;
    expect(readdirSync(dataDir).filter((file) => !file.endsWith('.json'))).toEqual([]);

    const { executions } = await engine.listExecutions({ maxResults: 1000 });
    expect(executions.length).toBeGreaterThan(5);
    for (const execution of executions) {
      const done = await engine.settled(execution.executionArn);
      expect(done.status, execution.name).toBe('SUCCEEDED');
      expect(await enteredStates(engine, execution.executionArn), execution.name).toEqual([
        'Route',
        'Review',
        'Route',
        'Review',
        'Route',
        'Publish',
      ]);
      const { events } = await engine.getExecutionHistory(execution.executionArn, { maxResults: 1000 });
      expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    }
    expect(existsSync(dataDir)).toBe(true);
  }, 20_000);
});
