import { coalesceIndexRequests, type IndexRequest } from '../../shared/workflow/site-indexes.js';
import type { IndexQueue } from '../../shared/workflow/ports.js';

/**
 * The site-index writer of the local stack, in-process: the same structure as AWS's FIFO queue with one message group
 * into one Lambda of reserved concurrency 1. Requests are queued and answered at once; one rebuild runs at a time and
 * takes everything queued since the previous one began, so a thousand publications cost a handful of rebuilds, not a
 * thousand. A failed rebuild keeps its requests (ahead of newer ones) and is tried again after a backoff, for as long
 * as it takes: `onFailure` sees every failure (the local stack logs it at error level, as the AWS alarm would fire).
 * Nothing is on disk: the local stack asks for a full rebuild when it starts, which covers a process killed mid-rebuild.
 */

export interface CoalescingIndexQueueOptions {
  readonly rebuild: (requests: readonly IndexRequest[]) => Promise<unknown>;
  /** first retry after this long, doubling per consecutive failure up to `maxRetryMs` */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  readonly onFailure?: (error: unknown, consecutiveFailures: number) => void;
  /**
   * at least this long between the starts of two rebuilds (default 0): a publication after a quiet spell is indexed at
   * once, while in a burst each rebuild takes a second's publications instead of the few that arrived during the last
   * one (AWS's writer takes ten requests a batch), so the root page is written about once a second, not per report
   */
  readonly minIntervalMs?: number;
}

export interface IndexQueueStats {
  readonly requests: number;
  readonly rebuilds: number;
  readonly failures: number;
}

export class CoalescingIndexQueue implements IndexQueue {
  private pending: IndexRequest[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private failuresInARow = 0;
  private pauseTimer: NodeJS.Timeout | undefined;
  private wakePause: (() => void) | undefined;
  private lastStart: number | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  private counts = { requests: 0, rebuilds: 0, failures: 0 };

  constructor(private readonly options: CoalescingIndexQueueOptions) {}

  request(request: IndexRequest): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the site-index queue is stopped'));
    this.counts.requests += 1;
    this.pending.push(request);
    this.running ??= this.drain();
    return Promise.resolve();
  }

  get stats(): IndexQueueStats {
    return { ...this.counts };
  }

  /** Resolves when nothing is queued and no rebuild runs (every request so far is on the site). */
  idle(): Promise<void> {
    if (this.running === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Takes no more requests, lets a running rebuild finish and drops a pending retry's wait. What is still queued is
   * the next start's full rebuild's to cover. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pauseTimer);
    this.wakePause?.();
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.stopped) {
      const since = this.lastStart === undefined ? Number.POSITIVE_INFINITY : Date.now() - this.lastStart;
      const minInterval = this.options.minIntervalMs ?? 0;
      if (since < minInterval) {
        await this.pause(minInterval - since);
        if (this.stopped) break;
      }
      this.lastStart = Date.now();
      const batch = coalesceIndexRequests(this.pending);
      this.pending = [];
      try {
        this.counts.rebuilds += 1;
        await this.options.rebuild(batch);
        this.failuresInARow = 0;
      } catch (error) {
        this.counts.failures += 1;
        this.failuresInARow += 1;
        this.pending = [...batch, ...this.pending];
        this.options.onFailure?.(error, this.failuresInARow);
        await this.backoff();
      }
    }
    this.running = undefined;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private backoff(): Promise<void> {
    const base = this.options.retryMs ?? 1000;
    return this.pause(Math.min(this.options.maxRetryMs ?? 30_000, base * 2 ** (this.failuresInARow - 1)));
  }

  /** a wait that `stop()` cuts short */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakePause = resolve;
      this.pauseTimer = setTimeout(resolve, ms);
    });
  }
}
