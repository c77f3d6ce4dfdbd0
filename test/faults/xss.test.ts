import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defuseLinks } from '#shared/mail/defuse-links.js';
import { startTestStack } from '../e2e/stack.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { outboxHttp, reviewLinkOf, send, until, type Caller, type OutboxEntry, type ReviewLink } from './support/client.js';
import { inspectPage } from './support/html.js';
import { seedAgency, seedAuditor, type SeededAgency, type SeededPerson } from './support/people.js';

/**
 * Hostile text everywhere a person can type or be named: the report's four texts, the agency's name, the return and
 * decision comments, and the names of the officer, director and leader on the roster. The report is walked to
 * publication (returned once, so the return comment and the changes view are shown too), and every page and email is
 * read with parse5: no script but the app's own files under /assets/, no on* attribute, no javascript: URL, no
 * injected base/iframe/meta refresh; and the hostile strings are on the page as text, exactly as typed.
 */

const CORPUS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  'javascript:alert(1)',
  '</textarea><script>alert(2)</script>',
  '</title><script>alert(3)</script>',
  '<svg onload=alert(4)>',
  '<a href="javascript:alert(5)">点我</a>',
  '<iframe srcdoc="<script>alert(6)</script>">',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  '${7*7}',
  '&lt;script&gt;alert(7)&lt;/script&gt;',
  '行分隔\u2028段分隔\u2029结束',
  '<!-- ]]> <style>body{display:none}</style>',
  '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(8)">',
  '<img src="javascript:alert(9)">',
  '<math><mtext></p><script>alert(10)</script>',
];
const TEXT = CORPUS.join(' ¦ ');
const marked = (label: string) => `【${label}】${TEXT}`;

/** Names have 100 characters at most: each gets a different share of the corpus. */
const AGENCY_NAME = '<svg onload=alert(1)>局"><img src=x onerror=alert(2)>&lt;b&gt;\u2028{{7*7}}';
const NAMES = {
  officer: '"><img src=x onerror=alert(11)>信息员</textarea>',
  director: '<script>alert(12)</script>主任javascript:alert(1)',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  leader: '</title><svg onload=alert(13)>领导${7*7}',
};

let stack: Awaited<ReturnType<typeof startTestStack>>;
let seeded: SeededAgency;
let auditor: SeededPerson;
const REPORT_ID = 'xss-agency-2020';
const checked: Array<{ what: string; bytes: number; scripts: string[]; seen: string[] }> = [];

beforeAll(async () => {
  stack = await startTestStack();
  seeded = await seedAgency(stack.deps.store, { id: 'xss-agency', name: AGENCY_NAME }, NAMES);
  auditor = await seedAuditor(stack.deps.store, 'xss-agency');
}, 120_000);
afterAll(async () => stack?.dispose());

const report = (version: number) => {
  let value = withValue(withValue(referenceReport(), 'agency', { id: 'xss-agency', name: AGENCY_NAME }), 'year', 2020);
  for (const field of ['preamble', 'overview', 'problems', 'otherMatters']) value = withValue(value, field, marked(`${field} v${version}`));
  return value;
};

/** The page parsed: nothing that runs, and each expected string shown as text. */
function expectSafe(what: string, html: string, shows: readonly string[]): void {
  const verdict = inspectPage(html);
  expect(verdict.problems, what).toEqual([]);
  for (const text of shows)
    expect(verdict.text.includes(text), `${what} should show ${JSON.stringify(text.slice(0, 60))} as text`).toBe(true);
  const known: Record<string, string> = {
    agency: AGENCY_NAME,
    ...NAMES,
    returnComment: RETURN_COMMENT,
    directorComment: DIRECTOR_COMMENT,
    leaderComment: LEADER_COMMENT,
  };
  const seen = Object.entries(known)
    .filter(([, text]) => verdict.text.includes(text))
    .map(([name]) => name);
  checked.push({ what, bytes: html.length, scripts: verdict.scripts, seen });
}

async function page(what: string, who: Caller | undefined, path: string, shows: readonly string[]): Promise<void> {
  const reply = await send(stack.url, who, 'GET', path);
  expect(reply.status, `${what}: GET ${path}`).toBe(200);
  expect(reply.headers.get('content-type') ?? '').toContain('text/html');
  expectSafe(what, reply.text, shows);
}

async function reviewLinkTo(to: string, version: number): Promise<ReviewLink> {
  return until(`the review email to ${to}`, async () => {
    const entry = (await outboxHttp(stack.url)).find(
      (candidate) =>
        candidate.to === to && /请(审核|会签|签发)：/.test(candidate.subject) && candidate.subject.includes(`（第${version}版）`),
    );
    return entry && reviewLinkOf(entry);
  });
}

async function decide(who: Caller, link: ReviewLink, outcome: 'approve' | 'return', comment: string): Promise<void> {
  const reply = await send(stack.url, who, 'POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
    json: { sig: link.sig, outcome, comment, confidentialityReviewed: true },
  });
  expect(reply.status, reply.text).toBe(200);
}

const RETURN_COMMENT = marked('退回意见');
const DIRECTOR_COMMENT = marked('主任意见').slice(0, 2000);
const LEADER_COMMENT = marked('领导意见').slice(0, 2000);

describe('hostile text in every field, walked to publication', () => {
  it('is shown as text, and nothing of it runs, on every page and in every email', async () => {
    const { officer, director, leader } = seeded;
    const texts = (version: number) => ['preamble', 'overview', 'problems', 'otherMatters'].map((field) => marked(`${field} v${version}`));

    // the form, with a hostile draft
    expect((await send(stack.url, officer, 'PUT', '/api/drafts/xss-agency/2020', { json: { content: report(1) } })).status).toBe(200);
    await page('the form with a hostile draft', officer, '/drafts/xss-agency/2020', [...texts(1), NAMES.officer]);

    // submitted; the director opens the review (signed in: the decision form is on it) and returns it
    expect((await send(stack.url, officer, 'POST', '/api/reports', { json: { report: report(1) } })).status).toBe(201);
    const first = await reviewLinkTo(director.email, 1);
    // signed out, the link shows only which report it is for: the agency's name, escaped
    await page('the review page, signed out', undefined, first.path, [AGENCY_NAME]);
    await page('the review page, signed in as the director', director, first.path, [...texts(1), AGENCY_NAME, NAMES.director]);
    await decide(director, first, 'return', RETURN_COMMENT);
    await until('the return', async () => (await stack.deps.store.getHead(REPORT_ID))?.status === 'returned');
    await page('the status page of the returned report', officer, `/reports/${REPORT_ID}`, [RETURN_COMMENT, AGENCY_NAME, NAMES.director]);
    await page('the revision form', officer, `/reports/${REPORT_ID}/edit`, [...texts(1), RETURN_COMMENT]);
    await page('the review page after the decision', director, first.path, [RETURN_COMMENT, NAMES.director]);

    // resubmitted: the director sees what changed, approves with a hostile comment; the leader signs with one
    expect((await send(stack.url, officer, 'PUT', `/api/reports/${REPORT_ID}`, { json: { report: report(2) } })).status).toBe(200);
    const second = await reviewLinkTo(director.email, 2);
    await page('the review page of the new version (with its changes)', director, second.path, [...texts(2), AGENCY_NAME, NAMES.director]);
    await decide(director, second, 'approve', DIRECTOR_COMMENT);
    const leaderLink = await reviewLinkTo(leader.email, 2);
    await page("the leader's review page", leader, leaderLink.path, [...texts(2), AGENCY_NAME, NAMES.leader]);
    await decide(leader, leaderLink, 'approve', LEADER_COMMENT);
    await until('publication', async () => (await stack.deps.store.getHead(REPORT_ID))?.status === 'published');
    await stack.indexes.idle();

    // the published site
    await page('the published report', undefined, '/site/reports/xss-agency/2020/index.html', [...texts(2), AGENCY_NAME, NAMES.leader]);
    await page('the agency index', undefined, '/site/reports/xss-agency/index.html', [AGENCY_NAME]);
    await page('the root index', undefined, '/site/', [AGENCY_NAME]);
    const json = await send(stack.url, undefined, 'GET', '/site/reports/xss-agency/2020/report.json');
    expect((json.body as { overview: string }).overview).toBe(marked('overview v2'));

    // the app's pages after the fact
    await page('the status page', officer, `/reports/${REPORT_ID}`, [AGENCY_NAME, NAMES.director, NAMES.leader]);
    await page('the audit page', auditor, `/audit/reports/${REPORT_ID}`, [
      NAMES.officer,
      NAMES.director,
      NAMES.leader,
      RETURN_COMMENT,
      DIRECTOR_COMMENT,
      LEADER_COMMENT,
    ]);
    await page("the officer's home page", officer, '/', [AGENCY_NAME, NAMES.officer]);
    await page("the auditor's home page", auditor, '/', [AGENCY_NAME]);
    expect((await send(stack.url, undefined, 'POST', '/api/auth/code', { json: { email: officer.email } })).status).toBe(202);
    // the sign-in email goes out after the answer
    await until('the sign-in email', async () =>
      (await outboxHttp(stack.url)).some((entry) => entry.to === officer.email && entry.subject.includes('验证码')),
    );
    // in email a comment is plain text: what a mail client would make a link of is defanged (shared/mail/defuse-links.ts)
    await page('the outbox page', undefined, '/_local/outbox', [AGENCY_NAME, defuseLinks(RETURN_COMMENT), NAMES.officer]);

    // every email's html part
    const emails = (await outboxHttp(stack.url)).filter((entry) => [officer.email, director.email, leader.email].includes(entry.to));
    const shown = (entry: OutboxEntry) => [
      ...(entry.subject.includes('验证码') ? [] : [AGENCY_NAME]),
      ...(entry.subject.startsWith('退回修改') ? [defuseLinks(RETURN_COMMENT), NAMES.director] : []),
      ...(/请(审核|会签|签发)：/.test(entry.subject) ? [entry.to === director.email ? NAMES.director : NAMES.leader] : []),
    ];
    expect(emails.map((entry) => entry.subject.slice(0, 4)).sort()).toEqual([
      '已公开：',
      '年报系统',
      '请审核：',
      '请审核：',
      '请签发：',
      '退回修改',
    ]);
    for (const entry of emails) expectSafe(`the email "${entry.subject.slice(0, 40)}" to ${entry.to}`, entry.html, shown(entry));

    console.info(
      `[faults] xss: ${CORPUS.length} payloads in 4 report texts, 3 comments, the agency name and 3 roster names; ${checked.length} pages and emails parsed, none with a foreign script, on* attribute or javascript: URL:\n  ${checked.map((item) => `${item.what} (${item.bytes} bytes; scripts: ${item.scripts.join(', ') || 'none'}; shows as text: ${item.seen.join(', ') || '—'})`).join('\n  ')}`,
    );
  }, 120_000);
});

describe('the page inspector itself', () => {
  it("finds each kind of thing it looks for, and passes the app's own script", () => {
    const problems = (html: string) =>
      inspectPage(`<!doctype html><html><head><title>t</title></head><body>${html}</body></html>`).problems;
    expect(problems('<script src="/assets/app.js" type="module"></script><p>&lt;script&gt;</p>')).toEqual([]);
    for (const bad of [
      '<script>alert(1)</script>',
      '<script src="https://evil.example/x.js"></script>',
      '<script src="/assets/app.js">alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<svg onload=alert(1)>',
      '<a href=" java\tscript:alert(1)">x</a>',
      '<form action="javascript:alert(1)"></form>',
      '<iframe srcdoc="x"></iframe>',
      '<base href="https://evil.example/">',
      '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
      '<math><mtext></p><script>alert(1)</script>',
    ]) {
      expect(problems(bad), bad).not.toEqual([]);
    }
  });
});
