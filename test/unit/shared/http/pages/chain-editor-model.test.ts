import { describe, expect, it } from 'vitest';
import { chainOfRows, editorProblems, type StepRow } from '#shared/http/pages/chain-editor-model.js';

const director: StepRow = { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true };
const leader: StepRow = { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader', confidentiality: false };
const legal = (id = ''): StepRow => ({ id, label: '法制会签', kind: 'cosign', role: 'legal', confidentiality: false });

describe('the chain editor turns its steps into a chain', () => {
  it('keeps saved ids, names a new step after its role, and drops an unticked 保密审查', () => {
    expect(chainOfRows([director, legal(), leader])).toEqual({
      steps: [
        { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
        { id: 'legal', label: '法制会签', kind: 'cosign', role: 'legal' },
        { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
      ],
    });
  });

  it('makes a new id unique against saved ones and other new ones, and never a reserved or ill-formed one', () => {
    const review = (role: string): StepRow => ({ id: '', label: '审核', kind: 'review', role, confidentiality: false });
    const chain = chainOfRows([director, review('director'), review('director'), review('法制'), review('officer'), leader]);
    expect(chain.steps.map((step) => step.id)).toEqual(['director', 'director-2', 'director-3', 'step', 'step-2', 'leader']);
  });

  it('trims what was typed', () => {
    expect(chainOfRows([{ ...legal(), label: '  法制会签 ', role: ' legal ' }]).steps[0]).toMatchObject({
      label: '法制会签',
      role: 'legal',
    });
  });
});

describe('the chain editor places each problem at its step', () => {
  it('has none for the default chain with a 法制会签 added before the sign step', () => {
    expect(editorProblems([director, legal(), leader])).toEqual({ byStep: [[], [], []], general: [], count: 0 });
  });

  it('says the sign step is not last at the sign step itself, not at the chain', () => {
    const problems = editorProblems([director, leader, legal()]);
    expect(problems.byStep).toEqual([[], ['签发步骤须是审批链的最后一步。'], []]);
    expect(problems.general).toEqual([]);
    expect(problems.count).toBe(1);
  });

  it('says a missing 保密审查 and a missing sign step of the chain as a whole', () => {
    const problems = editorProblems([{ ...director, confidentiality: false }]);
    expect(problems.general).toEqual(['审批链须以一个签发步骤结束。', '审批链中须有一个步骤负责保密审查。']);
    expect(problems.byStep).toEqual([[]]);
  });

  it('says two adjacent 会签 at the first of them', () => {
    expect(editorProblems([director, legal('legal'), { ...legal('audit-office'), role: 'audit-office' }, leader]).byStep[1]).toEqual([
      expect.stringContaining('与下一个会签步骤相邻'),
    ]);
  });

  it('asks for a name and a role, and explains a role typed in Chinese, at that step', () => {
    const blank: StepRow = { id: '', label: ' ', kind: 'review', role: '', confidentiality: false };
    const chinese: StepRow = { id: '', label: '审核', kind: 'review', role: '法制科', confidentiality: false };
    const problems = editorProblems([director, blank, chinese, leader]);
    expect(problems.byStep[1]).toEqual(['请填写这一步的名称，如“法制机构会签”。', '请选择或填写岗位。']);
    expect(problems.byStep[2]).toEqual(['岗位代码只能用小写英文字母和连字符（2 至 31 个字符），如 legal、vice-director。']);
    expect(problems.count).toBe(3);
  });

  it('takes a name of exactly 40 characters and refuses 41', () => {
    const named = (length: number): StepRow => ({ ...legal(), label: '审'.repeat(length) });
    expect(editorProblems([director, named(40), leader]).byStep[1]).toEqual([]);
    expect(editorProblems([director, named(41), leader]).byStep[1]).toEqual(['名称最多 40 个字。']);
  });
});
