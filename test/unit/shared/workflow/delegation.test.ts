import { describe, expect, it } from 'vitest';
import { isActive, mayDelegate } from '#shared/workflow/delegation.js';
import { deciderWording, deputyWording } from '#shared/workflow/deputy-wording.js';
import type { Delegation } from '#shared/workflow/model.js';

const delegation: Delegation = {
  delegator: 'director@kw.example.cn',
  delegatorName: '李主任',
  deputy: 'vice@kw.example.cn',
  deputyName: '张副主任',
  agencyId: 'daxing-kw',
  from: '2027-01-10',
  until: '2027-01-20',
  setAt: '2027-01-05T02:00:00.000Z',
};

describe('isActive: Beijing calendar days, both ends included', () => {
  it('starts at 00:00 Beijing time of the first day (16:00 UTC the day before)', () => {
    expect(isActive(delegation, new Date('2027-01-09T15:59:59.999Z'))).toBe(false);
    expect(isActive(delegation, new Date('2027-01-09T16:00:00.000Z'))).toBe(true);
  });

  it('runs to the last millisecond of the last day, Beijing time, and not a millisecond more', () => {
    expect(isActive(delegation, new Date('2027-01-20T15:59:59.999Z'))).toBe(true);
    expect(isActive(delegation, new Date('2027-01-20T16:00:00.000Z'))).toBe(false);
  });

  it('is over once ended, whatever the days say', () => {
    expect(isActive({ ...delegation, endedAt: '2027-01-12T02:00:00.000Z' }, new Date('2027-01-15T02:00:00.000Z'))).toBe(false);
  });
});

describe('mayDelegate', () => {
  it('is for people who decide a step, not for officers, auditors or administrators alone', () => {
    expect(mayDelegate({ roles: ['director'] })).toBe(true);
    expect(mayDelegate({ roles: ['officer', 'cosigner-legal'] })).toBe(true);
    expect(mayDelegate({ roles: ['officer'] })).toBe(false);
    expect(mayDelegate({ roles: ['auditor'] })).toBe(false);
    expect(mayDelegate({ roles: ['admin'] })).toBe(false);
  });
});

describe('the deputy’s wording', () => {
  it('reads the deputy, then the person acted for with 代', () => {
    expect(deputyWording('张副主任', '李主任')).toBe('张副主任（李主任代）');
    expect(deciderWording({ approverName: '张副主任', onBehalfOf: { name: '李主任' } })).toBe('张副主任（李主任代）');
    expect(deciderWording({ approverName: '李主任' })).toBe('李主任');
  });
});
