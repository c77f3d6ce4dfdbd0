import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecideReviewHandler } from '#functions/decide-review.js';
import type { HttpResponse } from '#shared/http/response.js';
import { handOverReviewsOf, type HandOver } from '#shared/workflow/hand-over.js';
import type { ReportEvent, RosterEntry } from '#shared/workflow/model.js';
import type { Store } from '#shared/workflow/ports.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import {
  cookieOf,
  decideJson,
  DIRECTOR,
  emailedReviewLink,
  REPORT_ID,
  requestReview,
  submit,
  type ReviewLink,
} from '../functions/workflow-helpers.js';

/**
 * The director's decision and the hand-over of their review (they lost the post a moment before) at the same time,
 * many times, in both orders: the loser is held between reading the log and writing its event, and other trials race
 * freely. Whatever wins, exactly one of the two is in the log; a decision answered 200 is the one logged; the new
 * director is emailed only when the hand-over won, and the waiting task is completed once.
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

const LATCHED = 3;
const FREE = 4;
const WANG: RosterEntry = { email: DIRECTOR, name: '王主任', agencyId: 'daxing-kw', roles: ['director'] };
const NEW_DIRECTOR: RosterEntry = { email: 'director2@kw.example.cn', name: '李主任', agencyId: 'daxing-kw', roles: ['director'] };

interface Trial {
  readonly app: TestApp;
  readonly link: ReviewLink;
  readonly wang: string;
}

/** Waiting on the director; the director signed in; then the post passes to 李主任 (the roster write, before the hand-over). */
async function trial(): Promise<Trial> {
  const app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
  await submit(app);
  await requestReview(app, { taskToken: 'token-director-1', version: 1, stage: 'director' });
  const link = await emailedReviewLink(app, DIRECTOR);
  const wang = await cookieOf(app, DIRECTOR);
  await app.deps.store.putRosterEntry(NEW_DIRECTOR);
  await app.deps.store.putRosterEntry({ ...WANG, roles: ['officer'] });
  return { app, link, wang };
}

/** The store with its next append to the report's log held until released: the caller has read the log and not written. */
function holdNextAppend(store: Store): { store: Store; held: Promise<void>; release: () => void } {
  let announce = () => {};
  let release = () => {};
  const held = new Promise<void>((resolve) => (announce = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let armed = true;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'appendEvent') return Reflect.get(target, property, receiver) as unknown;
      return async (event: ReportEvent): Promise<void> => {
        if (event.reportId === REPORT_ID && armed) {
          armed = false;
          announce();
          await gate;
        }
        return target.appendEvent(event);
      };
    },
  });
  return { store: proxy, held, release };
}

/**
 * The director's request as it was when it began, just before the roster write: it found them holding the post (a
 * request that starts after the write is refused at once, ROLE_NOT_HELD, and races nothing).
 */
function signedInBeforeTheChange(store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'getRosterEntry') return Reflect.get(target, property, receiver) as unknown;
      return async (email: string) => (email === DIRECTOR ? WANG : target.getRosterEntry(email));
    },
  });
}

const handOver = (app: TestApp, store: Store = app.deps.store) =>
  handOverReviewsOf(WANG, { ...app.deps, store, linkKey: app.deps.keys.links });

const decide = (t: Trial, store: Store = t.app.deps.store) =>
  createDecideReviewHandler({ ...t.app.deps, store: signedInBeforeTheChange(store) })(
    httpEvent({
      method: 'POST',
      path: `/api/reviews/${t.link.reviewId}/decision`,
      pathParameters: { reviewId: t.link.reviewId },
      cookie: t.wang,
      body: { sig: t.link.sig, outcome: 'approve', comment: '同意', confidentialityReviewed: true },
    }),
  );

/** The invariants of every trial; answers which of the two won. */
async function check(t: Trial, decision: HttpResponse, handed: readonly HandOver[]): Promise<'decision' | 'hand-over'> {
  const events = await t.app.deps.store.listEvents(REPORT_ID);
  const decided = events.filter((event) => event.type === 'decided');
  const handOvers = events.filter((event) => event.type === 'review_requested' && event.data['replaces'] !== undefined);
  expect(decided.length + handOvers.length, `decision ${decision.statusCode}: ${decision.body}`).toBe(1);
  expect(decided.length === 1).toBe(decision.statusCode === 200);
  const mails = (await t.app.outbox.list()).filter((entry) => entry.to === NEW_DIRECTOR.email && entry.subject.startsWith('请审核'));
  if (decision.statusCode === 200) {
    expect(handed).toEqual([]);
    expect(mails).toEqual([]);
    expect(t.app.sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken)).toEqual(['token-director-1']);
    return 'decision';
  }
  expect(decision.statusCode).toBe(409);
  expect(jsonOf(decision)).toMatchObject({ error: { code: 'REVIEW_REASSIGNED', holder: { name: '李主任' } } });
  expect(handed.map((result) => result.to?.email)).toEqual([NEW_DIRECTOR.email]);
  expect(mails).toHaveLength(1);
  // the new director completes the step with the waiting task's token
  const approved = await decideJson(t.app, await emailedReviewLink(t.app, NEW_DIRECTOR.email), await cookieOf(t.app, NEW_DIRECTOR.email), {
    outcome: 'approve',
    confidentialityReviewed: true,
  });
  expect(approved.statusCode, approved.body).toBe(200);
  expect(t.app.sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken)).toEqual(['token-director-1']);
  return 'hand-over';
}

describe('a decision racing the hand-over of its review', () => {
  it('keeps the decision when it wrote first and the hand-over had read before it', async () => {
    for (let i = 0; i < LATCHED; i++) {
      const t = await trial();
      const { store, held, release } = holdNextAppend(t.app.deps.store);
      const handing = handOver(t.app, store);
      await held;
      const decision = await decide(t);
      release();
      expect(await check(t, decision, await handing)).toBe('decision');
    }
  }, 60_000);

  it('refuses the decision (409 naming the new director) when the hand-over wrote first and the decision had read before it', async () => {
    for (let i = 0; i < LATCHED; i++) {
      const t = await trial();
      const { store, held, release } = holdNextAppend(t.app.deps.store);
      const deciding = decide(t, store);
      await held;
      const handed = await handOver(t.app);
      release();
      expect(await check(t, await deciding, handed)).toBe('hand-over');
    }
  }, 60_000);

  it('holds the invariants when both run freely', async () => {
    for (let i = 0; i < FREE; i++) {
      const t = await trial();
      const [decision, handed] = await Promise.all([decide(t), handOver(t.app)]);
      await check(t, decision, handed);
    }
  }, 60_000);
});
