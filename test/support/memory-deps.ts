import { randomBytes } from 'node:crypto';
import { principalOf, type Principal } from '#shared/auth/principal.js';
import { OutboxMailer } from '#shared/mail/outbox-mailer.js';
import { seedDemo } from '#shared/runtime/demo-roster.js';
import { MemoryStore } from '#shared/store/memory-store.js';
import type { DecideDeps } from '#shared/workflow/decide-review.js';
import { TaskGoneError } from '#shared/workflow/errors.js';
import type { MyTasksDeps } from '#shared/workflow/my-tasks.js';
import type { ExecutionHistoryEvent, ExecutionSummary, Workflow } from '#shared/workflow/ports.js';
import type { RequestReviewDeps } from '#shared/workflow/review-delivery.js';
import type { RequestRevisionDeps } from '#shared/workflow/request-revision.js';
import type { ResubmitDeps } from '#shared/workflow/resubmit-report.js';
import type { WithdrawDeps } from '#shared/workflow/withdraw-report.js';
import { deriveKeys } from '#shared/workflow/secrets.js';
import { TestClock } from './clock.js';

export const MEMORY_BASE_URL = 'https://nianbao.example.gov.cn';

/** What Step Functions was told, in order: the rounds started and stopped, and each task's answer by its token. */
export type WorkflowCall =
  | { readonly call: 'start'; readonly name: string; readonly input: Readonly<Record<string, unknown>> }
  | { readonly call: 'stop'; readonly name: string; readonly cause: string }
  | { readonly call: 'success'; readonly taskToken: string; readonly output: Readonly<Record<string, unknown>> }
  | { readonly call: 'failure'; readonly taskToken: string; readonly error: string };

/**
 * Step Functions as the use cases see it, in memory: executions run until stopped, and a task token is live from the
 * moment the test hands it to a task until it is answered once (a second answer is TaskGoneError, as on AWS).
 */
export class RecordingWorkflow implements Workflow {
  readonly calls: WorkflowCall[] = [];
  private readonly running = new Map<string, ExecutionSummary>();
  private readonly answered = new Set<string>();

  constructor(private readonly clock: TestClock) {}

  async start(name: string, input: Readonly<Record<string, unknown>>): Promise<void> {
    if (this.running.has(name)) return;
    this.running.set(name, { name, status: 'RUNNING', startDate: this.clock.now().toISOString() });
    this.calls.push({ call: 'start', name, input });
  }

  async stop(name: string, cause: string): Promise<void> {
    const execution = this.running.get(name);
    if (execution !== undefined) this.running.set(name, { ...execution, status: 'ABORTED', stopDate: this.clock.now().toISOString() });
    this.calls.push({ call: 'stop', name, cause });
  }

  async sendTaskSuccess(taskToken: string, output: Readonly<Record<string, unknown>>): Promise<void> {
    this.answer(taskToken);
    this.calls.push({ call: 'success', taskToken, output });
  }

  async sendTaskFailure(taskToken: string, error: string): Promise<void> {
    this.answer(taskToken);
    this.calls.push({ call: 'failure', taskToken, error });
  }

  async describe(name: string): Promise<ExecutionSummary | undefined> {
    return this.running.get(name);
  }

  async history(): Promise<ExecutionHistoryEvent[]> {
    return [];
  }

  /** the answers sent, in order */
  answers(): Array<{ taskToken: string; output: Readonly<Record<string, unknown>> }> {
    return this.calls.flatMap((c) => (c.call === 'success' ? [{ taskToken: c.taskToken, output: c.output }] : []));
  }

  private answer(taskToken: string): void {
    if (this.answered.has(taskToken)) throw new TaskGoneError(`task token ${taskToken} was already answered`);
    this.answered.add(taskToken);
  }
}

export interface MemoryWorld {
  /** everything the workflow use cases take, over one MemoryStore seeded with the demo district's roster */
  readonly deps: DecideDeps &
    RequestReviewDeps &
    RequestRevisionDeps &
    ResubmitDeps &
    WithdrawDeps &
    MyTasksDeps & { readonly store: MemoryStore };
  readonly store: MemoryStore;
  readonly clock: TestClock;
  readonly outbox: OutboxMailer;
  readonly workflow: RecordingWorkflow;
  /** the person on the roster as they are now, as a session would resolve them */
  principal(email: string): Promise<Principal>;
  /** the review the newest review email to `to` links to, with the signature the link carries */
  emailedReview(to: string): { reviewId: string; sig: string };
}

/** The use cases' world without an emulator: an in-memory store, an outbox, and Step Functions that records. */
export async function memoryDeps(): Promise<MemoryWorld> {
  const store = new MemoryStore();
  await seedDemo(store);
  const clock = new TestClock();
  const outbox = new OutboxMailer({ clock });
  const workflow = new RecordingWorkflow(clock);
  const deps = { store, clock, workflow, mailer: outbox, linkKey: deriveKeys(randomBytes(32)).links, baseUrl: MEMORY_BASE_URL };
  return {
    deps,
    store,
    clock,
    outbox,
    workflow,
    async principal(email) {
      const entry = await store.getRosterEntry(email);
      if (entry === undefined) throw new Error(`${email} is not on the roster`);
      return principalOf(entry, 'csrf-token-of-the-session');
    },
    emailedReview(to) {
      const link = outbox
        .list()
        .find((entry) => entry.to === to && /请(审核|会签|签发)：/.test(entry.subject))
        ?.links.find((url) => url.includes('/reviews/'));
      if (link === undefined) throw new Error(`no review link emailed to ${to}`);
      const url = new URL(link);
      return { reviewId: decodeURIComponent(url.pathname.split('/')[2] ?? ''), sig: url.searchParams.get('sig') ?? '' };
    },
  };
}
