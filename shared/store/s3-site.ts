import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Site, SiteObject } from '../workflow/ports.js';

export interface S3SiteOptions {
  readonly client: S3Client;
  readonly bucket: string;
}

/**
 * The public site's bucket. Each object is written whole from memory (a Buffer, never a stream: s3rver stores a
 * streamed body with its aws-chunked framing) with its sha256 in metadata, so the published event can name exactly
 * which bytes went out, and a reader can check them.
 */
export class S3Site implements Site {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3SiteOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
  }

  async put(object: SiteObject): Promise<{ versionId?: string; sha256: string }> {
    const body = typeof object.body === 'string' ? Buffer.from(object.body, 'utf8') : Buffer.from(object.body);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const res = await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: object.key,
        Body: body,
        ContentLength: body.byteLength,
        ContentType: object.contentType,
        CacheControl: object.cacheControl,
        Metadata: { ...object.metadata, sha256 },
      }),
    );
    return res.VersionId === undefined ? { sha256 } : { versionId: res.VersionId, sha256 };
  }
}
