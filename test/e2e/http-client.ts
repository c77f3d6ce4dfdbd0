import * as z from 'zod';
import { OutboxEntrySchema, type OutboxEntry } from '../../shared/mail/outbox-mailer.js';

/**
 * A person at a browser, reduced to HTTP: a cookie jar, JSON calls with the headers the app expects, and the local
 * outbox to read emails from.
 */

export type { OutboxEntry };

export class Person {
  private cookie = '';
  constructor(
    readonly baseUrl: string,
    readonly email: string,
  ) {}

  async request(
    method: string,
    path: string,
    init: { json?: unknown; form?: Record<string, string>; file?: { bytes: Uint8Array; type: string } } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { origin: this.baseUrl };
    let body: string | Blob | undefined;
    if (init.file !== undefined) {
      headers['content-type'] = init.file.type;
      body = new Blob([Buffer.from(init.file.bytes)]);
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    if (this.cookie !== '') headers['cookie'] = this.cookie;
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    const set = response.headers.getSetCookie().find((line) => line.startsWith('nianbao_session='));
    if (set) this.cookie = set.split(';')[0] ?? '';
    return response;
  }

  async json(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await this.request(method, path, body === undefined ? {} : { json: body });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  /** Signs in as a person does: asks for a code, reads it from the email, posts it. */
  async signIn(): Promise<void> {
    const seen = await seenIds(this.baseUrl);
    const asked = await this.json('POST', '/api/auth/code', { email: this.email });
    if (asked.status !== 202) throw new Error(`code request answered ${asked.status}`);
    const mail = await nextEmail(this.baseUrl, seen, (entry) => entry.to === this.email && entry.subject.includes('验证码'));
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    if (code === undefined) throw new Error('no code in the sign-in email');
    const session = await this.json('POST', '/api/auth/session', { email: this.email, code });
    if (session.status !== 204) throw new Error(`sign-in answered ${session.status}`);
  }
}

export async function outbox(baseUrl: string): Promise<OutboxEntry[]> {
  const response = await fetch(new URL('/_local/outbox.json', baseUrl));
  return z.array(OutboxEntrySchema).parse(await response.json());
}

/** Polls until `probe` returns something (the workflow runs asynchronously), or fails with what it waited for. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function seenIds(baseUrl: string): Promise<Set<string>> {
  return new Set((await outbox(baseUrl)).map((entry) => entry.id));
}

/** The first email matching `match` that was not in `seen`, waiting for it to arrive. */
export function nextEmail(
  baseUrl: string,
  seen: ReadonlySet<string>,
  match: (entry: OutboxEntry) => boolean,
  what = 'an email',
): Promise<OutboxEntry> {
  return waitFor(async () => (await outbox(baseUrl)).find((entry) => !seen.has(entry.id) && match(entry)), 20_000, what);
}

/** A review email to `to` not in `seen`, as the approver clicks it. */
export async function reviewLink(
  baseUrl: string,
  to: string,
  seen: ReadonlySet<string> = new Set(),
): Promise<{ url: string; reviewId: string; sig: string; entry: OutboxEntry }> {
  const entry = await nextEmail(
    baseUrl,
    seen,
    (candidate) => candidate.to === to && /请(审核|会签|签发)：/.test(candidate.subject),
    `a review email to ${to}`,
  );
  const url = entry.links.find((link) => link.includes('/reviews/'));
  if (url === undefined) throw new Error('the review email has no review link');
  const parsed = new URL(url);
  return { url, entry, reviewId: decodeURIComponent(parsed.pathname.split('/')[2] ?? ''), sig: parsed.searchParams.get('sig') ?? '' };
}
