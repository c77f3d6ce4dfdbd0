import { canonicalJson, sha256Hex } from './digest.js';
import type { ReportEvent, UnsealedEvent } from './model.js';

/**
 * The hash chain over a report's events. An auditor re-derives every hash from the stored fields: an edited event
 * no longer matches its hash, a removed or reordered one breaks the next event's prevHash or the sequence.
 */

export const GENESIS_HASH = '0'.repeat(64);

export function eventHash(event: Omit<ReportEvent, 'hash'>): string {
  // the signature is made over the hash, so it cannot be part of what is hashed
  const { signature: _signature, ...fields } = event;
  return sha256Hex(canonicalJson(fields));
}

export function sealEvent(event: UnsealedEvent, previous: { seq: number; hash: string } | undefined): ReportEvent {
  // a stored event passed back in (structural typing lets a ReportEvent through) must not hash its old `hash` along
  const {
    seq: _seq,
    prevHash: _prevHash,
    hash: _hash,
    signature: _signature,
    ...fields
  } = event as UnsealedEvent & Partial<Pick<ReportEvent, 'seq' | 'prevHash' | 'hash' | 'signature'>>;
  const body = { ...fields, seq: (previous?.seq ?? 0) + 1, prevHash: previous?.hash ?? GENESIS_HASH };
  return { ...body, hash: eventHash(body) };
}

export type ChainProblemKind = 'wrong_report' | 'sequence' | 'link' | 'hash' | 'signature' | 'unsigned' | 'anchor';

export interface ChainVerification {
  readonly valid: boolean;
  /** hash of the last event, when the chain verifies */
  readonly head: string | undefined;
  readonly length: number;
  readonly problem?: { readonly seq: number; readonly kind: ChainProblemKind; readonly message: string };
}

/** A field of a record under verification, as text: a tampered record may hold anything, even an object that has no text. */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/** What a hash-chained log's records share: a sequence number, the previous record's hash and their own. */
export interface ChainedRecord {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * Walks any hash-chained log (a report's events, the administration log): each record in sequence, linked to the one
 * before, its hash re-derived from its fields by `hashOf`; `foreign` names a record that belongs to another log.
 */
export function verifyHashChain<T extends ChainedRecord>(
  events: readonly T[],
  hashOf: (body: Omit<T, 'hash'>) => string,
  foreign: (event: T) => string | undefined = () => undefined,
): ChainVerification {
  let previousHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const fail = (kind: ChainProblemKind, message: string): ChainVerification => ({
      valid: false,
      head: undefined,
      length: events.length,
      problem: { seq: event.seq, kind, message },
    });
    const owner = foreign(event);
    if (owner !== undefined) return fail('wrong_report', `第 ${index + 1} 条记录属于另一份报告（${owner}）。`);
    if (event.seq !== index + 1) {
      return fail('sequence', `第 ${index + 1} 条记录的序号是 ${shown(event.seq)}，应为 ${index + 1}：有记录被删除或调换了顺序。`);
    }
    if (event.prevHash !== previousHash) {
      return fail('link', `第 ${shown(event.seq)} 条记录没有接上前一条记录的哈希：前面的记录被删除、调换或改动过。`);
    }
    const { hash, ...body } = event;
    if (hashOf(body) !== hash) return fail('hash', `第 ${shown(event.seq)} 条记录的内容与其哈希不符：这条记录被改动过。`);
    previousHash = hash;
  }
  return { valid: true, head: events.length === 0 ? undefined : previousHash, length: events.length };
}

export function verifyChain(reportId: string, events: readonly ReportEvent[]): ChainVerification {
  return verifyHashChain(events, eventHash, (event) => (event.reportId === reportId ? undefined : shown(event.reportId)));
}
