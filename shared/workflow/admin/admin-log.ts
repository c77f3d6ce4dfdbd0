import type { Principal } from '../../auth/principal.js';
import { GENESIS_HASH, type ChainVerification, verifyHashChain } from '../chain.js';
import { canonicalJson, sha256Hex } from '../digest.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import type { HistoryTrust } from '../history-ports.js';
import { verifySignedLog, type HistoryVerification } from '../history-verification.js';
import type { Actor, AdminEvent, AdminEventType } from '../model.js';
import type { Clock, Store } from '../ports.js';

/**
 * The administration log: every change to agencies, chains, people, delegations and every reminder, appended in order
 * and hash-chained the way a report's log is (each entry's hash covers its fields and the hash before it), so an
 * auditor can re-derive it and see any edit, removal or reordering. The store signs each entry on its way in and
 * anchors its head under ADMIN_LOG_ID, exactly as it does a report's events (shared/history/signed-history-store.ts),
 * so an edit with recomputed hashes, or the last entries removed, is found too.
 */

/** The administration log's name in the anchors; report ids end in a year, so it can never be one of them. */
export const ADMIN_LOG_ID = 'admin-log';

export interface AdminLogDeps {
  readonly store: Store;
  readonly clock: Clock;
}

export function adminEventHash(event: Omit<AdminEvent, 'hash'>): string {
  // the signature is made over the hash, so it cannot be part of what is hashed
  const { signature: _signature, ...body } = event;
  return sha256Hex(canonicalJson(body));
}

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
    const body = {
      seq: (last?.seq ?? 0) + 1,
      type,
      at: deps.clock.now().toISOString(),
      actor,
      subject,
      data: stored,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
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

/** The hash chain alone: sequence, links and each entry's hash. */
export function verifyAdminLogChain(events: readonly AdminEvent[]): ChainVerification {
  return verifyHashChain(events, adminEventHash);
}

export type AdminLogVerification = HistoryVerification;

/** The chain, every signature against the history key and the anchors: the same checks as a report's history. */
export async function verifyAdminLog(events: readonly AdminEvent[], trust: HistoryTrust): Promise<AdminLogVerification> {
  return verifySignedLog(ADMIN_LOG_ID, events, verifyAdminLogChain(events), trust);
}

/** The log as auditors and administrators read it: every entry and whether it holds. */
export async function readAdminLog(
  principal: Principal,
  deps: Pick<AdminLogDeps, 'store'> & { readonly history: HistoryTrust },
): Promise<{ events: AdminEvent[]; verification: AdminLogVerification }> {
  if (!principal.roles.includes('admin') && !principal.roles.includes('auditor')) {
    throw new ForbiddenError('只有管理员和审计人员可以查看管理记录。', 'NOT_ADMIN');
  }
  const events = await deps.store.listAdminEvents();
  return { events, verification: await verifyAdminLog(events, deps.history) };
}
