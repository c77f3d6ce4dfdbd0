/**
 * The legal deadline and the reminders before it. Departments publish the report for year Y by 31 January of Y+1;
 * a district may set another date. Dates are Beijing dates (UTC+8, no daylight saving): the deadline day ends at
 * midnight in Beijing, and reminders go out at 09:00 Beijing time.
 */

export const REMINDER_DAYS_BEFORE = [14, 7, 3, 1] as const;
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const REMINDER_HOUR = 9;

/** `YYYY-MM-DD` */
export const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function defaultDeadline(year: number): string {
  return `${year + 1}-01-31`;
}

/** The instant a Beijing date begins. */
function beijingMidnight(date: string): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`not a date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) - BEIJING_OFFSET_MS;
}

/** The Beijing date of an instant. */
export function beijingDate(at: Date): string {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** Overdue from the first moment of the day after the deadline, Beijing time. */
export function isOverdue(deadline: string, now: Date): boolean {
  return now.getTime() >= beijingMidnight(deadline) + DAY_MS;
}

/** Whole Beijing days from today to the deadline: 0 on the day itself, negative once it has passed. */
export function daysToDeadline(deadline: string, now: Date): number {
  return Math.round((beijingMidnight(deadline) - beijingMidnight(beijingDate(now))) / DAY_MS);
}

export interface ReminderSlot {
  /** stable within a deadline: `d14`, `d7`, `d3`, `d1` */
  readonly id: string;
  readonly daysBefore: number;
  /** when it is due: 09:00 Beijing time that day */
  readonly at: Date;
}

export function reminderSlots(deadline: string): ReminderSlot[] {
  return REMINDER_DAYS_BEFORE.map((daysBefore) => ({
    id: `d${daysBefore}`,
    daysBefore,
    at: new Date(beijingMidnight(deadline) - daysBefore * DAY_MS + REMINDER_HOUR * 60 * 60 * 1000),
  }));
}

/**
 * The slot a timer firing now should send: the latest one due. Older slots missed while nothing ran (a machine off
 * for a week) are not sent late one after another: one reminder says the same thing.
 */
export function dueSlot(deadline: string, now: Date): ReminderSlot | undefined {
  if (isOverdue(deadline, now)) return undefined;
  return reminderSlots(deadline)
    .filter((slot) => slot.at.getTime() <= now.getTime())
    .at(-1);
}
