import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createLocalS3Client } from '../store/s3-client.js';
import { ENV, optionalEnv } from './env.js';

/**
 * The SDK clients, each made once per process and configured here only. In AWS they use the function's role and
 * region; on the local stack the endpoint variables point them at the emulators.
 */

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';

function local(endpoint: string | undefined) {
  return endpoint === undefined ? {} : { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
}

let dynamodb: DynamoDBClient | undefined;
let s3: S3Client | undefined;
let sfn: SFNClient | undefined;
let ses: SESv2Client | undefined;
let secrets: SecretsManagerClient | undefined;
let kms: KMSClient | undefined;
let sqs: SQSClient | undefined;

export function dynamodbClient(): DynamoDBClient {
  dynamodb ??= new DynamoDBClient({ ...local(optionalEnv(ENV.dynamodbEndpoint)), maxAttempts: 5 });
  return dynamodb;
}

export function s3Client(): S3Client {
  const endpoint = optionalEnv(ENV.s3Endpoint);
  s3 ??= endpoint === undefined ? new S3Client({}) : createLocalS3Client(endpoint);
  return s3;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({ ...local(optionalEnv(ENV.sfnEndpoint)) });
  return sfn;
}

export function sesClient(): SESv2Client {
  ses ??= new SESv2Client({});
  return ses;
}

export function secretsClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient({});
  return secrets;
}

export function kmsClient(): KMSClient {
  kms ??= new KMSClient({});
  return kms;
}

export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({});
  return sqs;
}
