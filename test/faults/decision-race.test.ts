import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '#shared/workflow/model.js';
import { startTestStack } from '../e2e/stack.js';
import { isReturn, outboxHttp, reviewLinkOf, send, sleep, until, type ReviewLink } from './support/client.js';
import { reportFor } from './support/driver.js';
import { logProblems, type History } from './support/invariants.js';
import { seedAgency, seedAuditor, type SeededAgency, type SeededPerson } from './support/people.js';

/**
 * Approve and return posted at the same moment on one review (Promise.all over HTTP; in some trials one of them a few
 * milliseconds later, which is where a loser used to find the report already moved on): exactly one 200, one 409
 * carrying the winning decision, one `decided` event, and the workflow follows the winner.
 */

const TRIALS = 12;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let agencies: SeededAgency[];
let auditor: SeededPerson;

beforeAll(async () => {
  // the races interpose on deps.store, which every handler must then share
  stack = await startTestStack({ partitionGuard: false });
  agencies = await Promise.all(
    Array.from({ length: TRIALS }, (_, i) => seedAgency(stack.deps.store, { id: `race-${i + 1}`, name: `竞争测试第${i + 1}局` })),
  );
  auditor = await seedAuditor(stack.deps.store, 'race-1');
}, 120_000);
afterAll(async () => stack?.dispose());

async function reviewLinkTo(to: string, version = 1): Promise<ReviewLink> {
  return until(`a review email to ${to}`, async () => {
    const entry = (await outboxHttp(stack.url)).find(
      (candidate) =>
        candidate.to === to && /请(审核|会签|签发)：/.test(candidate.subject) && candidate.subject.includes(`（第${version}版）`),
    );
    return entry && reviewLinkOf(entry);
  });
}

const decisionPath = (link: ReviewLink) => `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`;

describe('approve and return racing on one review', () => {
  it.each(Array.from({ length: TRIALS }, (_, i) => [i] as const))(
    'trial %i: one wins, the other is told who won',
    async (i) => {
      const seeded = agencies[i];
      if (!seeded) throw new Error('no agency');
      const reportId = `${seeded.agency.id}-2020`;
      expect((await send(stack.url, seeded.officer, 'POST', '/api/reports', { json: { report: reportFor(seeded.agency) } })).status).toBe(
        201,
      );
      const link = await reviewLinkTo(seeded.director.email);

      const approve = { sig: link.sig, outcome: 'approve', comment: '同意。', confidentialityReviewed: true };
      const giveBack = { sig: link.sig, outcome: 'return', comment: `退回（第${i + 1}次试验）。`, confidentialityReviewed: true };
      const stagger = (i % 4) * 3; // 0, 3, 6, 9 ms
      const [first, second] = i % 2 === 0 ? [approve, giveBack] : [giveBack, approve];
      const replies = await Promise.all([
        send(stack.url, seeded.director, 'POST', decisionPath(link), { json: first }),
        sleep(stagger).then(() => send(stack.url, seeded.director, 'POST', decisionPath(link), { json: second })),
      ]);

      const statuses = replies.map((reply) => reply.status).sort();
      expect(statuses, replies.map((reply) => reply.text).join('\n')).toEqual([200, 409]);
      const won = replies.find((reply) => reply.status === 200)?.body as { decision: Decision };
      const lost = replies.find((reply) => reply.status === 409)?.body as { error: { code: string }; decision: Decision };
      expect(lost.error.code).toBe('ALREADY_DECIDED');
      expect(lost.decision).toEqual(won.decision);

      // the workflow follows the winner
      if (won.decision.outcome === 'approve') {
        await reviewLinkTo(seeded.leader.email);
      } else {
        await until('the return email', async () =>
          (await outboxHttp(stack.url)).find((entry) => entry.to === seeded.officer.email && isReturn(entry)),
        );
      }
      const history = (await send(stack.url, auditor, 'GET', `/api/reports/${reportId}/history`)).body as History;
      const decided = history.events.filter((event) => event.type === 'decided');
      expect(decided).toHaveLength(1);
      expect(decided[0]?.data['decision']).toEqual(won.decision);
      expect(logProblems(reportId, history)).toEqual([]);
      const status = (await send(stack.url, seeded.officer, 'GET', `/api/reports/${reportId}`)).body as { status: string; stage: string };
      expect(status).toMatchObject(
        won.decision.outcome === 'approve' ? { status: 'in_review', stage: 'leader' } : { status: 'returned', stage: 'officer' },
      );
      const review = await stack.deps.store.getReview(link.reviewId);
      expect(review?.decision).toEqual(won.decision);
      console.info(`[faults] race trial ${i} (stagger ${stagger} ms, ${first.outcome} first): ${won.decision.outcome} won`);
    },
    60_000,
  );
});

describe('a loser that read the review just before the winner recorded its decision', () => {
  it('is still told what won (409 ALREADY_DECIDED with the decision), not that the review closed', async () => {
    const seeded = await seedAgency(stack.deps.store, { id: 'race-slow', name: '竞争测试慢局' });
    const reportId = `${seeded.agency.id}-2020`;
    expect((await send(stack.url, seeded.officer, 'POST', '/api/reports', { json: { report: reportFor(seeded.agency) } })).status).toBe(
      201,
    );
    const link = await reviewLinkTo(seeded.director.email);

    // the second request to read the still undecided review is held until the first one's `decided` event is in the
    // log: the interleaving Promise.all makes possible, made certain
    const store = stack.deps.store;
    const getReview = store.getReview.bind(store);
    let undecidedReads = 0;
    store.getReview = async (reviewId: string) => {
      const review = await getReview(reviewId);
      if (reviewId === link.reviewId && review?.decision === undefined && ++undecidedReads === 2) {
        await until(
          'the first decision to be logged',
          async () => (await store.listEvents(reportId)).some((event) => event.type === 'decided'),
          10_000,
          5,
        );
      }
      return review;
    };
    try {
      const replies = await Promise.all([
        send(stack.url, seeded.director, 'POST', decisionPath(link), {
          json: { sig: link.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
        }),
        sleep(2).then(() =>
          send(stack.url, seeded.director, 'POST', decisionPath(link), {
            json: { sig: link.sig, outcome: 'return', comment: '退回。', confidentialityReviewed: true },
          }),
        ),
      ]);
      expect(undecidedReads).toBeGreaterThanOrEqual(2);
      const won = replies.find((reply) => reply.status === 200)?.body as { decision: Decision } | undefined;
      const lost = replies.find((reply) => reply.status !== 200);
      expect(replies.map((reply) => reply.status).sort(), replies.map((reply) => reply.text).join('\n')).toEqual([200, 409]);
      expect(lost?.body).toMatchObject({ error: { code: 'ALREADY_DECIDED' }, decision: won?.decision });
    } finally {
      store.getReview = getReview;
    }
  }, 60_000);
});
