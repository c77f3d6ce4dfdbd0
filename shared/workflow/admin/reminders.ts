import type { Principal } from '../../auth/principal.js';
import { deadlineReminderMessage } from '../../mail/messages.js';
import { beijingDate, dueSlot } from '../deadline.js';
import { ForbiddenError } from '../errors.js';
import type { Agency } from '../model.js';
import type { Clock, Mailer, Store } from '../ports.js';
import { waitingReviewsIn } from '../hand-over.js';
import { rosterWith } from '../notify.js';
import { SYSTEM_ACTOR, actorOf, logAdminEvent } from './admin-log.js';
import { agencyProgress, deadlineOf, progressFor, type AgencyProgress } from './progress.js';
import { requireAdmin } from './scope.js';

/**
 * Reminders before the deadline: to the person the report waits for (its open reviewers while in review), otherwise
 * to the agency's officers. An administrator sends them from the dashboard; the automatic ones go out 14, 7, 3 and 1
 * days before, each claimed in the store before its mail and marked after, so each goes out once — and after a crash
 * between the mail and the mark, at most once more, when the claim's lease has passed.
 */

export interface ReminderDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly mailer: Mailer;
  readonly baseUrl: string;
}

/** How long an unmarked claim stands before another run may take it over. */
export const REMINDER_LEASE_MS = 10 * 60 * 1000;

export interface SentReminder {
  readonly agencyId: string;
  readonly to: string;
}

async function recipientsOf(row: AgencyProgress, store: Store): Promise<string[]> {
  const head = row.head;
  if (row.state === 'in_review' && head !== undefined) {
    // from the log: a review handed to a new holder has no slot of its own
    const emails = (await waitingReviewsIn(head.reportId, { store })).map((review) => review.approverEmail);
    if (emails.length > 0) return [...new Set(emails)].sort();
  }
  return (await rosterWith(store, row.agencyId, 'officer')).map((entry) => entry.email);
}

function waitingFor(row: AgencyProgress): string {
  switch (row.state) {
    case 'not_started':
      return '尚未开始填报';
    case 'draft':
      return '正在填报，尚未提交';
    case 'returned':
      return '已退回修改，等待信息员重新提交';
    case 'withdrawn':
      return '已撤回，等待信息员重新提交';
    case 'in_review':
      return `等待${row.stepLabel ?? '审核'}`;
    case 'published':
      return '已公开';
  }
}

async function remind(row: AgencyProgress, year: number, deps: ReminderDeps): Promise<SentReminder[]> {
  const to = await recipientsOf(row, deps.store);
  for (const address of to) {
    await deps.mailer.send(
      deadlineReminderMessage({
        to: address,
        baseUrl: deps.baseUrl,
        agencyName: row.name,
        year,
        deadline: row.deadline,
        daysLeft: row.daysToDeadline,
        waitingFor: waitingFor(row),
      }),
    );
  }
  return to.map((address) => ({ agencyId: row.agencyId, to: address }));
}

/** POST /api/admin/reminders: every agency asked for (default: all in scope) that has not published. */
export async function sendReminders(
  principal: Principal,
  year: number,
  agencyIds: readonly string[] | undefined,
  deps: ReminderDeps,
): Promise<SentReminder[]> {
  requireAdmin(principal);
  const progress = await progressFor(principal, year, undefined, deps);
  const known = new Set(progress.agencies.map((row) => row.agencyId));
  const outside = (agencyIds ?? []).filter((id) => !known.has(id));
  if (outside.length > 0) throw new ForbiddenError(`单位 ${outside.join('、')} 不在您管理的区域内。`, 'OUT_OF_SCOPE');
  const wanted = agencyIds === undefined ? undefined : new Set(agencyIds);
  const rows = progress.agencies.filter((row) => row.state !== 'published' && (wanted === undefined || wanted.has(row.agencyId)));
  const sent: SentReminder[] = [];
  for (const row of rows) {
    const to = await remind(row, year, deps);
    sent.push(...to);
    if (to.length > 0)
      await logAdminEvent(deps, actorOf(principal), 'reminder_sent', row.agencyId, { year, to: to.map((s) => s.to), state: row.state });
  }
  return sent;
}

/** The report years whose deadline may be near: last year's (due this January) and this year's. */
function candidateYears(now: Date): number[] {
  const year = Number(beijingDate(now).slice(0, 4));
  return [year - 1, year];
}

/**
 * The automatic run (EventBridge Scheduler daily on AWS, a timer on the local stack): for each agency and year whose
 * deadline has a reminder slot due, claims `auto#{year}#{agency}#{slot}`, mails, marks it sent. Safe to run as often
 * as one likes, and from two places at once.
 */
export async function sendDueReminders(deps: ReminderDeps): Promise<SentReminder[]> {
  const now = deps.clock.now();
  const [agencies, districts] = await Promise.all([deps.store.listAgencies(), deps.store.listDistricts()]);
  const byId = new Map(districts.map((district) => [district.id, district]));
  const sent: SentReminder[] = [];
  for (const year of candidateYears(now)) {
    for (const agency of agencies satisfies Agency[]) {
      const deadline = deadlineOf(byId.get(agency.district ?? ''), year);
      const slot = dueSlot(deadline, now);
      if (slot === undefined) continue;
      const row = await agencyProgress(agency, year, deadline, deps);
      if (row.state === 'published') continue;
      const key = `auto#${year}#${agency.id}#${deadline}#${slot.id}`;
      if (!(await deps.store.claimReminder(key, now.toISOString(), REMINDER_LEASE_MS))) continue;
      const to = await remind(row, year, deps);
      await deps.store.markReminderSent(key, deps.clock.now().toISOString());
      sent.push(...to);
      // an agency nobody could be told about (no officer yet) has nothing to log
      if (to.length > 0) {
        await logAdminEvent(deps, SYSTEM_ACTOR, 'reminder_sent', agency.id, {
          year,
          slot: slot.id,
          to: to.map((s) => s.to),
          state: row.state,
        });
      }
    }
  }
  return sent;
}
