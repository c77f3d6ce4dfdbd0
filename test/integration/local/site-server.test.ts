import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalHttpServer, siteObjectKey } from '../../../infra/local/http-server.js';
import { OutboxMailer } from '../../../shared/mail/outbox-mailer.js';
import type { HttpHandler } from '../../../shared/http/handler.js';
import { json } from '../../../shared/http/response.js';
import { HTTP_FUNCTIONS, type HttpFunctionName } from '../../../shared/http/routes.js';
import { createLocalS3Client } from '../../../shared/store/s3-client.js';
import { startS3rver, type S3rverEmulator } from '../../support/s3rver.js';

/** The local server's /site/ over a real s3rver, which keeps objects as files: nothing outside the bucket is served. */

type Handlers = Record<HttpFunctionName, HttpHandler>;
const unused: HttpHandler = async () => json(404, { error: { code: 'NOT_FOUND', message: '没有这个地址。' } });
const partial: Partial<Handlers> = {};
for (const name of HTTP_FUNCTIONS) partial[name] = unused;
const isComplete = (value: Partial<Handlers>): value is Handlers => HTTP_FUNCTIONS.every((name) => value[name] !== undefined);

let emulator: S3rverEmulator;
let s3: S3Client;
let server: Server;
let base: string;

beforeAll(async () => {
  emulator = await startS3rver({ bucket: 'nianbao-site-local' });
  s3 = createLocalS3Client(emulator.endpoint);
  await s3.send(
    new PutObjectCommand({
      Bucket: emulator.bucket,
      Key: 'reports/daxing-kw/2020/index.html',
      Body: '<p>报告</p>',
      ContentType: 'text/html; charset=utf-8',
    }),
  );
  // an object s3rver would find one folder above the bucket: what a path out of the bucket would read
  await mkdir(join(emulator.directory, 'outside'), { recursive: true });
  await writeFile(join(emulator.directory, 'outside', 'secret._S3rver_object'), 'SECRET');
  await writeFile(join(emulator.directory, 'outside', 'secret._S3rver_metadata.json'), '{"content-type":"text/plain"}');
  if (!isComplete(partial)) throw new Error('a function without a handler');
  const handlers = partial;
  server = createLocalHttpServer({
    handlers: () => handlers,
    outbox: new OutboxMailer({ file: join(emulator.directory, 'outbox.json'), clock: { now: () => new Date() } }),
    s3,
    bucket: emulator.bucket,
    clientFiles: new Map(),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  s3?.destroy();
  await emulator?.stop();
});

/** fetch would normalise the path; the raw request line is what an attacker sends */
async function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /site/ on the local server', () => {
  it('serves a published page, and a folder’s index.html', async () => {
    expect(await rawGet('/site/reports/daxing-kw/2020/index.html')).toEqual({ status: 200, body: '<p>报告</p>' });
    expect(await rawGet('/site/reports/daxing-kw/2020/')).toEqual({ status: 200, body: '<p>报告</p>' });
    expect((await rawGet('/site/reports/daxing-kw/2019/')).status).toBe(404);
  });

  it.each([
    ['/site/..%2foutside%2fsecret'],
    ['/site/..%2Foutside/secret'],
    ['/site/reports/..%2f..%2foutside%2fsecret'],
    ['/site/%2e%2e%2foutside%2fsecret'],
    ['/site/..%5coutside%5csecret'],
    ['/site/..%2f..%2f..%2fx'],
    ['/site/....//....//x'],
    ['/site/reports//daxing-kw/2020/index.html'],
    ['/site/%00'],
    ['/site/%E0%A4%A'],
  ])('answers %s with 400 and reads nothing outside the bucket', async (path) => {
    const reply = await rawGet(path);
    expect(reply.status).toBe(400);
    expect(reply.body).toBe('地址格式不正确。');
  });
});

describe('other paths on the local server', () => {
  it.each([['/api/drafts/%E0%A4%A/2020'], ['/healthz/%'], ['/reports/%FF']])('answers the malformed %s with 400 BAD_PATH', async (path) => {
    const reply = await rawGet(path);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: { code: 'BAD_PATH', message: '地址格式不正确。' } });
  });

  it('still routes a well-formed path, escapes and all', async () => {
    expect((await rawGet('/api/drafts/%E5%A4%A7/2020')).status).toBe(404);
  });
});

describe('siteObjectKey', () => {
  it('decodes each segment on its own', () => {
    expect(siteObjectKey('/site/reports/%E5%A4%A7%E5%85%B4/2020/')).toBe('reports/大兴/2020/index.html');
    expect(siteObjectKey('/site/')).toBe('index.html');
    expect(siteObjectKey('/site/a%2Fb')).toBeUndefined();
    expect(siteObjectKey('/site/.../x')).toBeUndefined();
    expect(siteObjectKey('/site/a.b/x.html')).toBe('a.b/x.html');
  });
});
