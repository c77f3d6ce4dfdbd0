import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '#infra/local/stack.js';
import { REMINDER_LEASE_MS } from '#shared/workflow/admin/reminders.js';
import { beijingDate } from '#shared/workflow/deadline.js';

/**
 * The automatic reminders across restarts of the local stack (its timer runs at every start): a reminder whose mail went
 * out but whose record did not (the process died between the two) goes out at most once more; every other reminder is
 * not sent again, however often the stack restarts.
 */

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nianbao-reminders-'));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

const DAY = 24 * 60 * 60 * 1000;
const start = (reminders = true) => startLocalStack({ port: 0, dataDir, reminderIntervalMs: 3_600_000, reminders });

describe('automatic reminders and restarts', () => {
  it('sends a reminder cut off between its mail and its record at most once more, and nothing else twice', async () => {
    const now = new Date();
    const year = Number(beijingDate(now).slice(0, 4));
    // a deadline two days ahead: its 3-day slot (yesterday 09:00 Beijing) is due whatever the hour
    const deadline = beijingDate(new Date(now.getTime() + 2 * DAY));
    const first = await start(false);
    await first.deps.store.putDistrict({ id: 'daxing', name: '北京市大兴区', deadlines: { [String(year)]: deadline } });
    // the state a kill between the mail and markReminderSent leaves: claimed, lease over, never marked sent
    const cutOff = `auto#${year}#daxing-kw#${deadline}#d3`;
    expect(
      await first.deps.store.claimReminder(cutOff, new Date(now.getTime() - REMINDER_LEASE_MS - 1_000).toISOString(), REMINDER_LEASE_MS),
    ).toBe(true);
    const before = (await first.outbox.list()).filter((mail) => mail.subject.startsWith('催办提醒')).length;
    await first.stop();
    expect(before).toBe(0);

    const second = await start();
    await second.stop();
    const afterSecond = (await second.outbox.list()).filter((mail) => mail.subject.startsWith('催办提醒'));
    expect(afterSecond.map((mail) => mail.to).sort()).toEqual(['officer@czj.example.cn', 'officer@jw.example.cn', 'officer@kw.example.cn']);

    const third = await start();
    await third.stop();
    expect((await third.outbox.list()).filter((mail) => mail.subject.startsWith('催办提醒'))).toHaveLength(3);
    const record = await (async () => {
      const fourth = await start(false);
      try {
        return await fourth.deps.store.getReminder(cutOff);
      } finally {
        await fourth.stop();
      }
    })();
    expect(record).toMatchObject({ attempts: 2, sentAt: expect.any(String) });
  }, 120_000);
});
