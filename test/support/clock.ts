import type { Clock } from '#shared/workflow/ports.js';

/** A clock the test moves by hand, starting a few days before the 31 January deadline. */
export class TestClock implements Clock {
  constructor(private current = new Date('2021-01-20T01:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
