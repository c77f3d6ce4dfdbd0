import { ADMIN_LOG_ID } from '../workflow/admin/admin-log.js';
import type { HistoryKeys } from '../workflow/history-ports.js';
import { signEvent, type SignableEvent } from '../workflow/history-verification.js';
import type { Store } from '../workflow/ports.js';

export type AnchorFailure = (error: unknown, head: { reportId: string; seq: number }) => void;

/**
 * Wraps a store so that every event is signed on its way into the log and its head anchored once it is committed:
 * a report's events under the report's id, the administration log's entries under ADMIN_LOG_ID.
 * The commit path itself (workflow/report-log.ts) is unchanged: it seals the event, this signs the sealed event inside
 * the same conditional put, so an event is never in the table without its signature.
 *
 * The anchor is written after the put succeeds. A failure there is reported, not thrown: the event is committed and
 * the caller must not retry it; verification tolerates a few unanchored events at the end (a writer stopped between
 * the two writes) and the next commit anchors the new head.
 */
export function withSignedHistory<S extends Pick<Store, 'appendEvent' | 'appendAdminEvent'>>(
  store: S,
  keys: Pick<HistoryKeys, 'signer' | 'anchors'>,
  onAnchorFailure: AnchorFailure,
): S {
  // one path for both logs: sign, commit, then anchor the committed head
  async function commit<E extends SignableEvent>(event: E, logId: string, append: (signed: E) => Promise<void>): Promise<void> {
    const signed = await signEvent(event, keys.signer);
    await append(signed);
    try {
      await keys.anchors.record({ reportId: logId, seq: signed.seq, hash: signed.hash });
    } catch (error) {
      onAnchorFailure(error, { reportId: logId, seq: signed.seq });
    }
  }
  // every other method is the store's own, found through the prototype with the store's fields
  const signing: S = Object.create(store);
  signing.appendEvent = (event) => commit(event, event.reportId, (signed) => store.appendEvent(signed));
  signing.appendAdminEvent = (event) => commit(event, ADMIN_LOG_ID, (signed) => store.appendAdminEvent(signed));
  return signing;
}
