import { beforeEach, describe, expect, it } from 'vitest';
import { decideReview } from '#shared/workflow/decide-review.js';
import { requestReview } from '#shared/workflow/request-review.js';
import { requestRevision } from '#shared/workflow/request-revision.js';
import { resubmitReport } from '#shared/workflow/resubmit-report.js';
import { submitReport } from '#shared/workflow/submit-report.js';
import { memoryDeps, type MemoryWorld } from '../../../support/memory-deps.js';
import { referenceReport, withValue } from '../../../support/report-builders.js';

/** submit → the director returns it → the officer resubmits → the chain runs again on the new version, on memory. */

const REPORT_ID = 'daxing-kw-2020';
const OFFICER = 'officer@kw.example.cn';
const DIRECTOR = 'director@kw.example.cn';
const COMMENT = '第三部分合计数有误，请核对。';

let world: MemoryWorld;
beforeEach(async () => {
  world = await memoryDeps();
  await submitReport(referenceReport(), await world.principal(OFFICER), world.deps);
  await requestReview({ taskToken: 'token-director-1', reportId: REPORT_ID, version: 1, stage: 'director' }, world.deps);
});

async function decide(outcome: 'approve' | 'return', comment = '') {
  return decideReview(
    { ...world.emailedReview(DIRECTOR), outcome, comment, confidentialityReviewed: true },
    await world.principal(DIRECTOR),
    world.deps,
  );
}

describe('a returned report resubmitted', () => {
  it('tells the officer why, takes the new version, releases the revision task and starts the chain again on it', async () => {
    await decide('return', COMMENT);
    expect(await requestRevision({ taskToken: 'token-revision-1', reportId: REPORT_ID, version: 1 }, world.deps)).toBe('emailed');
    expect(world.outbox.list().find((mail) => mail.to === OFFICER)?.text).toContain(COMMENT);
    const v1Link = world.emailedReview(DIRECTOR);

    const revised = withValue(referenceReport(), 'overview', '本年度，我委认真贯彻落实《条例》，已核对第三部分合计数。');
    const result = await resubmitReport(REPORT_ID, revised, await world.principal(OFFICER), world.deps);
    expect(result).toEqual({ id: REPORT_ID, version: 2, status: 'in_review', stage: 'director' });
    expect(world.workflow.answers().at(-1)).toEqual({
      taskToken: 'token-revision-1',
      output: expect.objectContaining({ outcome: 'resubmitted', version: 2 }),
    });
    expect(await world.store.getRevision(REPORT_ID, 1)).toMatchObject({ resubmittedVersion: 2 });
    expect((await world.store.getVersion(REPORT_ID, 2))?.content).toMatchObject({ overview: revised['overview'] });

    // the director's v1 link decides nothing more; the v2 review is a new one, approved as usual
    const again = { ...v1Link, outcome: 'approve' as const, comment: '', confidentialityReviewed: true };
    await expect(decideReview(again, await world.principal(DIRECTOR), world.deps)).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
    await requestReview({ taskToken: 'token-director-2', reportId: REPORT_ID, version: 2, stage: 'director' }, world.deps);
    expect(world.emailedReview(DIRECTOR).reviewId).not.toBe(v1Link.reviewId);
    expect(await decide('approve')).toMatchObject({ outcome: 'approve', version: 2 });
    expect((await world.store.listEvents(REPORT_ID)).map((event) => [event.type, event.version])).toEqual([
      ['submitted', 1],
      ['review_requested', 1],
      ['decided', 1],
      ['revision_requested', 1],
      ['resubmitted', 2],
      ['review_requested', 2],
      ['decided', 2],
    ]);
  });

  it('is refused while the report is still in review, and nothing changes', async () => {
    const before = await world.store.listEvents(REPORT_ID);
    await expect(resubmitReport(REPORT_ID, referenceReport(), await world.principal(OFFICER), world.deps)).rejects.toMatchObject({
      status: 409,
    });
    expect(await world.store.listEvents(REPORT_ID)).toEqual(before);
    expect(await world.store.getVersion(REPORT_ID, 2)).toBeUndefined();
  });
});
