import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '#shared/http/routes.js';
import { logger } from '#shared/runtime/logger.js';
import { startTestStack } from '../e2e/stack.js';
import { referenceReport, report2021, setInPlace } from '../support/report-builders.js';
import { MAX_BODY_BYTES } from '#shared/http/request.js';
import { outboxHttp, reviewLinkOf, send, sendAlone, until, type Caller, type Reply, type ReviewLink } from './support/client.js';
import { openSession, seedAgency } from './support/people.js';

/**
 * 1,000 random and malformed requests to every route of shared/http/routes.ts, over HTTP, with and without a session:
 * arbitrary JSON, wrong types, missing and extra fields, huge strings, deep nesting, invalid UTF-8, wrong content
 * types, odd path parameters and queries, foreign origins, garbage cookies. No answer may be a 5xx (or no answer), and
 * nothing stored may change but what a request that was answered 2xx was allowed to change: the report in review, its
 * events, review and execution stay as they were; a draft changes only to what an accepted save sent.
 *
 * FAULTS_FUZZ_RUNS (default 1000) and FAULTS_SEED repeat or shorten a run.
 */

const RUNS = Number(process.env['FAULTS_FUZZ_RUNS'] ?? 1000);
const SEED = Number(process.env['FAULTS_SEED'] ?? Date.now() % 1_000_000);
const POOL = 8;
const REPORT_ID = 'daxing-kw-2020';
const EXECUTION = `${REPORT_ID}-r1`;
const DRAFT_YEARS = Array.from({ length: 16 }, (_, i) => 2019 + i);

let stack: Awaited<ReturnType<typeof startTestStack>>;
let people: Record<'officer' | 'director' | 'leader' | 'auditor' | 'otherOfficer', Caller & { email: string }>;
let link: ReviewLink;

beforeAll(async () => {
  logger.setLogLevel('CRITICAL'); // one line per request otherwise; a 5xx is caught by the status, not the log
  // the handlers are what is fuzzed: 1,000 requests a route from one address would otherwise meet the per-client limit
  // on the sign-in routes (tested on its own in test/unit/infra/local/rate-limit.test.ts)
  stack = await startTestStack({ authRateLimit: undefined });
  const open = async (email: string) => ({ email, ...(await openSession(stack.deps.store, email)) });
  const other = await seedAgency(stack.deps.store, { id: 'fuzz-other', name: '模糊测试他局' });
  people = {
    officer: await open('officer@kw.example.cn'),
    director: await open('director@kw.example.cn'),
    leader: await open('leader@kw.example.cn'),
    auditor: await open('auditor@audit.example.cn'),
    otherOfficer: { email: other.officer.email, cookie: other.officer.cookie, csrfToken: other.officer.csrfToken },
  };
  expect((await send(stack.url, people.officer, 'POST', '/api/reports', { json: { report: referenceReport() } })).status).toBe(201);
  link = await until('the director review email', async () => {
    const entry = (await outboxHttp(stack.url)).find(
      (candidate) => candidate.to === 'director@kw.example.cn' && /请(审核|会签|签发)：/.test(candidate.subject),
    );
    return entry && reviewLinkOf(entry);
  });
  await until('the review to be requested', async () => (await stack.deps.store.getHead(REPORT_ID))?.pendingReviewId === link.reviewId);
  expect((await send(stack.url, people.officer, 'PUT', '/api/drafts/daxing-kw/2021', { json: { content: report2021() } })).status).toBe(
    200,
  );
}, 120_000);
afterAll(async () => {
  logger.setLogLevel('INFO');
  await stack?.dispose();
});

// ---------------------------------------------------------------------------------------------------- generators

type Persona = 'none' | 'garbage' | keyof typeof people;

interface Attempt {
  readonly persona: Persona;
  readonly path: string;
  readonly body: { kind: string; raw?: string | Buffer; contentType?: string };
  readonly origin: 'same' | 'none' | 'foreign';
}

const ODD = [
  '',
  '.',
  '..',
  '%',
  '%00',
  '%E0%A4%A',
  '%2F',
  '%2e%2e%2fpackage.json',
  'a b',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  '\u2028',
  '😀',
  "';--",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  '${7*7}',
  '{{7*7}}',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '0x10',
  '-1',
  '1e3',
  '2021.5',
  '99999',
  'ＤＡＸＩＮＧ',
  'x'.repeat(3000),
  '\u0000',
  '\ufeff',
];
const oddText = fc.oneof(
  fc.constantFrom(...ODD),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const segment = (real: readonly string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...real).map(encodeURIComponent) },
    { weight: 3, arbitrary: oddText.map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom('..', '.', '%', '%00', '%E0%A4%A', '%2F', '%ZZ', 'a%20b', '%F0%9F%98', '%C0%AE%C0%AE') },
  );

function pathArbitrary(route: RouteSpec, persona: Persona): fc.Arbitrary<string> {
  const reals: Record<string, readonly string[]> = {
    // an officer of the agency withdrawing its report would be a valid change; that one is not what is fuzzed here
    id:
      route.function === 'withdraw-report' && persona === 'officer'
        ? ['daxing-kw-2019', 'fuzz-other-2020']
        : [REPORT_ID, 'daxing-kw-2021', 'fuzz-other-2020', `${REPORT_ID}.json`, `${REPORT_ID}.csv`],
    agencyId: ['daxing-kw', 'fuzz-other', 'DAXING-KW'],
    year: ['2021', '2020', '2019', '2034', '0', '-2021', '02021', '2021.0'],
    reviewId: [link.reviewId, 'A'.repeat(24), link.reviewId.toLowerCase()],
    name: ['app.js', 'form.js', 'app.css', '../package.json', 'app.js.map'],
  };
  const parts = route.path.split('/').map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    return name === undefined ? fc.constant(part) : segment(reals[name] ?? ['x']);
  });
  const query = fc.option(
    fc.dictionary(
      fc.constantFrom('sig', 'next', 'year', 'agency', 'format', 'template', 'error', 'x'),
      fc.oneof(oddText, fc.constantFrom(link.sig, '2021', 'json', 'csv', '//evil.example', 'javascript:alert(1)', '/')),
      { maxKeys: 3 },
    ),
    { nil: undefined },
  );
  return fc.tuple(fc.tuple(...parts), query).map(([segments, params]) => {
    const search = params === undefined ? '' : `?${new URLSearchParams(params).toString()}`;
    return `${segments.join('/')}${search}`;
  });
}

function deep(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Bodies shaped like what each route reads, with wrong types, missing and extra fields. */
const FIELDS: Partial<Record<RouteSpec['function'], readonly string[]>> = {
  'request-sign-in-code': ['email', 'next'],
  'create-session': ['email', 'code', 'next'],
  'validate-report': ['report', 'previous'],
  'save-draft': ['content', 'revision'],
  'submit-report': ['report'],
  'resubmit-report': ['report'],
  'decide-review': ['sig', 'outcome', 'comment', 'confidentialityReviewed', 'csrf'],
};

const anyJson = fc.jsonValue({ maxDepth: 4 });
/** stands for the session's own CSRF token in a generated form, so that some posts get past the check to the code behind */
const CSRF_MARK = '<csrf>';

/** The reference report with one cell, list or text replaced by something random: deep into the checks, not only the schema. */
const nearReport = fc
  .tuple(
    fc.constantFrom(
      'overview',
      'year',
      'template',
      'agency',
      'agency.name',
      'applications.newlyReceived.naturalPerson',
      'activeDisclosure.procurement.centralizedProcurement.amount',
      'reviewsAndLitigation',
      'applications.outcomes.withheld',
      'problems',
      'extra',
      'preamble',
    ),
    anyJson,
  )
  .map(([path, value]) => {
    const report = referenceReport();
    setInPlace(report, path, value);
    // an officer may submit only what is already in review (2020): another valid year would be a valid change
    if (typeof report['year'] === 'number' && report['year'] !== 2020) report['year'] = 2020;
    return report;
  });

function bodyArbitrary(route: RouteSpec): fc.Arbitrary<Attempt['body']> {
  const fields = FIELDS[route.function] ?? ['report', 'content', 'email'];
  const fieldValue = fc.oneof(
    anyJson,
    fc.constantFrom(link.sig, 'approve', 'return', 'officer@kw.example.cn', '123456', true, 2021),
    nearReport,
  );
  const shaped = fc.record(Object.fromEntries(fields.map((field) => [field, fieldValue])), { requiredKeys: [] });
  const json = fc.oneof(
    {
      weight: 3,
      arbitrary: shaped.chain((value) =>
        fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 }).map((extra) => ({ ...extra, ...value })),
      ),
    },
    { weight: 2, arbitrary: anyJson },
    { weight: 2, arbitrary: nearReport.map((report) => ({ report, content: report, previous: report })) },
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16',
    'application/jsonp',
    '',
  );
  const field = fields[0] ?? 'report';
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ kind: 'none' }) },
    {
      weight: 8,
      arbitrary: fc
        .tuple(json, fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentType }))
        .map(([value, type]) => ({ kind: 'json', raw: JSON.stringify(value), contentType: type })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(20, 31, 32, 33, 40, 100, 1000, 20_000, 120_000),
          fc.constantFrom<'array' | 'object'>('array', 'object'),
          fc.constantFrom(field, 'content', 'report'),
        )
        .map(([depth, kind, key]) => ({
          kind: `deep ${depth}`,
          raw: `{"${key}":${deep(depth, kind)}}`,
          contentType: 'application/json',
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(60_000, 200_000, 262_000, 300_000, 1_000_000), fc.constantFrom('x', '中', '\\u0000', '"'))
        .map(([size, unit]) => ({
          kind: `huge ${size}`,
          raw: `{"${field}":"${unit === '"' ? '\\"'.repeat(size / 2) : unit.repeat(Math.floor(size / unit.length))}","comment":"${'长'.repeat(100)}"}`,
          contentType: 'application/json',
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          fc.constantFrom(
            Buffer.from([0xff, 0xfe]),
            Buffer.from([0xc0, 0xaf]),
            Buffer.from([0xed, 0xa0, 0x80]),
            Buffer.from([0x80]),
            Buffer.from([0xf4, 0x90, 0x80, 0x80]),
          ),
          contentType,
        )
        .map(([bytes, bad, type]) => ({
          kind: 'invalid utf-8',
          raw: Buffer.concat([Buffer.from(`{"${field}":"`), bad, Buffer.from(bytes), bad, Buffer.from('"}')]),
          contentType: type,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.dictionary(
            fc.constantFrom(...fields, 'csrf', 'sig', 'outcome', 'next', 'x'),
            fc.oneof(oddText, fc.constantFrom(link.sig, 'approve', 'return', 'yes', '123456', CSRF_MARK)),
          ),
          contentType,
        )
        .map(([form, type]) => ({
          kind: 'form',
          raw: new URLSearchParams(form).toString(),
          contentType: type === 'application/json' ? 'application/x-www-form-urlencoded' : type,
        })),
    },
  );
}

/**
 * Requests aimed past authentication, origin and path checks (the right officer, a real path, JSON), with random
 * bodies: what reaches the code that stores and checks, for the routes that do.
 */
function aimedArbitrary(route: RouteSpec): fc.Arbitrary<Attempt> | undefined {
  const json = (value: fc.Arbitrary<unknown>) =>
    value.map((body) => ({ kind: 'aimed json', raw: JSON.stringify(body), contentType: 'application/json' }));
  const aimed = (persona: Persona, path: fc.Arbitrary<string>, body: fc.Arbitrary<Attempt['body']>) =>
    fc.record({ persona: fc.constant(persona), path, body, origin: fc.constant<Attempt['origin']>('same') });
  const someContent = fc.oneof(
    anyJson,
    nearReport,
    fc.double(),
    fc.constantFrom(1e20, 1.5e-200, -1e300, 5e-324, Number.MAX_SAFE_INTEGER + 2),
  );
  switch (route.function) {
    case 'save-draft':
      return aimed(
        'officer',
        fc.constantFrom(...DRAFT_YEARS).map((year) => `/api/drafts/daxing-kw/${year}`),
        json(
          fc.record(
            { content: someContent, revision: fc.option(fc.oneof(fc.integer({ min: 1, max: 5 }), anyJson), { nil: undefined }) },
            { requiredKeys: ['content'] },
          ),
        ),
      );
    case 'submit-report':
      return aimed('officer', fc.constant('/api/reports'), json(fc.record({ report: fc.oneof(nearReport, anyJson) })));
    case 'resubmit-report':
      return aimed('officer', fc.constant(`/api/reports/${REPORT_ID}`), json(fc.record({ report: fc.oneof(nearReport, anyJson) })));
    case 'validate-report':
      return aimed(
        'none',
        fc.constant('/api/reports/validate'),
        json(fc.record({ report: fc.oneof(nearReport, anyJson), previous: fc.oneof(nearReport, anyJson) }, { requiredKeys: ['report'] })),
      );
    default:
      return undefined;
  }
}

function attemptArbitrary(route: RouteSpec): fc.Arbitrary<Attempt> {
  const persona = fc.constantFrom<Persona>(
    'none',
    'none',
    'garbage',
    'officer',
    'officer',
    'director',
    'leader',
    'auditor',
    'otherOfficer',
  );
  const random = persona.chain((who) =>
    fc.record({
      persona: fc.constant(who),
      path: pathArbitrary(route, who),
      body: route.method === 'GET' ? fc.constant({ kind: 'none' }) : bodyArbitrary(route),
      origin: fc.constantFrom<Attempt['origin']>('same', 'same', 'same', 'same', 'none', 'foreign'),
    }),
  );
  const aimed = aimedArbitrary(route);
  return aimed === undefined ? random : fc.oneof(random, aimed);
}

// ------------------------------------------------------------------------------------------------------- running

async function callerFor(route: RouteSpec, persona: Persona): Promise<Caller | undefined> {
  if (persona === 'none') return undefined;
  if (persona === 'garbage')
    return { cookie: `nianbao_session=${'A'.repeat(43)}; nianbao_session=%%; x=${'y'.repeat(100)}`, csrfToken: 'x'.repeat(32) };
  const who = people[persona];
  // signing out deletes the session: each sign-out gets a session of its own
  if (route.function === 'end-session') return openSession(stack.deps.store, who.email);
  return who;
}

/** A decision by the director with the director's own link would be a valid change; the fuzz keeps to invalid ones. */
function withoutTheValidDecision(route: RouteSpec, attempt: Attempt): Attempt {
  if (route.function !== 'decide-review' || attempt.persona !== 'director' || attempt.body.raw === undefined) return attempt;
  const raw = Buffer.isBuffer(attempt.body.raw)
    ? attempt.body.raw
    : attempt.body.raw.replaceAll(link.sig, `${link.sig.slice(0, -2)}xx`).replaceAll(encodeURIComponent(link.sig), 'x');
  return { ...attempt, body: { ...attempt.body, raw } };
}

interface Outcome {
  readonly route: string;
  readonly attempt: Attempt;
  readonly reply?: Reply;
  readonly error?: string;
  /** the body was over the 256 KiB limit (sent on a connection of its own) */
  readonly oversize: boolean;
}

async function run(route: RouteSpec, attempt: Attempt): Promise<Outcome> {
  const caller = await callerFor(route, attempt.persona);
  const safe = withoutTheValidDecision(route, attempt);
  // the CSRF token of the session, where a form field asks for one, so some posts get past it to the code behind
  const raw =
    typeof safe.body.raw === 'string' && caller !== undefined
      ? safe.body.raw.replaceAll(encodeURIComponent(CSRF_MARK), caller.csrfToken)
      : safe.body.raw;
  const options = {
    ...(raw === undefined ? {} : { raw }),
    ...(safe.body.contentType === undefined || safe.body.contentType === '' ? {} : { contentType: safe.body.contentType }),
    origin: safe.origin === 'same' ? stack.url : safe.origin === 'none' ? null : 'https://evil.example',
  };
  const oversize = raw !== undefined && Buffer.byteLength(raw) > MAX_BODY_BYTES;
  try {
    const reply = oversize
      ? await sendAlone(stack.url, caller, route.method, safe.path, options)
      : await send(stack.url, caller, route.method, safe.path, options);
    return { route: `${route.method} ${route.path}`, attempt: safe, reply, oversize };
  } catch (error) {
    const text =
      error instanceof Error ? `${error.name}: ${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error);
    return { route: `${route.method} ${route.path}`, attempt: safe, error: text, oversize };
  }
}

async function pool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++;
        const item = items[index] as T;
        results[index] = await work(item);
      }
    }),
  );
  return results;
}

/** What the requests must not change (the report in review, its review and execution, who is who, what is published). */
async function core() {
  const store = stack.deps.store;
  return {
    events: await store.listEvents(REPORT_ID),
    head: await store.getHead(REPORT_ID),
    review: await store.getReview(link.reviewId),
    execution: await stack.deps.workflow.describe(EXECUTION),
    executionHistory: await stack.deps.workflow.history(EXECUTION),
    published: await store.listPublished(),
    agencies: await store.listAgencies(),
    roster: [...(await store.listRoster('daxing-kw')), ...(await store.listRoster('fuzz-other'))],
    otherReports: [...(await store.listHeads('daxing-kw')), ...(await store.listHeads('fuzz-other'))],
    workflowEmails: (await outboxHttp(stack.url)).filter((entry) => !entry.subject.includes('验证码')).length,
  };
}

async function drafts() {
  const found: Record<string, unknown> = {};
  for (const agencyId of ['daxing-kw', 'fuzz-other']) {
    for (const year of DRAFT_YEARS) {
      const draft = await stack.deps.store.getDraft(agencyId, year);
      if (draft) found[`${agencyId}/${year}`] = draft;
    }
  }
  return found;
}

const describeAttempt = (outcome: Outcome) => {
  const body =
    outcome.attempt.body.raw === undefined
      ? ''
      : ` ${outcome.attempt.body.kind} ${String(outcome.attempt.body.contentType)} ${Buffer.isBuffer(outcome.attempt.body.raw) ? `<${outcome.attempt.body.raw.length} bytes>` : outcome.attempt.body.raw.slice(0, 160)}`;
  return `${outcome.route} as ${outcome.attempt.persona} (origin ${outcome.attempt.origin}): ${outcome.attempt.path.slice(0, 160)}${body} → ${outcome.reply === undefined ? outcome.error : `${outcome.reply.status} ${outcome.reply.text.slice(0, 200)}`}`;
};

describe('what DynamoDB cannot hold is refused with a 4xx, not a 500', () => {
  const DRAFT = '/api/drafts/daxing-kw/2030';
  const nested = (depth: number, kind: 'array' | 'object') => `{"content":${deep(depth, kind)}}`;
  const cases: ReadonlyArray<readonly [string, string, number]> = [
    ['nested 29 levels (fits)', nested(29, 'object'), 200],
    ['nested 31 levels', nested(31, 'object'), 400],
    ['nested 33 levels', nested(33, 'array'), 400],
    ['nested 40 levels', nested(40, 'object'), 400],
    ['nested 1,000 levels', nested(1000, 'array'), 400],
    ['nested 120,000 levels', nested(120_000, 'array'), 400],
    ['a number above 2^53', '{"content":{"x":1e20}}', 400],
    ['a number below 1E-130', '{"content":{"x":1.5e-200}}', 400],
    ['a number JSON reads as Infinity', '{"content":[1e400]}', 400],
    ['a __proto__ key', '{"content":{"__proto__":{"a":1}}}', 400],
    ['numbers DynamoDB does hold', '{"content":{"x":9007199254740991,"y":1e-100,"z":-0.5}}', 200],
  ];
  it.each(cases.map(([name, body, status]) => [`a draft ${name} → ${status}`, body, status] as const))(
    '%s',
    async (_name, body, status) => {
      const before = await stack.deps.store.getDraft('daxing-kw', 2030);
      const revision = before === undefined ? {} : { revision: before.revision };
      const raw = status === 200 ? JSON.stringify({ ...JSON.parse(body), ...revision }) : body;
      const reply = await send(stack.url, people.officer, 'PUT', DRAFT, { raw, contentType: 'application/json' });
      expect(reply.status, reply.text.slice(0, 300)).toBe(status);
      if (status !== 200) expect(await stack.deps.store.getDraft('daxing-kw', 2030)).toEqual(before);
    },
  );

  it.each([
    ['POST', '/api/reports', 'report'],
    ['PUT', `/api/reports/${REPORT_ID}`, 'report'],
    ['POST', '/api/reports/validate', 'report'],
    ['POST', '/api/reports/validate', 'previous'],
    ['POST', '/api/auth/code', 'email'],
  ] as const)('%s %s with %s nested 120,000 levels (and 40,000 of objects) → refused, not a 500', async (method, path, field) => {
    const before = await stack.deps.store.listEvents(REPORT_ID);
    for (const nesting of [deep(120_000, 'array'), deep(40_000, 'object')]) {
      const raw = field === 'previous' ? `{"report":{},"previous":${nesting}}` : `{"${field}":${nesting}}`;
      expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(MAX_BODY_BYTES);
      const reply = await send(stack.url, people.officer, method, path, { raw, contentType: 'application/json' });
      // validation answers 200 with its findings (it stores nothing); everything else refuses
      if (path === '/api/reports/validate') expect(reply.body, reply.text.slice(0, 300)).toMatchObject({ valid: false });
      else expect(reply.status, reply.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
    }
    expect(await stack.deps.store.listEvents(REPORT_ID)).toEqual(before);
  });
});

describe("the local server's own paths (infra/local/http-server.ts, not in routes.ts)", () => {
  it('GET /site/ with a malformed percent-escape answers 4xx, not 500', async () => {
    for (const path of ['/site/%E0%A4%A', '/site/%']) expect((await send(stack.url, undefined, 'GET', path)).status).toBeLessThan(500);
  });
  it('the other local paths never answer 5xx', async () => {
    for (const path of [
      '/site/..%2F..%2Fmaster-secret',
      '/site/a/../../outbox.json',
      '/_local/outbox.json?x=%',
      '/healthz/%',
      '/site',
      '/site/reports/%2e%2e/index.html',
    ]) {
      expect((await send(stack.url, undefined, 'GET', path)).status, path).toBeLessThan(500);
    }
  });
});

/** the local server refused the path itself, before reading the body */
const badPath = (reply: Reply): boolean => reply.status === 400 && JSON.stringify(reply.body).includes('"BAD_PATH"');

const summary: string[] = [];
let resets = 0;

describe(`${RUNS} random and malformed requests per route (seed ${SEED})`, () => {
  it.each(ROUTES.map((route, i) => [`${route.method} ${route.path}`, route, i] as const))(
    '%s: never a 5xx, nothing changed but what was accepted',
    async (_name, route, i) => {
      const attempts = fc.sample(attemptArbitrary(route), { numRuns: RUNS, seed: SEED + i });
      const before = await core();
      const draftsBefore = await drafts();
      const started = Date.now();
      const outcomes = await pool(attempts, POOL, (attempt) => run(route, attempt));
      const ms = Date.now() - started;

      // over the limit: 413 (404 first when no route matches, 400 BAD_PATH first when the path's escapes do not decode),
      // or (the local server's way) the connection reset before the answer was read
      const resetOversize = outcomes.filter(
        (outcome) => outcome.oversize && outcome.reply === undefined && /ECONNRESET|EPIPE|socket hang up/.test(outcome.error ?? ''),
      );
      const failures = outcomes.filter(
        (outcome) =>
          !resetOversize.includes(outcome) &&
          (outcome.reply === undefined ||
            outcome.reply.status >= 500 ||
            (outcome.oversize && outcome.reply.status !== 413 && outcome.reply.status !== 404 && !badPath(outcome.reply))),
      );
      if (process.env['FAULTS_FUZZ_DUMP'] !== undefined && failures.length > 0)
        appendFileSync(process.env['FAULTS_FUZZ_DUMP'], `${failures.map(describeAttempt).join('\n')}\n`);
      expect(failures.slice(0, 10).map(describeAttempt), `${failures.length} of ${RUNS} failed`).toEqual([]);

      // nothing but drafts may change, and a draft only to what an accepted save sent; an accepted resend of the
      // review in progress (its id is among the path parameters tried) emails its link again and notes when
      const resent = outcomes.filter(
        (outcome) => route.function === 'my-tasks' && route.method === 'POST' && outcome.reply?.status === 200,
      ).length;
      const after = await core();
      if (resent > 0) {
        expect(resent).toBeLessThanOrEqual(3);
        expect(after.review?.resentAt).toHaveLength(resent);
        expect(after.workflowEmails).toBe(before.workflowEmails + resent);
      }
      const { resentAt: _at, lastResentAt: _last, ...reviewAfter } = { ...after.review, lastResentAt: undefined };
      const { resentAt: _before, lastResentAt: _lastBefore, ...reviewBefore } = { ...before.review, lastResentAt: undefined };
      expect({ ...after, review: reviewAfter, workflowEmails: after.workflowEmails - resent }).toEqual({ ...before, review: reviewBefore });
      const accepted = outcomes
        .filter((outcome) => route.function === 'save-draft' && outcome.reply?.status === 200)
        .map((outcome) => outcome.reply?.body as { agencyId: string; year: number; revision: number });
      const draftsAfter = await drafts();
      for (const [key, draft] of Object.entries(draftsAfter)) {
        if (JSON.stringify(draft) === JSON.stringify(draftsBefore[key])) continue;
        const saved = accepted.find(
          (body) => `${body.agencyId}/${body.year}` === key && body.revision === (draft as { revision: number }).revision,
        );
        expect(saved, `the draft ${key} changed without an accepted save`).toEqual(draft);
      }
      for (const key of Object.keys(draftsBefore)) expect(draftsAfter[key], `the draft ${key} disappeared`).toBeDefined();
      if (route.function !== 'save-draft') expect(draftsAfter).toEqual(draftsBefore);

      const statuses = new Map<number, number>();
      for (const outcome of outcomes) if (outcome.reply) statuses.set(outcome.reply.status, (statuses.get(outcome.reply.status) ?? 0) + 1);
      resets += resetOversize.length;
      summary.push(
        `${`${route.method} ${route.path}`.padEnd(34)} ${String(ms).padStart(6)} ms  ${[...statuses]
          .sort(([a], [b]) => a - b)
          .map(([status, count]) => `${status}×${count}`)
          .join(' ')}${resetOversize.length === 0 ? '' : ` reset×${resetOversize.length}`}`,
      );
    },
    240_000,
  );

  it('the report in review still decides afterwards', async () => {
    const reply = await send(stack.url, people.director, 'POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
      json: { sig: link.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
    });
    expect(reply.status).toBe(200);
    console.info(
      `[faults] fuzz (seed ${SEED}, ${RUNS} requests per route, pool ${POOL}; ${resets} bodies over 256 KiB answered by a reset instead of 413):\n  ${summary.join('\n  ')}`,
    );
  }, 60_000);
});
