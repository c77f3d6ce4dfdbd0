/**
 * Environment variable names: the CDK stacks set them, the handlers read them, both import them from here.
 * A value is read when its adapter is first built; a missing one fails then, naming the variable.
 */
export const ENV = {
  tableName: 'NIANBAO_TABLE_NAME',
  siteBucket: 'NIANBAO_SITE_BUCKET',
  /** the site-index writer's FIFO queue: publish-report asks it for rebuilds */
  indexQueueUrl: 'NIANBAO_INDEX_QUEUE_URL',
  stateMachineArn: 'NIANBAO_STATE_MACHINE_ARN',
  /** where people open the app: links in emails point here */
  baseUrl: 'NIANBAO_BASE_URL',
  /** where the public reads published reports */
  siteBaseUrl: 'NIANBAO_SITE_BASE_URL',
  mailTransport: 'NIANBAO_MAIL_TRANSPORT',
  mailFrom: 'NIANBAO_MAIL_FROM',
  sesConfigurationSet: 'NIANBAO_SES_CONFIGURATION_SET',
  smtpSecretArn: 'NIANBAO_SMTP_SECRET_ARN',
  masterSecretArn: 'NIANBAO_MASTER_SECRET_ARN',
  /** the KMS key that signs history events (its ARN) and the Object Lock bucket the chain heads are anchored in */
  historyKeyId: 'NIANBAO_HISTORY_KEY_ID',
  anchorBucket: 'NIANBAO_ANCHOR_BUCKET',
  /** local stack only: the generated master secret in DATA_DIR, and the outbox */
  masterSecretFile: 'NIANBAO_MASTER_SECRET_FILE',
  outboxFile: 'NIANBAO_OUTBOX_FILE',
  /** local stack only: emulator endpoints */
  dynamodbEndpoint: 'NIANBAO_DYNAMODB_ENDPOINT',
  s3Endpoint: 'NIANBAO_S3_ENDPOINT',
  sfnEndpoint: 'NIANBAO_SFN_ENDPOINT',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
}

export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new MissingEnvironmentError(`missing environment variable ${name}`);
  return value;
}

export function optionalEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}
