import { AsyncLocalStorage } from 'node:async_hooks';
import { StateMachine } from 'aws-local-stepfunctions';

/**
 * Scopes: where in an execution a task runs. aws-local-stepfunctions runs each Map iteration and each Parallel branch
 * as a nested run of the StateMachine class, with the same task overrides as the execution itself, so a task override
 * cannot tell which iteration called it. Every nested run is therefore started inside a scope of its own (an
 * AsyncLocalStorage store the override reads), keyed by where it was started: `/0`, `/1`, … for the runs the
 * execution (key '') starts, `/0/0` for a run the first of them starts. The n-th nested run started from one scope is
 * always the same one: a scope runs one state at a time, and a Map starts its iterations in index order, so a replay
 * gives every iteration the key it had.
 *
 * The library needs corrections, made here where its nested runs are created:
 * - an iteration that fails fails the Map, which aborts the iterations it started; iterations still queued behind
 *   MaxConcurrency would then start anyway. Once an iteration of a Map's attempt has failed, its later iterations get
 *   a run that does nothing (AWS starts no further iterations).
 * - the library passes a nested run's events on to the execution's log several ticks late, drops those that come
 *   after the execution ended and an aborted iteration's ExecutionAborted: the engine reads every nested run's events
 *   itself (`onNestedRun`), and `onAbort` lets it end the waits of an aborted scope.
 */

export const ITERATION_ABORTED = 'IterationAborted';

/** The Map state (and iteration index) or Parallel state (and branch) a nested run is. */
export interface NestedRunInfo {
  readonly container: string;
  readonly type: 'Map' | 'Parallel';
  readonly index: number;
}

export interface Scope {
  readonly key: string;
  readonly parent?: Scope | undefined;
  /** the engine's run this scope belongs to (the override checks a task is its own) */
  readonly owner: object;
  /** a nested run started in this scope: the engine reads its events (the library would pass them on late, or drop them) */
  readonly onNestedRun: (child: Scope, info: NestedRunInfo, events: AsyncGenerator<unknown>) => void;
  /** called when the library aborts this nested run (its Map or Parallel failed): the engine ends its waits */
  readonly onAbort: (scope: Scope) => void;
  /** nested runs started from this scope so far */
  children: number;
  aborted: boolean;
}

const storage = new AsyncLocalStorage<Scope>();

export const currentScope = (): Scope | undefined => storage.getStore();

export function isAborted(scope: Scope): boolean {
  for (let at: Scope | undefined = scope; at; at = at.parent) if (at.aborted) return true;
  return false;
}

/** Starts the execution's own run inside its root scope. */
export function runInScope<T>(scope: Scope, run: () => T): T {
  return storage.run(scope, run);
}

type LibraryRun = ReturnType<StateMachine['run']>;
type RunArguments = Parameters<StateMachine['run']>;

/** The machine definitions the library runs nested (ItemProcessor, Iterator, Branches), and whose they are. */
const containers = new WeakMap<object, { container: string; type: 'Map' | 'Parallel'; branch: number }>();

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Learns the nested machines of a definition the library holds (its own copy: the objects it will run). */
export function registerContainers(definition: unknown): void {
  if (!isObject(definition) || !isObject(definition['States'])) return;
  for (const [name, state] of Object.entries(definition['States'])) {
    if (!isObject(state)) continue;
    const processor = state['ItemProcessor'] ?? state['Iterator'];
    if (state['Type'] === 'Map' && isObject(processor)) {
      containers.set(processor, { container: name, type: 'Map', branch: 0 });
      registerContainers(processor);
    }
    if (state['Type'] === 'Parallel' && Array.isArray(state['Branches'])) {
      state['Branches'].forEach((branch: unknown, index) => {
        if (!isObject(branch)) return;
        containers.set(branch, { container: name, type: 'Parallel', branch: index });
        registerContainers(branch);
      });
    }
  }
}

/** The nested runs of one Map attempt share the StateMachine instance the Map built for them. */
const attempts = new WeakMap<object, { failed: boolean; started: number }>();

async function* noEvents(): AsyncGenerator<unknown> {}

const inertRun = (): LibraryRun => ({
  abort: () => undefined,
  eventLogs: noEvents() as LibraryRun['eventLogs'],
  result: Promise.resolve(null) as LibraryRun['result'],
});

const originalRun = StateMachine.prototype.run;
let installed = false;

/** Installs the scoped nested runs (once per process; runs outside an engine's scope are left exactly as they were). */
export function installScopes(): void {
  if (installed) return;
  installed = true;
  StateMachine.prototype.run = function scopedRun(this: StateMachine, ...args: RunArguments): LibraryRun {
    const parent = storage.getStore();
    const options = args[1] as Record<string, unknown> | undefined;
    // `definition` is private in the library's types, public at run time: the object the Map or Parallel passed in
    const known = containers.get((this as unknown as { definition: object }).definition);
    // only the library itself passes _rootAbortSignal: that is a Map iteration or a Parallel branch
    if (!parent || !known || options === undefined || !('_rootAbortSignal' in options)) return originalRun.apply(this, args);
    const key = `${parent.key}/${parent.children}`;
    parent.children += 1;
    let attempt = attempts.get(this);
    if (!attempt) {
      attempt = { failed: false, started: 0 };
      attempts.set(this, attempt);
    }
    const index = known.type === 'Map' ? attempt.started++ : known.branch;
    if (attempt.failed || isAborted(parent)) return inertRun();
    const scope: Scope = {
      key,
      parent,
      owner: parent.owner,
      onNestedRun: parent.onNestedRun,
      onAbort: parent.onAbort,
      children: 0,
      aborted: false,
    };
    const run = storage.run(scope, () => originalRun.apply(this, args));
    const failedAttempt = attempt;
    run.result.then(undefined, () => {
      failedAttempt.failed = true;
    });
    parent.onNestedRun(scope, { container: known.container, type: known.type, index }, run.eventLogs as AsyncGenerator<unknown>);
    return {
      abort: () => {
        if (!scope.aborted) {
          scope.aborted = true;
          scope.onAbort(scope);
        }
        run.abort();
      },
      // read by the engine; the library's own forwarding gets nothing
      eventLogs: noEvents() as LibraryRun['eventLogs'],
      result: run.result,
    };
  };
}
