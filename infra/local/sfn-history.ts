import { randomBytes } from 'node:crypto';

/**
 * Task tokens and the AWS-shaped execution history of the local Step Functions engine.
 *
 * The history is built from aws-local-stepfunctions' event log (ExecutionStarted, StateEntered/Exited, StateFailed,
 * StateRetried, StateCaught, Execution*) and the engine's journal of task invocations, into the events
 * GetExecutionHistory returns in AWS: `TaskStateEntered`, `TaskScheduled`, `TaskStarted`, `TaskSucceeded` |
 * `TaskFailed` | `TaskTimedOut`, `TaskStateExited`, `ChoiceStateEntered`, …, `ExecutionSucceeded` | `ExecutionFailed` |
 * `ExecutionAborted` | `ExecutionTimedOut`; for a Map `MapStateEntered`, `MapStateStarted`, per iteration
 * `MapIterationStarted` … `MapIterationSucceeded` | `MapIterationFailed` | `MapIterationAborted`, then `MapStateSucceeded`
 * | `MapStateFailed` and `MapStateExited` (Parallel likewise, without per-branch events). A retry shows as AWS shows
 * it: the failure, then the task scheduled again; a catch as the state exiting with the error at its ResultPath.
 * Iterations run concurrently, so the builder keeps one position per scope (see sfn-scopes.ts). No task token ever
 * reaches the history.
 */

// ---------------------------------------------------------------------------------------------------------- tokens

const TOKEN_PREFIX = 'nbt1.';
/** 32 random bytes, base64url: an opaque string no one can guess. */
const TOKEN_FORMAT = /^nbt1\.[A-Za-z0-9_-]{43}$/;
const TOKEN_ANYWHERE = /nbt1\.[A-Za-z0-9_-]{43}/g;

export const TOKEN_REDACTED = '<task token>';

export const newTaskToken = (): string => `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
export const isTaskTokenFormat = (token: string): boolean => TOKEN_FORMAT.test(token);

/** The text with every task token replaced by "<task token>". */
export const redactTokens = (text: string): string => text.replace(TOKEN_ANYWHERE, TOKEN_REDACTED);

/** A JSON text of the value with every task token (as a whole string or inside one) replaced by "<task token>". */
export const redactedJson = (value: unknown): string => redactTokens(JSON.stringify(value ?? null));

// --------------------------------------------------------------------------------------------------------- history

export interface DataDetails {
  truncated: boolean;
}

/** One event as GetExecutionHistory returns it (timestamp in epoch milliseconds here; a Date out of the engine). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  type: string;
  timestamp: number;
  executionStartedEventDetails?: { input: string; inputDetails: DataDetails; roleArn: string };
  executionSucceededEventDetails?: { output: string; outputDetails: DataDetails };
  executionFailedEventDetails?: { error: string; cause: string };
  executionAbortedEventDetails?: { error?: string; cause?: string };
  executionTimedOutEventDetails?: { error?: string; cause?: string };
  executionRedrivenEventDetails?: { redriveCount: number };
  stateEnteredEventDetails?: { name: string; input: string; inputDetails: DataDetails };
  stateExitedEventDetails?: { name: string; output: string; outputDetails: DataDetails };
  taskScheduledEventDetails?: { resourceType: string; resource: string; region: string; parameters: string; timeoutInSeconds?: number };
  taskStartedEventDetails?: { resourceType: string; resource: string };
  taskSucceededEventDetails?: { resourceType: string; resource: string; output: string; outputDetails: DataDetails };
  taskFailedEventDetails?: { resourceType: string; resource: string; error: string; cause: string };
  taskTimedOutEventDetails?: { resourceType: string; resource: string; error: string; cause: string };
  mapStateStartedEventDetails?: { length: number };
  mapIterationStartedEventDetails?: { name: string; index: number };
  mapIterationSucceededEventDetails?: { name: string; index: number };
  mapIterationFailedEventDetails?: { name: string; index: number };
  mapIterationAbortedEventDetails?: { name: string; index: number };
}

export type HistoryEventDetails = Omit<HistoryEvent, 'id' | 'previousEventId' | 'type' | 'timestamp'>;

/** What the builder needs to know of the journal entry a task event is about. */
export interface HistoryTaskEntry {
  readonly stateName: string;
  readonly parameters?: string | undefined;
  readonly output?: unknown;
  /** set when its TaskScheduled is written: the index of the scheduling event in its scope's signatures */
  historyMark?: number | undefined;
}

/** Matches any library event (files written before scopes recorded counts, not signatures). */
export const ANY_SIGNATURE = '*';

/** The builder's position in one scope (the execution, a Map iteration, a Parallel branch), persisted with the history. */
export interface ScopeHistory {
  /** the library events of this scope already turned into history, as `type:state` (a replay skips those it repeats) */
  signatures: string[];
  /** the scope's journal entry the next TaskScheduled is about */
  taskCursor: number;
  /** whether the current attempt of the current Task, Map or Parallel state failed (so its exit is no success) */
  attemptFailed: boolean;
  /** where in its parent scope's signatures this iteration or branch started (a redrive reruns those after a point) */
  parentMark?: number | undefined;
  /** the Map iteration this scope is */
  iteration?: { name: string; index: number } | undefined;
}

export interface HistoryState {
  scopes: Record<string, ScopeHistory>;
}

export const newHistoryState = (): HistoryState => ({ scopes: {} });

export function scopeHistory(state: HistoryState, key: string): ScopeHistory {
  let scope = state.scopes[key];
  if (!scope) {
    scope = { signatures: [], taskCursor: 0, attemptFailed: false };
    state.scopes[key] = scope;
  }
  return scope;
}

/** The scope that started a nested scope ('' for `/3`, `/3` for `/3/0`). */
export const parentScopeKey = (key: string): string => key.slice(0, key.lastIndexOf('/'));

export interface TaskResourceInfo {
  readonly resourceType: string;
  readonly resource: string;
  readonly timeoutSeconds?: number | undefined;
}

type StateRef = { name: string; type: string; input: unknown; output?: unknown };

/** The events of aws-local-stepfunctions' `eventLogs` this builder reads (its types are not exported). */
export type LibraryEvent =
  | { type: 'ExecutionStarted'; timestamp: number; input: unknown }
  | { type: 'ExecutionSucceeded'; timestamp: number; output: unknown }
  | { type: 'ExecutionFailed'; timestamp: number; Error: string; Cause: unknown }
  | { type: 'ExecutionAborted' | 'ExecutionTimeout'; timestamp: number }
  | { type: 'StateEntered' | 'StateExited' | 'StateCaught' | 'StateRetried'; timestamp: number; state: StateRef }
  | { type: 'StateFailed'; timestamp: number; state: StateRef; Error: string; Cause: unknown }
  | {
      type: 'MapIterationStarted' | 'MapIterationSucceeded' | 'MapIterationFailed';
      timestamp: number;
      index: number;
      parentState: StateRef;
    }
  | { type: string; timestamp: number };

/** What a replay compares: the event's kind and the state it is about. */
export function signatureOf(event: LibraryEvent): string {
  return 'state' in event ? `${event.type}:${event.state.name}` : event.type;
}

export interface HistoryContext {
  readonly history: HistoryEvent[];
  readonly state: HistoryState;
  /** the `seq`-th journal entry of a scope */
  readonly entryAt: (scope: string, seq: number) => HistoryTaskEntry | undefined;
  readonly region: string;
  readonly roleArn: string;
  /** the Task states of the definition (nested ones included), by name */
  readonly tasks: ReadonlyMap<string, TaskResourceInfo>;
  /** how many items a Map state entered with this input iterates over (MapStateStarted), if it can be told */
  readonly mapLength: (stateName: string, input: unknown) => number | undefined;
  /** error and cause given to StopExecution, for ExecutionAborted */
  readonly stop?: { error?: string | undefined; cause?: string | undefined } | undefined;
}

const NOT_TRUNCATED: DataDetails = { truncated: false };

const causeText = (cause: unknown): string => (typeof cause === 'string' ? cause : cause === undefined ? '' : JSON.stringify(cause));

function push(context: HistoryContext, type: string, timestamp: number, details: HistoryEventDetails = {}): void {
  const previous = context.history.length;
  context.history.push({ id: previous + 1, previousEventId: previous, type, timestamp, ...details });
}

/** A new attempt of a task state: the journal entry its override just wrote becomes TaskScheduled + TaskStarted. */
function scheduleTask(context: HistoryContext, key: string, scope: ScopeHistory, stateName: string, timestamp: number): void {
  scope.attemptFailed = false;
  const entry = context.entryAt(key, scope.taskCursor);
  const task = context.tasks.get(stateName);
  // no entry when the library failed the state before calling the task (e.g. a Parameters path that does not match)
  if (!entry || entry.stateName !== stateName || !task) return;
  scope.taskCursor += 1;
  entry.historyMark = scope.signatures.length - 1;
  push(context, 'TaskScheduled', timestamp, {
    taskScheduledEventDetails: {
      resourceType: task.resourceType,
      resource: task.resource,
      region: context.region,
      parameters: redactTokens(entry.parameters ?? '{}'),
      ...(task.timeoutSeconds === undefined ? {} : { timeoutInSeconds: task.timeoutSeconds }),
    },
  });
  push(context, 'TaskStarted', timestamp, { taskStartedEventDetails: { resourceType: task.resourceType, resource: task.resource } });
}

/** The journal entry the scope's last TaskScheduled was about. */
export function currentTaskEntry(context: Pick<HistoryContext, 'state' | 'entryAt'>, key: string): HistoryTaskEntry | undefined {
  const scope = context.state.scopes[key];
  return scope === undefined || scope.taskCursor === 0 ? undefined : context.entryAt(key, scope.taskCursor - 1);
}

const ITERATION_EVENTS: Readonly<Record<string, string>> = {
  MapIterationStarted: 'MapIterationStarted',
  MapIterationSucceeded: 'MapIterationSucceeded',
  MapIterationFailed: 'MapIterationFailed',
  IterationAborted: 'MapIterationAborted',
};

/** Appends the AWS history events one library event of scope `key` stands for. */
export function appendHistory(context: HistoryContext, event: LibraryEvent, key: string): void {
  const at = event.timestamp;
  const scope = scopeHistory(context.state, key);
  scope.signatures.push(signatureOf(event));
  const iterationType = ITERATION_EVENTS[event.type];
  if (key !== '' && iterationType !== undefined) {
    // Map iterations; a Parallel branch's own start and end are not events in AWS
    if ('parentState' in event) scope.iteration = { name: event.parentState.name, index: event.index };
    const details = scope.iteration === undefined ? undefined : { name: scope.iteration.name, index: scope.iteration.index };
    if (details === undefined) return;
    const field = `${iterationType.charAt(0).toLowerCase()}${iterationType.slice(1)}EventDetails`;
    push(context, iterationType, at, { [field]: details } as HistoryEventDetails);
  } else if (key !== '' && !('state' in event)) {
    // the library's Parallel branch events, and what a nested run reports of its own start and end
  } else if (event.type === 'ExecutionStarted' && 'input' in event) {
    push(context, 'ExecutionStarted', at, {
      executionStartedEventDetails: { input: redactedJson(event.input), inputDetails: NOT_TRUNCATED, roleArn: context.roleArn },
    });
  } else if (event.type === 'ExecutionSucceeded' && 'output' in event) {
    push(context, 'ExecutionSucceeded', at, {
      executionSucceededEventDetails: { output: redactedJson(event.output), outputDetails: NOT_TRUNCATED },
    });
  } else if (event.type === 'ExecutionFailed' && 'Error' in event) {
    push(context, 'ExecutionFailed', at, {
      executionFailedEventDetails: { error: event.Error, cause: redactTokens(causeText(event.Cause)) },
    });
  } else if (event.type === 'ExecutionAborted') {
    const { error, cause } = context.stop ?? {};
    push(context, 'ExecutionAborted', at, {
      executionAbortedEventDetails: {
        ...(error === undefined ? {} : { error }),
        ...(cause === undefined ? {} : { cause: redactTokens(cause) }),
      },
    });
  } else if (event.type === 'ExecutionTimeout') {
    push(context, 'ExecutionTimedOut', at, {
      executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'the execution ran longer than its TimeoutSeconds' },
    });
  } else if ('state' in event) {
    appendStateEvent(context, key, scope, event);
  }
}

function appendStateEvent(context: HistoryContext, key: string, scope: ScopeHistory, event: LibraryEvent & { state: StateRef }): void {
  const at = event.timestamp;
  const { name, type } = event.state;
  const task = type === 'Task' ? context.tasks.get(name) : undefined;
  const container = type === 'Map' || type === 'Parallel';
  switch (event.type) {
    case 'StateEntered':
      push(context, `${type}StateEntered`, at, {
        stateEnteredEventDetails: { name, input: redactedJson(event.state.input), inputDetails: NOT_TRUNCATED },
      });
      if (type === 'Task') scheduleTask(context, key, scope, name, at);
      if (container) startContainer(context, scope, type, name, event.state.input, at);
      break;
    case 'StateRetried':
      if (type === 'Task') scheduleTask(context, key, scope, name, at);
      if (container) startContainer(context, scope, type, name, event.state.input, at);
      break;
    case 'StateFailed':
      // a Fail state, or a Choice with no match, shows as ExecutionFailed alone
      if (task && 'Error' in event) {
        scope.attemptFailed = true;
        const details = {
          resourceType: task.resourceType,
          resource: task.resource,
          error: event.Error,
          cause: redactTokens(causeText(event.Cause)),
        };
        if (event.Error === 'States.Timeout') push(context, 'TaskTimedOut', at, { taskTimedOutEventDetails: details });
        else push(context, 'TaskFailed', at, { taskFailedEventDetails: details });
      } else if (container) {
        scope.attemptFailed = true;
        push(context, `${type}StateFailed`, at);
      }
      break;
    case 'StateExited': {
      if (task && !scope.attemptFailed) {
        const entry = currentTaskEntry(context, key);
        push(context, 'TaskSucceeded', at, {
          taskSucceededEventDetails: {
            resourceType: task.resourceType,
            resource: task.resource,
            output: redactedJson(entry?.output),
            outputDetails: NOT_TRUNCATED,
          },
        });
      } else if (container && !scope.attemptFailed) {
        push(context, `${type}StateSucceeded`, at);
      }
      scope.attemptFailed = false;
      push(context, `${type}StateExited`, at, {
        stateExitedEventDetails: { name, output: redactedJson(event.state.output), outputDetails: NOT_TRUNCATED },
      });
      break;
    }
    default:
      // StateCaught: AWS logs no event of its own for a catch; the state exits with the error at its ResultPath
      break;
  }
}

function startContainer(context: HistoryContext, scope: ScopeHistory, type: string, name: string, input: unknown, at: number): void {
  scope.attemptFailed = false;
  if (type === 'Parallel') {
    push(context, 'ParallelStateStarted', at);
    return;
  }
  const length = context.mapLength(name, input);
  push(context, 'MapStateStarted', at, length === undefined ? {} : { mapStateStartedEventDetails: { length } });
}

const TERMINAL = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
export const isTerminalEvent = (event: HistoryEvent | undefined): boolean => event !== undefined && TERMINAL.has(event.type);

/**
 * The terminal event of a finished execution whose last history writes were lost (the process was killed between
 * recording the status and recording the event).
 */
export function appendTerminalEvent(
  history: HistoryEvent[],
  outcome: { status: string; at: number; output?: string | undefined; error?: string | undefined; cause?: string | undefined },
): void {
  if (isTerminalEvent(history[history.length - 1])) return;
  const previous = history.length;
  const base = { id: previous + 1, previousEventId: previous, timestamp: outcome.at };
  const fault = {
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    ...(outcome.cause === undefined ? {} : { cause: redactTokens(outcome.cause) }),
  };
  switch (outcome.status) {
    case 'SUCCEEDED':
      history.push({
        ...base,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: redactTokens(outcome.output ?? 'null'), outputDetails: NOT_TRUNCATED },
      });
      break;
    case 'FAILED':
      history.push({
        ...base,
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: outcome.error ?? '', cause: redactTokens(outcome.cause ?? '') },
      });
      break;
    case 'ABORTED':
      history.push({ ...base, type: 'ExecutionAborted', executionAbortedEventDetails: fault });
      break;
    case 'TIMED_OUT':
      history.push({ ...base, type: 'ExecutionTimedOut', executionTimedOutEventDetails: fault });
      break;
    default:
      break;
  }
}
