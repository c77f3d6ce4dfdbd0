import * as z from 'zod';
import type { ChainHead } from '../workflow/history-ports.js';

/**
 * One anchor: a small JSON file per chain head, named `<reportId>/<seq:8>.json`, in a write-once place (an S3 bucket
 * with Object Lock in compliance mode; a folder locally). The same layout everywhere, so an auditor's copy of the
 * bucket (or the folder) is what `nianbao verify --anchors` reads.
 */

export const AnchorSchema = z.object({
  reportId: z.string().min(1),
  seq: z.int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  anchoredAt: z.iso.datetime({ offset: false }),
});
export type Anchor = z.infer<typeof AnchorSchema>;

export function anchorPath(reportId: string, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > 99_999_999) throw new RangeError(`no anchor for seq ${seq}`);
  return `${encodeURIComponent(reportId)}/${String(seq).padStart(8, '0')}.json`;
}

export function anchorBody(head: ChainHead, at: Date): string {
  const anchor: Anchor = { reportId: head.reportId, seq: head.seq, hash: head.hash, anchoredAt: at.toISOString() };
  return `${JSON.stringify(anchor)}\n`;
}

/** The head an anchor file names, or an error when the file is not an anchor of that report and seq. */
export function parseAnchor(text: string, reportId: string, seq: number): ChainHead {
  const anchor = AnchorSchema.parse(JSON.parse(text));
  if (anchor.reportId !== reportId || anchor.seq !== seq) {
    throw new Error(`anchor file ${anchorPath(reportId, seq)} names ${anchor.reportId} #${anchor.seq}`);
  }
  return { reportId: anchor.reportId, seq: anchor.seq, hash: anchor.hash };
}

/** A second, different head for a seq that is already anchored: the log was rewritten under an existing anchor. */
export class AnchorConflictError extends Error {
  override readonly name = 'AnchorConflictError';
  constructor(existing: ChainHead, offered: ChainHead) {
    super(`report ${existing.reportId} seq ${existing.seq} is anchored at ${existing.hash}; refusing ${offered.hash}`);
  }
}
