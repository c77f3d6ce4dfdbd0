import { describe, expect, it } from 'vitest';
import { sealEvent } from '#shared/workflow/chain.js';
import type { Decision, ReportEvent, UnsealedEvent } from '#shared/workflow/model.js';
import type { Chain } from '#shared/workflow/review-chain.js';
import { outcomeWords, signOffSheet } from '#shared/workflow/sign-off-sheet.js';

const SHA = 'b'.repeat(64);
const REPORT = 'daxing-kw-2021';

const CHAIN: Chain = {
  steps: [
    { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
    { id: 'legal', label: '法制科会签', kind: 'cosign', role: 'legal' },
    { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
  ],
};

type LogPart = Pick<UnsealedEvent, 'type' | 'version' | 'data'> & { at?: string; actor?: UnsealedEvent['actor'] };

function log(...parts: LogPart[]): ReportEvent[] {
  const events: ReportEvent[] = [];
  parts.forEach((part, index) => {
    const at = part.at ?? new Date(Date.UTC(2022, 0, 10, 1, index)).toISOString();
    events.push(sealEvent({ reportId: REPORT, contentSha256: SHA, actor: part.actor ?? { role: 'system' }, at, ...part }, events.at(-1)));
  });
  return events;
}

const officer = { role: 'officer', email: 'officer@kw.example.cn', name: '赵信息员' } as const;
const submitted = (round: number): LogPart => ({
  type: 'submitted',
  version: round,
  actor: officer,
  data: {
    report: {},
    agencyId: 'daxing-kw',
    agencyName: '大兴区科委',
    year: 2021,
    template: 'national-2021',
    round,
    executionName: `x-${round}`,
    chain: CHAIN,
  },
});
const asked = (version: number, stage: string, email: string, name: string): LogPart => ({
  type: 'review_requested',
  version,
  data: {
    reviewId: `${stage}-${email}-${version}`.replace(/[^A-Za-z0-9_-]/gu, '-').padEnd(22, '-'),
    stage,
    approverEmail: email,
    approverName: name,
    tokenSeq: 1,
  },
});
function decided(version: number, stage: string, email: string, name: string, more: Partial<Decision> = {}): LogPart {
  const decision: Decision = {
    outcome: 'approve',
    comment: '',
    approver: email,
    approverName: name,
    stage,
    confidentialityReviewed: false,
    version,
    decidedAt: '2022-01-11T02:00:00.000Z',
    ...more,
  };
  return {
    type: 'decided',
    version,
    actor: { role: stage, email, name },
    data: { reviewId: `${stage}-${email}-${version}`.replace(/[^A-Za-z0-9_-]/gu, '-').padEnd(22, '-'), decision },
  };
}

describe('signOffSheet', () => {
  it('lists every step of the chain for the version under review: decided, waiting on someone, not reached', () => {
    const sheet = signOffSheet(
      log(
        submitted(1),
        asked(1, 'director', 'wang@kw.example.cn', '王主任'),
        decided(1, 'director', 'wang@kw.example.cn', '王主任', { confidentialityReviewed: true, comment: '同意' }),
        asked(1, 'legal', 'a@kw.example.cn', '法制甲'),
        asked(1, 'legal', 'b@kw.example.cn', '法制乙'),
        decided(1, 'legal', 'b@kw.example.cn', '法制乙', { comment: '无法律问题' }),
      ),
    );
    const lines = sheet.rounds[0]?.versions[0]?.lines ?? [];
    expect(lines.map((line) => [line.stepLabel, line.person, outcomeWords(line), line.comment])).toEqual([
      ['办公室主任审核', '王主任', '同意', '同意'],
      ['法制科会签', '法制乙', '同意（已会签）', '无法律问题'],
      ['法制科会签', '法制甲', '待会签', ''],
      ['主管领导签发', undefined, '尚未送达', ''],
    ]);
    expect(lines[0]?.confidentialityReviewed).toBe(true);
    // a step that does not ask for the 保密审查 shows nothing in that column
    expect(lines[1]?.confidentialityReviewed).toBeUndefined();
  });

  it('names the deputy and the person they decided for, and leaves nobody waiting on the deputised review', () => {
    const sheet = signOffSheet(
      log(
        submitted(1),
        asked(1, 'director', 'wang@kw.example.cn', '王主任'),
        decided(1, 'director', 'liu@kw.example.cn', '刘副主任', {
          confidentialityReviewed: true,
          onBehalfOf: { email: 'wang@kw.example.cn', name: '王主任' },
        }),
      ),
    );
    const lines = sheet.rounds[0]?.versions[0]?.lines ?? [];
    expect(lines.map((line) => [line.stepId, line.person, line.onBehalfOf, line.outcome])).toEqual([
      ['director', '刘副主任', '王主任', 'approve'],
      ['legal', undefined, undefined, 'not_reached'],
      ['leader', undefined, undefined, 'not_reached'],
    ]);
  });

  it('keeps earlier rounds: a returned version with its reason, a withdrawn round with the review it cut short', () => {
    const sheet = signOffSheet(
      log(
        submitted(1),
        asked(1, 'director', 'wang@kw.example.cn', '王主任'),
        decided(1, 'director', 'wang@kw.example.cn', '王主任', { outcome: 'return', comment: '数字有误' }),
        {
          type: 'revision_requested',
          version: 1,
          data: { comment: '数字有误', returnedBy: 'wang@kw.example.cn', returnedByName: '王主任', stage: 'director' },
        },
        { type: 'resubmitted', version: 2, actor: officer, data: { report: {}, returnedVersion: 1, chain: CHAIN } },
        asked(2, 'director', 'wang@kw.example.cn', '王主任'),
        { type: 'withdrawn', version: 2, actor: officer, data: {} },
        submitted(3),
      ),
    );
    expect(sheet.rounds.map((round) => [round.round, round.versions.map((version) => version.version)])).toEqual([
      [1, [1, 2]],
      [3, [3]],
    ]);
    const [v1, v2] = sheet.rounds[0]?.versions ?? [];
    expect(v1?.lines.map((line) => [line.outcome, line.comment])).toEqual([['return', '数字有误']]);
    expect(v2?.ended?.kind).toBe('withdrawn');
    expect(v2?.lines.map((line) => [line.person, outcomeWords(line)])).toEqual([['王主任', '报告撤回，未处理']]);
    expect(sheet.rounds[1]?.versions[0]?.lines.map((line) => line.outcome)).toEqual(['not_reached', 'not_reached', 'not_reached']);
  });
});
