import * as z from 'zod';
import type { Principal } from '../../auth/principal.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { AgencyIdSchema, EmailSchema, RosterEntrySchema, RoleSchema, type Agency, type RosterEntry } from '../model.js';
import type { Store } from '../ports.js';
import { parsePeopleCsv, type CsvLineError } from '../people-csv.js';
import { handOverReviewsOf, strandedWarning, type HandOver, type HandOverDeps } from '../hand-over.js';
import { actorOf, logAdminEvent, type AdminLogDeps } from './admin-log.js';
import { openReviewsOf, type OpenReview } from './open-reviews.js';
import { agencyInScope, requireAdmin, requireAgencyInScope } from './scope.js';

/**
 * People and their posts, as an administrator manages them: add, change roles, move to another agency, remove.
 * The roles `admin` and `auditor` carry a scope and are granted only by the roster file, never here; a person who
 * holds one is outside an administrator's reach.
 */

const NOT_GRANTED_HERE = new Set(['admin', 'auditor']);

export const PersonChangeSchema = z.object({
  name: RosterEntrySchema.shape.name,
  agencyId: AgencyIdSchema,
  roles: z.array(RoleSchema).min(1).max(10),
});
export type PersonChange = z.infer<typeof PersonChangeSchema>;

export interface Person {
  readonly email: string;
  readonly name: string;
  readonly agencyId: string;
  readonly roles: readonly string[];
}

const personOf = (entry: RosterEntry): Person => ({ email: entry.email, name: entry.name, agencyId: entry.agencyId, roles: entry.roles });

async function agencyFor(principal: Principal, store: Store, agencyId: string): Promise<Agency> {
  const agency = await store.getAgency(agencyId);
  if (agency === undefined) throw new NotFoundError(`找不到单位“${agencyId}”。`);
  requireAgencyInScope(principal, agency);
  return agency;
}

/** `agencyId` given: that agency's people; absent: everybody in the administrator's agencies. */
export async function listPeople(principal: Principal, agencyId: string | undefined, deps: Pick<AdminLogDeps, 'store'>): Promise<Person[]> {
  requireAdmin(principal);
  const agencies =
    agencyId === undefined
      ? (await deps.store.listAgencies()).filter((agency) => agencyInScope(principal, agency)).map((agency) => agency.id)
      : [(await agencyFor(principal, deps.store, agencyId)).id];
  const people = (await Promise.all(agencies.map((id) => deps.store.listRoster(id)))).flat();
  return people.map(personOf).sort((a, b) => a.agencyId.localeCompare(b.agencyId) || a.email.localeCompare(b.email));
}

function refuseReservedRoles(roles: readonly string[]): void {
  const reserved = roles.filter((role) => NOT_GRANTED_HERE.has(role));
  if (reserved.length > 0) {
    throw new ValidationError('管理员和审计角色只能由系统部署人员通过人员名册文件授予。', 'ROLE_NOT_GRANTABLE', { roles: reserved });
  }
}

async function currentInScope(principal: Principal, store: Store, email: string): Promise<RosterEntry | undefined> {
  const existing = await store.getRosterEntry(email);
  if (existing === undefined) return undefined;
  if (existing.roles.some((role) => NOT_GRANTED_HERE.has(role)))
    throw new ForbiddenError('不能在此修改管理员或审计人员。', 'PERSON_OUT_OF_SCOPE');
  const agency = await store.getAgency(existing.agencyId);
  if (agency === undefined || !agencyInScope(principal, agency))
    throw new ForbiddenError('此人所在单位不在您管理的区域内。', 'PERSON_OUT_OF_SCOPE');
  return existing;
}

/** A change to people writes the roster, then hands on the open reviews it took from them (emails, the report's log). */
export type PeopleDeps = AdminLogDeps & HandOverDeps;

/** What a saved change did to open reviews: how many passed on, and a warning for each that nobody could take. */
export interface HandOverSummary {
  readonly handedOver: number;
  readonly warnings: readonly string[];
}

const summaryOf = (handOvers: readonly HandOver[]): HandOverSummary => ({
  handedOver: handOvers.filter((handOver) => handOver.to !== undefined).length,
  warnings: handOvers.filter((handOver) => handOver.to === undefined).map(strandedWarning),
});

const NOTHING_HANDED: HandOverSummary = { handedOver: 0, warnings: [] };

/** The reviews of everyone changed, handed on after the roster write; the admin log entry says how many. */
async function handOverAfter(people: ReadonlyArray<RosterEntry | undefined>, deps: PeopleDeps): Promise<HandOver[]> {
  const results: HandOver[] = [];
  for (const before of people) if (before !== undefined) results.push(...(await handOverReviewsOf(before, deps)));
  return results;
}

export interface PersonChangeResult extends HandOverSummary {
  readonly person: Person;
  /** the person's open reviews and whether the change passes each to the step's current holder */
  readonly openReviews: readonly OpenReview[];
  /** true when nothing was written (a preview) */
  readonly preview: boolean;
}

/** Adds or changes a person. With `preview`, answers what would happen to their open reviews and writes nothing. */
export async function savePerson(
  principal: Principal,
  rawEmail: string,
  change: PersonChange,
  preview: boolean,
  deps: PeopleDeps,
): Promise<PersonChangeResult> {
  requireAdmin(principal);
  const email = EmailSchema.safeParse(rawEmail);
  if (!email.success) throw new ValidationError('邮箱地址格式不正确。', 'BAD_EMAIL');
  refuseReservedRoles(change.roles);
  const existing = await currentInScope(principal, deps.store, email.data);
  await agencyFor(principal, deps.store, change.agencyId);
  const entry: RosterEntry = { email: email.data, name: change.name, agencyId: change.agencyId, roles: [...new Set(change.roles)] };
  const openReviews = existing === undefined ? [] : await openReviewsOf(deps.store, existing.email, existing.agencyId, entry);
  if (preview) return { person: personOf(entry), openReviews, preview, ...NOTHING_HANDED };
  await deps.store.putRosterEntry(entry);
  const summary = summaryOf(await handOverAfter([existing], deps));
  const reassigned = openReviews.filter((review) => review.reassigned).map((review) => review.reviewId);
  await logAdminEvent(deps, actorOf(principal), 'person_saved', entry.email, {
    before: existing ?? null,
    after: entry,
    reassigned,
    ...summary,
  });
  return { person: personOf(entry), openReviews, preview, ...summary };
}

export async function removePerson(
  principal: Principal,
  rawEmail: string,
  preview: boolean,
  deps: PeopleDeps,
): Promise<HandOverSummary & { openReviews: readonly OpenReview[]; preview: boolean }> {
  requireAdmin(principal);
  const email = EmailSchema.safeParse(rawEmail);
  if (!email.success) throw new ValidationError('邮箱地址格式不正确。', 'BAD_EMAIL');
  const existing = await currentInScope(principal, deps.store, email.data);
  if (existing === undefined) throw new NotFoundError('名册中没有此人。');
  const openReviews = await openReviewsOf(deps.store, existing.email, existing.agencyId, undefined);
  if (preview) return { openReviews, preview, ...NOTHING_HANDED };
  await deps.store.deleteRosterEntry(existing.email);
  const summary = summaryOf(await handOverAfter([existing], deps));
  const reassigned = openReviews.map((review) => review.reviewId);
  await logAdminEvent(deps, actorOf(principal), 'person_removed', existing.email, { before: existing, reassigned, ...summary });
  return { openReviews, preview, ...summary };
}

export interface ImportResult extends HandOverSummary {
  readonly imported: number;
  readonly unchanged: number;
  readonly errors: readonly CsvLineError[];
}

const sameEntry = (a: RosterEntry, b: RosterEntry): boolean =>
  a.name === b.name && a.agencyId === b.agencyId && a.roles.length === b.roles.length && a.roles.every((role) => b.roles.includes(role));

/**
 * The people CSV: every line is checked (address, name, agency in scope by id or name, roles, the same address twice,
 * a person outside the administrator's reach) before anything is written; one bad line and nothing is.
 */
export async function importPeople(principal: Principal, bytes: Uint8Array, deps: PeopleDeps): Promise<ImportResult> {
  requireAdmin(principal);
  const parsed = parsePeopleCsv(bytes);
  const errors: CsvLineError[] = [...parsed.errors];
  const agencies = (await deps.store.listAgencies()).filter((agency) => agencyInScope(principal, agency));
  const byKey = new Map<string, Agency>();
  for (const agency of agencies) {
    byKey.set(agency.id, agency);
    byKey.set(agency.name, agency);
  }
  const seen = new Map<string, number>();
  const entries: { entry: RosterEntry; existing: RosterEntry | undefined }[] = [];
  for (const row of parsed.rows) {
    const fail = (message: string) => errors.push({ line: row.line, message: `第 ${row.line} 行：${message}` });
    const email = EmailSchema.safeParse(row.email);
    if (!email.success) {
      fail(`“${row.email}”不是有效的邮箱地址。`);
      continue;
    }
    const earlier = seen.get(email.data);
    if (earlier !== undefined) fail(`${email.data} 已在第 ${earlier} 行出现。`);
    seen.set(email.data, row.line);
    const agency = byKey.get(row.agency);
    if (agency === undefined) fail(`找不到单位“${row.agency}”，或该单位不在您管理的区域内。`);
    const badRoles = row.roles.filter((role) => !RoleSchema.safeParse(role).success);
    if (row.roles.length === 0) fail('角色不能为空。');
    if (badRoles.length > 0) fail(`角色“${badRoles.join('、')}”无法识别：请写信息员、办公室主任、主管领导，或审批链中的角色代码。`);
    if (row.roles.some((role) => NOT_GRANTED_HERE.has(role))) fail('管理员和审计角色不能通过导入授予。');
    const name = RosterEntrySchema.shape.name.safeParse(row.name);
    if (!name.success) fail('姓名不能为空，且不超过 100 个字。');
    let existing: RosterEntry | undefined;
    try {
      existing = await currentInScope(principal, deps.store, email.data);
    } catch (error) {
      if (!(error instanceof ForbiddenError)) throw error;
      fail(`${email.data} 是管理员、审计人员或其他区域的人员，不能在此修改。`);
    }
    if (agency === undefined || !name.success || badRoles.length > 0 || row.roles.length === 0) continue;
    entries.push({ entry: { email: email.data, name: name.data, agencyId: agency.id, roles: [...new Set(row.roles)] }, existing });
  }
  if (errors.length > 0) return { imported: 0, unchanged: 0, errors: errors.sort((a, b) => a.line - b.line), ...NOTHING_HANDED };
  const changed = entries.filter(({ entry, existing }) => existing === undefined || !sameEntry(entry, existing));
  for (const { entry } of changed) await deps.store.putRosterEntry(entry);
  // only after every line is written: a review passes to a holder this same file appointed
  const summary = summaryOf(
    await handOverAfter(
      changed.map(({ existing }) => existing),
      deps,
    ),
  );
  if (changed.length > 0) {
    const people = changed.map(({ entry, existing }) => ({ before: existing ?? null, after: entry }));
    await logAdminEvent(deps, actorOf(principal), 'people_imported', `${changed.length} 人`, { people, ...summary });
  }
  return { imported: changed.length, unchanged: entries.length - changed.length, errors: [], ...summary };
}
