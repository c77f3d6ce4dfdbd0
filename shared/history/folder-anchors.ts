import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Anchors, ChainHead } from '../workflow/history-ports.js';
import type { Clock } from '../workflow/ports.js';
import { AnchorConflictError, anchorBody, anchorPath, parseAnchor } from './anchor-file.js';

const errorCode = (error: unknown): unknown => (error instanceof Error && 'code' in error ? error.code : undefined);

/**
 * Anchors in a folder (the local stack's DATA_DIR/anchors, or an auditor's copy of the bucket). Files are created
 * exclusively (O_EXCL) and made read-only: the program never overwrites one. Locally this keeps honest mistakes out,
 * not an administrator of the machine; on AWS Object Lock does the real work (s3-anchors.ts).
 */
export class FolderAnchors implements Anchors {
  constructor(
    private readonly folder: string,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async record(head: ChainHead): Promise<void> {
    const file = join(this.folder, anchorPath(head.reportId, head.seq));
    await mkdir(dirname(file), { recursive: true });
    try {
      await writeFile(file, anchorBody(head, this.clock.now()), { flag: 'wx', mode: 0o444 });
      await chmod(file, 0o444);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      const existing = await this.at(head.reportId, head.seq);
      if (existing?.hash !== head.hash) throw new AnchorConflictError(existing ?? head, head);
    }
  }

  async at(reportId: string, seq: number): Promise<ChainHead | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.folder, anchorPath(reportId, seq)), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    return parseAnchor(text, reportId, seq);
  }
}
