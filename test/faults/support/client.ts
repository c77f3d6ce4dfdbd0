import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { OutboxEntrySchema, type OutboxEntry } from '../../../shared/mail/outbox-mailer.js';

/**
 * HTTP for the fault tests: a person (a session cookie and its CSRF token, or nobody), any body the test wants to send
 * (JSON, a form, raw bytes, a wrong content type), and patience while the stack is down or starting again.
 */

export interface Caller {
  readonly cookie: string;
  readonly csrfToken: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** the body parsed as JSON, or undefined when it is not JSON */
  readonly body: unknown;
}

export interface SendOptions {
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  /** sent as it is, with `contentType` */
  readonly raw?: string | Buffer;
  readonly contentType?: string;
  /** the Origin header; the stack's own by default, `null` to leave it out */
  readonly origin?: string | null;
  readonly headers?: Record<string, string>;
}

export async function send(
  baseUrl: string,
  caller: Caller | undefined,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.origin !== null) headers['origin'] = options.origin ?? baseUrl;
  let body: string | Buffer | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.raw !== undefined) {
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    body = options.raw;
  }
  if (caller) headers['cookie'] = caller.cookie;
  const payload = typeof body === 'string' || body === undefined ? body : new Uint8Array(body);
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** The call, again and again while the stack cannot answer (refused, reset, 503 while starting), until the deadline. */
export async function persistently(what: string, call: () => Promise<Reply>, timeoutMs = 90_000): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const reply = await call();
      if (reply.status !== 503) return reply;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // fetch failed: nothing listening, or the connection died
    }
    if (Date.now() > deadline) throw new Error(`gave up on ${what}: the stack did not answer`);
    await sleep(150);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns something other than undefined/false. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ----------------------------------------------------------------------------------------------------------- outbox

export type { OutboxEntry };

/** The outbox as the stack wrote it to DATA_DIR (oldest first): readable while the stack is down. */
export async function outboxFile(dataDir: string): Promise<OutboxEntry[]> {
  try {
    return z.array(OutboxEntrySchema).parse(JSON.parse(await readFile(join(dataDir, 'outbox.json'), 'utf8')));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
}

/** The outbox over HTTP (newest first, as /_local/outbox.json answers). */
export async function outboxHttp(baseUrl: string): Promise<OutboxEntry[]> {
  return z.array(OutboxEntrySchema).parse(JSON.parse((await send(baseUrl, undefined, 'GET', '/_local/outbox.json')).text));
}

export interface ReviewLink {
  readonly url: string;
  readonly reviewId: string;
  readonly sig: string;
  /** the path and query, on whatever port the stack listens now */
  readonly path: string;
}

export function reviewLinkOf(entry: OutboxEntry): ReviewLink | undefined {
  const url = entry.links.find((link) => new URL(link).pathname.startsWith('/reviews/'));
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  return {
    url,
    reviewId: decodeURIComponent(parsed.pathname.split('/')[2] ?? ''),
    sig: parsed.searchParams.get('sig') ?? '',
    path: `${parsed.pathname}${parsed.search}`,
  };
}

export const isReviewRequest = (entry: OutboxEntry) => /请(审核|会签|签发)：/.test(entry.subject);
export const isReminder = (entry: OutboxEntry) => entry.subject.startsWith('【提醒】');
export const isReturn = (entry: OutboxEntry) => entry.subject.startsWith('退回修改');
export const isPublished = (entry: OutboxEntry) => entry.subject.startsWith('已公开');

/**
 * The same request on a connection of its own (closed afterwards): for bodies over the 256 KiB limit, which the local
 * server answers 413 before it has read them and then resets the connection, so no later request may share it.
 */
export async function sendAlone(
  baseUrl: string,
  caller: Caller | undefined,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<Reply> {
  const { request } = await import('node:http');
  const headers: Record<string, string> = { connection: 'close', ...options.headers };
  if (options.origin !== null) headers['origin'] = options.origin ?? baseUrl;
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  if (caller) headers['cookie'] = caller.cookie;
  const body = options.raw === undefined ? undefined : Buffer.isBuffer(options.raw) ? options.raw : Buffer.from(options.raw, 'utf8');
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise<Reply>((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
