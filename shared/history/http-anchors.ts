import type { Anchors, ChainHead } from '../workflow/history-ports.js';
import { anchorPath, parseAnchor } from './anchor-file.js';

/**
 * Anchors read over HTTP(S) from a base address serving the anchor layout (`<base>/<reportId>/<seq:8>.json`), such as
 * a presigned or read-only view of the anchor bucket. Read-only: verification never writes.
 */
export class HttpAnchors implements Pick<Anchors, 'at'> {
  private readonly base: string;
  constructor(base: string) {
    this.base = base.endsWith('/') ? base : `${base}/`;
  }

  async at(reportId: string, seq: number): Promise<ChainHead | undefined> {
    const response = await fetch(new URL(anchorPath(reportId, seq), this.base));
    if (response.status === 404 || response.status === 403) return undefined;
    if (!response.ok) throw new Error(`anchor ${anchorPath(reportId, seq)}: HTTP ${response.status}`);
    return parseAnchor(await response.text(), reportId, seq);
  }
}
