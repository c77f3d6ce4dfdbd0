import { beforeEach, describe, expect, it } from 'vitest';
import { decideReview } from '#shared/workflow/decide-review.js';
import { requestReview } from '#shared/workflow/request-review.js';
import { submitReport } from '#shared/workflow/submit-report.js';
import { withdrawReport } from '#shared/workflow/withdraw-report.js';
import { memoryDeps, type MemoryWorld } from '../../../support/memory-deps.js';
import { referenceReport } from '../../../support/report-builders.js';

/** 撤回 against a decision on the in-memory store: whichever is logged first wins, and the log says which. */

const REPORT_ID = 'daxing-kw-2020';
const OFFICER = 'officer@kw.example.cn';
const DIRECTOR = 'director@kw.example.cn';

let world: MemoryWorld;
beforeEach(async () => {
  world = await memoryDeps();
});

/** a report waiting on the director, whose link is in the outbox */
async function inReview(w: MemoryWorld): Promise<void> {
  await submitReport(referenceReport(), await w.principal(OFFICER), w.deps);
  await requestReview({ taskToken: 'token-director', reportId: REPORT_ID, version: 1, stage: 'director' }, w.deps);
}

async function approve(w: MemoryWorld) {
  const request = { ...w.emailedReview(DIRECTOR), outcome: 'approve' as const, comment: '同意。', confidentialityReviewed: true };
  return decideReview(request, await w.principal(DIRECTOR), w.deps);
}

async function withdraw(w: MemoryWorld) {
  return withdrawReport(REPORT_ID, '发现附表数据需要更正。', await w.principal(OFFICER), w.deps);
}

const eventTypes = async (w: MemoryWorld): Promise<string[]> => (await w.store.listEvents(REPORT_ID)).map((event) => event.type);

/** lets `n` turns of the microtask queue pass, so the other side gets that far first */
async function afterTicks<T>(n: number, act: () => Promise<T>): Promise<T> {
  for (let i = 0; i < n; i++) await Promise.resolve();
  return act();
}

describe('withdrawal and decision', () => {
  it('withdrawn first: the director’s link decides nothing, and the workflow is not told of a decision', async () => {
    await inReview(world);
    expect(await withdraw(world)).toMatchObject({ id: REPORT_ID, status: 'withdrawn' });
    await expect(approve(world)).rejects.toMatchObject({ code: 'REVIEW_CLOSED' });
    expect(await eventTypes(world)).toEqual(['submitted', 'review_requested', 'withdrawn']);
    expect(world.workflow.answers()).toEqual([]);
    expect(world.workflow.calls.filter((call) => call.call === 'stop')).toEqual([
      { call: 'stop', name: `${REPORT_ID}-r1`, cause: 'withdrawn by the officer' },
    ]);
    expect(world.outbox.list().some((mail) => mail.to === DIRECTOR && mail.text.includes('发现附表数据需要更正。'))).toBe(true);
  });

  it('decided first: the decision stays in the log before the withdrawal', async () => {
    await inReview(world);
    const decision = await approve(world);
    await withdraw(world);
    const events = await world.store.listEvents(REPORT_ID);
    expect(events.map((event) => event.type)).toEqual(['submitted', 'review_requested', 'decided', 'withdrawn']);
    expect(events[2]?.data).toMatchObject({ decision });
  });

  it('sent at the same moment, in either order and at any point of each other: a decision answered is always in the log', async () => {
    const outcomes = new Set<string>();
    for (const decisionFirst of [true, false]) {
      for (let lead = 0; lead < 40; lead++) {
        const w = await memoryDeps();
        await inReview(w);
        const [decided, withdrawn] = await Promise.allSettled(
          decisionFirst ? [approve(w), afterTicks(lead, () => withdraw(w))] : [afterTicks(lead, () => approve(w)), withdraw(w)],
        );
        const types = await eventTypes(w);
        expect(withdrawn.status, `withdrawal (lead ${lead})`).toBe('fulfilled');
        expect(types.at(-1)).toBe('withdrawn');
        if (decided.status === 'fulfilled') {
          expect(types, `lead ${lead}`).toEqual(['submitted', 'review_requested', 'decided', 'withdrawn']);
          expect(w.workflow.answers().map((answer) => answer.taskToken)).toEqual(['token-director']);
          outcomes.add('decided, then withdrawn');
        } else {
          expect(decided.reason, `lead ${lead}`).toMatchObject({ code: 'REVIEW_CLOSED' });
          expect(types, `lead ${lead}`).toEqual(['submitted', 'review_requested', 'withdrawn']);
          expect(w.workflow.answers()).toEqual([]);
          outcomes.add('withdrawn, decision refused');
        }
      }
    }
    // the leads cover both ways the race can end
    expect([...outcomes].sort()).toEqual(['decided, then withdrawn', 'withdrawn, decision refused']);
  });
});
