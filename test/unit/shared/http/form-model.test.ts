import { describe, expect, it } from 'vitest';
import { checkReport } from '#shared/report/checks.js';
import type { Finding } from '#shared/report/findings.js';
import {
  cellNote,
  findingTargetId,
  inputValue,
  normalizeNumberText,
  parseInput,
  setAt,
  TITLE_CHOICES,
  titleChoiceValue,
} from '#shared/http/pages/form-model.js';
import { report2021, withValue } from '../../../support/report-builders.js';

describe('the title choice', () => {
  it('gives each option back the title it stands for, and no title for the usual one', () => {
    expect(TITLE_CHOICES).toHaveLength(8);
    for (const choice of TITLE_CHOICES) {
      const parsed = parseInput('title', titleChoiceValue(choice));
      expect(parsed).toEqual(choice.format === 'name-year' && choice.lines === 1 ? undefined : choice);
    }
    expect(parseInput('title', 'year-name:2')).toEqual({ format: 'year-name', lines: 2 });
  });

  it('selects the usual option for a report without a title or with one that is not ours, and reads a tampered option as none', () => {
    expect(titleChoiceValue(undefined)).toBe('name-year:1');
    expect(titleChoiceValue({ format: 'year-name' })).toBe('year-name:1');
    expect(titleChoiceValue({ format: 'other', lines: 2 })).toBe('name-year:1');
    for (const raw of ['', 'other:1', 'year-name:3', 'year-name']) expect(parseInput('title', raw)).toBeUndefined();
  });

  it('sends a finding about the title to the title’s select', () => {
    expect(findingTargetId('title')).toBe('field-title');
  });
});

describe('parseInput', () => {
  it('makes blank null, never 0', () => {
    for (const kind of ['count', 'signedCount', 'money'] as const) {
      expect(parseInput(kind, '')).toBeNull();
      expect(parseInput(kind, '   ')).toBeNull();
    }
  });

  it('reads whole numbers as numbers, as a Chinese IME may type them', () => {
    expect(parseInput('count', '12')).toBe(12);
    expect(parseInput('count', ' 12 ')).toBe(12);
    expect(parseInput('count', '１２')).toBe(12);
    expect(parseInput('count', '1,234')).toBe(1234);
    expect(parseInput('count', '１，２３４')).toBe(1234);
    expect(parseInput('signedCount', '-3')).toBe(-3);
    expect(parseInput('signedCount', '－3')).toBe(-3);
    expect(parseInput('signedCount', '+3')).toBe(3);
  });

  it('keeps what is not a whole number for the checks to name: fractions as numbers, the rest as text', () => {
    expect(parseInput('count', '1.5')).toBe(1.5);
    expect(parseInput('count', '/')).toBe('/');
    expect(parseInput('count', '无')).toBe('无');
    expect(parseInput('count', '12a')).toBe('12a');
    expect(parseInput('count', '1,23')).toBe('1,23');
    expect(parseInput('count', '99999999999999999999')).toBe('99999999999999999999');
  });

  it('keeps money as the decimal text the report stores, and text and units as typed', () => {
    expect(parseInput('money', '77.0693')).toBe('77.0693');
    expect(parseInput('money', '７７．０６９３')).toBe('77.0693');
    expect(parseInput('money', '1,077.5')).toBe('1077.5');
    expect(parseInput('text', '  一、\n')).toBe('  一、\n');
    expect(parseInput('unit', '万元')).toBe('万元');
  });

  it('gives the checks what they should say about each kind of typing', () => {
    const path = 'activeDisclosure.licensing.administrativeLicensing.decisions';
    const codes = (typed: string) =>
      checkReport(withValue(report2021(), path, parseInput('count', typed)))
        .errors.filter((finding) => finding.path === path)
        .map((finding) => finding.code);
    expect(codes('12')).toEqual([]);
    expect(codes('')).toEqual(['R5']);
    expect(codes('/')).toEqual(['R5']);
    expect(codes('-1')).toEqual(['SCHEMA_NEGATIVE']);
    expect(codes('1.5')).toEqual(['SCHEMA_NOT_INTEGER']);
    expect(codes('十二')).toEqual(['SCHEMA_TYPE']);
  });
});

describe('normalizeNumberText', () => {
  it('turns full-width digits, signs and points into ASCII and drops spaces', () => {
    expect(normalizeNumberText('　１２３．５　')).toBe('123.5');
    expect(normalizeNumberText('−７')).toBe('-7');
  });
});

describe('inputValue', () => {
  it('shows numbers and text as they are and anything else as blank', () => {
    expect(inputValue(0)).toBe('0');
    expect(inputValue(-2)).toBe('-2');
    expect(inputValue('77.0693')).toBe('77.0693');
    expect(inputValue(null)).toBe('');
    expect(inputValue(undefined)).toBe('');
    expect(inputValue({})).toBe('');
    expect(inputValue(Number.NaN)).toBe('');
  });
});

describe('setAt', () => {
  it('sets a value at a path, making the objects on the way and replacing what is not one', () => {
    const report: Record<string, unknown> = { applications: 'broken' };
    setAt(report, ['applications', 'newlyReceived', 'total'], 3);
    setAt(report, ['overview'], '一');
    expect(report).toEqual({ applications: { newlyReceived: { total: 3 } }, overview: '一' });
  });
});

describe('findingTargetId', () => {
  it('points a cell finding at its input and a text finding at its textarea', () => {
    expect(findingTargetId('applications.outcomes.total.naturalPerson')).toBe('cell-applications.outcomes.total.naturalPerson');
    expect(findingTargetId('overview')).toBe('field-overview');
    expect(findingTargetId('preamble')).toBe('field-preamble');
    expect(findingTargetId('')).toBeUndefined();
  });
});

describe('cellNote', () => {
  const finding = (code: Finding['code'], extra: Partial<Finding> = {}): Finding => ({ code, path: 'x', message: '完整的说明', ...extra });

  it('says in a few words what the cell needs, with the expected number where there is one', () => {
    expect(cellNote(finding('R1', { expected: 12, actual: 15 }))).toBe('应为 12');
    expect(cellNote(finding('R3', { expected: 0, actual: 1 }))).toBe('应为 0');
    expect(cellNote(finding('R5'))).toBe('未填写');
    expect(cellNote(finding('SCHEMA_NEGATIVE'))).toBe('不能为负数');
    expect(cellNote(finding('X5', { expected: 3, actual: 40 }))).toBe('上年为 3');
    expect(cellNote(finding('N1'))).toBe('完整的说明');
  });
});
