import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSendDueRemindersHandler } from '#functions/send-due-reminders.js';
import type { Store } from '#shared/workflow/ports.js';
import { REMINDER_LEASE_MS } from '#shared/workflow/admin/reminders.js';
import { createTestApp, jsonOf, startEmulator, stopEmulator, type TestApp } from '../../support/app.js';
import { cookieOf, DIRECTOR, forgetCookies, REPORT_ID, requestReview, submit } from '../workflow-helpers.js';
import { ADMIN, adminRoutes, putHeadAs } from './admin-support.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
let admin: string;
let r: ReturnType<typeof adminRoutes>;
beforeEach(async () => {
  app = await createTestApp();
  admin = await cookieOf(app, ADMIN);
  r = adminRoutes(app);
});

interface Row {
  agencyId: string;
  state: string;
  stepLabel?: string;
  since?: string;
  overdue: boolean;
  daysToDeadline: number;
}
const progressOf = async (year = 2020, district?: string) =>
  jsonOf(await r.progress(admin, year, district)) as { deadline: string; agencies: Row[] };
const reminderMails = async () => (await app.outbox.list()).filter((m) => m.subject.startsWith('催办提醒'));
const JW = { id: 'daxing-jw', name: '北京市大兴区教育委员会' };

describe('the deadline dashboard', () => {
  it('shows each agency’s state, the step it waits at and since when, and the days to 31 January', async () => {
    expect(await progressOf()).toEqual({
      deadline: '2021-01-31',
      agencies: [
        expect.objectContaining({ agencyId: 'daxing-czj', state: 'not_started', overdue: false, daysToDeadline: 11 }),
        expect.objectContaining({ agencyId: 'daxing-jw', state: 'not_started' }),
        expect.objectContaining({ agencyId: 'daxing-kw', state: 'not_started' }),
      ],
    });
    await app.deps.store.saveDraft(
      {
        agencyId: 'daxing-czj',
        year: 2020,
        content: {},
        revision: 1,
        updatedAt: '2021-01-19T02:00:00.000Z',
        updatedBy: 'officer@czj.example.cn',
      },
      undefined,
    );
    await submit(app);
    await requestReview(app, { taskToken: 'director-1', version: 1, stage: 'director', reportId: REPORT_ID });
    await putHeadAs(app, JW, 2020, 'published', '2021-01-19T08:00:00.000Z');
    const rows = (await progressOf()).agencies;
    expect(rows.map((row) => [row.agencyId, row.state, row.stepLabel, row.since])).toEqual([
      ['daxing-czj', 'draft', undefined, '2021-01-19T02:00:00.000Z'],
      ['daxing-jw', 'published', undefined, '2021-01-19T08:00:00.000Z'],
      ['daxing-kw', 'in_review', '办公室主任审核', (await app.deps.store.getHead(REPORT_ID))?.pendingSince],
    ]);
  });

  it.each([
    ['returned', 'returned'],
    ['withdrawn', 'withdrawn'],
  ] as const)('shows a %s report as %s', async (status, state) => {
    await putHeadAs(app, JW, 2020, status, '2021-01-19T08:00:00.000Z');
    expect((await progressOf()).agencies.find((row) => row.agencyId === JW.id)?.state).toBe(state);
  });

  it('turns overdue at midnight Beijing time after the deadline, and never for a published report', async () => {
    await putHeadAs(app, JW, 2020, 'published', '2021-01-19T08:00:00.000Z');
    app.clock.advance(Date.parse('2021-01-31T15:59:59.999Z') - app.clock.now().getTime());
    forgetCookies(app);
    admin = await cookieOf(app, ADMIN);
    expect((await progressOf()).agencies.map((row) => [row.overdue, row.daysToDeadline])).toEqual([
      [false, 0],
      [false, 0],
      [false, 0],
    ]);
    app.clock.advance(1);
    expect((await progressOf()).agencies.map((row) => [row.agencyId, row.overdue, row.daysToDeadline])).toEqual([
      ['daxing-czj', true, -1],
      ['daxing-jw', false, -1],
      ['daxing-kw', true, -1],
    ]);
  });

  it('takes the district’s own deadline when it has one, and refuses a district out of scope', async () => {
    await app.deps.store.putDistrict({ id: 'daxing', name: '北京市大兴区', deadlines: { '2020': '2021-01-25' } });
    const progress = await progressOf(2020, 'daxing');
    expect(progress.deadline).toBe('2021-01-25');
    expect(progress.agencies[0]?.daysToDeadline).toBe(5);
    expect((await r.progress(admin, 2020, 'tongzhou')).statusCode).toBe(403);
    expect((await r.progress(admin, 20)).statusCode).toBe(400);
  });
});

describe('reminders from the dashboard', () => {
  it('reminds the officers, or the reviewer a report waits for, of every agency not yet published; each is logged', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'director-1', version: 1, stage: 'director', reportId: REPORT_ID });
    await putHeadAs(app, JW, 2020, 'published', '2021-01-19T08:00:00.000Z');
    const response = await r.remind(admin, { year: 2020 });
    expect(response.statusCode, response.body).toBe(200);
    expect(jsonOf(response)).toEqual({
      sent: [
        { agencyId: 'daxing-czj', to: 'officer@czj.example.cn' },
        { agencyId: 'daxing-kw', to: DIRECTOR },
      ],
    });
    const mails = await reminderMails();
    expect(mails.map((m) => m.to).sort()).toEqual([DIRECTOR, 'officer@czj.example.cn']);
    expect(mails.find((m) => m.to === DIRECTOR)?.text).toContain('等待办公室主任审核');
    expect(mails.find((m) => m.to === DIRECTOR)?.text).toContain('还有 11 天');
    expect((await app.deps.store.listAdminEvents()).map((e) => [e.type, e.subject])).toEqual([
      ['reminder_sent', 'daxing-czj'],
      ['reminder_sent', 'daxing-kw'],
    ]);
  });

  it('reminds only the agencies asked for, and refuses one out of scope without sending anything', async () => {
    expect(jsonOf(await r.remind(admin, { year: 2020, agencyIds: ['daxing-jw'] }))).toEqual({
      sent: [{ agencyId: 'daxing-jw', to: 'officer@jw.example.cn' }],
    });
    await app.deps.store.putAgency({ id: 'tongzhou-kw', name: '通州科委', district: 'tongzhou' });
    const refused = await r.remind(admin, { year: 2020, agencyIds: ['daxing-kw', 'tongzhou-kw'] });
    expect(refused.statusCode).toBe(403);
    expect((await reminderMails()).length).toBe(1);
  });
});

describe('automatic reminders 14, 7, 3 and 1 days before', () => {
  const run = (store: Store = app.deps.store) => createSendDueRemindersHandler({ ...app.deps, store })({});
  const at = (iso: string) => app.clock.advance(Date.parse(iso) - app.clock.now().getTime());

  it('sends each slot once, at 09:00 Beijing time on its day, however often the timer runs', async () => {
    // the clock starts at 2021-01-20 09:00 Beijing: the 14-day slot (17 January) is due, the 7-day one (24 January) not yet
    expect(await run()).toEqual({ sent: 3 });
    expect(await run()).toEqual({ sent: 0 });
    at('2021-01-24T00:59:59.999Z');
    expect(await run()).toEqual({ sent: 0 });
    at('2021-01-24T01:00:00.000Z');
    expect(await run()).toEqual({ sent: 3 });
    expect(await run()).toEqual({ sent: 0 });
    expect((await reminderMails()).length).toBe(6);
    expect((await app.deps.store.listAdminEvents()).filter((e) => e.type === 'reminder_sent' && e.actor.role === 'system')).toHaveLength(6);
  });

  it('skips published agencies', async () => {
    await putHeadAs(app, JW, 2020, 'published', '2021-01-19T08:00:00.000Z');
    expect(await run()).toEqual({ sent: 2 });
  });

  it('after a crash between the mail and its record, sends it at most once more, once the claim’s lease has passed', async () => {
    const crashing: Store = Object.assign(Object.create(app.deps.store) as Store, {
      markReminderSent: async () => {
        throw new Error('killed between the send and the record');
      },
    });
    await expect(run(crashing)).rejects.toThrow('killed');
    expect((await reminderMails()).length).toBe(1);
    app.clock.advance(REMINDER_LEASE_MS - 1);
    expect(await run()).toEqual({ sent: 2 });
    expect((await reminderMails()).length).toBe(3);
    app.clock.advance(1);
    expect(await run()).toEqual({ sent: 1 });
    app.clock.advance(REMINDER_LEASE_MS);
    expect(await run()).toEqual({ sent: 0 });
    const perAddress = new Map<string, number>();
    for (const mail of await reminderMails()) perAddress.set(mail.to, (perAddress.get(mail.to) ?? 0) + 1);
    expect([...perAddress.values()].sort()).toEqual([1, 1, 2]);
  });
});
