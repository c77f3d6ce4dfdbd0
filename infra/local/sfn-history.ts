import { randomBytes } from 'node:crypto';

/**
 * Task tokens and the AWS-shaped execution history of the local Step Functions engine.
 *
 * The history is built from aws-local-stepfunctions' event log (ExecutionStarted, StateEntered/Exited, StateFailed,
 * StateRetried, StateCaught, Execution*) and the engine's journal of task invocations, into the events
 * GetExecutionHistory returns in AWS: `TaskStateEntered`, `TaskScheduled`, `TaskStarted`, `TaskSucceeded` |
 * `TaskFailed` | `TaskTimedOut`, `TaskStateExited`, `ChoiceStateEntered`, …, `ExecutionSucceeded` | `ExecutionFailed` |
 * `ExecutionAborted` | `ExecutionTimedOut`. A retry shows as AWS shows it: the failure, then the task scheduled
 * again; a catch as the task state exiting with the error at its ResultPath. No task token ever reaches the history.
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
}

export type HistoryEventDetails = Omit<HistoryEvent, 'id' | 'previousEventId' | 'type' | 'timestamp'>;

/** What the builder needs to know of the journal entry a task event is about. */
export interface HistoryTaskEntry {
  readonly stateName: string;
  readonly parameters?: string | undefined;
  readonly output?: unknown;
}

/** The builder's position in the library's event log, persisted with the history it produced. */
export interface HistoryState {
  /** how many library events have been turned into history (a replay skips that many) */
  eventsSeen: number;
  /** the journal entry the next TaskScheduled is about */
  taskCursor: number;
  /** whether the current attempt of the current task failed (so its exit is not a TaskSucceeded) */
  attemptFailed: boolean;
}

export interface TaskResourceInfo {
  readonly resourceType: string;
  readonly resource: string;
  readonly timeoutSeconds?: number | undefined;
}

/** The events of aws-local-stepfunctions' `eventLogs` this builder reads (its types are not exported). */
export type LibraryEvent =
  | { type: 'ExecutionStarted'; timestamp: number; input: unknown }
  | { type: 'ExecutionSucceeded'; timestamp: number; output: unknown }
  | { type: 'ExecutionFailed'; timestamp: number; Error: string; Cause: unknown }
  | { type: 'ExecutionAborted' | 'ExecutionTimeout'; timestamp: number }
  | { type: 'StateEntered' | 'StateExited' | 'StateCaught' | 'StateRetried'; timestamp: number; state: { name: string; type: string; input: unknown; output?: unknown } }
  | { type: 'StateFailed'; timestamp: number; state: { name: string; type: string; input: unknown }; Error: string; Cause: unknown }
  | { type: string; timestamp: number };

export interface HistoryContext {
  readonly history: HistoryEvent[];
  readonly state: HistoryState;
  readonly journal: readonly HistoryTaskEntry[];
  readonly region: string;
  readonly roleArn: string;
  /** the Task states of the definition, by name */
  readonly tasks: ReadonlyMap<string, TaskResourceInfo>;
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
function scheduleTask(context: HistoryContext, stateName: string, timestamp: number): void {
  context.state.attemptFailed = false;
  const entry = context.journal[context.state.taskCursor];
  const task = context.tasks.get(stateName);
  // no entry when the library failed the state before calling the task (e.g. a Parameters path that does not match)
  if (!entry || entry.stateName !== stateName || !task) return;
  context.state.taskCursor += 1;
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

/** The journal entry the last TaskScheduled was about. */
export const currentTaskIndex = (state: HistoryState): number => state.taskCursor - 1;

/** Appends the AWS history events one library event stands for. */
export function appendHistory(context: HistoryContext, event: LibraryEvent): void {
  const at = event.timestamp;
  context.state.eventsSeen += 1;
  if (event.type === 'ExecutionStarted' && 'input' in event) {
    push(context, 'ExecutionStarted', at, {
      executionStartedEventDetails: { input: redactedJson(event.input), inputDetails: NOT_TRUNCATED, roleArn: context.roleArn },
    });
  } else if (event.type === 'ExecutionSucceeded' && 'output' in event) {
    push(context, 'ExecutionSucceeded', at, { executionSucceededEventDetails: { output: redactedJson(event.output), outputDetails: NOT_TRUNCATED } });
  } else if (event.type === 'ExecutionFailed' && 'Error' in event) {
    push(context, 'ExecutionFailed', at, { executionFailedEventDetails: { error: event.Error, cause: redactTokens(causeText(event.Cause)) } });
  } else if (event.type === 'ExecutionAborted') {
    const { error, cause } = context.stop ?? {};
    push(context, 'ExecutionAborted', at, {
      executionAbortedEventDetails: { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause: redactTokens(cause) }) },
    });
  } else if (event.type === 'ExecutionTimeout') {
    push(context, 'ExecutionTimedOut', at, { executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'the execution ran longer than its TimeoutSeconds' } });
  } else if ('state' in event) {
    const { name, type } = event.state;
    const task = type === 'Task' ? context.tasks.get(name) : undefined;
    switch (event.type) {
      case 'StateEntered':
        push(context, `${type}StateEntered`, at, { stateEnteredEventDetails: { name, input: redactedJson(event.state.input), inputDetails: NOT_TRUNCATED } });
        if (type === 'Task') scheduleTask(context, name, at);
        break;
      case 'StateRetried':
        if (type === 'Task') scheduleTask(context, name, at);
        break;
      case 'StateFailed':
        // a Fail state, or a Choice with no match, shows as ExecutionFailed alone
        if (task && 'Error' in event) {
          context.state.attemptFailed = true;
          const details = { resourceType: task.resourceType, resource: task.resource, error: event.Error, cause: redactTokens(causeText(event.Cause)) };
          if (event.Error === 'States.Timeout') push(context, 'TaskTimedOut', at, { taskTimedOutEventDetails: details });
          else push(context, 'TaskFailed', at, { taskFailedEventDetails: details });
        }
        break;
      case 'StateExited': {
        if (task && !context.state.attemptFailed) {
          const entry = context.journal[currentTaskIndex(context.state)];
          push(context, 'TaskSucceeded', at, {
            taskSucceededEventDetails: { resourceType: task.resourceType, resource: task.resource, output: redactedJson(entry?.output), outputDetails: NOT_TRUNCATED },
          });
        }
        push(context, `${type}StateExited`, at, { stateExitedEventDetails: { name, output: redactedJson(event.state.output), outputDetails: NOT_TRUNCATED } });
        break;
      }
      default:
        // StateCaught: AWS logs no event of its own for a catch; the state exits with the error at its ResultPath
        break;
    }
  }
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
  const fault = { ...(outcome.error === undefined ? {} : { error: outcome.error }), ...(outcome.cause === undefined ? {} : { cause: redactTokens(outcome.cause) }) };
  switch (outcome.status) {
    case 'SUCCEEDED':
      history.push({ ...base, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: redactTokens(outcome.output ?? 'null'), outputDetails: NOT_TRUNCATED } });
      break;
    case 'FAILED':
      history.push({ ...base, type: 'ExecutionFailed', executionFailedEventDetails: { error: outcome.error ?? '', cause: redactTokens(outcome.cause ?? '') } });
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
