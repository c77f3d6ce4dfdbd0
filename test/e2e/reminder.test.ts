import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceReport } from '../support/report-builders.js';
import { nextEmail, Person, reviewLink, seenIds, waitFor } from './http-client.js';
import { startTestStack } from './stack.js';

/** A review left waiting past its timeout: the approver is reminded, with a link to the same review, which works. */

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack({ reviewTimeoutSeconds: 2 });
}, 60_000);
afterAll(async () => stack?.dispose());

describe('a review that times out', () => {
  it('reminds the director with the same review link, and that link still decides', async () => {
    const officer = new Person(stack.url, 'officer@kw.example.cn');
    const director = new Person(stack.url, 'director@kw.example.cn');
    await Promise.all([officer.signIn(), director.signIn()]);
    const seen = await seenIds(stack.url);
    expect((await officer.json('POST', '/api/reports', { report: referenceReport() })).status).toBe(201);
    const first = await reviewLink(stack.url, 'director@kw.example.cn', seen);

    const reminder = await nextEmail(
      stack.url,
      seen,
      (entry) => entry.to === 'director@kw.example.cn' && entry.subject.startsWith('【提醒】'),
      'the reminder',
    );
    const again = reminder.links.find((link) => link.includes('/reviews/'));
    expect(again && new URL(again).pathname).toBe(new URL(first.url).pathname);
    expect(reminder.text).toContain('此前邮件中的审核链接继续有效');

    const decided = await director.json('POST', `/api/reviews/${encodeURIComponent(first.reviewId)}/decision`, {
      sig: first.sig,
      outcome: 'approve',
      comment: '',
      confidentialityReviewed: true,
    });
    expect(decided.status).toBe(200);
    await waitFor(
      async () => ((await officer.json('GET', '/api/reports/daxing-kw-2020')).body as { stage: string }).stage === 'leader',
      20_000,
      'the leader stage',
    );
    const auditor = new Person(stack.url, 'auditor@audit.example.cn');
    await auditor.signIn();
    const events = (
      (await auditor.json('GET', '/api/reports/daxing-kw-2020/history')).body as { events: Array<{ type: string }> }
    ).events.map((event) => event.type);
    expect(events.slice(0, 3)).toEqual(['submitted', 'review_requested', 'reminder_sent']);
    expect(events).toContain('decided');
  }, 60_000);
});
