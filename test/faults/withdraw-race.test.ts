import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportEvent } from '#shared/workflow/model.js';
import { startTestStack } from '../e2e/stack.js';
import { outboxHttp, reviewLinkOf, send, sleep, until, type Reply, type ReviewLink } from './support/client.js';
import { reportFor } from './support/driver.js';
import { logProblems, type History } from './support/invariants.js';
import { seedAgency, seedAuditor, type SeededAgency, type SeededPerson } from './support/people.js';

/**
 * The leader's approval and the officer's withdrawal sent at the same moment, many times, in both orders: the loser
 * is held between reading the log and the winner's write (a latch in the store adapter), and other trials race freely.
 * Whatever wins, a decision answered 200 is in the report's log, and a report the leader signed is not withdrawn.
 */

const LATCHED = 8;
const FREE = 8;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let agencies: SeededAgency[];
let auditor: SeededPerson;

beforeAll(async () => {
  // the races interpose on deps.store, which every handler must then share
  stack = await startTestStack({ partitionGuard: false });
  agencies = await Promise.all(
    Array.from({ length: LATCHED + FREE }, (_, i) => seedAgency(stack.deps.store, { id: `wrace-${i + 1}`, name: `撤回竞争第${i + 1}局` })),
  );
  auditor = await seedAuditor(stack.deps.store, 'wrace-1');
}, 120_000);
afterAll(async () => stack?.dispose());

async function reviewLinkTo(to: string, kind: '审核' | '签发'): Promise<ReviewLink> {
  return until(`the ${kind} email to ${to}`, async () => {
    const entry = (await outboxHttp(stack.url)).find((candidate) => candidate.to === to && candidate.subject.startsWith(`请${kind}：`));
    return entry && reviewLinkOf(entry);
  });
}

/** Submitted and approved by the director: the report waits on the leader's 签发. */
async function waitingOnLeader(seeded: SeededAgency): Promise<{ reportId: string; link: ReviewLink }> {
  const reportId = `${seeded.agency.id}-2020`;
  expect((await send(stack.url, seeded.officer, 'POST', '/api/reports', { json: { report: reportFor(seeded.agency) } })).status).toBe(201);
  const director = await reviewLinkTo(seeded.director.email, '审核');
  const approved = await send(stack.url, seeded.director, 'POST', `/api/reviews/${encodeURIComponent(director.reviewId)}/decision`, {
    json: { sig: director.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
  });
  expect(approved.status).toBe(200);
  return { reportId, link: await reviewLinkTo(seeded.leader.email, '签发') };
}

/**
 * Holds the next read of one report's log until released: the request that makes it has read and not yet written.
 * Everything else (the winner's own reads included) passes.
 */
function latchNextRead(reportId: string): { held: Promise<void>; release: () => void; restore: () => void } {
  const store = stack.deps.store;
  const listEvents = store.listEvents.bind(store);
  let announce = () => {};
  let release = () => {};
  const held = new Promise<void>((resolve) => (announce = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let armed = true;
  store.listEvents = async (id: string): Promise<ReportEvent[]> => {
    const events = await listEvents(id);
    if (id === reportId && armed) {
      armed = false;
      announce();
      await gate;
    }
    return events;
  };
  return { held, release, restore: () => (store.listEvents = listEvents) };
}

const history = async (reportId: string) => (await send(stack.url, auditor, 'GET', `/api/reports/${reportId}/history`)).body as History;

/** The invariant every trial checks: 200 for the decision ⇔ the leader's decided event is in the log. */
async function check(reportId: string, reviewId: string, decision: Reply, withdrawal: Reply): Promise<'decision' | 'withdrawal'> {
  const log = await history(reportId);
  expect(logProblems(reportId, log)).toEqual([]);
  const logged = log.events.some((event) => event.type === 'decided' && event.data['reviewId'] === reviewId);
  expect(logged, `decision answered ${decision.status}: ${decision.text}`).toBe(decision.status === 200);
  if (decision.status === 200) {
    // signed: publishing, never withdrawn
    expect(withdrawal.status, withdrawal.text).toBe(409);
    expect(log.events.map((event) => event.type)).not.toContain('withdrawn');
    return 'decision';
  }
  expect(decision.status).toBe(409);
  expect((decision.body as { error: { code: string } }).error.code).toBe('REVIEW_CLOSED');
  expect(withdrawal.status).toBe(200);
  expect(log.events.at(-1)?.type).toBe('withdrawn');
  return 'withdrawal';
}

describe('the leader’s approval racing the officer’s withdrawal', () => {
  it.each(Array.from({ length: LATCHED }, (_, i) => [i] as const))(
    'latched trial %i: the loser read the log before the winner wrote',
    async (i) => {
      const seeded = agencies[i];
      if (!seeded) throw new Error('no agency');
      const { reportId, link } = await waitingOnLeader(seeded);
      const decide = () =>
        send(stack.url, seeded.leader, 'POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
          json: { sig: link.sig, outcome: 'approve', comment: '同意。', confidentialityReviewed: false },
        });
      const withdraw = () =>
        send(stack.url, seeded.officer, 'POST', `/api/reports/${reportId}/withdraw`, {
          json: { reason: '信息员发现数据有误，撤回修改。' },
        });
      const decisionLoses = i % 2 === 0;
      const latch = latchNextRead(reportId);
      let decision: Reply;
      let withdrawal: Reply;
      try {
        const loser = decisionLoses ? decide() : withdraw();
        await latch.held;
        const winner = await (decisionLoses ? withdraw() : decide());
        expect(winner.status, winner.text).toBe(200);
        latch.release();
        const lost = await loser;
        [decision, withdrawal] = decisionLoses ? [lost, winner] : [winner, lost];
      } finally {
        latch.release();
        latch.restore();
      }
      expect(await check(reportId, link.reviewId, decision, withdrawal)).toBe(decisionLoses ? 'withdrawal' : 'decision');
      console.info(
        `[faults] withdraw race, latched trial ${i}: ${decisionLoses ? 'withdrawal' : 'decision'} wrote first; the other was refused with 409`,
      );
    },
    60_000,
  );

  it.each(Array.from({ length: FREE }, (_, i) => [i] as const))(
    'free trial %i: sent together, a few ms apart',
    async (i) => {
      const seeded = agencies[LATCHED + i];
      if (!seeded) throw new Error('no agency');
      const { reportId, link } = await waitingOnLeader(seeded);
      const stagger = (i % 4) * 2;
      const decide = () =>
        send(stack.url, seeded.leader, 'POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
          json: { sig: link.sig, outcome: 'approve', comment: '同意。', confidentialityReviewed: false },
        });
      const withdraw = () =>
        send(stack.url, seeded.officer, 'POST', `/api/reports/${reportId}/withdraw`, {
          json: { reason: '信息员发现数据有误，撤回修改。' },
        });
      const [decision, withdrawal] =
        i % 2 === 0
          ? await Promise.all([decide(), sleep(stagger).then(withdraw)])
          : ((await Promise.all([withdraw(), sleep(stagger).then(decide)])).reverse() as [Reply, Reply]);
      const won = await check(reportId, link.reviewId, decision, withdrawal);
      console.info(`[faults] withdraw race, free trial ${i} (stagger ${stagger} ms): ${won} won`);
    },
    60_000,
  );
});
