import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoalescingIndexQueue } from '#infra/local/coalescing-index-queue.js';
import type { PublishedReport } from '#shared/workflow/model.js';
import type { IndexRequest } from '#shared/workflow/site-indexes.js';

const report = (agencyId: string, version = 1, year = 2020): PublishedReport => ({
  reportId: `${agencyId}-${year}`,
  agencyId,
  agencyName: `${agencyId}局`,
  year,
  version,
  contentSha256: 'a'.repeat(64),
  publishedAt: '2021-01-20T01:00:00.000Z',
});
const published = (agencyId: string, version = 1): IndexRequest => ({ kind: 'published', report: report(agencyId, version) });

/** A rebuild that waits for the test to let it finish, recording what each call was given. */
function heldRebuilds() {
  const calls: IndexRequest[][] = [];
  const releases: (() => void)[] = [];
  let active = 0;
  let mostAtOnce = 0;
  const rebuild = async (requests: readonly IndexRequest[]) => {
    calls.push([...requests]);
    active += 1;
    mostAtOnce = Math.max(mostAtOnce, active);
    await new Promise<void>((resolve) => releases.push(resolve));
    active -= 1;
  };
  const releaseNext = async () => {
    for (let tick = 0; tick < 50 && releases.length === 0; tick++) await new Promise((resolve) => setTimeout(resolve, 1));
    releases.shift()?.();
  };
  return { calls, rebuild, releaseNext, mostAtOnce: () => mostAtOnce };
}

describe('the local site-index writer', () => {
  it('answers a request at once and rebuilds in the background', async () => {
    const held = heldRebuilds();
    const queue = new CoalescingIndexQueue({ rebuild: held.rebuild });
    await queue.request(published('a'));
    expect(held.calls).toEqual([[published('a')]]);
    await held.releaseNext();
    await queue.idle();
    expect(queue.stats).toEqual({ requests: 1, rebuilds: 1, failures: 0 });
  });

  it('runs one rebuild at a time and folds everything requested meanwhile into the next one', async () => {
    const held = heldRebuilds();
    const queue = new CoalescingIndexQueue({ rebuild: held.rebuild });
    await queue.request(published('a'));
    for (const agency of ['b', 'c', 'd']) await queue.request(published(agency));
    await queue.request(published('b', 2));
    expect(held.calls).toHaveLength(1);
    await held.releaseNext();
    await held.releaseNext();
    await queue.idle();
    expect(held.calls).toEqual([[published('a')], [published('b', 2), published('c'), published('d')]]);
    expect(held.mostAtOnce()).toBe(1);
    expect(queue.stats).toEqual({ requests: 5, rebuilds: 2, failures: 0 });
  });

  it("keeps a failed rebuild's requests, ahead of newer ones, and tries them again after the backoff", async () => {
    const calls: IndexRequest[][] = [];
    const failures: number[] = [];
    let failNext = 2;
    const queue = new CoalescingIndexQueue({
      retryMs: 5,
      onFailure: (_error, inARow) => failures.push(inARow),
      rebuild: async (requests) => {
        calls.push([...requests]);
        if (failNext-- > 0) throw new Error('S3 SlowDown');
      },
    });
    await queue.request(published('a'));
    await queue.request(published('b'));
    await queue.idle();
    expect(failures).toEqual([1, 2]);
    // the first rebuild had a alone; its retries carry a and then b, and a is never dropped
    expect(calls).toEqual([[published('a')], [published('a'), published('b')], [published('a'), published('b')]]);
    expect(queue.stats).toEqual({ requests: 2, rebuilds: 3, failures: 2 });
  });

  it('waits longer after each failure in a row, up to the cap', async () => {
    const startedAt: number[] = [];
    const queue = new CoalescingIndexQueue({
      retryMs: 20,
      maxRetryMs: 40,
      rebuild: async () => {
        startedAt.push(performance.now());
        if (startedAt.length <= 3) throw new Error('down');
      },
    });
    await queue.request({ kind: 'all' });
    await queue.idle();
    const gaps = startedAt.slice(1).map((at, index) => at - (startedAt[index] ?? 0));
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeLessThan(200);
  });

  it('turns away requests once stopped, and lets the running rebuild finish', async () => {
    const held = heldRebuilds();
    const queue = new CoalescingIndexQueue({ rebuild: held.rebuild });
    await queue.request(published('a'));
    await queue.request(published('b'));
    const stopped = queue.stop();
    await expect(queue.request(published('c'))).rejects.toThrow('stopped');
    await held.releaseNext();
    await stopped;
    // b was queued behind the running rebuild: left for the next start's full rebuild
    expect(held.calls).toEqual([[published('a')]]);
  });
});

describe('the local site-index writer in a burst', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a rebuild no sooner than the interval after the previous one began, and folds in what came meanwhile', async () => {
    const starts: { at: number; requests: IndexRequest[] }[] = [];
    const queue = new CoalescingIndexQueue({
      minIntervalMs: 1000,
      rebuild: async (requests) => {
        starts.push({ at: Date.now(), requests: [...requests] });
      },
    });
    const t0 = Date.now();
    await queue.request(published('a'));
    await vi.advanceTimersByTimeAsync(0);
    expect(starts.map((start) => start.at - t0)).toEqual([0]);
    for (const agency of ['b', 'c']) await queue.request(published(agency));
    await vi.advanceTimersByTimeAsync(999);
    expect(starts).toHaveLength(1);
    await queue.request(published('d'));
    await vi.advanceTimersByTimeAsync(1);
    expect(starts.map((start) => start.at - t0)).toEqual([0, 1000]);
    expect(starts[1]?.requests).toEqual([published('b'), published('c'), published('d')]);
    await queue.idle();
  });

  it('rebuilds at once for a publication after a quiet spell as long as the interval', async () => {
    const starts: number[] = [];
    const queue = new CoalescingIndexQueue({ minIntervalMs: 1000, rebuild: async () => void starts.push(Date.now()) });
    const t0 = Date.now();
    await queue.request(published('a'));
    await vi.advanceTimersByTimeAsync(1000);
    await queue.request(published('b'));
    await vi.advanceTimersByTimeAsync(0);
    expect(starts.map((at) => at - t0)).toEqual([0, 1000]);
  });

  it('stops at once while it waits for the interval, leaving the waiting requests to the next start', async () => {
    const starts: number[] = [];
    const queue = new CoalescingIndexQueue({ minIntervalMs: 60_000, rebuild: async () => void starts.push(Date.now()) });
    await queue.request(published('a'));
    await vi.advanceTimersByTimeAsync(0);
    await queue.request(published('b'));
    await queue.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(starts).toHaveLength(1);
    await queue.idle();
  });
});
