import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { FUNCTION_NAMES, type FunctionName } from '#infra/function-needs.js';
import { addNianbaoStacks } from '#infra/nianbao-app.js';
import { PROJECT_ROOT } from '#infra/project-function.js';
import { GSI1 } from '#shared/store/table.js';
import { renderReportHtml, renderReportJson } from '#shared/report/render.js';
import { parseReport } from '#shared/report/schema.js';
import { FOUR_STEP_CHAIN } from '../test/support/chains.js';
import type { Benchmark, BenchmarkResult, Target } from './run.js';
import {
  benchAgencies,
  Client,
  executionHistory,
  reportIdOf,
  reportOf,
  seedAgencies,
  signIn,
  startBenchStack,
  type BenchStack,
} from './support/stack.js';
import { integer, marginUnder, sleep, sum } from './support/stats.js';

const REFERENCE_REPORT_FOR_COST: unknown = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'daxing-kw-2020.beijing-2019.json'), 'utf8'),
);

/**
 * What one published report costs on AWS, from a real local run of one report: every billable request counted as
 * it happened on the local stack, then priced with public list prices.
 */

// ------------------------------------------------------------------------------------------------------ prices

/**
 * Public on-demand list prices, region us-east-1 (N. Virginia), in USD, as published on the AWS pricing pages and
 * known to the author in mid-2025; no free tier, no volume tiers beyond the first. Check them before relying on them.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: 'mid-2025 (AWS public pricing pages; DynamoDB on-demand after the 1 Nov 2024 price cut)',
  /** Step Functions Standard: $0.025 per 1,000 state transitions */
  stateTransition: 0.025 / 1_000,
  /** Lambda, arm64: $0.0000133334 per GB-second (first 7.5 billion GB-s a month) */
  lambdaGbSecondArm: 0.0000133334,
  /** Lambda: $0.20 per 1 million requests */
  lambdaRequest: 0.2 / 1_000_000,
  /**
   * DynamoDB on-demand: $0.625 per million write request units and $0.125 per million read request units. These are
   * the prices since 1 Nov 2024, when on-demand throughput was cut by 50 % (before: $1.25 and $0.25 per million).
   */
  dynamoWru: 0.625 / 1_000_000,
  dynamoRru: 0.125 / 1_000_000,
  /** S3 Standard: PUT, COPY, POST, LIST $0.005 per 1,000; GET and all other requests $0.0004 per 1,000 */
  s3Put: 0.005 / 1_000,
  s3Get: 0.0004 / 1_000,
  /** SES outbound email: $0.10 per 1,000 messages (no attachments) */
  sesMessage: 0.1 / 1_000,
  /** API Gateway HTTP API: $1.00 per million requests (first 300 million a month; each 512 KB counts as one) */
  httpApiRequest: 1 / 1_000_000,
} as const;

/** dollars with two decimals, or three significant digits below a cent (never in exponent notation) */
const usd = (value: number) =>
  value === 0 ? '$0' : value >= 0.01 ? `$${value.toFixed(2)}` : `$${value.toFixed(2 - Math.floor(Math.log10(value)))}`;

// ------------------------------------------------------------------------------------------------------ DynamoDB

/** DynamoDB's size of one attribute value (plain JavaScript, as the document client reads and writes them). */
function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/^-/, '').replace('.', '').replace(/e.*$/i, '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return sum([...value].map(valueSize));
  if (Array.isArray(value)) return 3 + sum(value.map((item) => 1 + valueSize(item)));
  if (typeof value === 'object') {
    return (
      3 +
      sum(
        Object.entries(value)
          .filter(([, item]) => item !== undefined)
          .map(([key, item]) => 1 + Buffer.byteLength(key, 'utf8') + valueSize(item)),
      )
    );
  }
  return 0;
}

/** An item's size as DynamoDB bills it: attribute names plus values. */
export function itemSize(item: Record<string, unknown> | undefined): number {
  if (item === undefined) return 0;
  return sum(
    Object.entries(item)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => Buffer.byteLength(name, 'utf8') + valueSize(value)),
  );
}

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
const inGsi = (item: Record<string, unknown> | undefined) =>
  item !== undefined && typeof item[GSI1.partitionKey] === 'string' && typeof item[GSI1.sortKey] === 'string';

interface DynamoTally {
  calls: number;
  failedConditions: number;
  wru: number;
  gsiWru: number;
  rru: number;
  /** what dynalite itself reported (ReturnConsumedCapacity TOTAL: the table only, no index) */
  dynaliteUnits: number;
}

type Input = Record<string, unknown> & { Item?: Record<string, unknown>; ConsistentRead?: boolean; IndexName?: string };
type Output = {
  Item?: Record<string, unknown>;
  Items?: Record<string, unknown>[];
  Attributes?: Record<string, unknown>;
  ConsumedCapacity?: { CapacityUnits?: number };
};

/**
 * Counts every command the store sends, with its request units: 1 WRU per started KB written (the item as written,
 * or as returned by ALL_NEW; a failed condition still costs the attempt), plus the same again for gsi1 when the item
 * carries its keys (ALL projection); 1 RRU per started 4 KB read strongly consistently (half for gsi1 queries, which
 * are eventually consistent), a Query page by the total size it returned, a miss as one unit.
 */
function countDynamo(client: DynamoDBDocumentClient, tallies: Map<string, DynamoTally>, counting: () => boolean): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!counting()) return next(args);
      const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = args.input as Input;
      input['ReturnConsumedCapacity'] = 'TOTAL';
      const tally = tallies.get(command) ?? { calls: 0, failedConditions: 0, wru: 0, gsiWru: 0, rru: 0, dynaliteUnits: 0 };
      tallies.set(command, tally);
      tally.calls += 1;
      try {
        const result = await next(args);
        const output = result.output as Output;
        tally.dynaliteUnits += output.ConsumedCapacity?.CapacityUnits ?? 0;
        if (command === 'PutItem') {
          tally.wru += writeUnits(itemSize(input.Item));
          if (inGsi(input.Item)) tally.gsiWru += writeUnits(itemSize(input.Item));
        } else if (command === 'UpdateItem') {
          tally.wru += writeUnits(itemSize(output.Attributes));
          if (inGsi(output.Attributes)) tally.gsiWru += writeUnits(itemSize(output.Attributes));
        } else if (command === 'DeleteItem') {
          tally.wru += 1;
        } else if (command === 'GetItem') {
          tally.rru += readUnits(itemSize(output.Item), input.ConsistentRead === true);
        } else if (command === 'Query') {
          tally.rru += readUnits(sum((output.Items ?? []).map(itemSize)), input.ConsistentRead === true && input.IndexName === undefined);
        }
        return result;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
          tally.failedConditions += 1;
          tally.wru += command === 'PutItem' ? writeUnits(itemSize(input.Item)) : 1;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'benchRequestUnits', override: true },
  );
}

function countS3(client: S3Client, counts: Map<string, number>, counting: () => boolean): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (counting()) {
        const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        counts.set(command, (counts.get(command) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchS3Requests', override: true },
  );
}

// ------------------------------------------------------------------------------------------------------ Lambda

/** Memory per function as the CDK app configures it (the stateless stack synthesized without bundling). */
function configuredMemory(): Map<FunctionName, { memoryMb: number; architecture: string }> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nianbao-bench-cdk-'));
  try {
    const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const { stateless } = addNianbaoStacks(app);
    return new Map(
      FUNCTION_NAMES.map((name) => {
        const cfn = stateless.functions[name].node.defaultChild as CfnFunction;
        return [name, { memoryMb: Number(cfn.memorySize ?? 128), architecture: (cfn.architectures ?? ['x86_64']).join(',') }];
      }),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const TASK_STATES: Readonly<Record<string, FunctionName>> = {
  Review: 'request-review',
  CoSignReview: 'request-review',
  OfficerRevision: 'request-revision',
  Publish: 'publish-report',
};

// ------------------------------------------------------------------------------------------------------ the run

interface Counted {
  readonly apiRequests: string[];
  readonly dynamo: Map<string, DynamoTally>;
  readonly s3: Map<string, number>;
  readonly emails: string[];
  readonly history: HistoryEvent[];
  /** per function: billed durations (ms, rounded up) of each invocation */
  readonly invocations: Map<FunctionName, number[]>;
  /** the states a report of the four-step chain (two co-signers) entered */
  readonly fourStep: string[];
}

/** Transitions per report the workflow must stay within: today's 6 for the default chain, 15 for four steps with a two-person 会签. */
export const TRANSITION_LIMITS = { defaultChain: 6, fourStep: 15 } as const;

/** A client whose API requests are written down (the HTTP API bills each). */
class CountingClient extends Client {
  constructor(
    baseUrl: string,
    email: string,
    private readonly requests: string[],
  ) {
    super(baseUrl, email);
  }
  override json(method: string, requestPath: string, body?: unknown) {
    this.requests.push(`${method} ${(requestPath.split('?')[0] ?? requestPath).replace(/\/reviews\/[^/]+/, '/reviews/{id}')}`);
    return super.json(method, requestPath, body);
  }
}

async function signInCounted(stack: BenchStack, email: string, requests: string[]): Promise<Client> {
  // the same steps as signIn(), through a client that writes its requests down
  const client = new CountingClient(stack.url, email, requests);
  const from = stack.mail.items.length;
  if ((await client.json('POST', '/api/auth/code', { email })).status !== 202) throw new Error(`code request for ${email} failed`);
  const mail = await stack.mail.next((m) => m.to === email && m.subject.includes('验证码'), `the code for ${email}`, 30_000, from);
  const code = /\b(\d{6})\b/.exec(mail.value.text)?.[1] ?? '';
  if ((await client.json('POST', '/api/auth/session', { email, code })).status !== 204) throw new Error(`sign-in of ${email} failed`);
  return client;
}

async function approve(
  stack: BenchStack,
  to: string,
  from: number,
  requests: string[],
  director: boolean,
  signIn = signInCounted,
): Promise<void> {
  const mail = await stack.mail.next(
    (m) => m.to === to && /请(审核|会签|签发)：/.test(m.subject),
    `the review email to ${to}`,
    30_000,
    from,
  );
  const link = new URL(mail.value.links.find((candidate) => candidate.includes('/reviews/')) ?? '');
  const approver = new CountingClient(stack.url, to, requests);
  // the approver opens the link (the review page), signs in, decides
  const page = await approver.json('GET', `${link.pathname}${link.search}`);
  if (page.status !== 200) throw new Error(`the review page for ${to} answered ${page.status}`);
  const signedIn = await signIn(stack, to, requests);
  const reviewId = decodeURIComponent(link.pathname.split('/')[2] ?? '');
  const decided = await signedIn.json('POST', `/api/reviews/${encodeURIComponent(reviewId)}/decision`, {
    sig: link.searchParams.get('sig') ?? '',
    outcome: 'approve',
    comment: director ? '' : '同意公开。',
    confidentialityReviewed: director,
  });
  if (decided.status !== 200) throw new Error(`the decision of ${to} answered ${decided.status}`);
}

async function countOneReport(stack: BenchStack): Promise<Counted> {
  const [agency] = benchAgencies('bench-cost', 1);
  if (!agency) throw new Error('no agency');
  await seedAgencies(stack, [agency]);
  // one report first (not counted), so that the run counted is a warm one and nothing is created for the first time
  const [warmAgency] = benchAgencies('bench-cost-warm', 1);
  if (!warmAgency) throw new Error('no agency');
  await seedAgencies(stack, [warmAgency]);
  {
    const officer = await signIn(stack, warmAgency.officer);
    const from = stack.mail.items.length;
    await officer.json('POST', '/api/reports', { report: reportOf(warmAgency) });
    await approve(stack, warmAgency.director, from, [], true);
    await approve(stack, warmAgency.leader, from, [], false);
    await stack.commits.next(
      (event) => event.reportId === reportIdOf(warmAgency) && event.type === 'published',
      'the warm-up publication',
      30_000,
    );
    await waitSucceeded(stack, `${reportIdOf(warmAgency)}-r1`);
  }

  let counting = false;
  const dynamo = new Map<string, DynamoTally>();
  const s3 = new Map<string, number>();
  const storeClient = (stack.deps.store as unknown as { client: DynamoDBDocumentClient }).client;
  countDynamo(storeClient, dynamo, () => counting);
  const siteClient = (stack.deps.site as unknown as { client?: S3Client }).client;
  if (siteClient === undefined) throw new Error('the site adapter has no S3 client to count');
  countS3(siteClient, s3, () => counting);
  const requests: string[] = [];
  const mailFrom = stack.mail.items.length;
  const logFrom = stack.logs.length;

  counting = true;
  const officer = await signInCounted(stack, agency.officer, requests);
  const submitted = await officer.json('POST', '/api/reports', { report: reportOf(agency) });
  if (submitted.status !== 201) throw new Error(`submit answered ${submitted.status}`);
  await approve(stack, agency.director, mailFrom, requests, true);
  await approve(stack, agency.leader, mailFrom, requests, false);
  const execution = `${reportIdOf(agency)}-r1`;
  await waitSucceeded(stack, execution);
  // the site-index writer's PUTs for this report come a moment after Publish
  await stack.indexes.idle();
  counting = false;

  const history = await executionHistory(stack, execution);

  // Lambda invocations: the HTTP handlers log their route and duration; a task handler logs when it ends, and the
  // execution history says when the engine invoked it (TaskStarted), in the same order
  const logs = stack.logs.slice(logFrom);
  const invocations = new Map<FunctionName, number[]>();
  const add = (name: FunctionName, billedMs: number) => invocations.set(name, [...(invocations.get(name) ?? []), billedMs]);
  for (const line of logs) {
    if (line.message === 'http') add(line.details['route'] as FunctionName, Math.max(1, Math.ceil(Number(line.details['ms']))));
  }
  const taskEnds = logs.filter((line) => line.message === 'task');
  let state = '';
  for (const event of history) {
    state = event.stateEnteredEventDetails?.name ?? state;
    if (event.type !== 'TaskStarted') continue;
    const fn = TASK_STATES[state];
    if (fn === undefined) throw new Error(`no function for task state ${state}`);
    const started = event.timestamp?.getTime() ?? Number.NaN;
    const end = taskEnds.findIndex((line) => line.details['task'] === fn && line.epochMs >= started);
    if (end < 0) throw new Error(`no end logged for ${fn} started at ${started}`);
    const [line] = taskEnds.splice(end, 1);
    add(fn, Math.max(1, Math.ceil((line?.epochMs ?? started) - started)));
  }
  const emails = stack.mail.items.slice(mailFrom).map((entry) => entry.value.subject.replace(/：.*/, ''));
  return { apiRequests: requests, dynamo, s3, emails, history, invocations, fourStep: await fourStepTransitions(stack) };
}

/** The same report through the four-step chain (not priced): the states its execution entered. */
async function fourStepTransitions(stack: BenchStack): Promise<string[]> {
  const [agency] = benchAgencies('bench-cost-four', 1, FOUR_STEP_CHAIN);
  if (!agency) throw new Error('no agency');
  await seedAgencies(stack, [agency]);
  const officer = await signIn(stack, agency.officer);
  const from = stack.mail.items.length;
  if ((await officer.json('POST', '/api/reports', { report: reportOf(agency) })).status !== 201)
    throw new Error('the four-step submission failed');
  const uncounted = (s: BenchStack, email: string) => signIn(s, email);
  for (const approver of agency.approvers) await approve(stack, approver.email, from, [], approver.confidentiality, uncounted);
  const execution = `${reportIdOf(agency)}-r1`;
  await waitSucceeded(stack, execution);
  const history = await executionHistory(stack, execution);
  return history.flatMap((event) =>
    event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : [],
  );
}

async function waitSucceeded(stack: BenchStack, execution: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = (await stack.deps.workflow.describe(execution))?.status;
    if (status === 'SUCCEEDED') return;
    if (status !== undefined && status !== 'RUNNING') throw new Error(`${execution} ended ${status}`);
    if (Date.now() > deadline) throw new Error(`${execution} still ${status ?? 'not started'} after 30 s`);
    await sleep(20);
  }
}

export const costPerReport: Benchmark = {
  id: 'cost-per-report',
  title: 'Cost per published report on AWS (counted on the local stack, us-east-1 list prices)',
  method: [
    'A fresh local stack; one report first (not counted, so nothing is done for the first time), then one report counted: the officer signs ' +
      'in (code by email) and submits; the director opens the review link (GET /reviews/{id}), signs in and approves; the leader the same; ' +
      'Publish. Counting stops when the execution has SUCCEEDED. Pages a browser would also load (/, /login, /assets/*) are not in the script. ' +
      'Then, not priced: one report of an agency whose chain has four steps (科室负责人审核 → 办公室主任审核 → 法制会签 by two people → 主管领导签发), ' +
      'approved by each in turn, and the states its execution entered counted the same way.',
    "Step Functions: StateEntered events of the execution's GetExecutionHistory (AWS bills each state transition). Lambda: one invocation per " +
      "HTTP handler log line (its route and measured duration) and per task the engine invoked (from TaskStarted in the history to the task's " +
      'log line); each duration rounded up to 1 ms × the memory the CDK app configures for that function (read from the synthesized stack), ' +
      "arm64. Durations are this machine's, against dynalite and s3rver on localhost, warm (no INIT).",
    "DynamoDB: an SDK middleware on the store's client counts every command and its request units from item sizes (attribute names + values): " +
      '1 WRU per started KB written (plus the same for gsi1, ALL projection, when the item has its keys; a failed condition still costs the ' +
      'attempt), 1 RRU per started 4 KB read strongly consistently, half for eventually consistent gsi1 queries, a Query page by the size it ' +
      "returned. dynalite's own ConsumedCapacity (table only) is shown beside it as a check.",
    'S3: commands on the site client (PUT). SES: messages the outbox received. HTTP API: the requests of the script (each reaches one Lambda).',
    `Prices: ${PRICES.region}, ${PRICES.asOf}, in bench/cost-per-report.ts: Step Functions Standard $0.025 per 1,000 transitions; Lambda arm64 ` +
      '$0.0000133334 per GB-s and $0.20 per million requests; DynamoDB on-demand $0.625 per million WRU and $0.125 per million RRU (the ' +
      'prices since the 50 % cut of 1 Nov 2024; before: $1.25 and $0.25); S3 PUT $0.005 and GET $0.0004 per 1,000; SES $0.10 per 1,000 emails; ' +
      'HTTP API $1.00 per million requests. No free tier.',
  ],
  async run(log): Promise<BenchmarkResult> {
    const memory = configuredMemory();
    const stack = await startBenchStack();
    let counted: Counted;
    try {
      counted = await countOneReport(stack);
    } finally {
      await stack.dispose();
    }
    const { apiRequests, dynamo, s3, emails, history, invocations, fourStep } = counted;
    log(`${apiRequests.length} API requests, ${sum([...dynamo.values()].map((t) => t.calls))} DynamoDB commands, ${emails.length} emails`);

    const rows: string[][] = [];
    let total = 0;
    const byService = new Map<string, number>();
    const line = (service: string, item: string, quantity: string, cost: number) => {
      total += cost;
      byService.set(service, (byService.get(service) ?? 0) + cost);
      rows.push([service, item, quantity, usd(cost), usd(cost * 100_000)]);
    };

    const entered = history.filter((event) => event.type?.endsWith('StateEntered'));
    line(
      'Step Functions (Standard)',
      `state transitions: ${entered.map((event) => event.stateEnteredEventDetails?.name).join(' → ')}`,
      String(entered.length),
      entered.length * PRICES.stateTransition,
    );

    let gbSeconds = 0;
    let lambdaRequests = 0;
    for (const name of FUNCTION_NAMES) {
      const durations = invocations.get(name);
      if (durations === undefined) continue;
      const config = memory.get(name);
      if (!config) throw new Error(`no memory configured for ${name}`);
      const gbs = (sum(durations) / 1000) * (config.memoryMb / 1024);
      gbSeconds += gbs;
      lambdaRequests += durations.length;
      line(
        'Lambda (arm64)',
        `${name}: ${durations.length} × (${durations.map((d) => `${d} ms`).join(', ')}) at ${config.memoryMb} MB${config.architecture === 'arm64' ? '' : ` (${config.architecture}!)`}`,
        `${durations.length} req, ${gbs.toFixed(3)} GB-s`,
        gbs * PRICES.lambdaGbSecondArm + durations.length * PRICES.lambdaRequest,
      );
    }

    const tallies = [...dynamo.entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const [command, tally] of tallies) {
      const wru = tally.wru + tally.gsiWru;
      line(
        'DynamoDB (on-demand)',
        `${command} × ${tally.calls}${tally.failedConditions > 0 ? ` (${tally.failedConditions} failed conditions)` : ''}: ` +
          (wru > 0 ? `${tally.wru} WRU table + ${tally.gsiWru} WRU gsi1` : `${tally.rru} RRU`) +
          ` (dynalite: ${tally.dynaliteUnits} units, table only)`,
        wru > 0 ? `${wru} WRU` : `${tally.rru} RRU`,
        wru * PRICES.dynamoWru + tally.rru * PRICES.dynamoRru,
      );
    }
    const puts = s3.get('PutObject') ?? 0;
    const gets = s3.get('GetObject') ?? 0;
    const otherS3 = [...s3].filter(([command]) => command !== 'PutObject' && command !== 'GetObject');
    line(
      'S3',
      `PutObject × ${puts}, GetObject × ${gets}${otherS3.length > 0 ? `, ${otherS3.map(([c, n]) => `${c} × ${n}`).join(', ')}` : ''}`,
      `${puts + gets + sum(otherS3.map(([, n]) => n))} requests`,
      puts * PRICES.s3Put + (gets + sum(otherS3.map(([, n]) => n))) * PRICES.s3Get,
    );
    const kinds = [...emails.reduce((counts, subject) => counts.set(subject, (counts.get(subject) ?? 0) + 1), new Map<string, number>())];
    line(
      'SES',
      kinds.map(([subject, n]) => `${subject} × ${n}`).join(', '),
      `${emails.length} messages`,
      emails.length * PRICES.sesMessage,
    );
    const routes = [
      ...apiRequests.reduce((counts, request) => counts.set(request, (counts.get(request) ?? 0) + 1), new Map<string, number>()),
    ];
    line(
      'API Gateway (HTTP API)',
      routes.map(([route, n]) => `${route} × ${n}`).join(', '),
      `${apiRequests.length} requests`,
      apiRequests.length * PRICES.httpApiRequest,
    );
    rows.push(['**Total**', '', '', `**${usd(total)}**`, `**${usd(total * 100_000)}**`]);

    const totalWru = sum(tallies.map(([, t]) => t.wru + t.gsiWru));
    const totalRru = sum(tallies.map(([, t]) => t.rru));
    const httpInvocations = sum([...invocations].filter(([name]) => !Object.values(TASK_STATES).includes(name)).map(([, d]) => d.length));
    return {
      columns: ['Service', 'What was counted', 'Quantity', 'Per report', 'Per 100,000 reports'],
      rows,
      targets: [
        {
          name: 'state transitions per report, default chain (办公室主任审核 → 主管领导签发)',
          target: `≤ ${TRANSITION_LIMITS.defaultChain}`,
          measured: String(entered.length),
          pass: entered.length <= TRANSITION_LIMITS.defaultChain,
          margin: `${TRANSITION_LIMITS.defaultChain - entered.length}`,
        },
        {
          name: 'state transitions per report, four steps with a two-person 会签',
          target: `≤ ${TRANSITION_LIMITS.fourStep}`,
          measured: `${fourStep.length} (${fourStep.join(' → ')})`,
          pass: fourStep.length <= TRANSITION_LIMITS.fourStep,
          margin: `${TRANSITION_LIMITS.fourStep - fourStep.length}`,
        },
        {
          name: `cost per published report on AWS (${PRICES.region} list prices)`,
          target: 'no target',
          measured: `${usd(total)} per report; ${usd(total * 100_000)} per 100,000`,
          pass: undefined,
          margin: '—',
        },
      ],
      notes: [
        `Per report: ${usd(total)}; per 100,000 reports: ${usd(total * 100_000)}. Shares: ${[...byService]
          .sort(([, a], [, b]) => b - a)
          .map(([service, cost]) => `${service} ${((cost / total) * 100).toFixed(0)} %`)
          .join(', ')}.`,
        `Counted: ${entered.length} state transitions; ${lambdaRequests} Lambda invocations (${httpInvocations} behind the ${apiRequests.length} API requests), ` +
          `${gbSeconds.toFixed(3)} GB-s; ${integer(sum(tallies.map(([, t]) => t.calls)))} DynamoDB commands, ${totalWru} WRU and ${totalRru} RRU; ${puts} S3 PUTs; ${emails.length} emails.`,
        "Not included: the site-index writer's invocation and its SQS FIFO messages (one rebuild per batch of up to ten " +
          'publications: well under $0.000001 a report; its index PUTs are counted under S3), CloudWatch Logs ingestion ($0.50/GB; a few lines per invocation), the INIT duration of cold starts (billed ' +
          'since 1 Aug 2025 for managed runtimes; see the bundle benchmark for what loading a handler costs), Secrets Manager calls at cold ' +
          "start, CloudFront and data transfer for readers, storage, the browser's page and asset loads.",
      ],
    };
  },
};

// ------------------------------------------------------------------------------------------------------ idle stage

/**
 * Monthly list prices of what a deployed stage costs while nobody uses it (us-east-1, as PRICES above). Request-priced
 * services (Lambda, Step Functions, API Gateway, SQS, SES, DynamoDB on-demand throughput) cost nothing idle.
 */
export const IDLE_PRICES = {
  /** a customer managed KMS key: $1.00 a month (rotation included for symmetric keys after the first year's change) */
  kmsKey: 1,
  /** a Secrets Manager secret: $0.40 a month */
  secret: 0.4,
  /** a standard-resolution CloudWatch alarm on one metric: $0.10 a month */
  alarm: 0.1,
  /** CloudWatch Logs storage: $0.03 per GB-month (ingestion $0.50/GB is usage, not idle) */
  logStorageGb: 0.03,
  /** DynamoDB Standard table storage: $0.25 per GB-month (the first 25 GB are free; not counted here) */
  dynamoStorageGb: 0.25,
  /** DynamoDB point-in-time recovery: $0.20 per GB-month of table size */
  pitrGb: 0.2,
  /** S3 Standard storage: $0.023 per GB-month */
  s3StorageGb: 0.023,
  /** CloudFront: no fixed monthly charge (requests and transfer only) */
  cloudFront: 0,
  /** AWS WAF: $5.00 per web ACL a month plus $1.00 per rule a month */
  wafWebAcl: 5,
  wafRule: 1,
} as const;

const IDLE_TARGET_USD = 5;
/** a district: 60 agencies, five years of reports each */
const DISTRICT_AGENCIES = 60;
const DISTRICT_YEARS = 5;
/** what one published report keeps besides its JSON (events, head, reviews, pointers, the published entry), a generous allowance */
const OTHER_ITEM_BYTES_PER_REPORT = 16 * 1024;
/** logs a published report leaves (about 15 invocations: handler lines, Lambda's START/END/REPORT, API access and workflow logs) */
const LOG_BYTES_PER_REPORT = 40 * 1024;

type TemplateResources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** what an alarm is billed for: the metrics it reads (one, or each metric of its math expression) */
function metricsRead(alarm: TemplateResources[string]): number {
  const metrics: unknown = alarm.Properties?.['Metrics'];
  if (!Array.isArray(metrics)) return 1;
  return metrics.filter((query: unknown) => typeof query === 'object' && query !== null && 'MetricStat' in query).length;
}

function prodTemplates(): TemplateResources {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nianbao-bench-idle-'));
  try {
    const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    const app = new App({
      outdir,
      context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], stage: 'prod', alarmEmail: 'alarms@example.gov.cn' },
    });
    const stacks = addNianbaoStacks(app);
    const assembly = app.synth();
    const resources: TemplateResources = {};
    // the edge stack too: the web ACL (and its rules) is the largest fixed charge of a stage
    for (const stack of [stacks.stateful, stacks.stateless, ...(stacks.edge === undefined ? [] : [stacks.edge])]) {
      const template = JSON.parse(readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8')) as {
        Resources?: TemplateResources;
      };
      for (const [id, resource] of Object.entries(template.Resources ?? {})) resources[`${stack.stackName}/${id}`] = resource;
    }
    return resources;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export const idleCost: Benchmark = {
  id: 'idle-cost',
  title: 'Cost of a deployed stage nobody uses (prod, from the synthesized templates, us-east-1 list prices)',
  method: [
    'The prod stacks synthesized (no bundling: stateful, stateless and the us-east-1 edge stack with the web ACL); every resource with a monthly charge that does not depend on use is counted from the templates: ' +
      'customer managed KMS keys, Secrets Manager secrets, CloudWatch alarms, CloudFront distributions, WAF web ACLs and their rules.',
    `Storage for a district of ${DISTRICT_AGENCIES} agencies with ${DISTRICT_YEARS} years of reports each (${DISTRICT_AGENCIES * DISTRICT_YEARS} reports): ` +
      "the reference report's canonical JSON twice in DynamoDB (the version and the draft) plus an allowance of 16 KiB of other items per report, " +
      'kept with PITR; in S3 its page and ' +
      'report.json as Publish renders them (the bucket is versioned: one version each); CloudWatch Logs: 40 KiB per report for the retention of the stage ' +
      '(prod: a year, so one year of reports), whatever the retention of each group.',
    'Prices (us-east-1): KMS key $1.00/month; secret $0.40/month; alarm $0.10/month per metric it reads (an alarm on a metric math expression ' +
      'is billed for each metric in it); CloudFront no fixed charge; WAF $5.00 per web ACL and $1.00 per rule a ' +
      'month; storage per GB-month: DynamoDB $0.25, PITR $0.20, S3 $0.023, Logs $0.03. The free tiers (10 alarm metrics, 25 GB of DynamoDB) are ignored.',
    `Target: ≤ $${IDLE_TARGET_USD} a month for prod.`,
  ],
  async run(log): Promise<BenchmarkResult> {
    const resources = Object.values(prodTemplates());
    const ofType = (type: string) => resources.filter((resource) => resource.Type === type);
    const keys = ofType('AWS::KMS::Key');
    const secrets = ofType('AWS::SecretsManager::Secret');
    const alarms = ofType('AWS::CloudWatch::Alarm');
    const alarmMetrics = sum(alarms.map(metricsRead));
    const distributions = ofType('AWS::CloudFront::Distribution');
    const webAcls = ofType('AWS::WAFv2::WebACL');
    const wafRules = sum(
      webAcls.map((acl) => {
        const rules: unknown = acl.Properties?.['Rules'];
        return Array.isArray(rules) ? rules.length : 0;
      }),
    );
    const logGroups = ofType('AWS::Logs::LogGroup');
    const tables = ofType('AWS::DynamoDB::Table');
    const pitr = tables.some((table) => JSON.stringify(table.Properties?.['PointInTimeRecoverySpecification'] ?? {}).includes('true'));
    log(
      `${resources.length} resources: ${keys.length} KMS keys, ${secrets.length} secrets, ${alarms.length} alarms, ${webAcls.length} web ACLs`,
    );

    const reports = DISTRICT_AGENCIES * DISTRICT_YEARS;
    const report = parseReport(REFERENCE_REPORT_FOR_COST);
    const json = Buffer.byteLength(renderReportJson(report), 'utf8');
    const page = Buffer.byteLength(renderReportHtml(report), 'utf8');
    const gb = (bytes: number) => bytes / 1024 ** 3;
    const tableBytes = reports * (2 * json + OTHER_ITEM_BYTES_PER_REPORT);
    const s3Bytes = reports * (page + json);
    const logBytes = DISTRICT_AGENCIES * LOG_BYTES_PER_REPORT;

    const rows: string[][] = [];
    let total = 0;
    const line = (item: string, count: string, monthly: number) => {
      total += monthly;
      rows.push([item, count, usd(monthly)]);
    };
    line('KMS customer managed keys', String(keys.length), keys.length * IDLE_PRICES.kmsKey);
    line('Secrets Manager secrets', String(secrets.length), secrets.length * IDLE_PRICES.secret);
    line('CloudWatch alarms (metrics they read)', `${alarms.length} (${alarmMetrics})`, alarmMetrics * IDLE_PRICES.alarm);
    line('CloudFront distributions (no fixed charge)', String(distributions.length), distributions.length * IDLE_PRICES.cloudFront);
    line(
      'WAF web ACLs and rules',
      `${webAcls.length} ACLs, ${wafRules} rules`,
      webAcls.length * IDLE_PRICES.wafWebAcl + wafRules * IDLE_PRICES.wafRule,
    );
    line(
      `DynamoDB table storage, ${reports} reports`,
      `${(tableBytes / 1024 ** 2).toFixed(1)} MiB`,
      gb(tableBytes) * IDLE_PRICES.dynamoStorageGb,
    );
    line(
      'DynamoDB point-in-time recovery',
      pitr ? `on, ${(tableBytes / 1024 ** 2).toFixed(1)} MiB` : 'off',
      pitr ? gb(tableBytes) * IDLE_PRICES.pitrGb : 0,
    );
    line(
      `S3 site storage, ${reports} pages and report.json`,
      `${(s3Bytes / 1024 ** 2).toFixed(1)} MiB`,
      gb(s3Bytes) * IDLE_PRICES.s3StorageGb,
    );
    const logItem = `CloudWatch Logs storage (${logGroups.length} groups), a year of reports`;
    line(logItem, `${(logBytes / 1024 ** 2).toFixed(1)} MiB`, gb(logBytes) * IDLE_PRICES.logStorageGb);
    rows.push(['**Total**', '', `**$${total.toFixed(2)}**`]);
    const targets: Target[] = [
      {
        name: 'idle cost of the prod stage',
        target: `≤ $${IDLE_TARGET_USD}/month`,
        measured: `$${total.toFixed(2)}/month`,
        pass: total <= IDLE_TARGET_USD,
        margin: marginUnder(total, IDLE_TARGET_USD),
      },
    ];
    const waf = webAcls.length * IDLE_PRICES.wafWebAcl + wafRules * IDLE_PRICES.wafRule;
    const rateOnly = IDLE_PRICES.wafWebAcl + 2 * IDLE_PRICES.wafRule;
    const withoutWaf = total - waf;
    const lambdaAlarms = alarms.filter((alarm) => alarm.Properties?.['Namespace'] === 'AWS/Lambda').length;
    const notes = [
      `What costs money idle: ${keys.length} KMS keys ($${(keys.length * IDLE_PRICES.kmsKey).toFixed(2)}: the history's signing key and the alarm topic's key), ` +
        `${secrets.length} secrets ($${(secrets.length * IDLE_PRICES.secret).toFixed(2)}), ${alarms.length} alarms reading ${alarmMetrics} metrics ` +
        `($${(alarmMetrics * IDLE_PRICES.alarm).toFixed(2)}; ${lambdaAlarms} of them each function's errors and throttles) and the web ACL with ` +
        `${wafRules} rules ($${waf.toFixed(2)}); storage for ${reports} reports is a few cents.`,
      `The gap is what the production-readiness work asked for, priced: AWS WAF with per-IP rate limits on sign-in and on everything plus AWS's managed ` +
        `rule groups (the cheapest web ACL keeping just the two rate limits is $${rateOnly.toFixed(2)} a month on its own, over the target by itself), ` +
        `and an errors and a throttles alarm for every function ($${(lambdaAlarms * IDLE_PRICES.alarm).toFixed(2)}). Without the web ACL the stage ` +
        `is $${withoutWaf.toFixed(2)}; without the per-function alarms as well, $${(withoutWaf - lambdaAlarms * IDLE_PRICES.alarm).toFixed(2)}. ` +
        "Both are kept: a stage without per-IP limits would rest on API Gateway's stage throttle alone, which is per stage, not per client.",
    ];
    return { columns: ['Item', 'Count', 'Per month'], rows, targets, notes };
  },
};
