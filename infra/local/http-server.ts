import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { OutboxMailer } from '../../shared/mail/outbox-mailer.js';
import type { HttpHandler } from '../../shared/http/handler.js';
import type { HttpEvent } from '../../shared/http/request.js';
import { MAX_BODY_BYTES } from '../../shared/http/request.js';
import { json, SECURITY_HEADERS, type HttpResponse } from '../../shared/http/response.js';
import { matchRoute, type HttpFunctionName } from '../../shared/http/routes.js';
import { renderRootIndex } from '../../shared/site/pages.js';
import { clientFileResponse, isClientFilePath, type ClientFiles } from './client-files.js';
import { renderOutboxPage } from './outbox-page.js';
import { isRateLimitedPath, TokenBuckets, type RateLimit } from './rate-limit.js';

/**
 * The local stand-in for API Gateway and CloudFront: turns each request into the payload 2.0 event the Lambdas get,
 * routes it by the same table as the HTTP API, and serves the browser's scripts under /assets/, the published bucket
 * under /site/ and the outbox.
 */

export interface LocalHttpOptions {
  /** undefined until the stack is ready: requests are answered 503 meanwhile */
  readonly handlers: () => Record<HttpFunctionName, HttpHandler> | undefined;
  readonly outbox: OutboxMailer;
  readonly s3: S3Client;
  readonly bucket: string;
  /** per-client limit on the sign-in routes; undefined = none */
  readonly authRateLimit?: RateLimit | undefined;
  /** the browser's scripts, built at start, served under /assets/ as CloudFront serves them */
  readonly clientFiles: ClientFiles;
  /** queues a full rebuild of the site indexes (`nianbao rebuild-indexes --local`) */
  readonly rebuildIndexes?: () => Promise<void>;
}

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

let requestCounter = 0;

function toEvent(request: IncomingMessage, url: URL, body: Buffer, pathParameters: Record<string, string>): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(body.length === 0 ? {} : { body: body.toString('base64'), isBase64Encoded: true }),
    pathParameters,
    requestContext: { requestId: `local-${Date.now().toString(36)}-${++requestCounter}`, http: { method: request.method ?? 'GET' } },
  };
}

function write(response: ServerResponse, reply: HttpResponse): void {
  response.statusCode = reply.statusCode;
  for (const [name, value] of Object.entries(reply.headers)) response.setHeader(name, value);
  if (reply.cookies && reply.cookies.length > 0) response.setHeader('set-cookie', [...reply.cookies]);
  response.end(reply.isBase64Encoded === true ? Buffer.from(reply.body, 'base64') : reply.body);
}

/** A decoded path segment that could step out of the bucket's folder on s3rver's disk, or name nothing. */
const UNSAFE_SEGMENT = /^\.+$|[/\\\u0000-\u001f\u007f]/u;

/**
 * The object key a /site/ path names, or undefined for a path that names none. Each segment is decoded on its own,
 * so an encoded `%2F` can never become a separator; `.`/`..` (however escaped) and empty segments are refused, as
 * s3rver keeps objects as files and would follow them. A trailing slash means the folder's index.html.
 */
export function siteObjectKey(pathname: string): string | undefined {
  if (!pathname.startsWith('/site/')) return undefined;
  const segments = pathname.slice('/site/'.length).split('/');
  const last = segments.length - 1;
  const decoded: string[] = [];
  for (const [index, segment] of segments.entries()) {
    if (segment === '' && index === last) {
      decoded.push('index.html');
      continue;
    }
    let text: string;
    try {
      text = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (text === '' || UNSAFE_SEGMENT.test(text)) return undefined;
    decoded.push(text);
  }
  return decoded.join('/');
}

/** Every segment of the path decodes (as UTF-8, escapes complete). */
function wellFormedPath(pathname: string): boolean {
  try {
    for (const segment of pathname.split('/')) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

async function serveSite(options: LocalHttpOptions, path: string, response: ServerResponse): Promise<void> {
  const key = siteObjectKey(path);
  if (key === undefined) {
    response.statusCode = 400;
    response.setHeader('content-type', 'text/plain; charset=utf-8');
    response.end('地址格式不正确。');
    return;
  }
  try {
    const object = await options.s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
    const body = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
    response.statusCode = 200;
    response.setHeader('content-type', object.ContentType ?? 'application/octet-stream');
    if (object.CacheControl !== undefined) response.setHeader('cache-control', object.CacheControl);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    response.end(body);
  } catch (error) {
    if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey')) {
      // before the first publication the site is an empty index, as the banner promises, not a missing page
      if (key === 'index.html') {
        response.statusCode = 200;
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
        response.setHeader('content-type', 'text/html; charset=utf-8');
        response.end(renderRootIndex([]));
        return;
      }
      response.statusCode = 404;
      response.setHeader('content-type', 'text/plain; charset=utf-8');
      response.end('未找到该页面。');
      return;
    }
    throw error;
  }
}

export function createLocalHttpServer(options: LocalHttpOptions): Server {
  const buckets = options.authRateLimit === undefined ? undefined : new TokenBuckets(options.authRateLimit);
  return createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = (request.method ?? 'GET').toUpperCase();
      const handlers = options.handlers();
      if (url.pathname === '/healthz') return write(response, handlers ? json(200, { ok: true }) : json(503, { ok: false }));
      if ((method === 'GET' || method === 'HEAD') && isClientFilePath(url.pathname))
        return write(response, clientFileResponse(options.clientFiles, url.pathname));
      if (!handlers) return write(response, json(503, { error: { code: 'STARTING', message: '系统正在启动，请稍候。' } }));
      if (method === 'GET' && url.pathname === '/_local/outbox.json') return write(response, json(200, options.outbox.list()));
      if (method === 'POST' && url.pathname === '/_local/rebuild-indexes' && options.rebuildIndexes !== undefined) {
        await options.rebuildIndexes();
        return write(response, json(202, { queued: true }));
      }
      if (method === 'GET' && url.pathname === '/_local/outbox') {
        return write(response, {
          statusCode: 200,
          headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' },
          body: renderOutboxPage(options.outbox.list()),
        });
      }
      if (method === 'GET' && (url.pathname === '/site' || url.pathname.startsWith('/site/'))) {
        if (url.pathname === '/site') return write(response, { statusCode: 301, headers: { location: '/site/' }, body: '' });
        return serveSite(options, url.pathname, response);
      }
      // API Gateway refuses a path whose escapes are not UTF-8; so does the stand-in, rather than call it unknown
      if (!wellFormedPath(url.pathname)) return write(response, json(400, { error: { code: 'BAD_PATH', message: '地址格式不正确。' } }));
      if (buckets && isRateLimitedPath(url.pathname)) {
        const taken = buckets.take(request.socket.remoteAddress ?? 'unknown');
        if (!taken.allowed) {
          request.resume();
          const body = { error: { code: 'TOO_MANY_REQUESTS', message: '请求过于频繁，请稍后再试。' } };
          return write(response, json(429, body, { headers: { 'retry-after': String(taken.retryAfterSeconds) } }));
        }
      }
      const match = matchRoute(method, url.pathname);
      if (!match) {
        return write(response, json(404, { error: { code: 'NOT_FOUND', message: '没有这个地址。' } }));
      }
      let body: Buffer;
      try {
        body = await readBody(request);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          // the rest of the body is not read: close the connection after the answer so it cannot be taken for the next request
          response.setHeader('connection', 'close');
          write(response, json(413, { error: { code: 'PAYLOAD_TOO_LARGE', message: '提交的内容超过 256 KiB 上限。' } }));
          request.resume();
          return;
        }
        throw error;
      }
      const handler = handlers[match.route.function];
      return write(response, await handler(toEvent(request, url, body, match.pathParameters)));
    })().catch((error: unknown) => {
      console.error('local server error', error instanceof Error ? error.name : error);
      if (!response.headersSent) write(response, json(500, { error: { code: 'INTERNAL', message: '系统出错了，请稍后重试。' } }));
      else response.end();
    });
  });
}
