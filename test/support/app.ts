import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  S3Client,
  type S3ClientResolvedConfig,
  type ServiceInputTypes as S3Input,
  type ServiceOutputTypes as S3Output,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  type SFNClientResolvedConfig,
  type ServiceInputTypes as SfnInput,
  type ServiceOutputTypes as SfnOutput,
} from '@aws-sdk/client-sfn';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { OutboxMailer } from '#shared/mail/outbox-mailer.js';
import { AwaitedBackground } from '#shared/runtime/background.js';
import type { AppDeps } from '#shared/runtime/deps.js';
import { seedDemo } from '#shared/runtime/demo-roster.js';
import { SfnWorkflow } from '#shared/sfn/sfn-workflow.js';
import { createDocumentClient } from '#shared/store/document-client.js';
import { DynamoStore } from '#shared/store/dynamo-store.js';
import { FolderAnchors } from '#shared/history/folder-anchors.js';
import { LocalSigner, newSigningKeyPem } from '#shared/history/local-signer.js';
import { withSignedHistory } from '#shared/history/signed-history-store.js';
import type { HistoryKeys } from '#shared/workflow/history-ports.js';
import { S3Site } from '#shared/store/s3-site.js';
import { ensureTable } from '#shared/store/table.js';
import { deriveKeys } from '#shared/workflow/secrets.js';
import { rebuildSiteIndexes } from '#shared/workflow/site-indexes.js';
import { CoalescingIndexQueue } from '#infra/local/coalescing-index-queue.js';
import type { HttpEvent } from '#shared/http/request.js';
import type { HttpResponse } from '#shared/http/response.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TestClock } from './clock.js';
import { createTestDynamoClient, startDynalite, uniqueTableName, type Emulator } from './dynalite.js';

/**
 * The handlers' world for tests: a real DynamoStore on in-process dynalite (a fresh table per app), an in-memory
 * outbox, and Step Functions and S3 behind aws-sdk-client-mock so each test can script their answers and failures.
 */

export const BASE_URL = 'https://nianbao.example.gov.cn';

export { TestClock } from './clock.js';

export interface TestApp {
  readonly deps: AppDeps;
  readonly clock: TestClock;
  readonly outbox: OutboxMailer;
  /** the site-index writer, as the local stack runs it, over `deps.store` and `deps.site` */
  readonly indexes: CoalescingIndexQueue;
  readonly sfn: AwsStub<SfnInput, SfnOutput, SFNClientResolvedConfig>;
  readonly s3: AwsStub<S3Input, S3Output, S3ClientResolvedConfig>;
  /** the history key and the anchor folder behind `deps.store` (an attacker with table access has neither) */
  readonly history: HistoryKeys & { readonly anchorFolder: string };
  /** the raw table behind `deps.store`, for tests that read or tamper with items directly */
  readonly table?: { readonly client: DynamoDBDocumentClient; readonly name: string };
}

let emulator: Emulator | undefined;

/** One dynalite per test file (call in beforeAll/afterAll through these two). */
export async function startEmulator(): Promise<void> {
  emulator = await startDynalite();
}
export async function stopEmulator(): Promise<void> {
  await emulator?.stop();
  emulator = undefined;
}

export async function createTestApp(): Promise<TestApp> {
  if (!emulator) throw new Error('call startEmulator() in beforeAll first');
  const client = createTestDynamoClient(emulator.endpoint);
  const tableName = uniqueTableName('app');
  await ensureTable(client, tableName);
  const documentClient = createDocumentClient(client);
  const clock = new TestClock();
  const signer = new LocalSigner(newSigningKeyPem());
  const anchorFolder = mkdtempSync(join(tmpdir(), 'nianbao-anchors-'));
  const history = { signer, publicKeyPem: () => signer.publicKeyPem(), anchors: new FolderAnchors(anchorFolder, clock), anchorFolder };
  const store = withSignedHistory(new DynamoStore({ client: documentClient, tableName }), history, (error) => {
    throw error;
  });
  await seedDemo(store);
  const outbox = new OutboxMailer({ clock });
  const sfnClient = new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const sfn = mockClient(sfnClient);
  sfn
    .on(StartExecutionCommand)
    .resolves({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:review:x', startDate: new Date() });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn
    .on(DescribeExecutionCommand)
    .resolves({ status: 'RUNNING', startDate: clock.now(), executionArn: 'x', stateMachineArn: 'x', input: '{}' });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [{ id: 1, type: 'ExecutionStarted', timestamp: clock.now() }] });
  const s3Client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const s3 = mockClient(s3Client);
  const site = new S3Site({ client: s3Client, bucket: 'site' });
  const indexes = new CoalescingIndexQueue({ rebuild: (requests) => rebuildSiteIndexes(requests, { store, site }), retryMs: 10 });
  const deps: AppDeps = {
    store,
    clock,
    mailer: outbox,
    workflow: new SfnWorkflow({ client: sfnClient, stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:review' }),
    site,
    indexes,
    keys: deriveKeys(randomBytes(32)),
    history,
    background: new AwaitedBackground(),
    baseUrl: BASE_URL,
    siteBaseUrl: `${BASE_URL}/site/`,
  };
  return { deps, clock, outbox, indexes, sfn, s3, history, table: { client: documentClient, name: tableName } };
}

let requestCounter = 0;

/** An API Gateway payload 2.0 event, as the local server also builds them. */
export function httpEvent(options: {
  method: string;
  path: string;
  body?: unknown;
  form?: Record<string, string>;
  cookie?: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
}): HttpEvent {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  if (options.cookie !== undefined) headers['cookie'] = options.cookie;
  return {
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers,
    ...(body === undefined ? {} : { body }),
    pathParameters: options.pathParameters ?? {},
    requestContext: { requestId: `test-${++requestCounter}`, http: { method: options.method } },
  };
}

export function jsonOf(response: HttpResponse): unknown {
  return JSON.parse(response.body);
}

/** The value of the session cookie a response sets, as `name=value` for the next request's Cookie header. */
export function sessionCookieOf(response: HttpResponse): string {
  const cookie = response.cookies?.find((line) => line.startsWith('nianbao_session='));
  if (!cookie) throw new Error('no session cookie in the response');
  return cookie.split(';')[0] ?? '';
}
