import { verify } from 'node:crypto';
import { verifyChain, type ChainProblemKind, type ChainVerification } from './chain.js';
import { canonicalJson } from './digest.js';
import type { HistoryTrust, Signer } from './history-ports.js';
import type { EventSignature, ReportEvent } from './model.js';

/**
 * A history that holds without trusting the table. On top of the hash chain (chain.ts):
 *
 * 1. every event carries a signature by a key the table never holds, over the RFC 8785 form of the event without its
 *    `signature` (so over its hash, prevHash, seq and reportId too): an edit with recomputed hashes, a reordering or
 *    an event moved from another report no longer matches its signature;
 * 2. each chain head is anchored write-once outside the table after it is committed: deleting the last events leaves
 *    an anchor beyond the end, and any rewrite of an anchored event no longer matches the anchor's hash.
 *
 * Events written before signing was switched on have no signature. They are accepted only as a prefix of a report
 * begun before then (its first event has no anchor): the first signed event signs the hash of the last unsigned one,
 * so the prefix cannot change afterwards either. An unsigned event after a signed one is a failure, and so is an
 * unsigned first event that was anchored (anchoring and signing started together).
 */

export const SIGNATURE_ALGORITHM = 'ECDSA_SHA_256';

/** How many events past the last anchor are tolerated (a writer stopped between its commit and its anchor). */
export const UNANCHORED_TAIL = 3;

export interface HistoryVerification extends ChainVerification {
  /** events with a valid signature */
  readonly signed: number;
  /** events before the first signed one that carry none */
  readonly unsignedPrefix: number;
  /** the last seq whose anchor was found and matches; undefined when none was found */
  readonly anchoredSeq: number | undefined;
}

/** What a signed log's entries share: a report's events and the administration log's alike. */
export interface SignableEvent {
  readonly seq: number;
  readonly hash: string;
  readonly signature?: EventSignature | undefined;
}

/** The exact bytes an event's signature covers: its canonical JSON without the signature itself. */
export function signedBytes(event: SignableEvent): Buffer {
  const { signature: _signature, ...fields } = event;
  return Buffer.from(canonicalJson(fields), 'utf8');
}

export async function signEvent<E extends SignableEvent>(event: E, signer: Signer): Promise<E> {
  const der = await signer.sign(signedBytes(event));
  return { ...event, signature: { keyId: signer.keyId, algorithm: SIGNATURE_ALGORITHM, value: der.toString('base64') } };
}

export function signatureHolds(event: SignableEvent, publicKeyPem: string): boolean {
  if (event.signature === undefined) return false;
  try {
    return verify('sha256', signedBytes(event), publicKeyPem, Buffer.from(event.signature.value, 'base64'));
  } catch {
    return false;
  }
}

export async function verifyHistory(reportId: string, events: readonly ReportEvent[], trust: HistoryTrust): Promise<HistoryVerification> {
  return verifySignedLog(reportId, events, verifyChain(reportId, events), trust);
}

/**
 * The signatures and anchors of any signed log, once its hash chain (`chain`) has been checked by the log's own rule:
 * `logId` names the log in the anchors (a report id, or the administration log's id).
 */
export async function verifySignedLog(
  logId: string,
  events: readonly SignableEvent[],
  chain: ChainVerification,
  trust: HistoryTrust,
): Promise<HistoryVerification> {
  const reportId = logId;
  const base = { signed: 0, unsignedPrefix: 0, anchoredSeq: undefined };
  if (!chain.valid) return { ...chain, ...base };
  const fail = (seq: number, kind: ChainProblemKind, message: string, counts: Partial<HistoryVerification> = {}): HistoryVerification => ({
    valid: false,
    head: undefined,
    length: events.length,
    problem: { seq, kind, message },
    ...base,
    ...counts,
  });

  const publicKeyPem = await trust.publicKeyPem();
  let signed = 0;
  let unsignedPrefix = 0;
  for (const event of events) {
    if (event.signature === undefined) {
      if (signed > 0) {
        return fail(event.seq, 'unsigned', `第 ${event.seq} 条记录没有签名，而它之前的记录已有签名：这条记录不是系统写入的。`, {
          signed,
          unsignedPrefix,
        });
      }
      unsignedPrefix++;
      continue;
    }
    if (!signatureHolds(event, publicKeyPem)) {
      return fail(
        event.seq,
        'signature',
        `第 ${event.seq} 条记录的签名无效：记录被改动过（哪怕重算了哈希），或不是用本系统的签名密钥写入的。`,
        {
          signed,
          unsignedPrefix,
        },
      );
    }
    signed++;
  }

  // anchoring started with signing: a report whose first event is anchored was signed from its first event
  if (unsignedPrefix > 0 && (await trust.anchors.at(reportId, 1)) !== undefined) {
    return fail(1, 'unsigned', '第 1 条记录已被锚定，却没有签名：这份历史被整体替换过。', { signed, unsignedPrefix });
  }
  const length = events.length;
  const beyond = await trust.anchors.at(reportId, length + 1);
  if (beyond !== undefined) {
    return fail(
      length + 1,
      'anchor',
      `锚定记录显示曾有第 ${length + 1} 条记录（哈希 ${beyond.hash}），现在的历史只到第 ${length} 条：末尾的记录被删除了。`,
      {
        signed,
        unsignedPrefix,
      },
    );
  }
  for (let seq = length; seq >= 1 && seq > length - UNANCHORED_TAIL; seq--) {
    const anchor = await trust.anchors.at(reportId, seq);
    if (anchor === undefined) continue;
    const event = events[seq - 1];
    if (event?.hash !== anchor.hash) {
      return fail(seq, 'anchor', `第 ${seq} 条记录的哈希与锚定的哈希（${anchor.hash}）不符：这条或之前的记录被改写过。`, {
        signed,
        unsignedPrefix,
      });
    }
    return { ...chain, signed, unsignedPrefix, anchoredSeq: seq };
  }
  return { ...chain, signed, unsignedPrefix, anchoredSeq: undefined };
}
