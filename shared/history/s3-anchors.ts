import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Anchors, ChainHead } from '../workflow/history-ports.js';
import type { Clock } from '../workflow/ports.js';
import { AnchorConflictError, anchorBody, anchorPath, parseAnchor } from './anchor-file.js';

const errorName = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

/**
 * Anchors in the anchor bucket: Object Lock in COMPLIANCE mode with a default retention (the stage config), so no
 * one — the account's root included — can delete or overwrite an anchor version before it expires. Each put is
 * conditional (If-None-Match: *), so the writer never even adds a second version under an anchored key.
 */
export class S3Anchors implements Anchors {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async record(head: ChainHead): Promise<void> {
    const body = Buffer.from(anchorBody(head, this.clock.now()), 'utf8');
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: anchorPath(head.reportId, head.seq),
          Body: body,
          ContentLength: body.byteLength,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'PreconditionFailed') throw error;
      const existing = await this.at(head.reportId, head.seq);
      if (existing?.hash !== head.hash) throw new AnchorConflictError(existing ?? head, head);
    }
  }

  async at(reportId: string, seq: number): Promise<ChainHead | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: anchorPath(reportId, seq) }));
      const text = await out.Body?.transformToString('utf8');
      return text === undefined ? undefined : parseAnchor(text, reportId, seq);
    } catch (error) {
      if (errorName(error) === 'NoSuchKey' || errorName(error) === 'NotFound') return undefined;
      throw error;
    }
  }
}
