import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { TaskFunctionName } from '../../shared/http/routes.js';
import { OutboxMailer } from '../../shared/mail/outbox-mailer.js';
import { startReminderTimer } from './reminder-timer.js';
import { seedDemo, DEMO_AGENCY } from '../../shared/runtime/demo-roster.js';
import { DetachedBackground } from '../../shared/runtime/background.js';
import { logger } from '../../shared/runtime/logger.js';
import { logAnchorFailure, systemClock, type AppDeps } from '../../shared/runtime/deps.js';
import { SfnWorkflow } from '../../shared/sfn/sfn-workflow.js';
import { createDocumentClient } from '../../shared/store/document-client.js';
import { DynamoStore } from '../../shared/store/dynamo-store.js';
import type { ReportEvent } from '../../shared/workflow/model.js';
import type { Store } from '../../shared/workflow/ports.js';
import { FolderAnchors } from '../../shared/history/folder-anchors.js';
import { loadOrCreateLocalSigner } from '../../shared/history/local-signer.js';
import { withSignedHistory } from '../../shared/history/signed-history-store.js';
import { createLocalS3Client } from '../../shared/store/s3-client.js';
import { S3Site } from '../../shared/store/s3-site.js';
import { ensureTable } from '../../shared/store/table.js';
import { FAILED_EXECUTION_STATUSES } from '../../shared/workflow/contracts.js';
import { deriveKeys, MIN_MASTER_SECRET_BYTES } from '../../shared/workflow/secrets.js';
import { rebuildSiteIndexes } from '../../shared/workflow/site-indexes.js';
import { CoalescingIndexQueue } from './coalescing-index-queue.js';
import { loadReviewDefinition } from './cached-definition.js';
import { LOCAL_FUNCTIONS, LOCAL_STATE_MACHINE_ARN } from './local-names.js';
import { createTestDynamoClient, EMULATOR_SIGNER } from './dynalite.js';
import { startEmulatorThread } from './emulator-thread.js';
import { preloadHandlers, type httpHandlers, type taskHandlers } from './handlers.js';
import { guardedHttpHandlers, guardedStores, guardedTaskHandlers } from './partition-guard.js';
import { faultsFromEnvironment, type LocalFaults } from './faults.js';
import { useClientManifest } from '../../shared/http/assets.js';
import { buildClientAssets } from '../client-build.js';
import { loadClientFiles } from './client-files.js';
import { createLocalHttpServer } from './http-server.js';
import { startTtlSweeper } from './ttl-sweeper.js';
import { rateLimitFrom, type RateLimit } from './rate-limit.js';
import { startPrintWorker } from './print-worker.js';
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
  /** the execution's own TimeoutSeconds (default none), to see a round end TIMED_OUT */
  readonly executionTimeoutSeconds?: number;
  /** false: every handler shares `deps.store` instead of a store held to its function's partitions (default true) */
  readonly partitionGuard?: boolean;
  /** the per-client limit on the sign-in routes; default NIANBAO_AUTH_RATE_LIMIT, else 60 at once and one a second */
  readonly authRateLimit?: RateLimit | undefined;
  /** milliseconds before a failed site-index rebuild is tried again (doubling, up to 30 s); default 1 s */
  readonly indexRetryMs?: number;
  /** milliseconds at least between the starts of two site-index rebuilds (a burst's publications share one); default 1 s */
  readonly indexIntervalMs?: number;
  /** fault injection (infra/local/faults.ts); default: NIANBAO_FAULTS_FILE, or none */
  readonly faults?: LocalFaults;
  /** told each step of the start as it begins (`npm start` prints them) */
  readonly onProgress?: (step: string) => void;
  /** milliseconds between runs of the deadline reminders (EventBridge Scheduler's daily run on AWS); default one minute */
  readonly reminderIntervalMs?: number;
  /** false: no reminder timer (a test setting the scene before a start that runs it) */
  readonly reminders?: boolean;
  /** told of every event committed to a report's log, by any handler's store (the benchmarks watch the burst with it) */
  readonly onEventCommitted?: (event: ReportEvent) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly dataDir: string;
  readonly deps: AppDeps;
  readonly outbox: OutboxMailer;
  /** the site-index writer (one rebuild at a time, coalescing); `idle()` waits until the indexes caught up */
  readonly indexes: CoalescingIndexQueue;
  /** the local Step Functions endpoint (an SFNClient's `endpoint`; RedriveExecution is how a failed publish is retried) */
  readonly sfnEndpoint: string;
  /** settles when every handler module is loaded (in the background after the start; each also loads on first use) */
  readonly handlersLoaded: Promise<void>;
  stop(): Promise<void>;
}

/** which task module answers each placeholder function of the synthesized definition */
const TASK_BY_FUNCTION = new Map<string, TaskFunctionName>([
  [LOCAL_FUNCTIONS.requestReview, 'request-review'],
  [LOCAL_FUNCTIONS.requestRevision, 'request-revision'],
  [LOCAL_FUNCTIONS.publishReport, 'publish-report'],
]);

const RECORDED_STATUSES: ReadonlySet<string> = new Set(FAILED_EXECUTION_STATUSES);

export const TABLE_NAME = 'nianbao';
export const SITE_BUCKET = 'nianbao-site';
export const HISTORY_KEY_FILE = 'history-key.pem';
export const ANCHORS_FOLDER = 'anchors';
/** DATA_DIR's folder of the browser's scripts, rebuilt at every start */
export const CLIENT_BUILD_FOLDER = 'client-assets';

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
    // a deep accept queue: a burst of a thousand browsers connecting at once must wait, not be refused
    server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
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
  const progress = options.onProgress ?? (() => undefined);
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // the browser's scripts, built while the emulators start: the same build CDK deploys, served as CloudFront does
    const clientDir = join(dataDir, CLIENT_BUILD_FOLDER);
    const clientBuild = buildClientAssets(clientDir).then(async (manifest) => ({
      manifest,
      files: await loadClientFiles(clientDir, manifest),
    }));
    clientBuild.catch(() => undefined);
    progress('DynamoDB（dynalite）');
    const dynalite = await startEmulatorThread({ kind: 'dynalite', path: join(dataDir, 'dynamodb') });
    stops.push(() => dynalite.stop());
    progress('S3（s3rver）');
    const s3rver = await startEmulatorThread({ kind: 's3rver', directory: join(dataDir, 's3'), bucket: SITE_BUCKET });
    stops.push(() => s3rver.stop());

    progress('数据表');
    const dynamoClient = createTestDynamoClient(dynalite.endpoint, {
      signer: EMULATOR_SIGNER,
      ...(dynalite.requestHandler === undefined ? {} : { requestHandler: dynalite.requestHandler }),
    });
    await ensureTable(dynamoClient, TABLE_NAME);
    const documentClient = createDocumentClient(dynamoClient);
    // the history key sits beside the data, never in the table; anchors go to a folder the program only ever adds to
    const signer = await loadOrCreateLocalSigner(join(dataDir, HISTORY_KEY_FILE));
    const history = { signer, publicKeyPem: () => signer.publicKeyPem(), anchors: new FolderAnchors(join(dataDir, ANCHORS_FOLDER)) };
    const watch = options.onEventCommitted;
    const signed = (plain: Store) => {
      const signing = withSignedHistory(plain, history, logAnchorFailure);
      if (watch === undefined) return signing;
      // every other method is the signing store's own, as withSignedHistory does it
      const watched: Store = Object.create(signing);
      watched.appendEvent = async (event) => {
        await signing.appendEvent(event);
        watch(event);
      };
      return watched;
    };
    const store = signed(new DynamoStore({ client: documentClient, tableName: TABLE_NAME }));
    // each handler reaches only its own partitions, as dynamodb:LeadingKeys holds it in AWS
    // a test that interposes on `deps.store` (holding one request between its read and another's write) turns the
    // guard off, so every handler uses that one store
    const storeFor = options.partitionGuard === false ? () => store : guardedStores(documentClient, TABLE_NAME, signed);
    if (!(await store.getAgency(DEMO_AGENCY.id))) await seedDemo(store);
    // dynalite has no TTL: expired sessions, sign-in codes and counters are removed here, every minute
    const sweeper = startTtlSweeper({
      client: createDocumentClient(dynamoClient),
      tableName: TABLE_NAME,
      intervalMs: 60_000,
      onError: (error) => console.error('TTL sweep failed', error instanceof Error ? error.name : error),
    });
    stops.push(() => sweeper.stop());
    const s3 = createLocalS3Client(s3rver.endpoint);
    const outbox = new OutboxMailer({ file: join(dataDir, 'outbox.json'), clock: systemClock });

    // The HTTP server listens first so its URL, which every emailed link carries, is known; it answers 503 until ready.
    let handlers: ReturnType<typeof httpHandlers> | undefined;
    let indexes: CoalescingIndexQueue | undefined;
    const rebuildIndexes = async () => {
      if (indexes === undefined) throw new Error('the site-index writer is not running yet');
      await indexes.request({ kind: 'all' });
    };
    const authRateLimit = 'authRateLimit' in options ? options.authRateLimit : rateLimitFrom(process.env['NIANBAO_AUTH_RATE_LIMIT']);
    progress('浏览器脚本（esbuild）');
    const { manifest, files: clientFiles } = await clientBuild;
    useClientManifest(manifest);
    const server = createLocalHttpServer({
      handlers: () => handlers,
      outbox,
      s3,
      bucket: SITE_BUCKET,
      authRateLimit,
      rebuildIndexes,
      clientFiles,
    });
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
    progress('审核流程（Step Functions 本地引擎）');
    const { definition, source } = await loadReviewDefinition({
      ...(options.reviewTimeoutSeconds === undefined ? {} : { reviewTimeoutSeconds: options.reviewTimeoutSeconds }),
      ...(options.revisionTimeoutSeconds === undefined ? {} : { revisionTimeoutSeconds: options.revisionTimeoutSeconds }),
      ...(options.executionTimeoutSeconds === undefined ? {} : { executionTimeoutSeconds: options.executionTimeoutSeconds }),
    });
    if (source === 'synthesized') progress('审核流程定义已由 CDK 重新生成并缓存');
    const engine = new LocalStepFunctions({
      definition,
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      dataDir: join(dataDir, 'executions'),
      ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
      invoke: async (functionName, payload) => {
        const task = TASK_BY_FUNCTION.get(functionName.split(':').at(-1) ?? functionName);
        if (task === undefined) throw new Error(`no local handler for ${functionName}`);
        return (await tasksReady)[task](payload);
      },
      // what the CDK app's EventBridge rule does: the same statuses, to the same handler module
      onStatusChange: async (event) => {
        if (RECORDED_STATUSES.has(event.detail.status)) await (await tasksReady)['record-execution-failure'](event);
      },
    });
    stops.push(async () => engine.close());
    const endpoint = await startSfnEndpoint({ engine });
    stops.push(() => endpoint.stop());

    const faults = options.faults ?? faultsFromEnvironment();
    const sfnWorkflow = new SfnWorkflow({
      client: new SFNClient({
        endpoint: endpoint.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        signer: EMULATOR_SIGNER,
      }),
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    });
    const workflow = faults === undefined ? sfnWorkflow : faults.wrapWorkflow(sfnWorkflow);
    const keys = deriveKeys(await masterSecret(dataDir));
    // sign-in emails go out after the answer; a stop waits for the ones under way
    const background = new DetachedBackground();
    stops.push(() => background.drain());
    const site =
      faults === undefined
        ? new S3Site({ client: s3, bucket: SITE_BUCKET })
        : faults.wrapSite(new S3Site({ client: s3, bucket: SITE_BUCKET }));
    indexes = new CoalescingIndexQueue({
      rebuild: (requests) => rebuildSiteIndexes(requests, { store: storeFor('rebuild-site-indexes'), site }),
      ...(options.indexRetryMs === undefined ? {} : { retryMs: options.indexRetryMs }),
      minIntervalMs: options.indexIntervalMs ?? 1000,
      onFailure: (error, inARow) =>
        logger.error('site index rebuild failed; retrying', {
          failuresInARow: inARow,
          error: error instanceof Error ? error.name : 'unknown',
        }),
    });
    const indexWriter = indexes;
    stops.push(() => indexWriter.stop());
    // whatever a killed process left unwritten: the indexes are rebuilt whole from the store at every start
    await indexes.request({ kind: 'all' });
    const printer = startPrintWorker();
    stops.push(() => printer.stop());
    const deps: AppDeps = {
      store,
      clock: systemClock,
      workflow,
      mailer: outbox,
      site,
      indexes,
      keys,
      history,
      background,
      baseUrl: url,
      siteBaseUrl: `${url}/site/`,
      printFiles: printer.render,
    };
    progress('处理程序');
    const tasks = guardedTaskHandlers(deps, storeFor);
    provideTasks(tasks);
    handlers = guardedHttpHandlers(deps, storeFor);
    const logFailure = (error: unknown) =>
      logger.error('reminder run failed', {
        errorName: error instanceof Error ? error.name : typeof error,
        message: error instanceof Error ? error.message : String(error),
      });
    const runReminders = () => tasks['send-due-reminders']({});
    const reminders =
      options.reminders === false ? undefined : startReminderTimer(runReminders, options.reminderIntervalMs ?? 60_000, logFailure);
    if (reminders !== undefined) stops.push(() => reminders.stop());
    // up and answering; the handler modules load now rather than on the first request for each
    const handlersLoaded = preloadHandlers().catch((error: unknown) =>
      logger.error('a handler module failed to load', { errorName: error instanceof Error ? error.name : typeof error }),
    );
    return { url, dataDir, deps, outbox, indexes, sfnEndpoint: endpoint.endpoint, handlersLoaded, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
