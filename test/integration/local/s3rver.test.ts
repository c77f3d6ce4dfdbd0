import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalS3Client } from '../../../shared/store/s3-client.js';
import { startS3rver, type S3rverEmulator } from '../../support/s3rver.js';

/** The local S3 stand-in must show what S3 shows: an object whole, old or new, never half written. */
describe('s3rver as the local stack runs it', () => {
  let emulator: S3rverEmulator;
  let client: S3Client;

  beforeAll(async () => {
    emulator = await startS3rver({ bucket: 'nianbao-atomic-test' });
    client = createLocalS3Client(emulator.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
  });

  const SIZE = 4 * 1024 * 1024;
  const put = (key: string, fill: string) =>
    client.send(
      new PutObjectCommand({ Bucket: emulator.bucket, Key: key, Body: Buffer.alloc(SIZE, fill), ContentType: 'text/html; charset=utf-8' }),
    );
  const read = async (key: string): Promise<string> =>
    (await (await client.send(new GetObjectCommand({ Bucket: emulator.bucket, Key: key }))).Body?.transformToString()) ?? '';

  it('a read while the object is being replaced gets the old page or the new one, each whole', async () => {
    const key = 'index.html';
    await put(key, 'a');
    let writing = true;
    const writes = (async () => {
      for (let i = 0; i < 12; i++) await put(key, i % 2 === 0 ? 'b' : 'a');
      writing = false;
    })();
    const seen: string[] = [];
    while (writing) {
      const body = await read(key);
      const whole = body.length === SIZE && (body === 'a'.repeat(SIZE) || body === 'b'.repeat(SIZE));
      seen.push(whole ? (body[0] ?? '') : `partial ${body.length}`);
    }
    await writes;
    expect(seen.filter((entry) => entry.startsWith('partial'))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('a read while a page is replaced by a longer one gets either page whole, never the new one cut to the old length', async () => {
    const key = 'root.html';
    const short = 's'.repeat(1024);
    const long = 'l'.repeat(SIZE);
    const putText = (body: string) => client.send(new PutObjectCommand({ Bucket: emulator.bucket, Key: key, Body: body }));
    await putText(short);
    let writing = true;
    const writes = (async () => {
      for (let i = 0; i < 12; i++) await putText(i % 2 === 0 ? long : short);
      writing = false;
    })();
    const wrong: number[] = [];
    let reads = 0;
    while (writing) {
      const body = await read(key);
      reads++;
      if (body !== short && body !== long) wrong.push(body.length);
    }
    await writes;
    expect(wrong).toEqual([]);
    expect(reads).toBeGreaterThan(0);
  });

  it('lists only the objects, never the temporary file of a write under way', async () => {
    const writes = Promise.all(Array.from({ length: 6 }, (_, i) => put(`reports/x/${i}.html`, 'c')));
    const listings: string[][] = [];
    for (let i = 0; i < 20; i++) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: emulator.bucket, Prefix: 'reports/' }));
      listings.push((listed.Contents ?? []).map((object) => object.Key ?? ''));
    }
    await writes;
    const names = new Set(Array.from({ length: 6 }, (_, i) => `reports/x/${i}.html`));
    expect(listings.flat().filter((key) => !names.has(key))).toEqual([]);
  });
});
