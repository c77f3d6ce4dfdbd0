import { logger } from './logger.js';

/**
 * Work a request hands off so that its answer does not wait for it (the sign-in email: waiting for it would tell how
 * long sending took, so who is on the roster). Each failure is logged, never thrown at the person who asked.
 *
 * `settle()` is what a handler awaits before it returns: the local server's background never makes it wait; a Lambda's
 * does, because Lambda freezes a function once it has answered and unsent mail would be lost.
 */
export interface Background {
  run(name: string, task: () => Promise<unknown>): void;
  settle(): Promise<void>;
}

function logFailure(name: string, error: unknown): void {
  logger.error('background task failed', { task: name, error: error instanceof Error ? error.name : 'unknown' });
}

/** The local server: the task runs after the answer is sent. `drain()` is for an orderly stop and for tests. */
export class DetachedBackground implements Background {
  private readonly pending = new Set<Promise<unknown>>();

  run(name: string, task: () => Promise<unknown>): void {
    const running = task()
      .catch((error: unknown) => logFailure(name, error))
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  async settle(): Promise<void> {}

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** A Lambda (and the handler tests): the task starts at once and the handler awaits it before returning. */
export class AwaitedBackground implements Background {
  private pending: Array<Promise<unknown>> = [];

  run(name: string, task: () => Promise<unknown>): void {
    this.pending.push(task().catch((error: unknown) => logFailure(name, error)));
  }

  async settle(): Promise<void> {
    const running = this.pending;
    this.pending = [];
    await Promise.all(running);
  }
}
