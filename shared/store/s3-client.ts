import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * An S3 client for s3rver (the local stack and tests). Path-style addressing (a `localhost` endpoint would otherwise
 * resolve `bucket.localhost`), s3rver's fixed credentials, and checksums only when an operation requires them: with
 * the SDK's default checksums a body is sent aws-chunked, and s3rver stores the framing with the bytes.
 */
export function createLocalS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** NoSuchKey only: a missing bucket is a configuration error and is thrown. */
function isNoSuchKey(error: unknown): boolean {
  return error instanceof Error && error.name === 'NoSuchKey';
}

/** The object's body decoded as UTF-8, or undefined when there is no such key. */
export async function getObjectText(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (res.Body === undefined) return '';
    return await res.Body.transformToString('utf-8');
  } catch (error) {
    if (isNoSuchKey(error)) return undefined;
    throw error;
  }
}
