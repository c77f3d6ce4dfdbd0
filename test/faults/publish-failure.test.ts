import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_AGENCY } from '#shared/runtime/demo-roster.js';
import type { ReportEvent } from '#shared/workflow/model.js';
import { main } from '../../cli/nianbao.js';
import { LocalFaults } from '../../infra/local/faults.js';
import { LOCAL_STATE_MACHINE_ARN } from '../../infra/local/definition.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import { referenceReport } from '../support/report-builders.js';
import { isPublished, outboxHttp, reviewLinkOf, send, until, type Caller, type ReviewLink } from './support/client.js';
import { logProblems, type History } from './support/invariants.js';
import { openSession } from './support/people.js';

/**
 * The site bucket fails while a signed report is published: the Publish task is retried (each attempt counted at the
 * Site port by the fault hook), then the execution FAILS at Publish and its status change records `publish_failed`
 * (the EventBridge rule in AWS, the engine's status change locally). With the bucket back, the execution is redriven
 * (RedriveExecution on the local Step Functions endpoint, as `aws stepfunctions redrive-execution` would in AWS),
 * under AWS's rule: it "continues the failed execution from the unsuccessful step", which is Publish, and the report
 * is published exactly once. A second variant stops the stack while the redriven Publish is writing, and the next
 * start finishes it. A third lets a round time out (TIMED_OUT) while the director's review waits: the redrive reruns
 * that review task and the director's emailed link decides it.
 */

const REPORT_ID = 'daxing-kw-2020';
const EXECUTION = `${REPORT_ID}-r1`;
const EXECUTION_ARN = `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${EXECUTION}`;
const PAGE_KEY = `reports/${DEMO_AGENCY.id}/2020/index.html`;
/** the first object each Publish attempt writes (the PDF, rendered and written before the page) */
const FIRST_KEY = `reports/${DEMO_AGENCY.id}/2020/report.pdf`;

const dirs: string[] = [];
const stacks: LocalStack[] = [];
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function start(dataDir: string, faults: LocalFaults, executionTimeoutSeconds?: number): Promise<LocalStack> {
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    retryIntervalMs: 50,
    faults,
    ...(executionTimeoutSeconds === undefined ? {} : { executionTimeoutSeconds }),
  });
  stacks.push(stack);
  return stack;
}

async function stop(stack: LocalStack): Promise<void> {
  stacks.splice(stacks.indexOf(stack), 1);
  await stack.stop();
}

interface People {
  officer: Caller;
  director: Caller;
  leader: Caller;
  auditor: Caller;
}

async function people(stack: LocalStack): Promise<People> {
  const open = (email: string) => openSession(stack.deps.store, email);
  return {
    officer: await open('officer@kw.example.cn'),
    director: await open('director@kw.example.cn'),
    leader: await open('leader@kw.example.cn'),
    auditor: await open('auditor@audit.example.cn'),
  };
}

async function reviewLinkTo(stack: LocalStack, to: string): Promise<ReviewLink> {
  return until(`a review email to ${to}`, async () => {
    const entry = (await outboxHttp(stack.url)).find((candidate) => candidate.to === to && /请(审核|会签|签发)：/.test(candidate.subject));
    return entry && reviewLinkOf(entry);
  });
}

async function decide(stack: LocalStack, who: Caller, link: ReviewLink): Promise<void> {
  const reply = await send(stack.url, who, 'POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
    json: { sig: link.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
  });
  expect(reply.status, reply.text).toBe(200);
}

/** Submitted, approved by the director, and the leader's approval posted while the bucket fails. */
async function signWhileTheBucketFails(stack: LocalStack, faults: LocalFaults, who: People): Promise<void> {
  expect((await send(stack.url, who.officer, 'POST', '/api/reports', { json: { report: referenceReport() } })).status).toBe(201);
  await decide(stack, who.director, await reviewLinkTo(stack, 'director@kw.example.cn'));
  const leaderLink = await reviewLinkTo(stack, 'leader@kw.example.cn');
  faults.set({ site: { fail: true } });
  await decide(stack, who.leader, leaderLink);
  await until('the execution to fail', async () => (await stack.deps.workflow.describe(EXECUTION))?.status === 'FAILED');
}

async function history(stack: LocalStack, auditor: Caller): Promise<History> {
  const reply = await send(stack.url, auditor, 'GET', `/api/reports/${REPORT_ID}/history`);
  expect(reply.status).toBe(200);
  return reply.body as History;
}

const sfnClient = (stack: LocalStack) =>
  new SFNClient({ endpoint: stack.sfnEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const types = (events: readonly ReportEvent[]) => events.map((event) => event.type);

describe('the site bucket failing at publish', () => {
  it('retries Publish, fails the execution at Publish, records publish_failed from the status change; a redrive reruns Publish and publishes once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nianbao-faults-publish-'));
    dirs.push(dataDir);
    const faults = new LocalFaults();
    const stack = await start(dataDir, faults);
    const who = await people(stack);
    await signWhileTheBucketFails(stack, faults, who);

    // ---- failed: five attempts (the first and Retry's four), the failure in the log, nothing on the site
    const attempts = faults.sitePuts(FIRST_KEY);
    expect(attempts).toBe(5);
    expect(faults.sitePuts(PAGE_KEY)).toBe(0);
    const failed = await until('publish_failed in the log', async () => {
      const read = await history(stack, who.auditor);
      return read.events.at(-1)?.type === 'publish_failed' ? read : undefined;
    });
    expect(types(failed.events)).toEqual(['submitted', 'review_requested', 'decided', 'review_requested', 'decided', 'publish_failed']);
    expect(failed.events.at(-1)?.data).toMatchObject({ error: 'ServiceUnavailable' });
    expect(failed.chain.valid).toBe(true);
    expect(((await send(stack.url, who.officer, 'GET', `/api/reports/${REPORT_ID}`)).body as { status: string }).status).toBe(
      'publish_failed',
    );
    expect((await send(stack.url, undefined, 'GET', `/site/${PAGE_KEY}`)).status).toBe(404);
    expect((await outboxHttp(stack.url)).filter(isPublished)).toEqual([]);
    const sfn = sfnClient(stack);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: EXECUTION_ARN }));
    // failed AT Publish, with Publish's own error: no Catch into a Fail state, which a redrive would only enter again
    expect(described).toMatchObject({ status: 'FAILED', error: 'ServiceUnavailable', redriveCount: 0, redriveStatus: 'REDRIVABLE' });

    // ---- the bucket is back: redrive
    faults.set({});
    await sfn.send(new RedriveExecutionCommand({ executionArn: EXECUTION_ARN }));
    await until('the redriven execution to succeed', async () => (await stack.deps.workflow.describe(EXECUTION))?.status === 'SUCCEEDED');
    const published = await history(stack, who.auditor);
    expect(types(published.events)).toEqual([
      'submitted',
      'review_requested',
      'decided',
      'review_requested',
      'decided',
      'publish_failed',
      'published',
    ]);
    expect(logProblems(REPORT_ID, published)).toEqual([]);
    expect(published.events.slice(0, failed.events.length)).toEqual(failed.events);
    expect(((await send(stack.url, who.officer, 'GET', `/api/reports/${REPORT_ID}`)).body as { status: string }).status).toBe('published');
    expect((await send(stack.url, undefined, 'GET', `/site/${PAGE_KEY}`)).status).toBe(200);
    expect((await outboxHttp(stack.url)).filter(isPublished).map((entry) => entry.to)).toEqual(['officer@kw.example.cn']);
    expect(faults.sitePuts(FIRST_KEY)).toBe(attempts + 1);
    expect(faults.sitePuts(PAGE_KEY)).toBe(1);

    // ---- the execution's own history: failed, redriven once, continued from Publish (the states before it not run again);
    // the status change of the redriven execution (SUCCEEDED) records nothing more
    const after = await sfn.send(new DescribeExecutionCommand({ executionArn: EXECUTION_ARN }));
    expect(after).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: EXECUTION_ARN, maxResults: 1000 }))).events ?? [];
    const kinds = events.map((event) => event.type ?? '');
    const redriven = kinds.indexOf('ExecutionRedriven');
    expect(kinds.indexOf('ExecutionFailed')).toBe(redriven - 1);
    expect(kinds.at(-1)).toBe('ExecutionSucceeded');
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
    const enteredAfter = events
      .slice(redriven)
      .flatMap((event) => (event.stateEnteredEventDetails?.name === undefined ? [] : [event.stateEnteredEventDetails.name]));
    expect(enteredAfter).toEqual(['Publish']);
    expect(events.slice(redriven).filter((event) => event.type === 'TaskScheduled')).toHaveLength(1);
    console.info(
      `[faults] publish-failure: ${attempts} Publish attempts failed → publish_failed, execution FAILED; redrive → 1 more attempt → published; SFN history ${events.length} events, ExecutionRedriven at #${redriven + 1}`,
    );

    // a SUCCEEDED execution is not redriven again
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn: EXECUTION_ARN }))).rejects.toBeInstanceOf(ExecutionNotRedrivable);
    await stop(stack);
  }, 120_000);

  it('finishes a redriven Publish that a restart interrupted', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nianbao-faults-redrive-restart-'));
    dirs.push(dataDir);
    const faults = new LocalFaults();
    const first = await start(dataDir, faults);
    const who = await people(first);
    await signWhileTheBucketFails(first, faults, who);
    const failedAttempts = faults.sitePuts(FIRST_KEY);

    // the redriven Publish is slow; the stack stops while it writes
    faults.set({ site: { delayMs: 2000 } });
    await sfnClient(first).send(new RedriveExecutionCommand({ executionArn: EXECUTION_ARN }));
    await until('the redriven Publish to start writing', async () => faults.sitePuts(FIRST_KEY) > failedAttempts, 20_000, 20);
    await stop(first);

    const again = new LocalFaults();
    const second = await start(dataDir, again);
    await until(
      'the resumed execution to succeed',
      async () => (await second.deps.workflow.describe(EXECUTION))?.status === 'SUCCEEDED',
      60_000,
    );
    const published = await history(second, who.auditor);
    expect(types(published.events).slice(-2)).toEqual(['publish_failed', 'published']);
    expect(logProblems(REPORT_ID, published)).toEqual([]);
    expect(again.sitePuts(PAGE_KEY)).toBe(1);
    const events =
      (await sfnClient(second).send(new GetExecutionHistoryCommand({ executionArn: EXECUTION_ARN, maxResults: 1000 }))).events ?? [];
    expect(events.filter((event) => event.type === 'ExecutionRedriven')).toHaveLength(1);
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect((await outboxHttp(second.url)).filter(isPublished)).toHaveLength(1);
  }, 120_000);
});

describe('a round that times out', () => {
  it("ends TIMED_OUT while the director's review waits, is recorded as workflow_failed; a redrive reruns that review task", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nianbao-faults-timed-out-'));
    dirs.push(dataDir);
    // the execution's own TimeoutSeconds (AWS's is a year at most): short, so the round times out while it waits
    const stack = await start(dataDir, new LocalFaults(), 6);
    const who = await people(stack);
    expect((await send(stack.url, who.officer, 'POST', '/api/reports', { json: { report: referenceReport() } })).status).toBe(201);
    const directorLink = await reviewLinkTo(stack, 'director@kw.example.cn');
    await until('the execution to time out', async () => (await stack.deps.workflow.describe(EXECUTION))?.status === 'TIMED_OUT', 20_000);
    const timedOut = await until('workflow_failed in the log', async () => {
      const read = await history(stack, who.auditor);
      return read.events.at(-1)?.type === 'workflow_failed' ? read : undefined;
    });
    expect(types(timedOut.events)).toEqual(['submitted', 'review_requested', 'workflow_failed']);
    expect(timedOut.events.at(-1)?.data).toMatchObject({
      executionName: EXECUTION,
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      redriveCount: 0,
    });
    const sfn = sfnClient(stack);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: EXECUTION_ARN }))).toMatchObject({
      status: 'TIMED_OUT',
      redriveStatus: 'REDRIVABLE',
    });

    // the redrive reruns the task that timed out (the Review task), with the execution's timeout counted afresh
    await sfn.send(new RedriveExecutionCommand({ executionArn: EXECUTION_ARN }));
    await until('the review task invoked again', async () => {
      const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: EXECUTION_ARN, maxResults: 1000 }))).events ?? [];
      const redriven = events.findIndex((event) => event.type === 'ExecutionRedriven');
      return redriven >= 0 && events.slice(redriven).some((event) => event.type === 'TaskScheduled');
    });
    const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: EXECUTION_ARN, maxResults: 1000 }))).events ?? [];
    const redriven = events.findIndex((event) => event.type === 'ExecutionRedriven');
    expect(events[redriven - 1]?.type).toBe('ExecutionTimedOut');
    expect(events[redriven + 1]).toMatchObject({ type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Review' } });

    // the link emailed before the timeout decides the rerun task, and the round goes on to the leader
    await decide(stack, who.director, directorLink);
    await reviewLinkTo(stack, 'leader@kw.example.cn');
    const after = await history(stack, who.auditor);
    expect(types(after.events).filter((type) => type === 'decided')).toHaveLength(1);
    expect(after.events.filter((event) => event.type === 'workflow_failed')).toHaveLength(1);
    expect(logProblems(REPORT_ID, after)).toEqual([]);
    await stop(stack);
  }, 120_000);

  it('a closed round is restarted deliberately by the operator command: a new round in the log, a new execution', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nianbao-faults-restart-round-'));
    dirs.push(dataDir);
    const stack = await start(dataDir, new LocalFaults(), 6);
    const who = await people(stack);
    const submit = () => send(stack.url, who.officer, 'POST', '/api/reports', { json: { report: referenceReport() } });
    expect((await submit()).status).toBe(201);
    await reviewLinkTo(stack, 'director@kw.example.cn');
    const operator = (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
      return main(argv, io, () => stack.deps).then((code) => ({ code, out: out.join(''), err: err.join('') }));
    };

    // while the round runs, the command refuses
    expect(await operator(['restart-round', REPORT_ID])).toMatchObject({ code: 1, err: expect.stringContaining('ROUND_RUNNING') });
    await until('the round to time out', async () => (await stack.deps.workflow.describe(EXECUTION))?.status === 'TIMED_OUT', 20_000);
    await until('workflow_failed in the log', async () => (await history(stack, who.auditor)).events.at(-1)?.type === 'workflow_failed');
    // the officer sending the same report again does not quietly count as the round that ended
    const again = await submit();
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'REPORT_EXISTS' } });

    const restarted = await operator(['restart-round', REPORT_ID]);
    expect(restarted).toMatchObject({ code: 0, out: `已开始第 2 轮审核：${REPORT_ID}-r2（第 1 版）\n` });
    const log = await history(stack, who.auditor);
    expect(types(log.events)).toEqual(['submitted', 'review_requested', 'workflow_failed', 'submitted']);
    expect(log.events.at(-1)).toMatchObject({
      actor: { role: 'system' },
      version: 1,
      data: { round: 2, executionName: `${REPORT_ID}-r2`, restartedFrom: EXECUTION },
    });
    expect(logProblems(REPORT_ID, log)).toEqual([]);
    expect((await stack.deps.workflow.describe(`${REPORT_ID}-r2`))?.status).toBe('RUNNING');
    expect((await stack.deps.workflow.describe(EXECUTION))?.status).toBe('TIMED_OUT');
    // round 2 asks the director again, for the same version: the same review, a new token (a reminder of it)
    await until('the director asked again in round 2', async () => {
      const events = (await history(stack, who.auditor)).events;
      return events.slice(4).some((event) => event.type === 'review_requested' || event.type === 'reminder_sent');
    });
    await stop(stack);
  }, 120_000);
});
