import type { Principal } from '../../auth/principal.js';
import { GENESIS_HASH } from '../chain.js';
import { canonicalJson, sha256Hex } from '../digest.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import type { Actor, AdminEvent, AdminEventType } from '../model.js';
import type { Clock, Store } from '../ports.js';

/**
 * The administration log: every change to agencies, chains, people, delegations and every reminder, appended in order
 * and hash-chained the way a report's log is (each entry's hash covers its fields and the hash before it), so an
 * auditor can re-derive it and see any edit, removal or reordering.
 */

export interface AdminLogDeps {
  readonly store: Store;
  readonly clock: Clock;
}

export const adminEventHash = (body: Omit<AdminEvent, 'hash'>): string => sha256Hex(canonicalJson(body));

export function actorOf(principal: Principal): Actor {
  return { email: principal.email, name: principal.name, role: 'admin' };
}

export const SYSTEM_ACTOR: Actor = { role: 'system' };

const MAX_APPEND_TRIES = 10;

/** Appends one entry after the last; two administrators writing at once both land, one after the other. */
export async function logAdminEvent(
  deps: AdminLogDeps,
  actor: Actor,
  type: AdminEventType,
  subject: string,
  data: Record<string, unknown>,
): Promise<AdminEvent> {
  for (let attempt = 0; attempt < MAX_APPEND_TRIES; attempt++) {
    const last = (await deps.store.listAdminEvents()).at(-1);
    // the entry as it reads back from the table: absent fields gone rather than `undefined`, so the hash matches
    const stored: Record<string, unknown> = JSON.parse(JSON.stringify(data));
    const body = { seq: (last?.seq ?? 0) + 1, type, at: deps.clock.now().toISOString(), actor, subject, data: stored, prevHash: last?.hash ?? GENESIS_HASH };
    const event = { ...body, hash: adminEventHash(body) };
    try {
      await deps.store.appendAdminEvent(event);
      return event;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError('管理记录正忙，请稍后重试。', 'ADMIN_LOG_BUSY');
}

export interface AdminLogVerification {
  readonly valid: boolean;
  readonly length: number;
  readonly head: string | undefined;
  readonly problem?: { readonly seq: number; readonly message: string };
}

export function verifyAdminLog(events: readonly AdminEvent[]): AdminLogVerification {
  let previousHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const fail = (message: string): AdminLogVerification => ({ valid: false, length: events.length, head: undefined, problem: { seq: event.seq, message } });
    if (event.seq !== index + 1) return fail(`第 ${index + 1} 条记录的序号是 ${event.seq}，应为 ${index + 1}：有记录被删除或调换了顺序。`);
    if (event.prevHash !== previousHash) return fail(`第 ${event.seq} 条记录没有接上前一条记录的哈希：前面的记录被删除、调换或改动过。`);
    const { hash, ...body } = event;
    if (adminEventHash(body) !== hash) return fail(`第 ${event.seq} 条记录的内容与其哈希不符：这条记录被改动过。`);
    previousHash = hash;
  }
  return { valid: true, length: events.length, head: events.length === 0 ? undefined : previousHash };
}

/** The log as auditors and administrators read it: every entry and whether the chain holds. */
export async function readAdminLog(
  principal: Principal,
  deps: Pick<AdminLogDeps, 'store'>,
): Promise<{ events: AdminEvent[]; verification: AdminLogVerification }> {
  if (!principal.roles.includes('admin') && !principal.roles.includes('auditor')) {
    throw new ForbiddenError('只有管理员和审计人员可以查看管理记录。', 'NOT_ADMIN');
  }
  const events = await deps.store.listAdminEvents();
  return { events, verification: verifyAdminLog(events) };
}
