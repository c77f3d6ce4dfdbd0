import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adjust, referenceReport, report2021, withValue } from '../support/report-builders.js';
import { nextEmail, Person, reviewLink, seenIds, waitFor } from './http-client.js';
import { startTestStack } from './stack.js';

/** The whole workflow over HTTP on the local stack: what a newcomer sees after `npm start`. */

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack();
}, 60_000);
afterAll(async () => stack?.dispose());

const OFFICER = 'officer@kw.example.cn';
const DIRECTOR = 'director@kw.example.cn';
const LEADER = 'leader@kw.example.cn';
const AUDITOR = 'auditor@audit.example.cn';

/** Reports of other years, so that the tests in this file do not share an agency-year. */
const reportFor = (year: number, overview = '本年度工作情况。') =>
  withValue(withValue(withValue(referenceReport(), 'year', year), 'overview', overview), 'preamble', undefined);

async function status(person: Person, id: string) {
  return (await person.json('GET', `/api/reports/${id}`)).body as {
    status: string;
    stage: string;
    version: number;
    returnComment?: string;
  };
}

async function decide(
  person: Person,
  link: { reviewId: string; sig: string },
  outcome: 'approve' | 'return',
  comment = '',
  confidentialityReviewed = false,
) {
  return person.json('POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
    sig: link.sig,
    outcome,
    comment,
    confidentialityReviewed,
  });
}

describe('the local stack', () => {
  it('answers /healthz once everything behind it is up', async () => {
    const response = await fetch(new URL('/healthz', stack.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('walks the reference report from submission to the published page', async () => {
    const officer = new Person(stack.url, OFFICER);
    const director = new Person(stack.url, DIRECTOR);
    const leader = new Person(stack.url, LEADER);
    const auditor = new Person(stack.url, AUDITOR);
    await officer.signIn();
    const seen = await seenIds(stack.url);
    const submitted = await officer.json('POST', '/api/reports', { report: referenceReport() });
    expect(submitted).toEqual({ status: 201, body: { id: 'daxing-kw-2020', version: 1, status: 'in_review', stage: 'director' } });

    const link = await reviewLink(stack.url, DIRECTOR, seen);
    expect(link.url.startsWith(`${stack.url}/reviews/`)).toBe(true);
    // a mail scanner opens the link twice: nothing changes
    const eventsBefore = (
      (await (await auditorSignedIn(auditor)).json('GET', '/api/reports/daxing-kw-2020/history')).body as { events: unknown[] }
    ).events;
    for (let i = 0; i < 2; i++) {
      const page = await fetch(link.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('北京市大兴区科学技术委员会2020年政府信息公开工作年度报告');
    }
    expect(((await auditor.json('GET', '/api/reports/daxing-kw-2020/history')).body as { events: unknown[] }).events).toEqual(eventsBefore);
    expect(await status(officer, 'daxing-kw-2020')).toMatchObject({ status: 'in_review', stage: 'director' });

    await director.signIn();
    const leaderSeen = await seenIds(stack.url);
    expect((await decide(director, link, 'approve', '', true)).status).toBe(200);
    const leaderLink = await reviewLink(stack.url, LEADER, leaderSeen);
    await leader.signIn();
    expect((await decide(leader, leaderLink, 'approve', '同意发布')).status).toBe(200);

    const page = await waitFor(
      async () => {
        const response = await fetch(new URL('/site/reports/daxing-kw/2020/index.html', stack.url));
        return response.status === 200 ? response.text() : undefined;
      },
      20_000,
      'the published page',
    );
    expect(page).toContain('签发信息');
    expect(page).toContain('77.0693');
    // the indexes are the site-index writer's, a moment after the page
    const agencyIndex = await waitFor(
      async () => {
        const response = await fetch(new URL('/site/reports/daxing-kw/index.html', stack.url));
        return response.status === 200 ? response.text() : undefined;
      },
      20_000,
      'the agency index',
    );
    await stack.indexes.idle();
    expect(agencyIndex).toContain('2020');
    const rootIndex = await (await fetch(new URL('/site/', stack.url))).text();
    expect(rootIndex).toContain('北京市大兴区科学技术委员会');

    // the page is written before the `published` event (publishing emails the officers in between): wait for the event
    await waitFor(async () => (await status(officer, 'daxing-kw-2020')).status === 'published', 20_000, 'the published status');
    const history = (await auditor.json('GET', '/api/reports/daxing-kw-2020/history')).body as {
      events: Array<{ type: string }>;
      chain: { valid: boolean };
      executions: Array<{ name: string; status: string; history: unknown[] }>;
    };
    expect(history.events.map((event) => event.type)).toEqual([
      'submitted',
      'review_requested',
      'decided',
      'review_requested',
      'decided',
      'published',
    ]);
    expect(history.chain.valid).toBe(true);
    expect(history.executions).toMatchObject([{ name: 'daxing-kw-2020-r1', status: 'SUCCEEDED' }]);
    expect(history.executions[0]?.history.length).toBeGreaterThan(5);
    expect(await status(officer, 'daxing-kw-2020')).toMatchObject({ status: 'published', stage: 'published' });
  });

  it('returns a report to the officer with the comment and publishes the resubmitted version', async () => {
    const officer = new Person(stack.url, OFFICER);
    const director = new Person(stack.url, DIRECTOR);
    const leader = new Person(stack.url, LEADER);
    await Promise.all([officer.signIn(), director.signIn(), leader.signIn()]);
    const first = reportFor(2019, '第一稿。');
    let seen = await seenIds(stack.url);
    expect((await officer.json('POST', '/api/reports', { report: withValue(first, 'template', 'beijing-2019') })).status).toBe(201);
    const v1 = await reviewLink(stack.url, DIRECTOR, seen);

    seen = await seenIds(stack.url);
    expect((await decide(director, v1, 'return', '请补充第五部分的改进措施。')).status).toBe(200);
    const returned = await nextEmail(
      stack.url,
      seen,
      (entry) => entry.to === OFFICER && entry.subject.includes('退回'),
      'the return email',
    );
    expect(returned.text).toContain('请补充第五部分的改进措施。');
    await waitFor(async () => (await status(officer, 'daxing-kw-2019')).status === 'returned', 20_000, 'the returned status');

    seen = await seenIds(stack.url);
    const second = withValue(withValue(first, 'template', 'beijing-2019'), 'problems', '一是……二是已制定改进措施。');
    const resubmitted = await officer.json('PUT', '/api/reports/daxing-kw-2019', { report: second });
    expect(resubmitted).toMatchObject({ status: 200, body: { version: 2, status: 'in_review', stage: 'director' } });
    const v2 = await reviewLink(stack.url, DIRECTOR, seen);
    expect(v2.entry.subject).toContain('第2版');
    // the report (and what changed) is shown to the signed-in approver only
    const v2Url = new URL(v2.url);
    const reviewPage = await (await director.request('GET', `${v2Url.pathname}${v2Url.search}`)).text();
    expect(reviewPage).toContain('自您审阅的第1版以来的修改');

    seen = await seenIds(stack.url);
    expect((await decide(director, v2, 'approve', '', true)).status).toBe(200);
    const leaderLink = await reviewLink(stack.url, LEADER, seen);
    expect((await decide(leader, leaderLink, 'approve')).status).toBe(200);
    await waitFor(async () => (await status(officer, 'daxing-kw-2019')).status === 'published', 20_000, 'publication');
    const published = await (await fetch(new URL('/site/reports/daxing-kw/2019/report.json', stack.url))).json();
    expect(published).toMatchObject({ problems: '一是……二是已制定改进措施。' });
    expect(await (await fetch(new URL('/site/reports/daxing-kw/2019/index.html', stack.url))).text()).toContain('第2版');
  });

  it('withdraws a report in review, stops its execution, and lets the officer submit again', async () => {
    const officer = new Person(stack.url, OFFICER);
    const director = new Person(stack.url, DIRECTOR);
    const auditor = await auditorSignedIn(new Person(stack.url, AUDITOR));
    await Promise.all([officer.signIn(), director.signIn()]);
    let seen = await seenIds(stack.url);
    expect((await officer.json('POST', '/api/reports', { report: report2021() })).status).toBe(201);
    const link = await reviewLink(stack.url, DIRECTOR, seen);

    const withdrawn = await officer.json('POST', '/api/reports/daxing-kw-2021/withdraw', { reason: '信息员发现数据有误，撤回修改。' });
    expect(withdrawn).toMatchObject({ status: 200, body: { status: 'withdrawn' } });
    const history = async () =>
      (await auditor.json('GET', '/api/reports/daxing-kw-2021/history')).body as {
        events: Array<{ type: string }>;
        executions: Array<{ name: string; status: string }>;
      };
    await waitFor(
      async () => (await history()).executions.find((execution) => execution.status === 'ABORTED'),
      20_000,
      'the aborted execution',
    );
    expect((await history()).events.map((event) => event.type)).toEqual(['submitted', 'review_requested', 'withdrawn']);

    const late = await decide(director, link, 'approve', '', true);
    expect(late.status).toBe(409);
    expect(await status(officer, 'daxing-kw-2021')).toMatchObject({ status: 'withdrawn' });

    seen = await seenIds(stack.url);
    const again = await officer.json('POST', '/api/reports', { report: withValue(report2021(), 'overview', '撤回后修改再提交。') });
    expect(again).toMatchObject({ status: 201, body: { version: 2, status: 'in_review' } });
    await reviewLink(stack.url, DIRECTOR, seen);
    expect((await history()).executions.map((execution) => execution.name)).toEqual(['daxing-kw-2021-r1', 'daxing-kw-2021-r2']);
  });

  it('refuses an inconsistent report with its R-codes and a second submission for the same agency-year', async () => {
    const officer = new Person(stack.url, OFFICER);
    await officer.signIn();
    const broken = adjust(referenceReport(), { 'applications.newlyReceived.naturalPerson': 2 });
    const refused = await officer.json('POST', '/api/reports', { report: broken });
    expect(refused.status).toBe(400);
    const body = refused.body as { error: { code: string }; errors: Array<{ code: string; path: string }> };
    expect(body.error.code).toBe('REPORT_INVALID');
    expect(body.errors.map((finding) => finding.code)).toEqual(expect.arrayContaining(['R1', 'R3']));
    expect(body.errors).toContainEqual(expect.objectContaining({ code: 'R3', path: 'applications.newlyReceived.total' }));
    const report2022 = withValue(report2021(), 'year', 2022);
    expect((await officer.json('POST', '/api/reports', { report: report2022 })).status).toBe(201);
    const again = await officer.json('POST', '/api/reports', { report: withValue(report2022, 'overview', '另一稿。') });
    expect(again.status).toBe(409);
    expect((again.body as { error: { code: string } }).error.code).toBe('REPORT_EXISTS');
  });
});

async function auditorSignedIn(auditor: Person): Promise<Person> {
  await auditor.signIn();
  return auditor;
}
