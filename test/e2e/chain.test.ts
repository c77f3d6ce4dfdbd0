import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRosterFile, loadRoster } from '#infra/scripts/load-roster.js';
import { FOUR_STEP_CHAIN } from '../support/chains.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { nextEmail, Person, reviewLink, seenIds, waitFor } from './http-client.js';
import { startTestStack } from './stack.js';

/**
 * A four-step chain configured through data only (the roster file load-roster.ts reads): 科室负责人审核 → 办公室主任审核
 * (保密审查) → 法制会签 by two people → 主管领导签发, walked over HTTP on the local stack, with the same synthesized state
 * machine as the default chain.
 */

let stack: Awaited<ReturnType<typeof startTestStack>>;

const AGENCY = { id: 'daxing-jw', name: '北京市大兴区教育委员会' };
const person = (local: string) => `${local}@jw.example.cn`;
const OFFICER = person('officer');
const SECTION = person('section');
const DIRECTOR = person('director');
const LEGAL = [person('legal-a'), person('legal-b')] as const;
const LEADER = person('leader');

const ROSTER_FILE = {
  agencies: [
    {
      ...AGENCY,
      district: 'daxing',
      chain: FOUR_STEP_CHAIN,
    },
  ],
  roster: [
    { email: OFFICER, name: '孙信息员', agencyId: AGENCY.id, roles: ['officer'] },
    { email: SECTION, name: '周科长', agencyId: AGENCY.id, roles: ['section-head'] },
    { email: DIRECTOR, name: '吴主任', agencyId: AGENCY.id, roles: ['director'] },
    { email: LEGAL[0], name: '郑法制', agencyId: AGENCY.id, roles: ['legal'] },
    { email: LEGAL[1], name: '王法制', agencyId: AGENCY.id, roles: ['legal'] },
    { email: LEADER, name: '冯副主任', agencyId: AGENCY.id, roles: ['leader'] },
  ],
};

beforeAll(async () => {
  stack = await startTestStack();
  await loadRoster(await checkRosterFile(ROSTER_FILE, (id) => stack.deps.store.getAgency(id)), stack.deps.store);
}, 60_000);
afterAll(async () => stack?.dispose());

const reportFor = (year: number, problems = '一是……') =>
  withValue(
    withValue(withValue(withValue(referenceReport(), 'agency', AGENCY), 'year', year), 'problems', problems),
    'preamble',
    undefined,
  );

type Link = Awaited<ReturnType<typeof reviewLink>>;

async function decide(who: Person, link: Link, outcome: 'approve' | 'return', comment = '', confidentialityReviewed = false) {
  return who.json('POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
    sig: link.sig,
    outcome,
    comment,
    confidentialityReviewed,
  });
}

async function status(who: Person, id: string) {
  return (await who.json('GET', `/api/reports/${id}`)).body as { status: string; stage: string; version: number };
}

describe('a four-step chain with a two-person 会签, configured through data', () => {
  const people = new Map<string, Person>();
  const as = (email: string): Person => {
    const found = people.get(email);
    if (!found) throw new Error(`${email} is not signed in`);
    return found;
  };

  beforeAll(async () => {
    for (const email of [OFFICER, SECTION, DIRECTOR, ...LEGAL, LEADER]) {
      const signedIn = new Person(stack.url, email);
      await signedIn.signIn();
      people.set(email, signedIn);
    }
  }, 60_000);

  /** 科室负责人 then 办公室主任 approve version `version`; returns the two 会签 links. */
  async function throughDirector(reportId: string, version: number, seen: Set<string>): Promise<Link[]> {
    const section = await reviewLink(stack.url, SECTION, seen);
    expect(section.entry.subject).toMatch(new RegExp(`^请审核：.*（第${version}版）$`));
    let next = await seenIds(stack.url);
    expect((await decide(as(SECTION), section, 'approve', '科室已核。')).status).toBe(200);
    const director = await reviewLink(stack.url, DIRECTOR, next);
    expect(director.entry.text).toContain('办公室主任审核（含保密审查）');
    // the 保密审查 belongs to the director's step: approving without it is refused
    expect((await decide(as(DIRECTOR), director, 'approve')).status).toBe(400);
    next = await seenIds(stack.url);
    expect((await decide(as(DIRECTOR), director, 'approve', '', true)).status).toBe(200);
    const cosign = [await reviewLink(stack.url, LEGAL[0], next), await reviewLink(stack.url, LEGAL[1], next)];
    for (const link of cosign) expect(link.entry.subject).toMatch(/^请会签：/);
    expect(await status(as(OFFICER), reportId)).toMatchObject({ status: 'in_review', stage: 'legal', version });
    return cosign;
  }

  it('walks 审核 → 审核 → 会签 (both approve) → 签发 (请签发) → published', async () => {
    const reportId = `${AGENCY.id}-2020`;
    const seen = await seenIds(stack.url);
    const submitted = await as(OFFICER).json('POST', '/api/reports', { report: reportFor(2020) });
    expect(submitted).toMatchObject({ status: 201, body: { id: reportId, stage: 'section' } });
    const [first, second] = await throughDirector(reportId, 1, seen);
    if (!first || !second) throw new Error('two co-signers expected');

    const before = await seenIds(stack.url);
    expect((await decide(as(LEGAL[0]), first, 'approve', '法制审核无异议。')).status).toBe(200);
    // one co-signer of two: the step waits for the other, nobody else is asked
    const page = await (await as(OFFICER).request('GET', `/reports/${reportId}`)).text();
    expect(page).toContain('1/2 人已会签');
    expect(await status(as(OFFICER), reportId)).toMatchObject({ stage: 'legal' });
    expect((await decide(as(LEGAL[1]), second, 'approve')).status).toBe(200);

    const sign = await reviewLink(stack.url, LEADER, before);
    expect(sign.entry.subject).toMatch(/^请签发：北京市大兴区教育委员会2020年政府信息公开工作年度报告（第1版）$/);
    expect(await (await fetch(sign.url)).text()).toContain('主管领导签发');
    expect((await decide(as(LEADER), sign, 'approve', '同意公开。')).status).toBe(200);
    await waitFor(async () => (await status(as(OFFICER), reportId)).status === 'published', 20_000, 'publication');
    expect(await (await fetch(new URL(`/site/reports/${AGENCY.id}/2020/index.html`, stack.url))).text()).toContain('冯副主任');

    const history = (await as(OFFICER).json('GET', `/api/reports/${reportId}`)).body as {
      decisions: Array<{ stage: string; approver: string; outcome: string }>;
    };
    expect(history.decisions.map((decision) => [decision.stage, decision.approver])).toEqual([
      ['section', SECTION],
      ['director', DIRECTOR],
      ['legal', LEGAL[0]],
      ['legal', LEGAL[1]],
      ['leader', LEADER],
    ]);
  });

  it('sends the report back on one co-signer’s return, closes the other’s review, and runs the whole chain again on v2', async () => {
    const reportId = `${AGENCY.id}-2019`;
    let seen = await seenIds(stack.url);
    const v1 = withValue(reportFor(2019, '第一稿。'), 'template', 'beijing-2019');
    expect((await as(OFFICER).json('POST', '/api/reports', { report: v1 })).status).toBe(201);
    const [first, second] = await throughDirector(reportId, 1, seen);
    if (!first || !second) throw new Error('two co-signers expected');

    seen = await seenIds(stack.url);
    expect((await decide(as(LEGAL[1]), second, 'return', '第五部分的法律依据不准确。')).status).toBe(200);
    const returned = await nextEmail(
      stack.url,
      seen,
      (entry) => entry.to === OFFICER && entry.subject.startsWith('退回修改'),
      'the return email',
    );
    expect(returned.text).toContain('第五部分的法律依据不准确。');
    await waitFor(async () => (await status(as(OFFICER), reportId)).status === 'returned', 20_000, 'the returned status');
    // the other co-signer's review closed with the return
    const late = await decide(as(LEGAL[0]), first, 'approve');
    expect(late.status).toBe(409);
    expect((late.body as { error: { code: string } }).error.code).toBe('REVIEW_CLOSED');

    seen = await seenIds(stack.url);
    const v2 = withValue(v1, 'problems', '一是……二是已核对法律依据。');
    expect(await as(OFFICER).json('PUT', `/api/reports/${reportId}`, { report: v2 })).toMatchObject({
      status: 200,
      body: { version: 2, stage: 'section' },
    });
    const [againFirst, againSecond] = await throughDirector(reportId, 2, seen);
    if (!againFirst || !againSecond) throw new Error('two co-signers expected');
    const before = await seenIds(stack.url);
    expect((await decide(as(LEGAL[1]), againSecond, 'approve')).status).toBe(200);
    expect((await decide(as(LEGAL[0]), againFirst, 'approve')).status).toBe(200);
    const sign = await reviewLink(stack.url, LEADER, before);
    expect(sign.entry.subject).toMatch(/^请签发：.*（第2版）$/);
    expect((await decide(as(LEADER), sign, 'approve')).status).toBe(200);
    await waitFor(async () => (await status(as(OFFICER), reportId)).status === 'published', 20_000, 'publication of v2');
    const published = await (await fetch(new URL(`/site/reports/${AGENCY.id}/2019/report.json`, stack.url))).json();
    expect(published).toMatchObject({ problems: '一是……二是已核对法律依据。' });
  });
});
