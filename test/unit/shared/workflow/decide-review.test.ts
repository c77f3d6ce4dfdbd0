import { beforeEach, describe, expect, it } from 'vitest';
import { decideReview, type DecisionRequest } from '#shared/workflow/decide-review.js';
import { requestReview } from '#shared/workflow/request-review.js';
import { submitReport } from '#shared/workflow/submit-report.js';
import { memoryDeps, type MemoryWorld } from '../../../support/memory-deps.js';
import { referenceReport } from '../../../support/report-builders.js';

/**
 * A decision, as the use case takes it, on the in-memory store: no emulator, no handler, the same rules the web
 * route applies. Step Functions is played by hand (each task is called with a token the test makes up).
 */

const REPORT_ID = 'daxing-kw-2020';
const OFFICER = 'officer@kw.example.cn';
const DIRECTOR = 'director@kw.example.cn';
const LEADER = 'leader@kw.example.cn';

let world: MemoryWorld;
beforeEach(async () => {
  world = await memoryDeps();
});

async function submitted(): Promise<void> {
  await submitReport(referenceReport(), await world.principal(OFFICER), world.deps);
}

async function decide(email: string, request: Partial<DecisionRequest> = {}) {
  const link = world.emailedReview(email);
  return decideReview(
    { ...link, outcome: 'approve', comment: '', confidentialityReviewed: true, ...request },
    await world.principal(email),
    world.deps,
  );
}

const eventTypes = async (): Promise<string[]> => (await world.store.listEvents(REPORT_ID)).map((event) => event.type);

describe('a decision on a step of the chain', () => {
  it('approved by the director goes on to the leader, whose sign-off ends the chain', async () => {
    await submitted();
    expect(await requestReview({ taskToken: 'token-director', reportId: REPORT_ID, version: 1, stage: 'director' }, world.deps)).toBe(
      'emailed',
    );
    await decide(DIRECTOR, { comment: '同意。' });
    expect(world.workflow.answers()).toEqual([
      { taskToken: 'token-director', output: expect.objectContaining({ outcome: 'approve', stepId: 'leader' }) },
    ]);

    await requestReview({ taskToken: 'token-leader', reportId: REPORT_ID, version: 1, stage: 'leader' }, world.deps);
    const signed = await decide(LEADER);
    expect(signed).toMatchObject({ outcome: 'approve', approver: LEADER, stage: 'leader', version: 1 });
    expect(world.workflow.answers().map((answer) => [answer.taskToken, answer.output['outcome']])).toEqual([
      ['token-director', 'approve'],
      ['token-leader', 'approve'],
    ]);
    expect(await eventTypes()).toEqual(['submitted', 'review_requested', 'decided', 'review_requested', 'decided']);
    const leaderReview = await world.store.getReview(world.emailedReview(LEADER).reviewId);
    expect(leaderReview?.decision).toEqual(signed);
  });

  it('returned by the director sends the round back with the comment', async () => {
    await submitted();
    await requestReview({ taskToken: 'token-director', reportId: REPORT_ID, version: 1, stage: 'director' }, world.deps);
    await expect(decide(DIRECTOR, { outcome: 'return', comment: '' })).rejects.toMatchObject({ code: 'COMMENT_REQUIRED' });
    const returned = await decide(DIRECTOR, { outcome: 'return', comment: '第三部分合计数有误，请核对。' });
    expect(returned).toMatchObject({ outcome: 'return', comment: '第三部分合计数有误，请核对。', approver: DIRECTOR });
    expect(world.workflow.answers()).toEqual([
      { taskToken: 'token-director', output: expect.objectContaining({ outcome: 'return', kind: 'return' }) },
    ]);
    expect(await eventTypes()).toEqual(['submitted', 'review_requested', 'decided']);
  });

  it('is refused when the director approves without the 保密审查, and nothing is logged or answered', async () => {
    await submitted();
    await requestReview({ taskToken: 'token-director', reportId: REPORT_ID, version: 1, stage: 'director' }, world.deps);
    await expect(decide(DIRECTOR, { confidentialityReviewed: false })).rejects.toMatchObject({ code: 'CONFIDENTIALITY_REVIEW_REQUIRED' });
    expect(await eventTypes()).toEqual(['submitted', 'review_requested']);
    expect(world.workflow.answers()).toEqual([]);
  });

  it('counts once: a second decision on the same review is refused and the first stays', async () => {
    await submitted();
    await requestReview({ taskToken: 'token-director', reportId: REPORT_ID, version: 1, stage: 'director' }, world.deps);
    const first = await decide(DIRECTOR);
    await expect(decide(DIRECTOR, { outcome: 'return', comment: '改主意了。' })).rejects.toMatchObject({
      code: 'ALREADY_DECIDED',
      decision: first,
    });
    expect((await world.store.getReview(world.emailedReview(DIRECTOR).reviewId))?.decision).toEqual(first);
    expect(await eventTypes()).toEqual(['submitted', 'review_requested', 'decided']);
  });
});

describe('separation of duties', () => {
  it('refuses a submission when one person would have to decide two steps', async () => {
    await world.store.putRosterEntry({ email: DIRECTOR, name: '王主任', agencyId: 'daxing-kw', roles: ['director', 'leader'] });
    await world.store.deleteRosterEntry(LEADER);
    await expect(submitted()).rejects.toMatchObject({ code: 'CHAIN_UNSTAFFED' });
    expect(await eventTypes()).toEqual([]);
    expect(world.workflow.calls).toEqual([]);
  });

  it('never asks the submitter to review, and the submitter cannot use the reviewer’s link', async () => {
    await world.store.putRosterEntry({ email: OFFICER, name: '李信息员', agencyId: 'daxing-kw', roles: ['officer', 'director'] });
    await submitted();
    await requestReview({ taskToken: 'token-director', reportId: REPORT_ID, version: 1, stage: 'director' }, world.deps);
    expect(() => world.emailedReview(OFFICER)).toThrow();
    const link = world.emailedReview(DIRECTOR);
    await expect(
      decideReview({ ...link, outcome: 'approve', comment: '', confidentialityReviewed: true }, await world.principal(OFFICER), world.deps),
    ).rejects.toMatchObject({ code: 'NOT_YOUR_REVIEW' });
    expect(await eventTypes()).toEqual(['submitted', 'review_requested']);
  });

  it('checks the roster when the person acts: a leader moved to another agency cannot sign with the emailed link', async () => {
    await submitted();
    await requestReview({ taskToken: 'token-director', reportId: REPORT_ID, version: 1, stage: 'director' }, world.deps);
    await decide(DIRECTOR);
    await requestReview({ taskToken: 'token-leader', reportId: REPORT_ID, version: 1, stage: 'leader' }, world.deps);
    await world.store.putRosterEntry({ email: LEADER, name: '张副主任', agencyId: 'daxing-czj', roles: ['leader'] });
    await expect(decide(LEADER)).rejects.toMatchObject({ code: 'ROLE_NOT_HELD' });
    expect(await eventTypes()).toEqual(['submitted', 'review_requested', 'decided', 'review_requested']);
    expect(world.workflow.answers().map((answer) => answer.taskToken)).toEqual(['token-director']);
  });
});
