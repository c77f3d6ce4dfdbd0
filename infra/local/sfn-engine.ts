import './promise-with-resolvers.js';
import { createHash, randomUUID } from 'node:crypto';
import { ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';
import { SfnError } from './sfn-errors.js';
import {
  ANY_SIGNATURE,
  appendHistory,
  appendTerminalEvent,
  currentTaskEntry,
  isTaskTokenFormat,
  newHistoryState,
  newTaskToken,
  parentScopeKey,
  redactTokens,
  scopeHistory,
  signatureOf,
  TOKEN_REDACTED,
  type HistoryContext,
  type HistoryEvent,
  type HistoryState,
  type LibraryEvent,
  type TaskResourceInfo,
} from './sfn-history.js';
import {
  currentScope,
  installScopes,
  isAborted,
  ITERATION_ABORTED,
  registerContainers,
  runInScope,
  type NestedRunInfo,
  type Scope,
} from './sfn-scopes.js';
import { ExecutionFiles, type ExecutionRecord, type ExecutionStatus, type JournalEntry } from './sfn-store.js';

/**
 * Step Functions on one machine: runs the definition CDK synthesizes with aws-local-stepfunctions (Task, Choice, Pass,
 * Wait, Succeed, Fail, inline Map and Parallel), invokes the handler modules for its Lambda tasks (through `invoke`),
 * emulates `.waitForTaskToken` with a fresh task token per invocation, and keeps every execution on disk so a restart
 * resumes them.
 *
 * Tokens. The library's Context Object has no `$$.Task.Token`; every run is given `{ Task: { Token: placeholder } }`
 * so the synthesized `"taskToken.$": "$$.Task.Token"` resolves to the placeholder, and each invocation of a task
 * (each retry, each reminder after a timeout, each Map iteration) replaces it in the payload with a new random token.
 *
 * Journal and replay. Each task invocation is an entry of the execution's journal, written to disk (with its
 * token) before the Lambda is invoked and again when the task is answered. Entries belong to a scope: the execution
 * itself, or one Map iteration or Parallel branch (sfn-scopes.ts); within a scope, states run one at a time, so its
 * entries are in the order its tasks were invoked. A restarted engine resumes every RUNNING execution by running the
 * state machine again from its input and answering the n-th task invocation of each scope from that scope's n-th
 * entry, without invoking anything: a recorded output is returned, a recorded error thrown under its name (so Retry
 * and Catch take the same path), a wait that timed out times out again at once, a wait whose iteration was aborted
 * waits until the replay aborts it again. An entry that was still waiting keeps its token: it is invoked once more
 * with that same token (the handlers are idempotent on a repeated token: the review already exists, no second email)
 * and waits again, so links already emailed keep working; concurrent iterations each keep theirs. Executions that had
 * finished are not run again.
 *
 * Timeouts. TimeoutSeconds is the library's own timer, so a timeout is the library's States.Timeout, which Retry
 * `States.TaskFailed` does not match (as in AWS). A wait resumed after a restart keeps its original deadline: the
 * engine times it out itself when the deadline comes, with an instance of that same library class (see
 * `StatesTimeoutError` below), or at once if the deadline passed while the engine was down, which sends the
 * reminder. TimeoutSeconds above 2147483 (Node's timer limit, 2^31-1 ms; longer delays fire after 1 ms) are capped
 * to it; no other value of the definition is touched. Tasks without TimeoutSeconds time out after the library's
 * default of 60 s (AWS: a year for callbacks; Lambda's own timeout for plain invocations).
 *
 * Retries. The library honours IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds (a cap on each wait) and
 * JitterStrategy FULL (a random wait up to the computed one); `retryIntervalMs` replaces the computed wait in tests.
 */

export const MAX_TIMER_SECONDS = 2147483;
const LIBRARY_DEFAULT_TASK_TIMEOUT_SECONDS = 60;
const TOKEN_PLACEHOLDER = '<local engine: $$.Task.Token>';
const LOCAL_ROLE_ARN = 'arn:aws:iam::000000000000:role/nianbao-local-step-functions';
const TIMED_OUT = { name: 'States.Timeout', cause: 'States.Timeout' } as const;
/** where the token of an invocation a redrive forgot points */
const RETIRED = -1;

// ------------------------------------------------------------------------------------------------ library helpers

type LibraryRun = ReturnType<StateMachine['run']>;
type LibraryInput = Parameters<StateMachine['run']>[0];

/**
 * The library's States.Timeout error class. It is not exported, and only an instance of it is a timeout to the
 * library's Retry/Catch matching (`States.TaskFailed` excludes it by `instanceof`), so it is taken from a real
 * timeout, once, when this module loads: a one-task machine with a 1 ms timeout (validation off: TimeoutSeconds
 * below 1 is not valid ASL, but it is what makes the library's own timer fire at once).
 */
installScopes();
const StatesTimeoutError: new () => Error = await captureStatesTimeoutError();

async function captureStatesTimeoutError(): Promise<new () => Error> {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: {
        Probe: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe', TimeoutSeconds: 0.001, End: true },
      },
    },
    { validationOptions: { noValidate: true } },
  );
  const run = probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise<never>(() => undefined) } } });
  try {
    await run.result;
  } catch (error) {
    const cause: unknown = error instanceof ExecutionError ? error.cause : undefined;
    if (cause instanceof Error && cause.name === 'States.Timeout') return cause.constructor as new () => Error;
  }
  throw new Error('aws-local-stepfunctions no longer fails a timed-out task with States.Timeout as the local engine expects');
}

/** A task's failure: `name` is the Step Functions error Retry and Catch match, the message its Cause. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** Unwinds a run the engine is ending (StopExecution, shutdown) or cannot continue: no Retry or Catch applies. */
class EngineHalt extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

/** A Lambda function error, as Step Functions reports it: the error's name, a JSON Cause. */
function lambdaFailure(error: unknown): { name: string; cause: string } {
  const name = error instanceof Error && error.name !== '' ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { name, cause: JSON.stringify({ errorType: name, errorMessage: message }) };
}

const toJson = (value: unknown): unknown => (value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown));

/** The value with every string equal to the placeholder replaced (the payload's `taskToken`). */
function withToken(value: unknown, token: string): unknown {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => withToken(item, token));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, token)]));
  }
  return value;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An execution that ends leaves no task waiting: their tokens answer TaskTimedOut from now on. */
function closeOpenWaits(record: ExecutionRecord, at: number, error: { name: string; cause: string }): void {
  for (const entry of record.journal) {
    if (entry.status !== 'waiting') continue;
    entry.status = 'superseded';
    entry.endedAt = at;
    entry.error = error;
  }
}

const scopeOf = (entry: JournalEntry): string => entry.scope ?? '';

const DAY_MS = 24 * 3600 * 1000;
/** AWS: an execution can be redriven for 14 days after it closed ("redrivable period") … */
export const REDRIVABLE_PERIOD_MS = 14 * DAY_MS;
/** … while it has been open for no more than a year ("maximum open time") … */
export const MAX_OPEN_TIME_MS = 365 * DAY_MS;
/** … and while its history holds fewer than 25,000 events. */
export const MAX_HISTORY_EVENTS = 25_000;

/** Whether RedriveExecution would accept the execution at `now`, and why not (DescribeExecution's reasons, verbatim). */
function redriveStatus(
  record: ExecutionRecord,
  now: number,
): { redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE'; redriveStatusReason?: string } {
  const no = (reason: string) => ({ redriveStatus: 'NOT_REDRIVABLE' as const, redriveStatusReason: reason });
  if (record.status === 'RUNNING' || record.status === 'SUCCEEDED') return no(`Execution is ${record.status} and cannot be redriven`);
  if (now - (record.stopDate ?? now) > REDRIVABLE_PERIOD_MS) return no('Execution redrivable period exceeded');
  if (now - record.startDate > MAX_OPEN_TIME_MS) return no('Execution has exceeded the max execution time');
  if (record.history.length >= MAX_HISTORY_EVENTS) return no('Execution history event limit exceeded');
  return { redriveStatus: 'REDRIVABLE' };
}

const SUCCEEDED_NESTED = new Set(['MapIterationSucceeded', 'ParallelBranchSucceeded']);

/**
 * Where a redrive continues, per scope, as a position in the scope's signatures: AWS "continues the failed execution
 * from the unsuccessful step" and "doesn't rerun" the successful ones. The unsuccessful step of the execution is the
 * state it was in when it failed, timed out or was stopped: the last state it entered (a Task whose retries ran out, a
 * Fail state, which then fails again, a Map or Parallel). Of a Map or Parallel rerun, AWS "redrives only the
 * iterations and branches that failed or aborted", each from its own unsuccessful step; the ones that succeeded keep
 * their results. Everything from that point on is forgotten and runs again, so a Task there starts a fresh Retry
 * budget and gets new tokens.
 */
function redrivePlan(state: HistoryState): Map<string, number> {
  const plan = new Map<string, number>();
  const keys = Object.keys(state.scopes);
  const visit = (key: string) => {
    const scope = state.scopes[key];
    if (!scope) return;
    if (key !== '' && SUCCEEDED_NESTED.has(scope.signatures.at(-1) ?? '')) return;
    let point = -1;
    scope.signatures.forEach((signature, i) => {
      if (signature.startsWith('StateEntered:')) point = i;
    });
    // nothing entered yet: all but the start is run again
    if (point < 0) point = Math.min(1, scope.signatures.length);
    plan.set(key, point);
    for (const child of keys) {
      if (child !== key && child !== '' && parentScopeKey(child) === key && (state.scopes[child]?.parentMark ?? 0) > point) visit(child);
    }
  };
  visit('');
  return plan;
}

// ------------------------------------------------------------------------------------------------------ definition

interface TaskInfo extends TaskResourceInfo {
  /** `arn:aws:states:::lambda:invoke[.waitForTaskToken]` (FunctionName + Payload), or a function ARN as Resource */
  readonly kind: 'integration' | 'function';
  readonly waitForToken: boolean;
  readonly functionName?: string | undefined;
  /** the library's timer for this task, ms; undefined when it comes from TimeoutSecondsPath */
  readonly timeoutMs?: number | undefined;
}

interface PreparedDefinition {
  readonly machine: StateMachine;
  readonly runnable: Record<string, unknown>;
  readonly tasks: ReadonlyMap<string, TaskInfo>;
  /** every state of the definition, nested ones included, by name */
  readonly states: ReadonlyMap<string, Record<string, unknown>>;
}

const INTEGRATION = /^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)(:[^:]+)?$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `name`, `name:alias`, `123456789012:function:name` or a function ARN → the function's name. */
export function functionNameOf(functionName: string): string {
  const afterFunction = functionName.includes(':function:')
    ? functionName.slice(functionName.indexOf(':function:') + ':function:'.length)
    : functionName;
  return afterFunction.split(':')[0] ?? afterFunction;
}

/** The state machines inside a state: a Map's ItemProcessor (or Iterator), a Parallel's Branches. */
function nestedMachines(name: string, state: Record<string, unknown>): Record<string, unknown>[] {
  if (state['Type'] === 'Map') {
    const processor = state['ItemProcessor'] ?? state['Iterator'];
    const config = isObject(processor) ? processor['ProcessorConfig'] : undefined;
    if (state['ItemReader'] !== undefined || (isObject(config) && config['Mode'] === 'DISTRIBUTED')) {
      throw new Error(`the local engine runs inline Map states only; ${name} is a Distributed Map`);
    }
    if (!isObject(processor)) throw new Error(`${name}: a Map state needs an ItemProcessor`);
    return [processor];
  }
  if (state['Type'] === 'Parallel') return Array.isArray(state['Branches']) ? state['Branches'].filter(isObject) : [];
  return [];
}

/** Every state of a machine and of the machines nested in it. */
function forEachState(machine: Record<string, unknown>, visit: (name: string, state: Record<string, unknown>) => void): void {
  const states = machine['States'];
  if (!isObject(states)) throw new Error('a state machine without States');
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    visit(name, state);
    for (const nested of nestedMachines(name, state)) forEachState(nested, visit);
  }
}

/** Caps TimeoutSeconds that Node's timer cannot hold; touches nothing else. */
export function capTimeouts(definition: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(definition);
  const cap = (holder: Record<string, unknown>) => {
    const value = holder['TimeoutSeconds'];
    if (typeof value === 'number' && value > MAX_TIMER_SECONDS) holder['TimeoutSeconds'] = MAX_TIMER_SECONDS;
  };
  cap(copy);
  forEachState(copy, (_name, state) => cap(state));
  return copy;
}

/** Validated StateMachines by definition: asl-validator takes about a second per definition, so once per process. */
const machines = new Map<string, StateMachine>();

function taskInfo(name: string, state: Record<string, unknown>): TaskInfo {
  const resource = String(state['Resource']);
  const seconds = typeof state['TimeoutSeconds'] === 'number' && state['TimeoutSeconds'] > 0 ? state['TimeoutSeconds'] : undefined;
  const timeoutSeconds = seconds ?? (state['TimeoutSecondsPath'] === undefined ? LIBRARY_DEFAULT_TASK_TIMEOUT_SECONDS : undefined);
  const timing = {
    ...(seconds === undefined ? {} : { timeoutSeconds: seconds }),
    ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 }),
  };
  const integration = INTEGRATION.exec(resource);
  const fn = FUNCTION_ARN.exec(resource);
  if (integration) {
    const waitForToken = integration[1] !== undefined;
    return {
      kind: 'integration',
      waitForToken,
      resourceType: 'lambda',
      resource: waitForToken ? 'invoke.waitForTaskToken' : 'invoke',
      ...timing,
    };
  }
  if (fn) return { kind: 'function', waitForToken: false, functionName: fn[1], resourceType: 'lambda', resource, ...timing };
  throw new Error(`the local engine runs Lambda tasks only; ${name} has Resource ${resource}`);
}

function prepare(definition: Record<string, unknown>): PreparedDefinition {
  const runnable = capTimeouts(definition);
  const tasks = new Map<string, TaskInfo>();
  const states = new Map<string, Record<string, unknown>>();
  forEachState(runnable, (name, state) => {
    // the library finds a task's override by the state's name, whatever branch or iteration it is in
    if (states.has(name)) throw new Error(`the local engine needs state names unique across the definition; ${name} appears twice`);
    states.set(name, state);
    if (state['Type'] === 'Task') tasks.set(name, taskInfo(name, state));
  });
  const key = sha256(JSON.stringify(runnable));
  let machine = machines.get(key);
  if (!machine) {
    // a copy: the library writes into the definition it is given (QueryLanguage on every state)
    const copy = structuredClone(runnable);
    machine = new StateMachine(copy as unknown as StateMachineDefinition);
    registerContainers(copy);
    machines.set(key, machine);
  }
  return { machine, runnable, tasks, states };
}

/** How many items a Map state entered with `input` iterates over: its InputPath, then its ItemsPath. */
function mapLength(state: Record<string, unknown> | undefined, input: unknown): number | undefined {
  if (!state) return undefined;
  const select = (path: unknown, json: unknown): unknown => {
    if (path === undefined) return json;
    if (path === null) return {};
    if (typeof path !== 'string' || !path.startsWith('$') || path.startsWith('$$')) throw new Error('not a path into the input');
    return JSONPath({ path, json: json as object, wrap: false });
  };
  try {
    const items = select(state['ItemsPath'], select(state['InputPath'], input));
    return Array.isArray(items) ? items.length : undefined;
  } catch {
    return undefined;
  }
}

// ----------------------------------------------------------------------------------------------------- the engine

export interface LocalStepFunctionsOptions {
  /** the definition to run (from synthesizeReviewDefinition) */
  readonly definition: Record<string, unknown>;
  readonly stateMachineArn: string;
  /** one JSON file per execution; created if missing; existing RUNNING executions are resumed */
  readonly dataDir: string;
  /** runs the handler module of that function with that payload (a Lambda invocation); a throw is a function error */
  readonly invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  /** every Retry waits this long instead of its IntervalSeconds/BackoffRate (tests) */
  readonly retryIntervalMs?: number;
  /** where the engine reports what it could not do (a corrupt file, a replay that diverged); default console.warn */
  readonly log?: (message: string) => void;
  /** the clock the redrive rules read (the 14-day window, the year of open time); default Date.now */
  readonly now?: () => number;
  /**
   * Receives the "Step Functions Execution Status Change" event EventBridge would deliver when an execution closes
   * (SUCCEEDED, FAILED, TIMED_OUT, ABORTED), after the execution is saved; a throw is reported, not retried.
   */
  readonly onStatusChange?: (event: ExecutionStatusChangeEvent) => Promise<unknown> | unknown;
}

/** What EventBridge delivers for an execution's status change (source aws.states); dates in epoch milliseconds. */
export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatus;
    startDate: number;
    stopDate: number | null;
    input: string;
    output: string | null;
    error: string | null;
    cause: string | null;
    redriveCount: number;
  };
}

export interface StartExecutionResult {
  executionArn: string;
  startDate: Date;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: Date;
  redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  redriveStatusReason?: string;
}

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
}

export type ExecutionHistoryEvent = Omit<HistoryEvent, 'timestamp'> & { timestamp: Date };

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** One scope's task invocations (see sfn-scopes.ts). */
interface ScopeJournal {
  readonly entries: JournalEntry[];
  /** the next entry a task invocation of this scope answers to */
  cursor: number;
  /** how many entries the scope had when the run (re)started: below it, invocations are replayed */
  readonly replayLength: number;
}

/** How far the history has read one scope's events, and the nested runs its Map or Parallel state has open. */
interface ScopePosition {
  seen: number;
  diverged: boolean;
  /** the Map or Parallel state the scope is in, once its start is in the history */
  openContainer?: string | undefined;
  /** nested runs whose events are being read: the container's end waits for them */
  readonly active: Set<Promise<void>>;
  /** nested runs started before their container's start was read: they wait for it */
  readonly gated: Array<{ container: string; release: () => void; done: Promise<void> }>;
}

const CONTAINER_TYPES = new Set(['Map', 'Parallel']);

/** A nested run's own start and end, as the execution's history names them. */
function nestedEvent(raw: unknown, info: NestedRunInfo): unknown {
  if (!isObject(raw) || typeof raw['type'] !== 'string') return raw;
  const parentState = { type: info.type, name: info.container };
  const map = info.type === 'Map';
  switch (raw['type']) {
    case 'ExecutionStarted':
      return { ...raw, type: map ? 'MapIterationStarted' : 'ParallelBranchStarted', index: info.index, parentState };
    case 'ExecutionSucceeded':
      return { ...raw, type: map ? 'MapIterationSucceeded' : 'ParallelBranchSucceeded', index: info.index, parentState };
    case 'ExecutionFailed':
      return { ...raw, type: map ? 'MapIterationFailed' : 'ParallelBranchFailed', index: info.index, parentState };
    case 'ExecutionAborted':
      return { ...raw, type: ITERATION_ABORTED };
    default:
      return raw;
  }
}

interface Run {
  readonly record: ExecutionRecord;
  readonly tasks: ReadonlyMap<string, TaskInfo>;
  readonly states: ReadonlyMap<string, Record<string, unknown>>;
  readonly journals: Map<string, ScopeJournal>;
  /** per scope: how far the history has read its events (skipping what a replay repeats) */
  readonly positions: Map<string, ScopePosition>;
  /** the nested runs whose events are still being read */
  readonly streams: Set<Promise<void>>;
  stopped: boolean;
  abort: () => void;
  readonly waiters: Map<number, Waiter>;
  done: Promise<void>;
}

/** Execution names: 1–80 characters, no whitespace, brackets, wildcards, control characters or `"#%\^|~`$&,;:/`. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

const encodePage = (offset: number): string => Buffer.from(`page:${offset}`).toString('base64url');
function decodePage(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^page:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!match) throw new SfnError('InvalidToken', 'Invalid pagination token');
  return Number(match[1]);
}

function page<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  fallback: number,
): { items: T[]; nextToken?: string } {
  const offset = decodePage(nextToken);
  const size = maxResults === undefined || maxResults <= 0 ? fallback : Math.min(maxResults, 1000);
  const slice = items.slice(offset, offset + size);
  return offset + size < items.length ? { items: slice, nextToken: encodePage(offset + size) } : { items: slice };
}

const sameJson = (a: string, b: string): boolean => JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));

export class LocalStepFunctions {
  /** the definition new executions run, as given (executions already on disk keep the one they started with) */
  readonly definition: Record<string, unknown>;
  /** what the library runs: the definition with TimeoutSeconds capped */
  readonly runnableDefinition: Record<string, unknown>;
  readonly stateMachineArn: string;

  private readonly files: ExecutionFiles;
  /** records with history events not yet on disk (saveSoon) */
  private readonly unsaved = new Set<ExecutionRecord>();
  private flushTimer: NodeJS.Immediate | undefined;
  private readonly invoke: LocalStepFunctionsOptions['invoke'];
  private readonly retryIntervalMs: number | undefined;
  private readonly log: (message: string) => void;
  private readonly now: () => number;
  private readonly onStatusChange: LocalStepFunctionsOptions['onStatusChange'];
  private readonly region: string;
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly runs = new Map<string, Run>();
  private readonly tokens = new Map<string, { name: string; index: number }>();
  private closed = false;

  constructor(options: LocalStepFunctionsOptions) {
    this.definition = structuredClone(options.definition);
    this.runnableDefinition = prepare(this.definition).runnable;
    this.stateMachineArn = options.stateMachineArn;
    this.region = options.stateMachineArn.split(':')[3] ?? 'us-east-1';
    this.invoke = options.invoke;
    this.retryIntervalMs = options.retryIntervalMs;
    this.log = options.log ?? ((message) => console.warn(`[local step functions] ${message}`));
    this.now = options.now ?? Date.now;
    this.onStatusChange = options.onStatusChange;
    this.files = new ExecutionFiles(options.dataDir);

    const records = this.files.loadAll((file, reason) => this.log(`set aside ${file}, which does not load: ${reason}`));
    for (const record of records) {
      if (record.stateMachineArn !== this.stateMachineArn) continue;
      this.records.set(record.name, record);
      for (const entry of record.journal)
        if (entry.token !== undefined) this.tokens.set(entry.token, { name: record.name, index: entry.index });
      for (const token of record.retiredTokens ?? []) this.tokens.set(token, { name: record.name, index: RETIRED });
    }
    for (const record of this.records.values()) {
      if (record.status === 'RUNNING') {
        try {
          this.launch(record);
        } catch (error) {
          // e.g. a definition this version of the library no longer accepts: left as it is on disk, not resumed
          this.log(`cannot resume ${record.executionArn}: ${error instanceof Error ? error.message : String(error)}`);
        }
      } else if (record.history.length > 0) {
        const before = record.history.length;
        appendTerminalEvent(record.history, {
          status: record.status,
          at: record.stopDate ?? Date.now(),
          output: record.output,
          error: record.error,
          cause: record.cause,
        });
        if (record.history.length !== before) this.save(record);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ executions

  executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async startExecution(
    name: string,
    input: string | object = '{}',
    stateMachineArn: string = this.stateMachineArn,
  ): Promise<StartExecutionResult> {
    this.assertOpen();
    if (stateMachineArn !== this.stateMachineArn)
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    if (!EXECUTION_NAME.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not JSON');
    }
    const existing = this.records.get(name);
    if (existing) {
      // as in AWS: the same name and input while it runs is the same execution; anything else is a conflict
      if (existing.status === 'RUNNING' && sameJson(existing.input, text))
        return { executionArn: existing.executionArn, startDate: new Date(existing.startDate) };
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    }
    const record: ExecutionRecord = {
      format: 1,
      name,
      executionArn: this.executionArnOf(name),
      stateMachineArn: this.stateMachineArn,
      definition: this.definition,
      input: JSON.stringify(parsed),
      status: 'RUNNING',
      startDate: Date.now(),
      journal: [],
      history: [],
      historyState: newHistoryState(),
    };
    this.records.set(name, record);
    this.save(record);
    this.launch(record);
    return { executionArn: record.executionArn, startDate: new Date(record.startDate) };
  }

  async describeExecution(executionArn: string): Promise<ExecutionDescription> {
    const record = this.recordOf(executionArn);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: new Date(record.startDate),
      ...(record.stopDate === undefined ? {} : { stopDate: new Date(record.stopDate) }),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output === undefined ? {} : { output: redactTokens(record.output), outputDetails: { included: true } }),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: redactTokens(record.cause) }),
      redriveCount: record.redriveCount ?? 0,
      ...(record.redriveDate === undefined ? {} : { redriveDate: new Date(record.redriveDate) }),
      ...redriveStatus(record, this.now()),
    };
  }

  async listExecutions(
    options: { stateMachineArn?: string; statusFilter?: ExecutionStatus; maxResults?: number; nextToken?: string } = {},
  ): Promise<{ executions: ExecutionListItem[]; nextToken?: string }> {
    if (options.stateMachineArn !== undefined && options.stateMachineArn !== this.stateMachineArn) {
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${options.stateMachineArn}'`);
    }
    const all = [...this.records.values()]
      .filter((record) => options.statusFilter === undefined || record.status === options.statusFilter)
      .sort((a, b) => b.startDate - a.startDate || a.name.localeCompare(b.name))
      .map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: new Date(record.startDate),
        ...(record.stopDate === undefined ? {} : { stopDate: new Date(record.stopDate) }),
      }));
    const { items, nextToken } = page(all, options.maxResults, options.nextToken, 100);
    return { executions: items, ...(nextToken === undefined ? {} : { nextToken }) };
  }

  /**
   * Stops a running execution: ABORTED at once, its run unwound, the token of any task it waited on answers
   * TaskTimedOut from now on. Stopping an execution that has already ended changes nothing.
   */
  async stopExecution(executionArn: string, cause?: string, error?: string): Promise<{ stopDate: Date }> {
    this.assertOpen();
    const record = this.recordOf(executionArn);
    if (record.status !== 'RUNNING') return { stopDate: new Date(record.stopDate ?? Date.now()) };
    const now = Date.now();
    record.status = 'ABORTED';
    record.stopDate = now;
    if (error !== undefined) record.error = error;
    if (cause !== undefined) record.cause = cause;
    closeOpenWaits(record, now, { name: 'ExecutionAborted', cause: cause ?? '' });
    this.save(record);
    this.emitStatusChange(record);
    const run = this.runs.get(record.name);
    if (run) {
      run.stopped = true;
      run.abort();
      for (const waiter of run.waiters.values()) waiter.reject(new EngineHalt('the execution was stopped'));
      await run.done;
    }
    return { stopDate: new Date(now) };
  }

  /**
   * RedriveExecution, as AWS defines it for a Standard workflow: an execution that FAILED, TIMED_OUT or was ABORTED in
   * the last 14 days continues from its unsuccessful step (see `redrivePlan`) with the same input, ARN and definition;
   * the steps that succeeded are answered from the journal and not run again; the history keeps everything and goes
   * on after an `ExecutionRedriven` event; the state machine's TimeoutSeconds, if any, counts from the redrive.
   */
  async redriveExecution(executionArn: string): Promise<{ redriveDate: Date }> {
    this.assertOpen();
    const record = this.recordOf(executionArn);
    const status = redriveStatus(record, this.now());
    if (status.redriveStatus === 'NOT_REDRIVABLE')
      throw new SfnError('ExecutionNotRedrivable', `Execution Not Redrivable: ${status.redriveStatusReason}`);
    const now = Date.now();
    this.rewind(record, redrivePlan(record.historyState));
    record.status = 'RUNNING';
    record.stopDate = undefined;
    record.output = undefined;
    record.error = undefined;
    record.cause = undefined;
    record.redriveCount = (record.redriveCount ?? 0) + 1;
    record.redriveDate = now;
    const previous = record.history.length;
    record.history.push({
      id: previous + 1,
      previousEventId: previous,
      type: 'ExecutionRedriven',
      timestamp: now,
      executionRedrivenEventDetails: { redriveCount: record.redriveCount },
    });
    this.save(record);
    this.launch(record);
    return { redriveDate: new Date(now) };
  }

  /**
   * Rewinds each scope of the plan to a point of its history: what the scope did from there on (its signatures, its
   * journal entries scheduled from there) is forgotten, so the next run does it again; everything before it replays.
   */
  private rewind(record: ExecutionRecord, plan: ReadonlyMap<string, number>): void {
    const forgotten = (entry: JournalEntry): boolean => {
      const point = plan.get(scopeOf(entry));
      return point !== undefined && (entry.historyMark === undefined || entry.historyMark >= point);
    };
    for (const entry of record.journal) {
      if (entry.token === undefined || !forgotten(entry)) continue;
      record.retiredTokens = [...(record.retiredTokens ?? []), entry.token];
      this.tokens.set(entry.token, { name: record.name, index: RETIRED });
    }
    record.journal = record.journal.filter((entry) => !forgotten(entry));
    record.journal.forEach((entry, index) => {
      entry.index = index;
      if (entry.token !== undefined) this.tokens.set(entry.token, { name: record.name, index });
    });
    for (const [key, point] of plan) {
      const scope = scopeHistory(record.historyState, key);
      scope.signatures.length = Math.min(scope.signatures.length, point);
      scope.taskCursor = record.journal.filter((entry) => scopeOf(entry) === key).length;
      scope.attemptFailed = false;
    }
  }

  async getExecutionHistory(
    executionArn: string,
    options: { maxResults?: number; nextToken?: string; reverseOrder?: boolean; includeExecutionData?: boolean } = {},
  ): Promise<{ events: ExecutionHistoryEvent[]; nextToken?: string }> {
    const record = this.recordOf(executionArn);
    const ordered = options.reverseOrder === true ? [...record.history].reverse() : record.history;
    const { items, nextToken } = page(ordered, options.maxResults, options.nextToken, 100);
    const events = items.map((event) => {
      const copy = structuredClone(event) as unknown as Record<string, unknown>;
      if (options.includeExecutionData === false) {
        for (const value of Object.values(copy)) {
          if (!isObject(value)) continue;
          for (const field of ['input', 'output', 'parameters', 'inputDetails', 'outputDetails']) delete value[field];
        }
      }
      return { ...(copy as unknown as HistoryEvent), timestamp: new Date(event.timestamp) };
    });
    return { events, ...(nextToken === undefined ? {} : { nextToken }) };
  }

  // ------------------------------------------------------------------------------------------------- task tokens

  async sendTaskSuccess(taskToken: string, output: string | object): Promise<void> {
    const { run, entry } = this.waitingTask(taskToken);
    let value: unknown;
    if (typeof output === 'string') {
      try {
        value = JSON.parse(output);
      } catch {
        throw new SfnError('InvalidOutput', 'Invalid Output: the task output is not JSON');
      }
    } else {
      value = toJson(output);
    }
    this.endEntry(run.record, entry, 'succeeded', { output: value });
    this.notify(run, entry);
  }

  async sendTaskFailure(taskToken: string, error?: string, cause?: string): Promise<void> {
    const { run, entry } = this.waitingTask(taskToken);
    this.endEntry(run.record, entry, 'failed', { error: { name: error ?? '', cause: cause ?? '' } });
    this.notify(run, entry);
  }

  /** HeartbeatSeconds is not enforced locally (the library ignores it): the token is checked, nothing else. */
  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    this.waitingTask(taskToken);
  }

  // -------------------------------------------------------------------------------------------------- lifecycle

  /** Resolves once the execution's run has ended (at once if it is not running in this engine). */
  async settled(executionArn: string): Promise<ExecutionDescription> {
    const record = this.recordOf(executionArn);
    await this.runs.get(record.name)?.done;
    return this.describeExecution(executionArn);
  }

  /**
   * Shuts the engine down as a stopping process would: runs are unwound without recording anything, so the
   * executions stay RUNNING on disk and the next engine on this data directory resumes them.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const pending of [...this.unsaved]) this.save(pending);
    clearImmediate(this.flushTimer);
    this.closed = true;
    const runs = [...this.runs.values()];
    for (const run of runs) {
      run.abort();
      for (const waiter of run.waiters.values()) waiter.reject(new EngineHalt('the engine was closed'));
    }
    await Promise.all(runs.map((run) => run.done));
  }

  // ---------------------------------------------------------------------------------------------------- internals

  private assertOpen(): void {
    if (this.closed) throw new Error('the local Step Functions engine is closed');
  }

  private recordOf(executionArn: string): ExecutionRecord {
    if (typeof executionArn !== 'string' || !executionArn.startsWith('arn:'))
      throw new SfnError('InvalidArn', `Invalid Arn: '${String(executionArn)}'`);
    const prefix = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
    const record = executionArn.startsWith(prefix) ? this.records.get(executionArn.slice(prefix.length)) : undefined;
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  private waitingTask(taskToken: string): { run: Run; entry: JournalEntry } {
    this.assertOpen();
    if (typeof taskToken !== 'string' || !isTaskTokenFormat(taskToken))
      throw new SfnError('InvalidToken', 'Invalid Token: not a task token of this engine');
    const ref = this.tokens.get(taskToken);
    if (!ref) throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist');
    const record = this.records.get(ref.name);
    const run = this.runs.get(ref.name);
    const entry = record?.journal[ref.index];
    const expired = entry?.timeoutAt !== undefined && Date.now() >= entry.timeoutAt;
    if (!record || !run || !entry || record.status !== 'RUNNING' || entry.status !== 'waiting' || expired) {
      throw new SfnError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    return { run, entry };
  }

  private save(record: ExecutionRecord): void {
    this.unsaved.delete(record);
    if (!this.closed) this.files.save(record);
  }

  /**
   * A history event: written with the next save, or on the next turn of the event loop, whichever is first. Each
   * save rewrites the execution's whole file, and a state emits several events at once; one write for them all keeps
   * a burst of executions from spending its time renaming files. Nothing is lost to a kill in between: the journal
   * entries that decide what runs again are saved at once (invokeTask, endEntry), and the history is saved with the
   * count of library events it holds, so a resumed run emits the missing events again.
   */
  private saveSoon(record: ExecutionRecord): void {
    this.unsaved.add(record);
    this.flushTimer ??= setImmediate(() => {
      this.flushTimer = undefined;
      for (const pending of [...this.unsaved]) this.save(pending);
    });
  }

  /** Records how an invocation ended (once: the first ending wins) and writes it to disk. */
  private endEntry(
    record: ExecutionRecord,
    entry: JournalEntry,
    status: 'succeeded' | 'failed' | 'superseded',
    outcome: Pick<JournalEntry, 'output' | 'error'>,
    at = Date.now(),
  ): void {
    if (entry.status !== 'waiting' || this.closed) return;
    entry.status = status;
    entry.endedAt = at;
    if (outcome.output !== undefined) entry.output = outcome.output;
    if (outcome.error !== undefined) entry.error = outcome.error;
    this.save(record);
  }

  /** Hands an ended entry's outcome to the task waiting on it, if one is. */
  private notify(run: Run, entry: JournalEntry): void {
    const waiter = run.waiters.get(entry.index);
    if (!waiter) return; // a replay not there yet: it will read the journal
    if (entry.status === 'succeeded') waiter.resolve(entry.output ?? null);
    else if (entry.status === 'failed') waiter.reject(new TaskError(entry.error?.name ?? '', entry.error?.cause ?? ''));
    else if (entry.status === 'superseded' && entry.error?.name === TIMED_OUT.name) waiter.reject(new StatesTimeoutError());
    else if (entry.status === 'superseded') waiter.reject(new EngineHalt('the execution was stopped'));
  }

  private launch(record: ExecutionRecord): void {
    const { machine, tasks, states } = prepare(record.definition);
    let resolveAbort: () => void = () => undefined;
    const journals = new Map<string, ScopeJournal>();
    for (const entry of record.journal) {
      const journal = journals.get(scopeOf(entry)) ?? { entries: [], cursor: 0, replayLength: 0 };
      journal.entries.push(entry);
      journals.set(scopeOf(entry), { ...journal, replayLength: journal.entries.length });
    }
    const run: Run = {
      record,
      tasks,
      states,
      journals,
      positions: new Map(),
      streams: new Set(),
      stopped: false,
      abort: () => resolveAbort(),
      waiters: new Map(),
      done: Promise.resolve(),
    };
    this.runs.set(record.name, run);

    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of tasks) handlers[stateName] = (input) => this.runTask(run, stateName, task, input);
    // read at each retry: no wait while replaying (the journal already knows the outcome), then the configured one
    const replaying = (stateName: string): boolean => {
      if (states.get(stateName)?.['Type'] !== 'Task')
        return [...run.journals.values()].some((journal) => journal.cursor < journal.replayLength);
      const journal = run.journals.get(currentScope()?.key ?? '');
      return journal !== undefined && journal.cursor < journal.replayLength;
    };
    const retryIntervalOverrides = new Proxy<Record<string, number>>(
      {},
      { get: (_target, key) => (typeof key !== 'string' ? undefined : replaying(key) ? 0 : this.retryIntervalMs) },
    );
    const stateMachineName = this.stateMachineArn.split(':').pop() ?? '';
    const options = {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
      context: {
        Task: { Token: TOKEN_PLACEHOLDER },
        Execution: { Id: record.executionArn, Name: record.name, RoleArn: LOCAL_ROLE_ARN },
        StateMachine: { Id: this.stateMachineArn, Name: stateMachineName },
      },
      noThrowOnAbort: true,
    } as unknown as RunOptions;

    const root: Scope = {
      key: '',
      owner: run,
      onNestedRun: (child, info, events) => this.readNested(run, child, info, events),
      onAbort: (scope) => this.abortScope(run, scope),
      children: 0,
      aborted: false,
    };
    const libraryRun: LibraryRun = runInScope(root, () => machine.run(JSON.parse(record.input) as LibraryInput, options));
    resolveAbort = libraryRun.abort;
    const outcome = libraryRun.result.then(
      (output) => ({ ok: true as const, output: output as unknown }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const read = this.consume(run, '', libraryRun.eventLogs as AsyncGenerator<unknown>).catch((error: unknown) => {
      this.log(`the history of ${record.executionArn} stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
    const everythingRead = async () => {
      await read;
      // the execution's own log is over: no container start is still to come
      for (const position of run.positions.values()) for (const waiting of position.gated.splice(0)) waiting.release();
      while (run.streams.size > 0) await Promise.all([...run.streams]);
    };
    run.done = Promise.all([everythingRead(), outcome]).then(([, result]) => {
      this.finish(run, result);
      if (this.runs.get(record.name) === run) this.runs.delete(record.name);
    });
  }

  private journalOf(run: Run, key: string): ScopeJournal {
    let journal = run.journals.get(key);
    if (!journal) {
      journal = { entries: [], cursor: 0, replayLength: 0 };
      run.journals.set(key, journal);
    }
    return journal;
  }

  /** A Map iteration or Parallel branch the library aborted: its waits end (their tokens are spent), its replays stop. */
  private abortScope(run: Run, scope: Scope): void {
    const prefix = `${scope.key}/`;
    for (const entry of run.record.journal) {
      const key = scopeOf(entry);
      if (key !== scope.key && !key.startsWith(prefix)) continue;
      const aborted = { name: ITERATION_ABORTED, cause: 'the Map or Parallel state it ran in failed' };
      if (entry.status === 'waiting') this.endEntry(run.record, entry, 'superseded', { error: aborted });
      const waiter = run.waiters.get(entry.index);
      if (waiter) {
        run.waiters.delete(entry.index);
        waiter.reject(new EngineHalt('the iteration was aborted'));
      }
    }
  }

  private positionOf(run: Run, key: string): ScopePosition {
    let position = run.positions.get(key);
    if (!position) {
      position = { seen: 0, diverged: false, active: new Set(), gated: [] };
      run.positions.set(key, position);
    }
    return position;
  }

  /** Reads a Map iteration's or Parallel branch's events once its container's start is in the history. */
  private readNested(run: Run, child: Scope, info: NestedRunInfo, events: AsyncGenerator<unknown>): void {
    const parent = this.positionOf(run, child.parent?.key ?? '');
    let release: () => void = () => undefined;
    const released = parent.openContainer === info.container ? Promise.resolve() : new Promise<void>((resolve) => (release = resolve));
    const done = released
      .then(() => this.consume(run, child.key, events, info))
      .catch((error: unknown) => this.log(`the history of ${run.record.executionArn} (${child.key}) stopped: ${messageOf(error)}`))
      .finally(() => {
        parent.active.delete(done);
        run.streams.delete(done);
        for (const waiting of this.positionOf(run, child.key).gated.splice(0)) waiting.release();
      });
    run.streams.add(done);
    if (parent.openContainer === info.container) parent.active.add(done);
    else parent.gated.push({ container: info.container, release, done });
  }

  /**
   * Turns one scope's events into the AWS history, saving as it goes. A replay repeats events already in the history:
   * each scope's events are skipped while they match the scope's recorded signatures, and recorded from the first one
   * that does not (or from the end of what was recorded). A Map's or Parallel's end waits for the events of its
   * iterations or branches, so the history shows them first.
   */
  private async consume(run: Run, key: string, events: AsyncGenerator<unknown>, nested?: NestedRunInfo): Promise<void> {
    const { record } = run;
    const position = this.positionOf(run, key);
    for await (const raw of events) {
      if (this.closed) continue;
      const event = (nested === undefined ? raw : nestedEvent(raw, nested)) as LibraryEvent;
      if ('state' in event && CONTAINER_TYPES.has(event.state.type)) {
        if (event.type === 'StateEntered' || event.type === 'StateRetried') {
          position.openContainer = event.state.name;
          for (const waiting of position.gated.splice(0)) {
            if (waiting.container !== event.state.name) continue;
            position.active.add(waiting.done);
            waiting.release();
          }
        } else if (event.type === 'StateExited' || event.type === 'StateFailed') {
          await Promise.all([...position.active]);
          position.openContainer = undefined;
        }
      }
      if (this.closed) continue;
      const scope = scopeHistory(record.historyState, key);
      // where in its parent's history this iteration starts: a redrive reruns the iterations of the state it reruns
      if (position.seen === 0 && key !== '') scope.parentMark = this.positionOf(run, parentScopeKey(key)).seen;
      const recorded = position.diverged ? undefined : scope.signatures[position.seen];
      position.seen += 1;
      if (recorded !== undefined && (recorded === ANY_SIGNATURE || recorded === signatureOf(event))) continue;
      if (!position.diverged) {
        position.diverged = true;
        scope.signatures.length = position.seen - 1;
      }
      const context = this.historyContext(run);
      appendHistory(context, event, key);
      if (event.type === 'StateFailed' && 'Error' in event && event.Error === TIMED_OUT.name) {
        // the library's timer ended this wait: its token is spent (the reminder gets a new one)
        const entry = currentTaskEntry(context, key);
        const journalEntry = this.journalOf(run, key).entries.find((candidate) => candidate === entry);
        if (journalEntry) this.endEntry(record, journalEntry, 'superseded', { error: { ...TIMED_OUT } });
      }
      this.saveSoon(record);
    }
  }

  private historyContext(run: Run): HistoryContext {
    const { record } = run;
    return {
      history: record.history,
      state: record.historyState,
      entryAt: (key, seq) => this.journalOf(run, key).entries[seq],
      region: this.region,
      roleArn: LOCAL_ROLE_ARN,
      tasks: run.tasks,
      mapLength: (stateName, input) => mapLength(run.states.get(stateName), input),
      stop: record.status === 'ABORTED' ? { error: record.error, cause: record.cause } : undefined,
    };
  }

  private finish(run: Run, result: { ok: true; output: unknown } | { ok: false; error: unknown }): void {
    const { record } = run;
    if (this.closed || run.stopped || record.status !== 'RUNNING') return;
    const now = Date.now();
    record.stopDate = now;
    if (result.ok) {
      record.status = 'SUCCEEDED';
      record.output = JSON.stringify(result.output ?? null);
    } else if (result.error instanceof ExecutionTimeoutError) {
      record.status = 'TIMED_OUT';
      record.error = 'States.Timeout';
      record.cause = 'the execution ran longer than its TimeoutSeconds';
    } else {
      const cause: unknown = result.error instanceof ExecutionError ? result.error.cause : result.error;
      record.status = 'FAILED';
      record.error = cause instanceof Error ? cause.name : 'States.Runtime';
      record.cause = cause instanceof Error ? cause.message : String(cause);
    }
    closeOpenWaits(record, now, { name: 'ExecutionEnded', cause: record.status });
    appendTerminalEvent(record.history, {
      status: record.status,
      at: now,
      output: record.output,
      error: record.error,
      cause: record.cause,
    });
    this.save(record);
    this.emitStatusChange(record);
  }

  private emitStatusChange(record: ExecutionRecord): void {
    const deliver = this.onStatusChange;
    if (deliver === undefined) return;
    const account = record.stateMachineArn.split(':')[4] ?? '';
    const event: ExecutionStatusChangeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account,
      time: new Date(record.stopDate ?? Date.now()).toISOString(),
      region: this.region,
      resources: [record.executionArn],
      detail: {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: record.startDate,
        stopDate: record.stopDate ?? null,
        input: record.input,
        output: record.output === undefined ? null : redactTokens(record.output),
        error: record.error ?? null,
        cause: record.cause === undefined ? null : redactTokens(record.cause),
        redriveCount: record.redriveCount ?? 0,
      },
    };
    // as EventBridge: after the change, never inside it
    setImmediate(() => {
      Promise.resolve()
        .then(() => deliver(event))
        .catch((error: unknown) =>
          this.log(`the status change of ${record.executionArn} (${record.status}) was not handled: ${messageOf(error)}`),
        );
    });
  }

  /** The override of every Task state: one invocation, answered from the journal or made for real. */
  private async runTask(run: Run, stateName: string, task: TaskInfo, input: unknown): Promise<unknown> {
    const scope = currentScope();
    if (!scope || scope.owner !== run) throw new EngineHalt(`${stateName} ran outside its execution`);
    if (run.stopped || this.closed || isAborted(scope)) throw new EngineHalt('the execution or iteration is no longer running');
    let functionName: string;
    let payload: unknown;
    if (task.kind === 'integration') {
      const fn = isObject(input) ? input['FunctionName'] : undefined;
      if (typeof fn !== 'string') throw new EngineHalt(`${stateName}: lambda:invoke needs Parameters.FunctionName`);
      functionName = functionNameOf(fn);
      payload = isObject(input) && 'Payload' in input ? input['Payload'] : {};
    } else {
      functionName = task.functionName ?? '';
      payload = input;
    }

    const journal = this.journalOf(run, scope.key);
    const seq = journal.cursor;
    journal.cursor += 1;
    const recorded = journal.entries[seq];
    if (recorded) return this.replay(run, task, recorded, stateName, payload, recorded === journal.entries.at(-1));

    const now = Date.now();
    const token = task.waitForToken ? newTaskToken() : undefined;
    const index = run.record.journal.length;
    const entry: JournalEntry = {
      index,
      ...(scope.key === '' ? {} : { scope: scope.key }),
      stateName,
      functionName,
      ...(token === undefined ? {} : { token }),
      status: 'waiting',
      parameters: JSON.stringify(withToken(input, TOKEN_REDACTED)),
      startedAt: now,
      ...(task.timeoutMs === undefined ? {} : { timeoutAt: now + task.timeoutMs }),
      invocations: 0,
    };
    run.record.journal.push(entry);
    journal.entries.push(entry);
    if (token !== undefined) this.tokens.set(token, { name: run.record.name, index });
    return this.invokeTask(run, task, entry, token === undefined ? payload : withToken(payload, token));
  }

  /** An invocation the journal already has (`isLast`: the last of its scope). */
  private async replay(
    run: Run,
    task: TaskInfo,
    recorded: JournalEntry,
    stateName: string,
    payload: unknown,
    isLast: boolean,
  ): Promise<unknown> {
    const { record } = run;
    if (recorded.stateName !== stateName) {
      this.log(
        `${record.executionArn}: the replay ran ${stateName} where the journal has ${recorded.stateName} (entry ${recorded.index}); the execution fails`,
      );
      throw new EngineHalt(`the replay diverged from the journal at entry ${recorded.index} (${recorded.stateName} ≠ ${stateName})`);
    }
    switch (recorded.status) {
      case 'succeeded':
        return recorded.output ?? null;
      case 'failed':
        throw new TaskError(recorded.error?.name ?? '', recorded.error?.cause ?? '');
      case 'superseded':
        if (recorded.error?.name === ITERATION_ABORTED) {
          // the iteration was aborted because another one failed: the replay of that failure aborts it again
          return new Promise((resolve, reject) => run.waiters.set(recorded.index, { resolve, reject }));
        }
        if (recorded.error?.name !== TIMED_OUT.name) throw new EngineHalt('the execution had ended');
        // within a running execution, a wait that ended unanswered is one that timed out
        throw new StatesTimeoutError();
      case 'waiting': {
        const now = Date.now();
        // not the last: the library timed it out and moved on before the timeout was written down
        if (!isLast || (recorded.timeoutAt !== undefined && recorded.timeoutAt <= now)) {
          this.endEntry(record, recorded, 'superseded', { error: { ...TIMED_OUT } }, Math.min(now, recorded.timeoutAt ?? now));
          throw new StatesTimeoutError();
        }
        // the wait that was open: invoked again with the SAME token, and it keeps its deadline
        const remainingMs = task.waitForToken && recorded.timeoutAt !== undefined ? recorded.timeoutAt - now : undefined;
        const again = recorded.token === undefined ? payload : withToken(payload, recorded.token);
        return this.invokeTask(run, task, recorded, again, remainingMs);
      }
    }
  }

  /**
   * Invokes the function for a journal entry, after writing the entry (and its token) to disk. A plain invocation
   * ends with the function; a `.waitForTaskToken` one ends with SendTaskSuccess/Failure, the function's failure, or
   * a timeout.
   */
  private async invokeTask(run: Run, task: TaskInfo, entry: JournalEntry, payload: unknown, remainingMs?: number): Promise<unknown> {
    const { record } = run;
    entry.invocations += 1;
    this.save(record);

    if (!task.waitForToken) {
      let output: unknown;
      try {
        const result = toJson(await this.invoke(entry.functionName, payload));
        // what lambda:invoke returns to the state machine; a function ARN as Resource returns the payload itself
        output = task.kind === 'integration' ? { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 } : result;
      } catch (error) {
        const failure = lambdaFailure(error);
        this.endEntry(record, entry, 'failed', { error: failure });
        throw new TaskError(failure.name, failure.cause);
      }
      this.endEntry(record, entry, 'succeeded', { output });
      return output;
    }

    // the waiter first: the function may answer its own token before it returns (a decision recorded earlier)
    const answered = new Promise<unknown>((resolve, reject) => run.waiters.set(entry.index, { resolve, reject }));
    const timer =
      remainingMs === undefined
        ? undefined
        : setTimeout(
            () => {
              this.endEntry(record, entry, 'superseded', { error: { ...TIMED_OUT } });
              this.notify(run, entry);
            },
            Math.max(0, remainingMs),
          );
    new Promise((resolve) => resolve(this.invoke(entry.functionName, payload))).catch((error: unknown) => {
      // a function error fails the task, unless it was answered meanwhile (the first ending wins)
      if (entry.status !== 'waiting') return;
      this.endEntry(record, entry, 'failed', { error: lambdaFailure(error) });
      this.notify(run, entry);
    });
    try {
      return await answered;
    } finally {
      clearTimeout(timer);
      run.waiters.delete(entry.index);
    }
  }
}
