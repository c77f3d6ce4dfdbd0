import { describe, expect, it } from 'vitest';
import { PendingReplies } from '#infra/local/pending-replies.js';

function withHolds() {
  const holds: boolean[] = [];
  const posted: number[] = [];
  const replies = new PendingReplies<string>((busy) => holds.push(busy));
  const ask = () => replies.ask((id) => posted.push(id));
  return { holds, posted, replies, ask };
}

describe('requests answered by id from another thread', () => {
  it('gives each request its own id and its own reply, in whatever order the replies come', async () => {
    const { posted, replies, ask } = withHolds();
    const first = ask();
    const second = ask();
    expect(new Set(posted).size).toBe(2);
    replies.settle(posted[1] ?? -1, { value: 'second' });
    replies.settle(posted[0] ?? -1, { value: 'first' });
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
  });

  it('holds the thread from the first request waiting until the last is answered, not in between', async () => {
    const { holds, posted, replies, ask } = withHolds();
    const waits = [ask(), ask()];
    expect(holds).toEqual([true]);
    replies.settle(posted[0] ?? -1, { value: 'a' });
    expect(holds).toEqual([true]);
    replies.settle(posted[1] ?? -1, { error: new Error('could not') });
    expect(holds).toEqual([true, false]);
    await expect(waits[0]).resolves.toBe('a');
    await expect(waits[1]).rejects.toThrow('could not');
    void ask();
    expect(holds).toEqual([true, false, true]);
  });

  it('fails every request still waiting when the thread is gone, and drops a late reply', async () => {
    const { holds, posted, replies, ask } = withHolds();
    const waits = [ask(), ask()];
    replies.failAll(new Error('the thread exited'));
    expect(holds).toEqual([true, false]);
    for (const wait of waits) await expect(wait).rejects.toThrow('the thread exited');
    replies.settle(posted[0] ?? -1, { value: 'late' });
    replies.failAll(new Error('again'));
    expect(holds).toEqual([true, false]);
  });
});
