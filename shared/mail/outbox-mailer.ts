import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import * as z from 'zod';

import type { Clock, MailMessage, Mailer } from '../workflow/ports.js';
import { MailDeliveryError, OutboxFileError, assertSingleRecipient } from './errors.js';

/** One row of `GET /_local/outbox.json`, the local stack's stand-in for a mailbox (ARCHITECTURE.md, HTTP API). */
export const OutboxEntrySchema = z
  .object({
    id: z.string().min(1),
    to: z.string().min(1),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    sentAt: z.iso.datetime(),
    links: z.array(z.url({ protocol: /^https?$/u })),
  })
  .strict();
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

/** The file holds the entries in the order they were sent (oldest first); list() turns them round. */
export const OutboxFileSchema = z.array(OutboxEntrySchema);

export interface OutboxMailerOptions {
  /** the JSON file to keep the messages in; undefined keeps them in memory only */
  readonly file?: string | undefined;
  readonly clock: Clock;
}

/**
 * The local stack's mailer: nothing leaves the machine; every message is kept for `GET /_local/outbox` and for
 * tests, which follow the links in it. With a file, each send rewrites the whole file through a temporary file and
 * a rename, so a crash leaves either the old or the new list, never half of one; writes are serialised (and
 * coalesced) within the process. One process per file: two processes sharing a file would overwrite each other.
 */
export class OutboxMailer implements Mailer {
  readonly #file: string | undefined;
  readonly #clock: Clock;
  /** oldest first */
  #entries: OutboxEntry[];
  /** the chain every write is queued on; never rejects */
  #tail: Promise<void> = Promise.resolve();
  /** a write queued but not started yet: later sends ride on it */
  #queued: Promise<void> | undefined;
  #tmpSeq = 0;

  constructor(options: OutboxMailerOptions) {
    this.#file = options.file;
    this.#clock = options.clock;
    this.#entries = options.file === undefined ? [] : loadOutboxFile(options.file);
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    assertSingleRecipient(message.to, 'outbox');
    const entry: OutboxEntry = Object.freeze({
      id: randomUUID(),
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      sentAt: this.#clock.now().toISOString(),
      links: Object.freeze(extractLinks(message.text)) as string[],
    });
    this.#entries.push(entry);
    if (this.#file !== undefined) {
      try {
        await this.#persist(this.#file);
      } catch (error) {
        // not kept, so a retry does not show the message twice
        this.#entries = this.#entries.filter((kept) => kept !== entry);
        const code = (error as { code?: unknown }).code;
        throw new MailDeliveryError({
          provider: 'outbox',
          errorName: typeof code === 'string' ? code : 'WriteFailed',
          retryable: true,
        });
      }
    }
    return { messageId: entry.id };
  }

  /** every message kept, newest first */
  list(): OutboxEntry[] {
    return this.#entries.slice().reverse();
  }

  #persist(file: string): Promise<void> {
    if (this.#queued !== undefined) return this.#queued;
    const run = this.#tail.then(() => {
      this.#queued = undefined;
      return this.#write(file, `${JSON.stringify(this.#entries, null, 2)}\n`);
    });
    this.#queued = run;
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #write(file: string, body: string): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${++this.#tmpSeq}.tmp`;
    try {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(body, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }
}

function loadOutboxFile(file: string): OutboxEntry[] {
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw new OutboxFileError(file, `it cannot be read (${String((error as { code?: unknown }).code ?? error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new OutboxFileError(file, `it is not valid JSON (${(error as Error).message})`);
  }
  const parsed = OutboxFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new OutboxFileError(file, `it is not a list of outbox entries (${issues})`);
  }
  return parsed.data.map((entry) => Object.freeze({ ...entry, links: Object.freeze(entry.links) as string[] }));
}

/** characters a URL may contain (RFC 3986); anything else, a space or a Chinese character or punctuation, ends it */
const URL_CANDIDATE = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/giu;
const TRAILING_PUNCTUATION = /[.,;:!?'*]+$/u;

/**
 * Every absolute http(s) URL in a plain-text body, in order of appearance (repeats kept), as written. Sentence
 * punctuation after a URL and an unbalanced closing bracket are not part of it.
 */
export function extractLinks(text: string): string[] {
  const links: string[] = [];
  for (const match of text.matchAll(URL_CANDIDATE)) {
    let candidate = match[0];
    for (;;) {
      const trimmed = candidate.replace(TRAILING_PUNCTUATION, '');
      const next = trimUnbalanced(trimmed, '(', ')') ?? trimUnbalanced(trimmed, '[', ']') ?? trimmed;
      if (next === candidate) break;
      candidate = next;
    }
    if (isHttpUrl(candidate)) links.push(candidate);
  }
  return links;
}

function trimUnbalanced(candidate: string, open: string, close: string): string | undefined {
  if (!candidate.endsWith(close)) return undefined;
  const opens = candidate.split(open).length - 1;
  const closes = candidate.split(close).length - 1;
  return closes > opens ? candidate.slice(0, -1) : undefined;
}

function isHttpUrl(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
