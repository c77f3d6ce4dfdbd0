import { describe, expect, it } from 'vitest';
import { daysToDeadline, defaultDeadline, dueSlot, isOverdue, reminderSlots } from '#shared/workflow/deadline.js';

const at = (iso: string) => new Date(iso);

describe('the deadline', () => {
  it('is 31 January of the next year unless a district sets another', () => {
    expect(defaultDeadline(2026)).toBe('2027-01-31');
  });

  it('is overdue from midnight Beijing time after the deadline day, not a second before', () => {
    // 2027-02-01T00:00 in Beijing is 2027-01-31T16:00Z
    expect(isOverdue('2027-01-31', at('2027-01-31T15:59:59.999Z'))).toBe(false);
    expect(isOverdue('2027-01-31', at('2027-01-31T16:00:00.000Z'))).toBe(true);
  });

  it('counts whole Beijing days to the deadline: 0 on the day, negative after', () => {
    expect(daysToDeadline('2027-01-31', at('2027-01-30T15:59:59Z'))).toBe(1); // 30 Jan, 23:59 in Beijing
    expect(daysToDeadline('2027-01-31', at('2027-01-30T16:00:00Z'))).toBe(0); // 31 Jan, 00:00 in Beijing
    expect(daysToDeadline('2027-01-31', at('2027-01-31T16:00:00Z'))).toBe(-1);
    expect(daysToDeadline('2027-01-31', at('2026-12-03T02:00:00Z'))).toBe(59);
  });
});

describe('automatic reminders', () => {
  it('are due 14, 7, 3 and 1 days before the deadline at 09:00 Beijing time', () => {
    expect(reminderSlots('2027-01-31').map((slot) => [slot.id, slot.at.toISOString()])).toEqual([
      ['d14', '2027-01-17T01:00:00.000Z'],
      ['d7', '2027-01-24T01:00:00.000Z'],
      ['d3', '2027-01-28T01:00:00.000Z'],
      ['d1', '2027-01-30T01:00:00.000Z'],
    ]);
  });

  it('sends the latest slot due, at its exact time and not a millisecond before', () => {
    expect(dueSlot('2027-01-31', at('2027-01-17T00:59:59.999Z'))).toBeUndefined();
    expect(dueSlot('2027-01-31', at('2027-01-17T01:00:00.000Z'))?.id).toBe('d14');
    expect(dueSlot('2027-01-31', at('2027-01-29T12:00:00Z'))?.id).toBe('d3');
    expect(dueSlot('2027-01-31', at('2027-01-31T15:00:00Z'))?.id).toBe('d1');
  });

  it('sends nothing once the deadline has passed', () => {
    expect(dueSlot('2027-01-31', at('2027-01-31T16:00:00Z'))).toBeUndefined();
  });
});
