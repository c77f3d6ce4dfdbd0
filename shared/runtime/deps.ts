import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { OutboxMailer } from '../mail/outbox-mailer.js';
import { SesMailer } from '../mail/ses-mailer.js';
import { SmtpMailer, smtpTransportFromSettings } from '../mail/smtp-mailer.js';
import { SfnWorkflow } from '../sfn/sfn-workflow.js';
import { createDocumentClient } from '../store/document-client.js';
import { DynamoStore } from '../store/dynamo-store.js';
import { KmsSigner } from '../history/kms-signer.js';
import { S3Anchors } from '../history/s3-anchors.js';
import { withSignedHistory } from '../history/signed-history-store.js';
import type { HistoryKeys, HistoryTrust } from '../workflow/history-ports.js';
import type { Background } from './background.js';
import { logger } from './logger.js';
import { S3Site } from '../store/s3-site.js';
import { SqsIndexQueue } from '../store/sqs-index-queue.js';
import type { Clock, IndexQueue, Mailer, Site, Store, Workflow } from '../workflow/ports.js';
import { deriveKeys, type Keys } from '../workflow/secrets.js';
import { dynamodbClient, kmsClient, s3Client, secretsClient, sesClient, sfnClient, sqsClient } from './aws-clients.js';
import { ENV, optionalEnv, requireEnv } from './env.js';
import type { PrintFilesRenderer } from '../report/print/print-files.js';

/**
 * The real adapters, built from the environment the first time a handler needs them. Each getter reads only its
 * own variables, so a function that never sends mail does not need mail settings.
 */

export const systemClock: Clock = { now: () => new Date() };

let store: Store | undefined;
let site: Site | undefined;
let workflow: Workflow | undefined;
let indexQueue: IndexQueue | undefined;
let mailer: Promise<Mailer> | undefined;
let keys: Promise<Keys> | undefined;

let history: HistoryKeys | undefined;

/** The signing key and the anchor bucket; only functions that write or verify history have their variables. */
function runtimeHistoryKeys(): HistoryKeys {
  if (history === undefined) {
    const signer = new KmsSigner({ client: kmsClient(), keyId: requireEnv(ENV.historyKeyId) });
    history = { signer, publicKeyPem: () => signer.publicKeyPem(), anchors: new S3Anchors(s3Client(), requireEnv(ENV.anchorBucket)) };
  }
  return history;
}

export function runtimeHistory(): HistoryTrust {
  return runtimeHistoryKeys();
}

/** Anchoring failed after a commit: the event stands, the gap shows in verification, operators are told here. */
export function logAnchorFailure(error: unknown, head: { reportId: string; seq: number }): void {
  logger.error('history anchor not written', {
    reportId: head.reportId,
    seq: head.seq,
    error: error instanceof Error ? error.name : 'unknown',
  });
}

export function runtimeStore(): Store {
  store ??= new DynamoStore({ client: createDocumentClient(dynamodbClient()), tableName: requireEnv(ENV.tableName) });
  return store;
}

let signingStore: Store | undefined;

/** The table for a function that appends events: each one signed with the history key and its head anchored. */
export function runtimeSigningStore(): Store {
  signingStore ??= signingStoreOver(runtimeStore());
  return signingStore;
}

/** A given table (a script's) with events signed and anchored as the functions do it. */
export const signingStoreOver = (table: Store): Store => withSignedHistory(table, runtimeHistoryKeys(), logAnchorFailure);

export function runtimeSite(): Site {
  site ??= new S3Site({ client: s3Client(), bucket: requireEnv(ENV.siteBucket) });
  return site;
}

export function runtimeIndexQueue(): IndexQueue {
  indexQueue ??= new SqsIndexQueue({ client: sqsClient(), queueUrl: requireEnv(ENV.indexQueueUrl) });
  return indexQueue;
}

export function runtimeWorkflow(): Workflow {
  workflow ??= new SfnWorkflow({ client: sfnClient(), stateMachineArn: requireEnv(ENV.stateMachineArn) });
  return workflow;
}

async function secretString(arn: string): Promise<string> {
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
  if (out.SecretString === undefined) throw new Error(`secret ${ENV.masterSecretArn} has no string value`);
  return out.SecretString;
}

const SmtpSecretSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
});

export const MailTransportSchema = z.enum(['ses', 'smtp', 'outbox']);

async function buildMailer(): Promise<Mailer> {
  const transport = MailTransportSchema.parse(requireEnv(ENV.mailTransport));
  if (transport === 'outbox') return new OutboxMailer({ file: optionalEnv(ENV.outboxFile), clock: systemClock });
  const from = requireEnv(ENV.mailFrom);
  if (transport === 'ses') return new SesMailer({ client: sesClient(), from, configurationSet: optionalEnv(ENV.sesConfigurationSet) });
  const settings = SmtpSecretSchema.parse(JSON.parse(await secretString(requireEnv(ENV.smtpSecretArn))));
  return new SmtpMailer({ transport: await smtpTransportFromSettings(settings), from });
}

export function runtimeMailer(): Promise<Mailer> {
  mailer ??= buildMailer();
  return mailer;
}

async function loadKeys(): Promise<Keys> {
  const file = optionalEnv(ENV.masterSecretFile);
  const secret = file === undefined ? await secretString(requireEnv(ENV.masterSecretArn)) : (await readFile(file, 'utf8')).trim();
  return deriveKeys(Buffer.from(secret, 'hex'));
}

export function runtimeKeys(): Promise<Keys> {
  keys ??= loadKeys();
  return keys;
}

export const runtimeBaseUrl = (): string => requireEnv(ENV.baseUrl);
export const runtimeSiteBaseUrl = (): string => requireEnv(ENV.siteBaseUrl);

/** Everything a web route may need; each handler takes only its part (Pick<AppDeps, …>). */
export interface AppDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly workflow: Workflow;
  readonly mailer: Mailer;
  readonly site: Site;
  /** the site-index writer's queue (publish-report asks it for rebuilds) */
  readonly indexes: IndexQueue;
  readonly keys: Keys;
  /** the history key's public half and the anchors, to verify a report's history */
  readonly history: HistoryTrust;
  readonly baseUrl: string;
  readonly siteBaseUrl: string;
  /** work an answer must not wait for (the sign-in email) */
  readonly background: Background;
  /** how Publish renders the PDF and the Word file; unset: in the calling process, with the fonts beside the code */
  readonly printFiles?: PrintFilesRenderer;
}

export const secureCookies = (baseUrl: string): boolean => new URL(baseUrl).protocol === 'https:';
