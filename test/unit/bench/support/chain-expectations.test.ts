import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAIN } from '#shared/workflow/review-chain.js';
import {
  describeEventSequence,
  emailProblem,
  eventSequenceProblem,
  expectedEmails,
  seatsOf,
  type LoggedEvent,
} from '../../../../bench/support/chain-expectations.js';
import { FOUR_STEP_CHAIN } from '../../../support/chains.js';

const submitted: LoggedEvent = { type: 'submitted', data: {} };
const published: LoggedEvent = { type: 'published', data: {} };
const requested = (reviewId: string, stage: string): LoggedEvent => ({ type: 'review_requested', data: { reviewId, stage } });
const decided = (reviewId: string, stage: string, outcome = 'approve'): LoggedEvent => ({
  type: 'decided',
  data: { reviewId, decision: { stage, outcome } },
});
/** one approver's request and decision on a step */
const walked = (stage: string, reviewId = `r-${stage}`) => [requested(reviewId, stage), decided(reviewId, stage)];

describe('the people a chain seats', () => {
  it('seats the default chain as the benchmarks always have: director@ (保密审查) and leader@, named after their posts', () => {
    expect(seatsOf(DEFAULT_CHAIN, 2)).toEqual([
      { local: 'director', title: '办公室主任', role: 'director', stepId: 'director', kind: 'review', confidentiality: true },
      { local: 'leader', title: '主管领导', role: 'leader', stepId: 'leader', kind: 'sign', confidentiality: false },
    ]);
  });

  it('seats one person per 审核 or 签发 step and the asked number of numbered co-signers on the 会签', () => {
    const seats = seatsOf(FOUR_STEP_CHAIN, 2);
    expect(seats.map((seat) => [seat.local, seat.title, seat.role, seat.stepId])).toEqual([
      ['section-head', '科室负责人', 'section-head', 'section'],
      ['director', '办公室主任', 'director', 'director'],
      ['legal-1', '法制1', 'legal', 'legal'],
      ['legal-2', '法制2', 'legal', 'legal'],
      ['leader', '主管领导', 'leader', 'leader'],
    ]);
    expect(seats.filter((seat) => seat.confidentiality).map((seat) => seat.local)).toEqual(['director']);
    expect(seatsOf(FOUR_STEP_CHAIN, 3).filter((seat) => seat.kind === 'cosign')).toHaveLength(3);
  });
});

describe('the emails each person must get', () => {
  it('expects 已公开 for the officer, 请审核 for the director and 请签发 for the leader on the default chain', () => {
    expect(expectedEmails(DEFAULT_CHAIN, 2)).toEqual(
      new Map([
        ['officer', '已公开：'],
        ['director', '请审核：'],
        ['leader', '请签发：'],
      ]),
    );
  });

  it('expects each step’s verb on the four-step chain: 请审核 twice, 请会签 for both co-signers, 请签发 for the leader', () => {
    expect([...expectedEmails(FOUR_STEP_CHAIN, 2)]).toEqual([
      ['officer', '已公开：'],
      ['section-head', '请审核：'],
      ['director', '请审核：'],
      ['legal-1', '请会签：'],
      ['legal-2', '请会签：'],
      ['leader', '请签发：'],
    ]);
  });

  it('accepts exactly one email of the expected kind and nothing else', () => {
    expect(emailProblem(['请签发：某局2020年政府信息公开工作年度报告（第1版）'], '请签发：')).toBeUndefined();
    expect(emailProblem([], '请签发：')).toBe('expected one 请签发：… email, got none');
    expect(emailProblem(['请审核：某局报告（第1版）'], '请签发：')).toBe('expected one 请签发：… email, got 请审核');
    expect(emailProblem(['请会签：某局报告', '请会签：某局报告'], '请会签：')).toBe('expected one 请会签：… email, got 请会签, 请会签');
    expect(emailProblem(['已公开：某局报告', '请审核：某局报告'], '已公开：')).toBeDefined();
  });
});

describe('the event log of a report approved through the default chain', () => {
  const exact = [submitted, ...walked('director'), ...walked('leader'), published];

  it('is submitted, review_requested, decided, review_requested, decided, published', () => {
    expect(eventSequenceProblem(DEFAULT_CHAIN, 2, exact)).toBeUndefined();
    expect(describeEventSequence(DEFAULT_CHAIN, 2)).toBe('submitted, review_requested, decided, review_requested, decided, published');
  });

  it('is refused with anything missing, repeated, out of order or of another step', () => {
    const refused = (events: LoggedEvent[]) => eventSequenceProblem(DEFAULT_CHAIN, 2, events);
    expect(refused(exact.slice(1))).toMatch(/does not start with submitted/);
    expect(refused(exact.slice(0, -1))).toMatch(/does not end with one published/);
    expect(refused([...exact, published])).toMatch(/does not end with one published/);
    expect(refused([submitted, ...walked('director'), requested('r-leader', 'leader'), published])).toMatch(/step leader/);
    expect(
      refused([submitted, decided('r-director', 'director'), requested('r-director', 'director'), ...walked('leader'), published]),
    ).toMatch(/step director: decided out of place/);
    expect(refused([submitted, ...walked('leader'), ...walked('director'), published])).toMatch(/step director/);
    expect(refused([submitted, ...walked('director'), ...walked('director', 'again'), ...walked('leader'), published])).toBeDefined();
    expect(
      refused([submitted, ...walked('director'), requested('r-leader', 'leader'), decided('r-leader', 'leader', 'return'), published]),
    ).toMatch(/step leader/);
  });
});

describe('the event log of a report approved through the four-step chain with two co-signers', () => {
  const around = (legal: LoggedEvent[]) => [
    submitted,
    ...walked('section'),
    ...walked('director'),
    ...legal,
    ...walked('leader'),
    published,
  ];

  it('takes the two co-signers’ requests and decisions in any order, each decision after its own request', () => {
    const orders = [
      [requested('a', 'legal'), requested('b', 'legal'), decided('a', 'legal'), decided('b', 'legal')],
      [requested('a', 'legal'), decided('a', 'legal'), requested('b', 'legal'), decided('b', 'legal')],
      [requested('b', 'legal'), requested('a', 'legal'), decided('a', 'legal'), decided('b', 'legal')],
      [requested('b', 'legal'), decided('b', 'legal'), requested('a', 'legal'), decided('a', 'legal')],
    ];
    for (const legal of orders) expect(eventSequenceProblem(FOUR_STEP_CHAIN, 2, around(legal))).toBeUndefined();
  });

  it('is refused when a co-signer is missing, decides twice, decides before being asked, or the leader is asked before both', () => {
    const refused = (events: LoggedEvent[]) => eventSequenceProblem(FOUR_STEP_CHAIN, 2, events);
    expect(refused(around([requested('a', 'legal'), decided('a', 'legal')]))).toMatch(/step legal/);
    expect(refused(around([requested('a', 'legal'), decided('a', 'legal'), requested('b', 'legal'), decided('a', 'legal')]))).toMatch(
      /step legal: decided out of place/,
    );
    expect(refused(around([decided('a', 'legal'), requested('a', 'legal'), requested('b', 'legal'), decided('b', 'legal')]))).toMatch(
      /step legal: decided out of place/,
    );
    expect(
      refused([
        submitted,
        ...walked('section'),
        ...walked('director'),
        requested('a', 'legal'),
        decided('a', 'legal'),
        ...walked('leader'),
        requested('b', 'legal'),
        decided('b', 'legal'),
        published,
      ]),
    ).toMatch(/step legal: review_requested out of place/);
    expect(refused([submitted, ...walked('section'), ...walked('director'), ...walked('leader'), published])).toBeDefined();
  });

  it('is described with the 会签 as a block of two requests and two decisions', () => {
    expect(describeEventSequence(FOUR_STEP_CHAIN, 2)).toBe(
      'submitted, review_requested, decided, review_requested, decided, 2 × review_requested and 2 × decided for the 法制会签 ' +
        '(in any order, each decision after its own request), review_requested, decided, published',
    );
  });
});
