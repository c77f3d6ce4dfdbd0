import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENCY } from '#shared/runtime/demo-roster.js';
import { signReviewLink } from '#shared/workflow/links.js';
import { startTestStack } from '../e2e/stack.js';
import { referenceReport } from '../support/report-builders.js';
import { isPublished, outboxHttp, reviewLinkOf, send, until, type Caller, type Reply, type ReviewLink } from './support/client.js';
import { openSession } from './support/people.js';

/**
 * Decisions that must change nothing: a replayed POST (409 with the recorded decision), a tampered signature (403), an
 * expired link (410), another approver's session (403), a form post without or with a wrong CSRF token (303 back with
 * error=CSRF), no session at all, a foreign Origin. For each, the report's events, the review item and the Step
 * Functions execution (its description and its whole history) are identical before and after. The link then still
 * decides, and the report is published.
 */

const REPORT_ID = 'daxing-kw-2020';
const EXECUTION = `${REPORT_ID}-r1`;

let stack: Awaited<ReturnType<typeof startTestStack>>;
let officer: Caller;
let director: Caller;
let leader: Caller;

beforeAll(async () => {
  stack = await startTestStack();
  const open = (email: string) => openSession(stack.deps.store, email);
  [officer, director, leader] = await Promise.all([
    open('officer@kw.example.cn'),
    open('director@kw.example.cn'),
    open('leader@kw.example.cn'),
  ]);
}, 120_000);
afterAll(async () => stack?.dispose());

async function reviewLinkTo(to: string): Promise<ReviewLink> {
  return until(`a review email to ${to}`, async () => {
    const entry = (await outboxHttp(stack.url)).find((candidate) => candidate.to === to && /请(审核|会签|签发)：/.test(candidate.subject));
    return entry && reviewLinkOf(entry);
  });
}

/** Everything a decision could change. */
async function snapshot(reviewId: string) {
  return {
    events: await stack.deps.store.listEvents(REPORT_ID),
    head: await stack.deps.store.getHead(REPORT_ID),
    review: await stack.deps.store.getReview(reviewId),
    execution: await stack.deps.workflow.describe(EXECUTION),
    executionHistory: await stack.deps.workflow.history(EXECUTION),
    emails: (await outboxHttp(stack.url)).length,
  };
}

const path = (link: ReviewLink) => `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`;
const formPath = (link: ReviewLink) => `/reviews/${encodeURIComponent(link.reviewId)}/decision`;
const approval = (sig: string) => ({ json: { sig, outcome: 'approve', comment: '同意。', confidentialityReviewed: true } });
const code = (reply: Reply) => (reply.body as { error?: { code?: string } } | undefined)?.error?.code;

/** Tampers with the MAC, keeping the expiry and the shape of the signature. */
function tampered(sig: string): string {
  const [expiry, mac = ''] = sig.split('.');
  const flipped = `${mac.slice(0, 10)}${mac[10] === 'A' ? 'B' : 'A'}${mac.slice(11)}`;
  return `${expiry}.${flipped}`;
}

describe('decisions that are refused change nothing', () => {
  let directorLink: ReviewLink;
  let leaderLink: ReviewLink;
  const seen: string[] = [];

  it('replays of a recorded decision answer 409 with that decision', async () => {
    expect((await send(stack.url, officer, 'POST', '/api/reports', { json: { report: referenceReport() } })).status).toBe(201);
    directorLink = await reviewLinkTo('director@kw.example.cn');
    const first = await send(stack.url, director, 'POST', path(directorLink), approval(directorLink.sig));
    expect(first.status).toBe(200);
    leaderLink = await reviewLinkTo('leader@kw.example.cn');
    await until(
      'the leader review to be requested',
      async () => (await stack.deps.store.getHead(REPORT_ID))?.pendingReviewId === leaderLink.reviewId,
    );

    const before = await snapshot(directorLink.reviewId);
    for (const replay of [
      approval(directorLink.sig),
      { json: { sig: directorLink.sig, outcome: 'return', comment: '改主意了。', confidentialityReviewed: false } },
    ]) {
      const again = await send(stack.url, director, 'POST', path(directorLink), replay);
      expect(again.status).toBe(409);
      expect((again.body as { decision: unknown }).decision).toEqual((first.body as { decision: unknown }).decision);
    }
    // the form twin: back to the page, which shows the recorded decision
    const form = await send(stack.url, director, 'POST', formPath(directorLink), {
      form: { sig: directorLink.sig, outcome: 'return', comment: '改主意了。', csrf: director.csrfToken },
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).not.toContain('error=');
    expect(await snapshot(directorLink.reviewId)).toEqual(before);
    seen.push('replayed JSON approve and return → 409 + the recorded decision; replayed form → 303 to the page');
  }, 60_000);

  const refusals: ReadonlyArray<readonly [string, () => Promise<Reply>, (reply: Reply) => void]> = [
    [
      'a tampered signature',
      () => send(stack.url, leader, 'POST', path(leaderLink), approval(tampered(leaderLink.sig))),
      (reply) => {
        expect(reply.status).toBe(403);
        expect(code(reply)).toBe('LINK_INVALID');
      },
    ],
    [
      'a signature for another review',
      () => send(stack.url, leader, 'POST', path(leaderLink), approval(directorLink.sig)),
      (reply) => {
        expect(reply.status).toBe(403);
        expect(code(reply)).toBe('LINK_INVALID');
      },
    ],
    [
      "an expired link, signed with the stack's own key",
      () =>
        send(
          stack.url,
          leader,
          'POST',
          path(leaderLink),
          approval(signReviewLink(stack.deps.keys.links, leaderLink.reviewId, 'leader@kw.example.cn', new Date(Date.now() - 60_000))),
        ),
      (reply) => {
        expect(reply.status).toBe(410);
        expect(code(reply)).toBe('LINK_EXPIRED');
      },
    ],
    [
      "another approver's session (the director on the leader's review)",
      () => send(stack.url, director, 'POST', path(leaderLink), approval(leaderLink.sig)),
      (reply) => {
        expect(reply.status).toBe(403);
        expect(code(reply)).toBe('NOT_YOUR_REVIEW');
      },
    ],
    [
      "the officer's session",
      () => send(stack.url, officer, 'POST', path(leaderLink), approval(leaderLink.sig)),
      (reply) => {
        expect(reply.status).toBe(403);
      },
    ],
    [
      'no session',
      () => send(stack.url, undefined, 'POST', path(leaderLink), approval(leaderLink.sig)),
      (reply) => {
        expect(reply.status).toBe(401);
      },
    ],
    [
      'a JSON post from another origin',
      () => send(stack.url, leader, 'POST', path(leaderLink), { ...approval(leaderLink.sig), origin: 'https://evil.example' }),
      (reply) => {
        expect(reply.status).toBe(403);
        expect(code(reply)).toBe('CROSS_ORIGIN');
      },
    ],
    [
      'a form post without the CSRF token',
      () => send(stack.url, leader, 'POST', formPath(leaderLink), { form: { sig: leaderLink.sig, outcome: 'approve', comment: '' } }),
      (reply) => {
        expect(reply.status).toBe(303);
        expect(reply.headers.get('location')).toContain('error=CSRF');
      },
    ],
    [
      "a form post with another session's CSRF token",
      () =>
        send(stack.url, leader, 'POST', formPath(leaderLink), {
          form: { sig: leaderLink.sig, outcome: 'approve', comment: '', csrf: director.csrfToken },
        }),
      (reply) => {
        expect(reply.status).toBe(303);
        expect(reply.headers.get('location')).toContain('error=CSRF');
      },
    ],
    [
      'a form post from another origin',
      () =>
        send(stack.url, leader, 'POST', formPath(leaderLink), {
          form: { sig: leaderLink.sig, outcome: 'approve', comment: '', csrf: leader.csrfToken },
          origin: 'https://evil.example',
        }),
      (reply) => {
        expect(reply.status).toBeGreaterThanOrEqual(300);
        expect(reply.status).not.toBe(200);
        if (reply.status === 303) expect(reply.headers.get('location')).toContain('error=');
      },
    ],
    [
      'a form post without a session',
      () =>
        send(stack.url, undefined, 'POST', formPath(leaderLink), {
          form: { sig: leaderLink.sig, outcome: 'approve', comment: '', csrf: leader.csrfToken },
        }),
      (reply) => {
        expect(reply.status).toBe(303);
        expect(reply.headers.get('location')).toMatch(/^\/login\?next=/);
      },
    ],
    [
      'a JSON post sent as text/plain (what a cross-site form can send)',
      () =>
        send(stack.url, leader, 'POST', path(leaderLink), {
          raw: JSON.stringify(approval(leaderLink.sig).json),
          contentType: 'text/plain',
        }),
      (reply) => {
        expect(reply.status).toBe(400);
        expect(code(reply)).toBe('UNSUPPORTED_MEDIA_TYPE');
      },
    ],
  ];

  it.each(refusals.map(([name, call, check]) => [name, call, check] as const))('%s is refused', async (name, call, check) => {
    const before = await snapshot(leaderLink.reviewId);
    const reply = await call();
    check(reply);
    expect(await snapshot(leaderLink.reviewId), `${name} changed something`).toEqual(before);
    seen.push(
      `${name} → ${reply.status}${code(reply) === undefined ? '' : ` ${code(reply)}`}${reply.status === 303 ? ` (${reply.headers.get('location') ?? ''})` : ''}`,
    );
  });

  it('the link still decides afterwards, and the report is published once', async () => {
    expect((await send(stack.url, leader, 'POST', path(leaderLink), approval(leaderLink.sig))).status).toBe(200);
    await until('publication', async () => (await stack.deps.store.getHead(REPORT_ID))?.status === 'published');
    const events = await stack.deps.store.listEvents(REPORT_ID);
    expect(events.map((event) => event.type)).toEqual([
      'submitted',
      'review_requested',
      'decided',
      'review_requested',
      'decided',
      'published',
    ]);
    expect((await outboxHttp(stack.url)).filter(isPublished)).toHaveLength(1);
    expect((await send(stack.url, undefined, 'GET', `/site/reports/${DEMO_AGENCY.id}/2020/index.html`)).status).toBe(200);
    console.info(`[faults] decision refusals (events, review, execution unchanged for each):\n  ${seen.join('\n  ')}`);
  }, 60_000);
});
