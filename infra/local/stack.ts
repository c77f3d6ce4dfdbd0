import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { TaskFunctionName } from '../../shared/http/routes.js';
import { OutboxMailer } from '../../shared/mail/outbox-mailer.js';
import { logger } from '../../shared/runtime/logger.js';
import { startReminderTimer } from './reminder-timer.js';
import { seedDemo, DEMO_AGENCY } from '../../shared/runtime/demo-roster.js';
import { systemClock, type AppDeps } from '../../shared/runtime/deps.js';
import { SfnWorkflow } from '../../shared/sfn/sfn-workflow.js';
import { createDocumentClient } from '../../shared/store/document-client.js';
import { DynamoStore } from '../../shared/store/dynamo-store.js';
import { createLocalS3Client } from '../../shared/store/s3-client.js';
import { S3Site } from '../../shared/store/s3-site.js';
import { ensureTable } from '../../shared/store/table.js';
import { deriveKeys, MIN_MASTER_SECRET_BYTES } from '../../shared/workflow/secrets.js';
import { LOCAL_FUNCTIONS, LOCAL_STATE_MACHINE_ARN, synthesizeReviewDefinition } from './definition.js';
import { createTestDynamoClient, startDynalite } from './dynalite.js';
import { httpHandlers, taskHandlers } from './handlers.js';
import { faultsFromEnvironment, type LocalFaults } from './faults.js';
import { createLocalHttpServer } from './http-server.js';
import { startS3rver } from './s3rver.js';
import { LocalStepFunctions } from './sfn-engine.js';
import { startSfnEndpoint } from './sfn-endpoint.js';

/**
 * The whole system on one machine: dynalite and s3rver on disk under DATA_DIR, the Step Functions endpoint running
 * the synthesized state machine, and the HTTP server in front of the same handler modules the Lambdas run. The
 * handlers talk to all of it through the real AWS SDK clients.
 */

export interface LocalStackOptions {
  readonly port?: number;
  readonly dataDir?: string;
  /** seconds an approver has before a reminder (the construct's default is 3 days) */
  readonly reviewTimeoutSeconds?: number;
  readonly revisionTimeoutSeconds?: number;
  /** milliseconds between task retries (Step Functions' own backoff is seconds long) */
  readonly retryIntervalMs?: number;
  /** fault injection (infra/local/faults.ts); default: NIANBAO_FAULTS_FILE, or none */
  readonly faults?: LocalFaults;
  /** milliseconds between runs of the deadline reminders (EventBridge Scheduler's daily run on AWS); default one minute */
  readonly reminderIntervalMs?: number;
  /** false: no reminder timer (a test setting the scene before a start that runs it) */
  readonly reminders?: boolean;
}

export interface LocalStack {
  readonly url: string;
  readonly dataDir: string;
  readonly deps: AppDeps;
  readonly outbox: OutboxMailer;
  /** the local Step Functions endpoint (an SFNClient's `endpoint`; RedriveExecution is how a failed publish is retried) */
  readonly sfnEndpoint: string;
  stop(): Promise<void>;
}

/** which task module answers each placeholder function of the synthesized definition */
const TASK_BY_FUNCTION = new Map<string, TaskFunctionName>([
  [LOCAL_FUNCTIONS.requestReview, 'request-review'],
  [LOCAL_FUNCTIONS.requestRevision, 'request-revision'],
  [LOCAL_FUNCTIONS.publishReport, 'publish-report'],
  [LOCAL_FUNCTIONS.recordPublishFailure, 'record-publish-failure'],
]);

export const TABLE_NAME = 'nianbao';
export const SITE_BUCKET = 'nianbao-site';

/** The master secret is generated on first start and kept (owner-only) with the data, so links survive restarts. */
async function masterSecret(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, 'master-secret');
  try {
    const secret = Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
    if (secret.length >= MIN_MASTER_SECRET_BYTES) return secret;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  const secret = randomBytes(32);
  await writeFile(file, `${secret.toString('hex')}\n`, { mode: 0o600 });
  return secret;
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the HTTP server is not on a TCP port');
  const { port: bound }: AddressInfo = address;
  return bound;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir ?? '.data');
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  await mkdir(join(dataDir, 's3'), { recursive: true });
  await mkdir(join(dataDir, 'executions'), { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynalite = await startDynalite({ path: join(dataDir, 'dynamodb') });
    stops.push(() => dynalite.stop());
    const s3rver = await startS3rver({ directory: join(dataDir, 's3'), bucket: SITE_BUCKET });
    stops.push(() => s3rver.stop());

    const dynamoClient = createTestDynamoClient(dynalite.endpoint);
    await ensureTable(dynamoClient, TABLE_NAME);
    const store = new DynamoStore({ client: createDocumentClient(dynamoClient), tableName: TABLE_NAME });
    if (!(await store.getAgency(DEMO_AGENCY.id))) await seedDemo(store);
    const s3 = createLocalS3Client(s3rver.endpoint);
    const outbox = new OutboxMailer({ file: join(dataDir, 'outbox.json'), clock: systemClock });

    // The HTTP server listens first so its URL, which every emailed link carries, is known; it answers 503 until ready.
    let handlers: ReturnType<typeof httpHandlers> | undefined;
    const server = createLocalHttpServer({ handlers: () => handlers, outbox, s3, bucket: SITE_BUCKET });
    const port = await listen(server, options.port ?? 3000);
    stops.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );
    const url = `http://127.0.0.1:${port}`;

    // The engine may resume executions as soon as it exists; their tasks wait until the handlers are built.
    let provideTasks: (tasks: ReturnType<typeof taskHandlers>) => void = () => undefined;
    const tasksReady = new Promise<ReturnType<typeof taskHandlers>>((resolveTasks) => {
      provideTasks = resolveTasks;
    });
    const engine = new LocalStepFunctions({
      definition: synthesizeReviewDefinition({
        ...(options.reviewTimeoutSeconds === undefined ? {} : { reviewTimeoutSeconds: options.reviewTimeoutSeconds }),
        ...(options.revisionTimeoutSeconds === undefined ? {} : { revisionTimeoutSeconds: options.revisionTimeoutSeconds }),
      }),
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      dataDir: join(dataDir, 'executions'),
      ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
      invoke: async (functionName, payload) => {
        const task = TASK_BY_FUNCTION.get(functionName.split(':').at(-1) ?? functionName);
        if (task === undefined) throw new Error(`no local handler for ${functionName}`);
        return (await tasksReady)[task](payload);
      },
    });
    stops.push(async () => engine.close());
    const endpoint = await startSfnEndpoint({ engine });
    stops.push(() => endpoint.stop());

    const faults = options.faults ?? faultsFromEnvironment();
    const sfnWorkflow = new SfnWorkflow({
      client: new SFNClient({ endpoint: endpoint.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    });
    const workflow = faults === undefined ? sfnWorkflow : faults.wrapWorkflow(sfnWorkflow);
    const keys = deriveKeys(await masterSecret(dataDir));
    const deps: AppDeps = {
      store,
      clock: systemClock,
      workflow,
      mailer: outbox,
      site: faults === undefined ? new S3Site({ client: s3, bucket: SITE_BUCKET }) : faults.wrapSite(new S3Site({ client: s3, bucket: SITE_BUCKET })),
      keys,
      baseUrl: url,
      siteBaseUrl: `${url}/site/`,
    };
    const tasks = taskHandlers(deps);
    provideTasks(tasks);
    handlers = httpHandlers(deps);
    const logFailure = (error: unknown) =>
      logger.error('reminder run failed', {
        errorName: error instanceof Error ? error.name : typeof error,
        message: error instanceof Error ? error.message : String(error),
      });
    const runReminders = () => tasks['send-due-reminders']({});
    const reminders = options.reminders === false ? undefined : startReminderTimer(runReminders, options.reminderIntervalMs ?? 60_000, logFailure);
    if (reminders !== undefined) stops.push(() => reminders.stop());
    return { url, dataDir, deps, outbox, sfnEndpoint: endpoint.endpoint, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

