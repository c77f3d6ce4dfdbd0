import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_FUNCTIONS, LOCAL_STATE_MACHINE_ARN } from '#infra/local/definition.js';
import { LocalStepFunctions, type LocalStepFunctionsOptions } from '#infra/local/sfn-engine.js';
import { cursorAt, DEFAULT_CHAIN, returnCursor, stepIndex } from '#shared/workflow/review-chain.js';

/**
 * The local engine with fake task handlers: every invocation is recorded, and a test decides what each function
 * does (by default: returns `{}`; a `.waitForTaskToken` task then waits for its token to be answered).
 */

export const FN = LOCAL_FUNCTIONS;

export interface Call {
  readonly functionName: string;
  readonly payload: Record<string, unknown>;
  readonly at: number;
}

type Behaviour = (payload: Record<string, unknown>) => unknown;

export class FakeLambdas {
  readonly calls: Call[] = [];
  private readonly behaviours = new Map<string, Behaviour>();

  /** What `functionName` does from now on (throw to fail it like a Lambda function error). */
  on(functionName: string, behaviour: Behaviour): this {
    this.behaviours.set(functionName, behaviour);
    return this;
  }

  readonly invoke = async (functionName: string, payload: unknown): Promise<unknown> => {
    const call: Call = { functionName, payload: structuredClone(payload) as Record<string, unknown>, at: Date.now() };
    this.calls.push(call);
    const behaviour = this.behaviours.get(functionName);
    return behaviour ? behaviour(call.payload) : {};
  };

  to(functionName: string): Call[] {
    return this.calls.filter((call) => call.functionName === functionName);
  }

  /**
   * Review task invocations of one step (the requestReview function serves every step): by the default chain's step
   * id for the synthesized definition (its tasks send the step's index), or by the `stage` a hand-written one sends.
   */
  reviews(stage: string): Call[] {
    const index = stepIndex(DEFAULT_CHAIN, stage);
    return this.to(FN.requestReview).filter((call) => call.payload['stage'] === stage || (index >= 0 && call.payload['step'] === index));
  }

  /** The `count`-th call matching (1-based), once it has happened. */
  async nth(select: () => Call[], count: number, timeoutMs = 5_000): Promise<Call> {
    await until(() => select().length >= count, timeoutMs, `call #${count} did not happen`);
    const call = select()[count - 1];
    if (!call) throw new Error('unreachable');
    return call;
  }
}

export async function until(predicate: () => boolean, timeoutMs = 5_000, message = 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${message} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The review task whose token a test read last: `decision()` answers for its step (tests read a token, then answer it). */
let answering: Call | undefined;

export const tokenOf = (call: Call): string => {
  answering = call;
  const token = call.payload['taskToken'];
  if (typeof token !== 'string') throw new Error(`${call.functionName} was invoked without a task token`);
  return token;
};

/**
 * What a review task answers, as shared/workflow/task-answer.ts makes it: the cursor after the step of the review whose
 * token was read last, or of the task payload given (approve: the next step of the default chain, or publish; return: back to the officer), with a
 * decision's fields beside it. Any other outcome is one the workflow does not know.
 */
export function decision(
  outcome: string,
  version = 1,
  comment = '',
  answered: Record<string, unknown> | undefined = answering?.payload,
): string {
  const step = typeof answered?.['step'] === 'number' ? answered['step'] : 0;
  const cursor =
    outcome === 'approve'
      ? cursorAt(DEFAULT_CHAIN, step + 1, 'approve', () => [])
      : outcome === 'return'
        ? returnCursor(step, DEFAULT_CHAIN.steps[step]?.id ?? 'director')
        : { outcome, index: step, kind: outcome, stepId: 'unknown', cosigners: [] };
  return JSON.stringify({ ...cursor, comment, approver: 'someone@kw.example.cn', version, decidedAt: '2026-01-10T08:00:00.000Z' });
}

/** A round of the default chain, as submit-report starts it. */
export const INPUT = { reportId: 'daxing-kw-2020', version: 1, chain: DEFAULT_CHAIN, at: cursorAt(DEFAULT_CHAIN, 0, 'start', () => []) };

/** What the revision task answers once version `version` is in: back to the chain's first step. */
export const resubmitted = (version: number): string =>
  JSON.stringify({ outcome: 'resubmitted', version, at: cursorAt(DEFAULT_CHAIN, 0, 'resubmitted', () => []) });

/** Temporary data directories and engines, cleaned up by `dispose()` (afterEach, or `fixtureFor` a test). */
export class EngineFixture {
  private readonly dirs: string[] = [];
  private readonly engines: LocalStepFunctions[] = [];

  dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'nianbao-sfn-'));
    this.dirs.push(dir);
    return dir;
  }

  engine(options: Omit<LocalStepFunctionsOptions, 'stateMachineArn' | 'dataDir'> & { dataDir?: string }): LocalStepFunctions {
    const engine = new LocalStepFunctions({
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      dataDir: options.dataDir ?? this.dataDir(),
      ...options,
    });
    this.engines.push(engine);
    return engine;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.engines.splice(0).map((engine) => engine.close()));
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A fixture of its own for one test (concurrent tests cannot share an afterEach), disposed when it finishes. */
export function fixtureFor(context: { onTestFinished: (handler: () => Promise<void>) => void }): EngineFixture {
  const fixture = new EngineFixture();
  context.onTestFinished(() => fixture.dispose());
  return fixture;
}
