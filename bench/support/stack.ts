import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { LOCAL_STATE_MACHINE_ARN } from '#infra/local/definition.js';
import { startLocalStack, type LocalStack } from '#infra/local/stack.js';
import { sessionIdHash } from '#shared/auth/sign-in.js';
import { SESSION_COOKIE } from '#shared/http/session-cookie.js';
import { extractLinks } from '#shared/mail/outbox-mailer.js';
import { logger } from '#shared/runtime/logger.js';
import type { ReportEvent } from '#shared/workflow/model.js';
import { DEFAULT_CHAIN, type Chain } from '#shared/workflow/review-chain.js';
import type { MailMessage } from '#shared/workflow/ports.js';
import { seatsOf, type Seat } from './chain-expectations.js';
import { mapLimit } from './stats.js';

/**
 * The local stack as the benchmarks drive it: started on a free port with its own temporary DATA_DIR, its emails
 * and its log commits watched in-process (no polling), its log lines captured instead of printed, and people who
 * sign in and decide over HTTP exactly as the e2e tests do (test/e2e/http-client.ts).
 */

// ------------------------------------------------------------------------------------------------------ feeds

export interface Stamped<T> {
  readonly value: T;
  /** performance.now() when it happened */
  readonly at: number;
}

/** Things that happen, in order, with a way to wait for one (already there, or still to come). */
export class Feed<T> {
  readonly items: Stamped<T>[] = [];
  private readonly waiters = new Set<{ match: (value: T) => boolean; from: number; resolve: (entry: Stamped<T>) => void }>();
  private readonly listeners: ((entry: Stamped<T>) => void)[] = [];

  push(value: T): void {
    const entry = { value, at: performance.now() };
    this.items.push(entry);
    for (const waiter of this.waiters) {
      if (waiter.match(value)) {
        this.waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
    for (const listener of this.listeners) listener(entry);
  }

  on(listener: (entry: Stamped<T>) => void): void {
    this.listeners.push(listener);
  }

  /** The first item from index `from` on that matches, waiting up to `timeoutMs` for it. */
  next(match: (value: T) => boolean, what: string, timeoutMs = 30_000, from = 0): Promise<Stamped<T>> {
    const found = this.items.slice(from).find((entry) => match(entry.value));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        from,
        resolve: (entry: Stamped<T>) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

export interface SentMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly links: readonly string[];
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown>;
  /** Date.now() when it was logged (comparable with Step Functions history timestamps) */
  readonly epochMs: number;
}

// ------------------------------------------------------------------------------------------------------ stack

export interface BenchStack extends LocalStack {
  /** every email the stack sent (after the outbox kept it) */
  readonly mail: Feed<SentMail>;
  /** every event committed to a report's log (after the conditional put succeeded) */
  readonly commits: Feed<ReportEvent>;
  /** the handlers' log lines (not printed) */
  readonly logs: LogLine[];
  dispose(): Promise<void>;
}

type LogMethod = (input: unknown, ...extra: unknown[]) => void;
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Captures the shared logger's lines (the handlers log each request and task) instead of printing them. */
function captureLogs(lines: LogLine[]): () => void {
  const target = logger as unknown as Record<(typeof LEVELS)[number], LogMethod>;
  for (const level of LEVELS) {
    target[level] = (input: unknown, ...extra: unknown[]) => {
      const details: Record<string, unknown> = {};
      for (const item of extra) if (typeof item === 'object' && item !== null) Object.assign(details, item);
      lines.push({ level, message: typeof input === 'string' ? input : JSON.stringify(input), details, epochMs: Date.now() });
    };
  }
  return () => {
    for (const level of LEVELS) delete (target as Partial<Record<string, LogMethod>>)[level];
  };
}

/**
 * startLocalStack({ port: 0, dataDir }) in a fresh temporary folder. Task retries keep the intervals of the
 * synthesized definition (no retryIntervalMs): a retry costs here what it costs in AWS. The per-client limit on the
 * sign-in routes is off: every simulated person comes from this one address, which AWS would see as many clients.
 */
export async function startBenchStack(): Promise<BenchStack> {
  const logs: LogLine[] = [];
  const restoreLogger = captureLogs(logs);
  const dataDir = await mkdtemp(join(tmpdir(), 'nianbao-bench-'));
  // every handler has its own store (held to its partitions): commits are watched in all of them, not in deps.store
  const commits = new Feed<ReportEvent>();
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ port: 0, dataDir, authRateLimit: undefined, onEventCommitted: (event) => commits.push(event) });
    // what a module costs to load is the start's, not the measured requests'
    await stack.handlersLoaded;
  } catch (error) {
    restoreLogger();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const mail = new Feed<SentMail>();
  const outbox = stack.outbox;
  const send = outbox.send.bind(outbox);
  outbox.send = async (message: MailMessage) => {
    const result = await send(message);
    mail.push({ to: message.to, subject: message.subject, text: message.text, links: extractLinks(message.text) });
    return result;
  };

  return {
    ...stack,
    mail,
    commits,
    logs,
    async dispose() {
      try {
        await stack.stop();
      } finally {
        restoreLogger();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

// ------------------------------------------------------------------------------------------------------ people

/** A person at a browser, reduced to HTTP: a cookie and JSON calls with the Origin the app checks. */
export class Client {
  private cookie = '';
  constructor(
    readonly baseUrl: string,
    readonly email: string,
    cookie = '',
  ) {
    this.cookie = cookie;
  }

  async json(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { origin: this.baseUrl };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie !== '') headers['cookie'] = this.cookie;
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const set = response.headers.getSetCookie().find((line) => line.startsWith('nianbao_session='));
    if (set) this.cookie = set.split(';')[0] ?? '';
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // an HTML page (the review page): kept as text
    }
    return { status: response.status, body: parsed };
  }

  /** the Cookie header this client sends, for requests that are not JSON (downloads) */
  cookieHeader(): string {
    return this.cookie;
  }
}

const isSignInCode = (email: string) => (mail: SentMail) => mail.to === email && mail.subject.includes('验证码');

/** Signs in as a person does: asks for a code, takes it from the email (in-process), posts it. */
export async function signIn(stack: BenchStack, email: string): Promise<Client> {
  const client = new Client(stack.url, email);
  const from = stack.mail.items.length;
  const asked = await client.json('POST', '/api/auth/code', { email });
  if (asked.status !== 202) throw new Error(`code request for ${email} answered ${asked.status}`);
  const mail = await stack.mail.next(isSignInCode(email), `the sign-in code for ${email}`, 30_000, from);
  const code = /\b(\d{6})\b/.exec(mail.value.text)?.[1];
  if (code === undefined) throw new Error(`no code in the sign-in email to ${email}`);
  const session = await client.json('POST', '/api/auth/session', { email, code });
  if (session.status !== 204) throw new Error(`sign-in of ${email} answered ${session.status}`);
  return client;
}

/**
 * A signed-in person without the sign-in: a session written straight to the store (as the sign-in would write it).
 * For setups too large to sign everyone in over the API before the clock starts.
 */
export async function sessionFor(stack: BenchStack, email: string): Promise<Client> {
  const sessionId = randomBytes(32).toString('base64url');
  const now = new Date();
  await stack.deps.store.putSession({
    idHash: sessionIdHash(sessionId),
    email,
    csrfToken: randomBytes(24).toString('base64url'),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 12 * 3_600_000).toISOString(),
  });
  return new Client(stack.url, email, `${SESSION_COOKIE}=${sessionId}`);
}

// ------------------------------------------------------------------------------------------------------ agencies

export interface BenchApprover extends Seat {
  readonly email: string;
}

export interface BenchAgency {
  readonly id: string;
  readonly name: string;
  /** the chain its reports walk: the default one is not written to the agency (an agency without a chain uses it) */
  readonly chain: Chain;
  readonly officer: string;
  /** everyone the chain asks to decide, in step order (two co-signers per 会签) */
  readonly approvers: readonly BenchApprover[];
  /** the addresses of the people holding `director` and `leader` (every chain the benchmarks run has both) */
  readonly director: string;
  readonly leader: string;
}

/** Co-signers seated on each 会签 of a benchmark agency's chain. */
export const BENCH_COSIGNERS = 2;

export function benchAgencies(prefix: string, count: number, chain: Chain = DEFAULT_CHAIN): BenchAgency[] {
  const width = String(count).length;
  const seats = seatsOf(chain, BENCH_COSIGNERS);
  return Array.from({ length: count }, (_, index) => {
    const n = String(index + 1).padStart(width, '0');
    const id = `${prefix}-${n}`;
    return {
      id,
      name: `基准测试第${n}局（${prefix}）`,
      chain,
      officer: `officer@${id}.example.cn`,
      approvers: seats.map((seat) => ({ ...seat, email: `${seat.local}@${id}.example.cn` })),
      director: `director@${id}.example.cn`,
      leader: `leader@${id}.example.cn`,
    };
  });
}

/** The agency (with its chain) and its people, written straight to the store (as an administrator's roster load would). */
export async function seedAgencies(stack: BenchStack, agencies: readonly BenchAgency[], concurrency = 16): Promise<void> {
  const store = stack.deps.store;
  await mapLimit(agencies, concurrency, async (agency) => {
    await store.putAgency({ id: agency.id, name: agency.name, ...(agency.chain === DEFAULT_CHAIN ? {} : { chain: agency.chain }) });
    await store.putRosterEntry({ email: agency.officer, name: `${agency.name}信息员`, agencyId: agency.id, roles: ['officer'] });
    for (const approver of agency.approvers) {
      await store.putRosterEntry({
        email: approver.email,
        name: `${agency.name}${approver.title}`,
        agencyId: agency.id,
        roles: [approver.role],
      });
    }
  });
}

/** The addresses that confirm the 保密审查 when they approve: the approvers seated on a step that asks for it. */
export const confidentialityConfirmers = (agencies: readonly BenchAgency[]): ReadonlySet<string> =>
  new Set(agencies.flatMap((agency) => agency.approvers.filter((approver) => approver.confidentiality).map((approver) => approver.email)));

const REFERENCE_REPORT = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../test/fixtures/daxing-kw-2020.beijing-2019.json', import.meta.url)), 'utf8'),
) as Record<string, unknown>;

/** The reference report (beijing-2019, 2020) as the agency's own. */
export function reportOf(agency: BenchAgency, year = 2020): Record<string, unknown> {
  return { ...structuredClone(REFERENCE_REPORT), agency: { id: agency.id, name: agency.name }, year };
}

export const reportIdOf = (agency: BenchAgency, year = 2020) => `${agency.id}-${year}`;

// ------------------------------------------------------------------------------------------------------ decisions

export interface DecisionRecord {
  readonly approver: string;
  readonly reviewId: string;
  /** when the review email was sent (performance.now()) */
  readonly emailedAt: number;
  /** when the decision POST answered */
  readonly answeredAt: number;
  readonly status: number;
}

/**
 * Approves every review email to someone in `approvers` as soon as it is sent: the approver posts the JSON decision
 * (the 保密审查 confirmed by the `confirmers`) on the next turn of the event loop.
 */
export function autoDecide(
  stack: BenchStack,
  approvers: ReadonlyMap<string, Client>,
  confirmers: ReadonlySet<string>,
): { readonly decisions: DecisionRecord[]; readonly pending: () => number; readonly settled: () => Promise<void> } {
  const decisions: DecisionRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  stack.mail.on(({ value: mail, at }) => {
    const client = approvers.get(mail.to);
    if (!client || !/请(审核|会签|签发)：/.test(mail.subject)) return;
    const link = mail.links.find((candidate) => candidate.includes('/reviews/'));
    if (link === undefined) {
      // recorded, not thrown: this runs inside the mailer's send
      decisions.push({ approver: mail.to, reviewId: '(no review link in the email)', emailedAt: at, answeredAt: at, status: 0 });
      return;
    }
    const url = new URL(link);
    const reviewId = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const sig = url.searchParams.get('sig') ?? '';
    const decide = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      const answer = await client
        .json('POST', `/api/reviews/${encodeURIComponent(reviewId)}/decision`, {
          sig,
          outcome: 'approve',
          comment: '',
          confidentialityReviewed: confirmers.has(mail.to),
        })
        // a connection the server never took: recorded as status 0 (the checks after the burst then fail), not thrown
        .catch(() => ({ status: 0 }));
      decisions.push({ approver: mail.to, reviewId, emailedAt: at, answeredAt: performance.now(), status: answer.status });
    })();
    inFlight.add(decide);
    void decide.finally(() => inFlight.delete(decide));
  });
  return {
    decisions,
    pending: () => inFlight.size,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** An execution's whole history from the stack's Step Functions endpoint, page after page, as GetExecutionHistory gives it. */
export async function executionHistory(stack: Pick<LocalStack, 'sfnEndpoint'>, execution: string): Promise<HistoryEvent[]> {
  const sfn = new SFNClient({
    endpoint: stack.sfnEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const history: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${execution}`,
        maxResults: 1000,
        nextToken,
      }),
    );
    history.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return history;
}
