import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '#infra/function-needs.js';
import { HTTP_FUNCTIONS } from '#shared/http/routes.js';
import { ENV } from '#shared/runtime/env.js';
import { functionLogicalId, resourcesOfType, synthTemplates } from './support.js';

/**
 * The stack gives each function exactly the variables its handler reads. Each handler module is loaded fresh and
 * started (its adapters are built on the first event) with the environment the stack gives it, every read of
 * process.env recorded: a variable it reads and does not get, or gets and never reads, fails the test. AWS clients
 * are mocked (nothing leaves the process); the master secret answers with 64 hex characters.
 */

/** read only on the local stack (infra/local): never set in AWS */
const LOCAL_ONLY = new Set<string>([
  ENV.masterSecretFile,
  ENV.outboxFile,
  ENV.dynamodbEndpoint,
  ENV.s3Endpoint,
  ENV.sfnEndpoint,
  'NIANBAO_CLIENT_ASSETS_DIR',
]);

const SAMPLE_VALUES: Readonly<Record<string, string>> = {
  [ENV.tableName]: 'nianbao-table',
  [ENV.siteBucket]: 'nianbao-site',
  [ENV.indexQueueUrl]: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/Nianbao-prod-Stateless-SiteIndexes.fifo',
  [ENV.stateMachineArn]: 'arn:aws:states:cn-north-1:123456789012:stateMachine:Nianbao-prod-Stateless-Review',
  [ENV.baseUrl]: 'https://nianbao.example.gov.cn',
  [ENV.siteBaseUrl]: 'https://d111111abcdef8.cloudfront.net',
  [ENV.mailTransport]: 'ses',
  [ENV.mailFrom]: 'noreply@nianbao.example.gov.cn',
  [ENV.sesConfigurationSet]: 'nianbao-configuration-set',
  [ENV.smtpSecretArn]: 'arn:aws:secretsmanager:cn-north-1:123456789012:secret:nianbao/smtp',
  [ENV.masterSecretArn]: 'arn:aws:secretsmanager:cn-north-1:123456789012:secret:MasterSecret-AbCdEf',
};

const { stateless, built } = synthTemplates({ stage: 'prod' });
const functionResources = resourcesOfType(stateless, 'AWS::Lambda::Function');

function stackVariables(name: FunctionName): string[] {
  const fn = functionResources[functionLogicalId(built, name)];
  const variables = (fn?.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return Object.keys(variables)
    .filter((key) => key.startsWith('NIANBAO_'))
    .sort();
}

const httpEvent = { rawPath: '/', rawQueryString: '', headers: {}, requestContext: { requestId: 'probe', http: { method: 'GET' } } };
const isHttp = (name: FunctionName): boolean => (HTTP_FUNCTIONS as readonly string[]).includes(name);

/** Starts the handler of functions/<name>.ts under `environment`; returns the NIANBAO_ variables it read. */
async function variablesRead(name: FunctionName, environment: Record<string, string>): Promise<{ read: string[]; missing?: string }> {
  const reads = new Set<string>();
  const original = process.env;
  const base = Object.fromEntries(Object.entries(original).filter(([key]) => !key.startsWith('NIANBAO_')));
  process.env = new Proxy({ ...base, AWS_REGION: 'cn-north-1', POWERTOOLS_LOG_LEVEL: 'SILENT', ...environment } as NodeJS.ProcessEnv, {
    get(target, key, receiver) {
      if (typeof key === 'string') reads.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  let missing: string | undefined;
  try {
    vi.resetModules();
    const module = (await import(`../../functions/${name}.ts`)) as { handler: (event: unknown) => Promise<unknown> };
    await module.handler(isHttp(name) ? httpEvent : {});
  } catch (error) {
    if (error instanceof Error && error.name === 'MissingEnvironmentError') missing = error.message;
  } finally {
    process.env = original;
  }
  return {
    read: [...reads].filter((key) => key.startsWith('NIANBAO_') && !LOCAL_ONLY.has(key)).sort(),
    ...(missing === undefined ? {} : { missing }),
  };
}

const secrets = mockClient(SecretsManagerClient);
const mocks = [
  mockClient(DynamoDBDocumentClient),
  mockClient(DynamoDBClient),
  mockClient(S3Client),
  mockClient(SFNClient),
  mockClient(SESv2Client),
  mockClient(SQSClient),
  secrets,
];

beforeAll(() => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'a1'.repeat(32) });
});

afterAll(() => {
  for (const mock of mocks) mock.restore();
});

describe("each function's environment", () => {
  it.each(FUNCTION_NAMES.map((name) => [name]))('%s reads exactly the variables the stack sets for it', async (name) => {
    const given = stackVariables(name);
    const environment = Object.fromEntries(given.map((key) => [key, SAMPLE_VALUES[key] ?? 'set']));
    const { read, missing } = await variablesRead(name, environment);
    expect(missing).toBeUndefined();
    expect(read).toEqual(given);
  });
});
