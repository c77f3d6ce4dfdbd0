import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceReport } from '../support/report-builders.js';
import { Person, reviewLink, seenIds, waitFor } from './http-client.js';
import { startTestStack } from './stack.js';

/**
 * On `npm start`'s stack, over HTTP: the director is removed from the roster while the report waits on them; the
 * administrator's answer says one review was handed on, the new director gets the request email at once, approves,
 * the leader signs and the report is published. The report's history shows the hand-over.
 */

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack();
}, 60_000);
afterAll(async () => stack?.dispose());

const KW = { id: 'daxing-kw', name: '北京市大兴区科学技术委员会' };
const OFFICER = 'officer@kw.example.cn';
const DIRECTOR = 'director@kw.example.cn';
const NEW_DIRECTOR = 'director2@kw.example.cn';
const LEADER = 'leader@kw.example.cn';
const ADMIN = 'admin@daxing.example.cn';
const AUDITOR = 'auditor@audit.example.cn';

const people = new Map<string, Person>();
async function as(email: string): Promise<Person> {
  const known = people.get(email);
  if (known) return known;
  const person = new Person(stack.url, email);
  await person.signIn();
  people.set(email, person);
  return person;
}

type Link = Awaited<ReturnType<typeof reviewLink>>;
const decide = async (email: string, link: Link, confidentialityReviewed = false) =>
  (await as(email)).json('POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
    sig: link.sig,
    outcome: 'approve',
    comment: '',
    confidentialityReviewed,
  });

describe('a director removed mid-review, on the local stack', () => {
  it('hands the review to the new director at once, who approves; the leader signs; published', async () => {
    const admin = await as(ADMIN);
    expect(
      (await admin.json('PUT', `/api/admin/people/${NEW_DIRECTOR}`, { name: '李主任', agencyId: KW.id, roles: ['director'] })).status,
    ).toBe(200);
    const reportId = `${KW.id}-2020`;
    const seen = await seenIds(stack.url);
    expect((await (await as(OFFICER)).json('POST', '/api/reports', { report: referenceReport() })).status).toBe(201);
    const old = await reviewLink(stack.url, DIRECTOR, seen);

    const beforeRemoval = await seenIds(stack.url);
    const removed = await admin.json('DELETE', `/api/admin/people/${DIRECTOR}`);
    expect(removed).toMatchObject({ status: 200, body: { handedOver: 1, warnings: [] } });
    // the email is sent before the administrator's answer: no reminder or timeout is waited for
    const handed = await reviewLink(stack.url, NEW_DIRECTOR, beforeRemoval);
    expect(handed.reviewId).not.toBe(old.reviewId);
    expect(handed.entry.subject).toMatch(/^请审核：/);
    expect(handed.entry.text).toContain('原由王主任处理');

    const beforeApproval = await seenIds(stack.url);
    expect((await decide(NEW_DIRECTOR, handed, true)).status).toBe(200);
    const sign = await reviewLink(stack.url, LEADER, beforeApproval);
    expect((await decide(LEADER, sign)).status).toBe(200);
    await waitFor(
      async () => ((await (await as(OFFICER)).json('GET', `/api/reports/${reportId}`)).body as { status: string }).status === 'published',
      20_000,
      'publication',
    );

    const report = (await (await as(OFFICER)).json('GET', `/api/reports/${reportId}`)).body as {
      decisions: Array<{ stage: string; approver: string }>;
    };
    expect(report.decisions.map((decision) => [decision.stage, decision.approver])).toEqual([
      ['director', NEW_DIRECTOR],
      ['leader', LEADER],
    ]);
    const audit = await (await (await as(AUDITOR)).request('GET', `/audit/reports/${reportId}`)).text();
    expect(audit).toContain('办公室主任审核转交：王主任 → 李主任（人员变动）');
    const log = (await (await as(AUDITOR)).json('GET', '/api/admin/log')).body as {
      events: { type: string; subject: string; data: { handedOver?: number } }[];
    };
    expect(log.events.find((event) => event.type === 'person_removed' && event.subject === DIRECTOR)?.data.handedOver).toBe(1);
  });
});
