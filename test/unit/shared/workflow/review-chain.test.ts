import { describe, expect, it } from 'vitest';
import { chainProblems, cursorAt, DEFAULT_CHAIN, MAX_STEPS, unheldRoles, type Chain, type Step } from '#shared/workflow/review-chain.js';
import { unstaffedSteps } from '#shared/workflow/step-people.js';

/** The review chain as data: what a chain may be, and who can walk it. */

const review = (id: string, extra: Partial<Step> = {}): Step => ({ id, label: `${id}审核`, kind: 'review', role: id, ...extra });
const sign: Step = { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' };
const codes = (chain: Chain) => chainProblems(chain).map((problem) => problem.code);

describe('chainProblems', () => {
  it('accepts the default chain: 办公室主任审核 with the 保密审查, then 主管领导签发', () => {
    expect(chainProblems(DEFAULT_CHAIN)).toEqual([]);
    expect(DEFAULT_CHAIN.steps.map((step) => [step.id, step.kind, step.role, step.confidentiality === true])).toEqual([
      ['director', 'review', 'director', true],
      ['leader', 'sign', 'leader', false],
    ]);
  });

  it('refuses each rule with its own code and a Chinese message', () => {
    const director = review('director', { confidentiality: true });
    const cases: Array<[Chain, string]> = [
      [{ steps: [] }, 'CHAIN_EMPTY'],
      [{ steps: [director, review('director'), sign] }, 'CHAIN_DUPLICATE_STEP'],
      [{ steps: [director] }, 'CHAIN_NO_SIGN'],
      [{ steps: [director, sign, { ...sign, id: 'second' }] }, 'CHAIN_SEVERAL_SIGN'],
      [{ steps: [sign, director] }, 'CHAIN_SIGN_NOT_LAST'],
      [{ steps: [review('director'), sign] }, 'CHAIN_NO_CONFIDENTIALITY'],
      [{ steps: [director, { ...review('audit'), role: 'auditor' }, sign] }, 'CHAIN_ROLE_RESERVED'],
      [{ steps: [director, { ...review('x'), kind: 'cosign' }, { ...review('y'), kind: 'cosign' }, sign] }, 'CHAIN_COSIGN_ADJACENT'],
    ];
    for (const [chain, code] of cases) {
      expect(codes(chain), code).toContain(code);
      for (const problem of chainProblems(chain)) expect(problem.message).toMatch(/[\u4e00-\u9fff]/u);
    }
  });

  it('allows exactly 8 steps and refuses 9', () => {
    const steps = (n: number): Step[] => [
      review('s0', { confidentiality: true }),
      ...Array.from({ length: n - 2 }, (_, i) => review(`s${i + 1}`)),
      sign,
    ];
    expect(codes({ steps: steps(MAX_STEPS) })).toEqual([]);
    expect(codes({ steps: steps(MAX_STEPS + 1) })).toEqual(['CHAIN_TOO_LONG']);
  });
});

describe('who can walk a chain', () => {
  const legal: Step = { id: 'legal', label: '法制会签', kind: 'cosign', role: 'legal' };
  const chain: Chain = { steps: [review('director', { confidentiality: true }), legal, sign] };
  const person = (email: string, ...roles: string[]) => ({ email, name: email, agencyId: 'a-b', roles });

  it('names the roles nobody in the agency holds', () => {
    expect(unheldRoles(chain, [person('d@x.cn', 'director'), person('l@x.cn', 'leader')]).map((step) => step.id)).toEqual(['legal']);
  });

  it('needs a different person for every step, none of them the submitter', () => {
    const roster = [person('o@x.cn', 'officer'), person('d@x.cn', 'director', 'leader'), person('g@x.cn', 'legal')];
    expect(unstaffedSteps(chain, roster, 'a-b', 'o@x.cn').map((step) => step.id)).toEqual(['leader']);
    // someone else who can sign: the director-and-leader is kept for the director's step
    expect(unstaffedSteps(chain, [...roster, person('l@x.cn', 'leader')], 'a-b', 'o@x.cn')).toEqual([]);
    // the submitter holding a step role does not count for it
    expect(
      unstaffedSteps(
        chain,
        [person('o@x.cn', 'officer', 'legal'), person('d@x.cn', 'director'), person('l@x.cn', 'leader')],
        'a-b',
        'o@x.cn',
      ).map((step) => step.id),
    ).toEqual(['legal']);
  });

  it('asks every co-signer when a 会签 step starts, in a stable order, and publishes after the last step', () => {
    expect(cursorAt(chain, 1, 'approve', () => ['b@x.cn', 'a@x.cn'])).toEqual({
      outcome: 'approve',
      index: 1,
      kind: 'cosign',
      stepId: 'legal',
      cosigners: ['a@x.cn', 'b@x.cn'],
    });
    expect(cursorAt(chain, 2, 'approve', () => ['ignored'])).toEqual({
      outcome: 'approve',
      index: 2,
      kind: 'sign',
      stepId: 'leader',
      cosigners: [],
    });
    expect(cursorAt(chain, 3, 'approve', () => [])).toMatchObject({ kind: 'publish', index: 3 });
  });
});
