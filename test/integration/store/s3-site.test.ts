import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalS3Client, getObjectText } from '../../../shared/store/s3-client.js';
import { S3Site } from '../../../shared/store/s3-site.js';
import { startS3rver, type S3rverEmulator } from '../../support/s3rver.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const page = (title: string): string =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><h1>${title}</h1><p>本年度，我委认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息 1,234 条。</p></body></html>`;

describe('S3Site on s3rver', () => {
  let emulator: S3rverEmulator;
  let client: S3Client;
  let site: S3Site;

  beforeAll(async () => {
    emulator = await startS3rver({ bucket: 'nianbao-site-test' });
    client = createLocalS3Client(emulator.endpoint);
    site = new S3Site({ client, bucket: emulator.bucket });
  });

  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
  });

  it('stores the page with its content type, cache control and sha256, and serves back the very same bytes', async () => {
    const key = 'reports/daxing-kw/2020/index.html';
    const body = page('北京市大兴区科学技术委员会2020年政府信息公开工作年度报告');
    const bytes = Buffer.from(body, 'utf8');

    const result = await site.put({ key, body, contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=300' });
    // s3rver has no versioning, so there is no version id to report (and the key is absent, not undefined)
    expect(result).toEqual({ sha256: sha256(bytes) });
    expect(Object.keys(result)).toEqual(['sha256']);

    const head = await client.send(new HeadObjectCommand({ Bucket: emulator.bucket, Key: key }));
    expect(head.ContentType).toBe('text/html; charset=utf-8');
    expect(head.CacheControl).toBe('public, max-age=300');
    expect(head.Metadata).toEqual({ sha256: sha256(bytes) });
    expect(head.ContentLength).toBe(bytes.byteLength);

    const got = await client.send(new GetObjectCommand({ Bucket: emulator.bucket, Key: key }));
    const stored = Buffer.from((await got.Body?.transformToByteArray()) ?? new Uint8Array());
    expect(stored.equals(bytes)).toBe(true);
    expect(sha256(stored)).toBe(result.sha256);
    expect(await getObjectText(client, emulator.bucket, key)).toBe(body);
  });

  it('keeps a large Chinese JSON document byte for byte (no aws-chunked framing in the object)', async () => {
    const key = 'reports/daxing-kw/2020/report.json';
    const body = JSON.stringify({ overview: '政府信息公开'.repeat(40_000), amount: '77.0693' });
    const bytes = Buffer.from(body, 'utf8');
    expect(bytes.byteLength).toBeGreaterThan(512 * 1024);

    const result = await site.put({ key, body, contentType: 'application/json', cacheControl: 'no-cache' });
    expect(result.sha256).toBe(sha256(bytes));
    const head = await client.send(new HeadObjectCommand({ Bucket: emulator.bucket, Key: key }));
    expect(head.ContentType).toBe('application/json');
    expect(head.CacheControl).toBe('no-cache');
    expect(head.ContentLength).toBe(bytes.byteLength);
    const text = await getObjectText(client, emulator.bucket, key);
    expect(text).toBe(body);
    expect(JSON.parse(text ?? 'null')).toEqual(JSON.parse(body));
  });

  it('overwrites: the second put is what is served, with its own sha256', async () => {
    const key = 'index.html';
    const first = await site.put({ key, body: page('目录'), contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    const body = page('目录（更新）');
    const second = await site.put({ key, body, contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    expect(second.sha256).not.toBe(first.sha256);
    expect(await getObjectText(client, emulator.bucket, key)).toBe(body);
    const head = await client.send(new HeadObjectCommand({ Bucket: emulator.bucket, Key: key }));
    expect(head.Metadata?.['sha256']).toBe(second.sha256);
  });

  it('the local client keeps even a streamed body intact, where the SDK defaults would store aws-chunked framing', async () => {
    const body = '政府信息公开工作年度报告'.repeat(2_000);
    const bytes = Buffer.from(body, 'utf8');
    const putStream = (s3: S3Client, key: string) =>
      s3.send(new PutObjectCommand({ Bucket: emulator.bucket, Key: key, Body: Readable.from([bytes]), ContentLength: bytes.byteLength }));

    await putStream(client, 'stream/local.txt');
    expect(await getObjectText(client, emulator.bucket, 'stream/local.txt')).toBe(body);

    // The trap itself (docs/toolchain.md): the same put with the SDK's default checksum settings corrupts the object.
    const defaults = new S3Client({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      await putStream(defaults, 'stream/defaults.txt');
    } finally {
      defaults.destroy();
    }
    const corrupted = await getObjectText(client, emulator.bucket, 'stream/defaults.txt');
    expect(corrupted).not.toBe(body);
    expect(corrupted).toMatch(/^[0-9a-f]+\r\n/);
  });

  it('getObjectText answers undefined for a missing key', async () => {
    expect(await getObjectText(client, emulator.bucket, 'reports/nobody/2020/index.html')).toBeUndefined();
  });
});
