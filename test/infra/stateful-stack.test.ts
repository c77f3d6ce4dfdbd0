import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addNianbaoStacks } from '#infra/nianbao-app.js';
import { MASTER_SECRET_EXCLUDED_CHARACTERS } from '#infra/stateful-stack.js';
import { STAGES } from '#infra/stages.js';
import { BILLING_MODE, GSI1, PARTITION_KEY, SORT_KEY } from '#shared/store/table.js';
import { CDK_JSON, flatten, logicalIdOf, only, resourcesOfType, synthTemplates, type Resource } from './support.js';

const prod = synthTemplates({ stage: 'prod' });
const dev = synthTemplates({ stage: 'dev' });
const smtp = synthTemplates({ stage: 'prod', mailTransport: 'smtp', smtpSecretName: 'nianbao/smtp' });

describe('the stateful stack: table', () => {
  it('has the key schema, gsi1 and billing mode of shared/store/table.ts', () => {
    prod.stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
        { AttributeName: GSI1.partitionKey, AttributeType: 'S' },
        { AttributeName: GSI1.sortKey, AttributeType: 'S' },
      ]),
      BillingMode: BILLING_MODE,
      GlobalSecondaryIndexes: [
        {
          IndexName: GSI1.indexName,
          KeySchema: [
            { AttributeName: GSI1.partitionKey, KeyType: 'HASH' },
            { AttributeName: GSI1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: GSI1.projectionType },
        },
      ],
    });
  });

  it('keeps point-in-time recovery and deletion protection on, and is retained, outside the throwaway stage', () => {
    const [, table] = only(resourcesOfType(prod.stateful, 'AWS::DynamoDB::Table'));
    expect(table.Properties?.['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties?.['DeletionProtectionEnabled']).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('is pre-warmed for January in prod (the draft-saving peak from the first minute), and as the stage config says', () => {
    const [, table] = only(resourcesOfType(prod.stateful, 'AWS::DynamoDB::Table'));
    expect(table.Properties?.['WarmThroughput']).toEqual({ ReadUnitsPerSecond: 15_000, WriteUnitsPerSecond: 20_000 });
    const [, devTable] = only(resourcesOfType(dev.stateful, 'AWS::DynamoDB::Table'));
    expect(devTable.Properties?.['WarmThroughput']).toBeUndefined();
    const app = new App({ context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [] } });
    const { stateful } = addNianbaoStacks(app, {
      stage: 'prod',
      config: {
        ...STAGES.prod,
        alarmEmail: 'ops@example.gov.cn',
        tableWarmThroughput: { readUnitsPerSecond: 12_000, writeUnitsPerSecond: 30_000 },
      },
    });
    Template.fromStack(stateful).hasResourceProperties('AWS::DynamoDB::Table', {
      WarmThroughput: { ReadUnitsPerSecond: 12_000, WriteUnitsPerSecond: 30_000 },
    });
  });

  it('in dev keeps point-in-time recovery but can be destroyed with the stack', () => {
    const [, table] = only(resourcesOfType(dev.stateful, 'AWS::DynamoDB::Table'));
    expect(table.Properties?.['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties?.['DeletionProtectionEnabled']).toBe(false);
    expect(table.DeletionPolicy).toBe('Delete');
  });
});

describe('the stateful stack: public site', () => {
  const siteBucketId = logicalIdOf(prod.built.stateful, prod.built.stateful.siteBucket);
  const logBucketId = logicalIdOf(prod.built.stateful, prod.built.stateful.accessLogBucket);
  const buckets = resourcesOfType(prod.stateful, 'AWS::S3::Bucket');
  const site = buckets[siteBucketId] as Resource;

  it('versions, encrypts and blocks all public access to the site bucket, and keeps it', () => {
    expect(site.Properties?.['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(site.Properties?.['BucketEncryption']).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(site.Properties?.['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(site.DeletionPolicy).toBe('Retain');
  });

  it('logs site bucket access into the access-log bucket', () => {
    expect(site.Properties?.['LoggingConfiguration']).toEqual({
      DestinationBucketName: { Ref: logBucketId },
      LogFilePrefix: 'site-bucket/',
    });
  });

  it('refuses every request to either bucket that is not over TLS', () => {
    for (const bucketId of [siteBucketId, logBucketId]) {
      prod.stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('encrypts and blocks public access to the access-log bucket too', () => {
    const logs = buckets[logBucketId] as Resource;
    expect(logs.Properties?.['BucketEncryption']).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(logs.Properties?.['PublicAccessBlockConfiguration']).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
  });

  it('serves the site through CloudFront with origin access control and index.html at the root', () => {
    const [oacId, oac] = only(resourcesOfType(prod.stateful, 'AWS::CloudFront::OriginAccessControl'));
    expect(oac.Properties?.['OriginAccessControlConfig']).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const [distributionId, distribution] = only(resourcesOfType(prod.stateful, 'AWS::CloudFront::Distribution'));
    const config = distribution.Properties?.['DistributionConfig'] as Record<string, unknown>;
    expect(config['DefaultRootObject']).toBe('index.html');
    expect(config['Origins']).toEqual([
      expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [siteBucketId, 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
    expect(config['DefaultCacheBehavior']).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https' });
    expect(config['Logging']).toMatchObject({ Bucket: { 'Fn::GetAtt': [logBucketId, 'RegionalDomainName'] } });

    // only this distribution may read the bucket (s3:GetObject, conditioned on its ARN)
    prod.stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: siteBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    type Statement = {
      Sid?: string;
      Principal?: { Service?: string };
      Resource?: unknown;
      Condition?: { StringEquals?: Record<string, unknown> };
    };
    const statements = Object.values(resourcesOfType(prod.stateful, 'AWS::S3::BucketPolicy'))
      .flatMap((policy) => (policy.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement)
      .filter((statement) => statement.Principal?.Service === 'cloudfront.amazonaws.com');
    // the site's distribution reads the whole bucket; the app's reads the browser scripts under assets/ (client-assets.test.ts)
    const [whole, ...others] = statements.filter(
      (statement) => !flatten(statement.Resource).endsWith('/assets/*') && !statement.Sid?.includes('ClientAssets'),
    );
    expect(others).toHaveLength(0);
    expect(flatten(whole?.Condition?.StringEquals?.['AWS:SourceArn'])).toMatch(new RegExp(`:distribution/<${distributionId}>$`));
    expect(
      statements
        .filter((statement) => statement.Sid?.includes('ClientAssets'))
        .map((statement) => statement.Sid)
        .sort(),
    ).toEqual(['AppDistributionReadsClientAssets', 'AppDistributionTellsMissingClientAssets']);
  });

  it('empties and deletes both buckets with the stack only in the throwaway stage (the anchor bucket is locked, and kept)', () => {
    expect(Object.keys(resourcesOfType(prod.stateful, 'Custom::S3AutoDeleteObjects'))).toHaveLength(0);
    expect(Object.keys(resourcesOfType(dev.stateful, 'Custom::S3AutoDeleteObjects'))).toHaveLength(2);
    for (const bucket of Object.values(resourcesOfType(dev.stateful, 'AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe(bucket.Properties?.['ObjectLockEnabled'] === true ? 'Retain' : 'Delete');
    }
  });
});

describe('the stateful stack: master secret and mail identity', () => {
  it('generates the master secret as 64 characters of 0-9a-f', () => {
    const [, secret] = only(resourcesOfType(prod.stateful, 'AWS::SecretsManager::Secret'));
    const generate = secret.Properties?.['GenerateSecretString'] as Record<string, unknown>;
    expect(generate).toMatchObject({ PasswordLength: 64, ExcludeUppercase: true, ExcludePunctuation: true, IncludeSpace: false });
    expect(generate['ExcludeNumbers']).not.toBe(true);
    expect(generate['ExcludeLowercase']).not.toBe(true);
    const excluded = new Set(String(generate['ExcludeCharacters']));
    const alphabet = [...'abcdefghijklmnopqrstuvwxyz0123456789'].filter((c) => !excluded.has(c)).join('');
    expect(alphabet).toBe('abcdef0123456789');
    expect(generate['ExcludeCharacters']).toBe(MASTER_SECRET_EXCLUDED_CHARACTERS);
    expect(secret.DeletionPolicy).toBe('Retain');
  });

  it('creates the SES identity and configuration set when the stage owns its identity (dev)', () => {
    dev.stateful.resourceCountIs('AWS::SES::EmailIdentity', 1);
    dev.stateful.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'nianbao-dev.example.cn',
      ConfigurationSetAttributes: Match.anyValue(),
    });
    dev.stateful.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('uses an identity verified outside the app in prod, with its own configuration set', () => {
    prod.stateful.resourceCountIs('AWS::SES::EmailIdentity', 0);
    prod.stateful.resourceCountIs('AWS::SES::ConfigurationSet', 1);
  });

  it('has no SES resources when the stage mails through SMTP', () => {
    smtp.stateful.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    smtp.stateful.resourceCountIs('AWS::SES::EmailIdentity', 0);
  });
});
