import { describe, expect, it } from 'vitest';
import { ASSET_CACHE_CONTROL, ASSET_CONTENT_TYPE } from '#shared/http/assets.js';
import { flatten, logicalIdOf, only, resourcesOfType, synthTemplates, type Resource } from './support.js';

/**
 * The browser's scripts in AWS: synth builds them, a deployment copies them to the site bucket's assets/, and the
 * app's distribution serves /assets/* from there (the China regions, which have no app distribution, through the
 * HTTP API to the site's distribution). No function carries or serves them.
 */

const prod = synthTemplates({ stage: 'prod' });
const china = synthTemplates({
  stage: 'prod',
  account: '123456789012',
  region: 'cn-north-1',
  mailTransport: 'smtp',
  smtpSecretName: 'nianbao/smtp',
});
const siteBucketId = logicalIdOf(prod.built.stateful, prod.built.stateful.siteBucket);

type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

describe('the deployment of the scripts', () => {
  const [, deployment] = only(resourcesOfType(prod.stateless, 'Custom::CDKBucketDeployment'));

  it("copies the build into the site bucket under assets/, with a year's immutable cache lifetime, and keeps earlier builds", () => {
    expect(flatten(deployment.Properties?.['DestinationBucketName'])).toContain(siteBucketId);
    expect(deployment.Properties?.['DestinationBucketKeyPrefix']).toBe('assets/');
    expect(deployment.Properties?.['SystemMetadata']).toEqual({ 'cache-control': ASSET_CACHE_CONTROL, 'content-type': ASSET_CONTENT_TYPE });
    expect(deployment.Properties?.['Prune']).toBe(false);
  });

  it('gives no function the scripts or a build folder to read', () => {
    for (const [, fn] of Object.entries(resourcesOfType(prod.stateless, 'AWS::Lambda::Function'))) {
      const variables = (fn.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      expect(Object.keys(variables)).not.toContain('NIANBAO_CLIENT_ASSETS_DIR');
    }
  });
});

describe("the app distribution's /assets/*", () => {
  const [, distribution] = only(resourcesOfType(prod.stateless, 'AWS::CloudFront::Distribution'));
  const config = distribution.Properties?.['DistributionConfig'] as Record<string, unknown>;
  const [behavior] = config['CacheBehaviors'] as Record<string, unknown>[];
  const origin = (config['Origins'] as Record<string, unknown>[]).find((candidate) => candidate['Id'] === behavior?.['TargetOriginId']);

  it("serves the path from the site bucket through origin access control, GET and HEAD only, cached by the objects' own lifetime", () => {
    expect((config['CacheBehaviors'] as unknown[]).length).toBe(1);
    expect(behavior).toMatchObject({
      PathPattern: '/assets/*',
      AllowedMethods: ['GET', 'HEAD'],
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: true,
    });
    // CachingOptimized: honours Cache-Control up to a year
    expect(behavior?.['CachePolicyId']).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6');
    expect(flatten(origin?.['DomainName'])).toMatch(new RegExp(`${siteBucketId}.*\\.s3\\.<AWS::Region>\\.<AWS::URLSuffix>$`));
    expect(flatten(origin?.['OriginAccessControlId'])).not.toBe('');
    expect(origin?.['S3OriginConfig']).toEqual({ OriginAccessIdentity: '' });
  });

  it('adds HSTS and nosniff to the scripts', () => {
    const policyId = flatten(behavior?.['ResponseHeadersPolicyId']).replace(/[<>]/g, '');
    const policy = prod.stateless.toJSON()['Resources'][policyId] as Resource;
    const security = (policy.Properties?.['ResponseHeadersPolicyConfig'] as Record<string, Record<string, unknown>> | undefined)?.[
      'SecurityHeadersConfig'
    ];
    expect(security?.['ContentTypeOptions']).toEqual({ Override: true });
    expect(security?.['StrictTransportSecurity']).toMatchObject({ Override: true });
  });

  it('is the only path the site bucket opens to it: CloudFront of this account reads assets/* and nothing else of the bucket', () => {
    const [, policy] = only(
      Object.fromEntries(
        Object.entries(resourcesOfType(prod.stateful, 'AWS::S3::BucketPolicy')).filter(([, candidate]) =>
          flatten(candidate.Properties?.['Bucket']).includes(siteBucketId),
        ),
      ),
    );
    const statements = (policy.Properties?.['PolicyDocument'] as { Statement: Statement[] } | undefined)?.Statement ?? [];
    const read = statements.find((statement) => statement.Sid === 'AppDistributionReadsClientAssets');
    expect(read?.Action).toBe('s3:GetObject');
    expect(flatten(read?.Resource)).toMatch(/\/assets\/\*$/);
    expect(flatten(read?.Condition?.['ArnLike']?.['AWS:SourceArn'])).toBe(
      'arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*',
    );
    expect(flatten(read?.Condition?.['StringEquals']?.['AWS:SourceAccount'])).toBe('<AWS::AccountId>');
    // listing lets S3 tell a missing file (404: an old /assets/app.js) from a forbidden one
    const list = statements.find((statement) => statement.Sid === 'AppDistributionTellsMissingClientAssets');
    expect(list?.Action).toBe('s3:ListBucket');
    expect(list?.Condition).toEqual(read?.Condition);
  });
});

describe('without the app distribution (China regions)', () => {
  it("routes GET /assets/{name} through the HTTP API to the site's distribution, which serves the same prefix", () => {
    const routes = Object.values(resourcesOfType(china.stateless, 'AWS::ApiGatewayV2::Route')).filter(
      (route) => route.Properties?.['RouteKey'] === 'GET /assets/{name}',
    );
    const [route] = routes;
    expect(routes.length).toBe(1);
    const integrationId = flatten(route?.Properties?.['Target']).replace(/^integrations\/<|>$/g, '');
    const integration = china.stateless.toJSON()['Resources'][integrationId] as Resource;
    expect(integration.Properties).toMatchObject({ IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'GET' });
    expect(flatten(integration.Properties?.['IntegrationUri'])).toMatch(/^https:\/\/.*\/assets\/\{name\}$/);
    expect(only(resourcesOfType(china.stateless, 'Custom::CDKBucketDeployment'))[1].Properties?.['DestinationBucketKeyPrefix']).toBe(
      'assets/',
    );
  });

  it('is not needed where the app distribution serves the path', () => {
    const routeKeys = Object.values(resourcesOfType(prod.stateless, 'AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties?.['RouteKey'],
    );
    expect(routeKeys).not.toContain('GET /assets/{name}');
  });
});
