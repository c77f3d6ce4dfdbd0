import { Annotations, Aws, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import * as z from 'zod';
import { ASSET_CACHE_CONTROL, ASSET_CONTENT_TYPE, ASSETS_PATH, CLIENT_MANIFEST_FILE } from '../shared/http/assets.js';
import { clientBuildForSynth } from './client-build.js';
import { HSTS_MAX_AGE } from './edge.js';
import { acknowledgeRule, flattenCfnReference, nagRule } from './nag.js';

/**
 * The browser's scripts in AWS: the synth-time build (infra/client-build.ts) is copied into the site bucket under
 * `assets/` at every deployment, and the app's CloudFront distribution serves `/assets/*` from there, so pages and
 * scripts share one origin and the pages' policy (`default-src 'self'`) needs no other script source.
 */

/** the site bucket's key prefix: a behaviour's path pattern is matched against the key as it is */
export const ASSETS_KEY_PREFIX = ASSETS_PATH.slice(1);

export interface ClientAssetsProps {
  readonly siteBucket: s3.IBucket;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** Uploads the build to `assets/` with a year's immutable cache lifetime. */
export class ClientAssets extends Construct {
  readonly deployment: s3deploy.BucketDeployment;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ClientAssetsProps) {
    super(scope, id);
    const build = clientBuildForSynth();
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    // the copying function's own role with exactly what the copy does (read the build's zip, list and write
    // assets/): aws-s3-deployment's grants (read-write of the whole bucket, wildcard actions) find the role immutable
    this.role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: "nianbao: copies the built browser scripts into the site bucket's assets/ at a deployment",
    });
    const asset = new s3assets.Asset(this, 'Build', { path: build.dir, exclude: [CLIENT_MANIFEST_FILE] });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.siteBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ASSETS_KEY_PREFIX}*`] } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.siteBucket.arnForObjects(`${ASSETS_KEY_PREFIX}*`)] }),
    );
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.bucket(asset.bucket, asset.s3ObjectKey)],
      destinationBucket: props.siteBucket,
      destinationKeyPrefix: ASSETS_KEY_PREFIX,
      // a page loaded just before a deployment still asks for the files it names: earlier builds stay (a few hundred KB each)
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(ASSET_CACHE_CONTROL)],
      contentType: ASSET_CONTENT_TYPE,
      role: this.role.withoutPolicyUpdates(),
      memoryLimit: 256,
      logGroup,
    });
    acknowledgeWildcards(this.role);
    // its function is a singleton of the stack, beside this construct, whose runtime aws-s3-deployment chooses
    const copier = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (copier !== undefined) {
      acknowledgeRule(
        copier,
        'L1',
        "aws-s3-deployment sets its copying function's runtime itself (the AWS CLI layer it needs); it runs only during a deployment, on our own files.",
      );
    }
  }
}

/**
 * cdk-nag's IAM5 findings on the copying role, as cdk-nag names them once the cross-stack references are resolved:
 * the wildcard resources of the CDK asset bucket's objects and of the assets/ prefix.
 */
function acknowledgeWildcards(role: iam.Role): void {
  role.node.addValidation({
    validate: () => {
      const policy = role.node.tryFindChild('DefaultPolicy');
      if (!(policy instanceof iam.Policy)) return [];
      const statements = z.array(StatementSchema).parse(Stack.of(role).resolve(policy.document.toJSON())?.Statement ?? []);
      const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
      const wildcards = new Set<string>();
      for (const statement of statements) {
        for (const resource of asList(statement.Resource)) {
          const flat = flattenCfnReference(resource);
          if (flat.includes('*')) wildcards.add(`Resource::${flat}`);
        }
      }
      for (const wildcard of wildcards) {
        Validations.of(role).acknowledge({
          id: `${nagRule('IAM5')}[${wildcard}]`,
          reason:
            'The copy lists and writes the files of the build under the site ' +
            "bucket's assets/ prefix, whose names are the build's hashes; all of it is built browser scripts, public on the site.",
        });
      }
      return [];
    },
  });
}

const StatementSchema = z.looseObject({ Action: z.unknown(), Resource: z.unknown() });

/**
 * The site bucket's grant to the app's distribution, which lives in another stack (the bucket's policy naming it would
 * make the two stacks refer to each other): CloudFront distributions of this account may read `assets/*`, the built
 * scripts and nothing else. ListBucket lets S3 answer 404 rather than 403 for a file that is not there (an old
 * `/assets/app.js`); CloudFront sends S3 only GetObject for a viewer, so nothing can be listed through it.
 */
export function allowAppDistributionToReadAssets(siteBucket: s3.Bucket): void {
  const fromThisAccountsDistributions = {
    StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID },
    ArnLike: { 'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*` },
  };
  const cloudFront = new iam.ServicePrincipal('cloudfront.amazonaws.com');
  siteBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AppDistributionReadsClientAssets',
      principals: [cloudFront],
      actions: ['s3:GetObject'],
      resources: [siteBucket.arnForObjects(`${ASSETS_KEY_PREFIX}*`)],
      conditions: fromThisAccountsDistributions,
    }),
  );
  siteBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AppDistributionTellsMissingClientAssets',
      principals: [cloudFront],
      actions: ['s3:ListBucket'],
      resources: [siteBucket.bucketArn],
      conditions: fromThisAccountsDistributions,
    }),
  );
}

/** The app distribution's `/assets/*` behaviour: the site bucket through origin access control, cached for good. */
export function assetsBehavior(scope: Construct, siteBucket: s3.IBucket): cloudfront.BehaviorOptions {
  // a reference by name, so the origin adds no policy to the bucket in its own stack (the bucket grants it itself)
  const bucket = s3.Bucket.fromBucketAttributes(scope, 'AssetsBucket', {
    bucketName: siteBucket.bucketName,
    region: Stack.of(scope).region,
  });
  Annotations.of(scope).acknowledgeWarning(
    '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
    'The site bucket grants this distribution read access to assets/* in its own stack (infra/client-assets.ts).',
  );
  const headers = new cloudfront.ResponseHeadersPolicy(scope, 'AssetHeaders', {
    comment: "nianbao scripts: HSTS and nosniff (the cache lifetime is the objects' own Cache-Control)",
    securityHeadersBehavior: {
      strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: false, preload: false, override: true },
      contentTypeOptions: { override: true },
    },
  });
  return {
    origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
    cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
    responseHeadersPolicy: headers,
    compress: true,
  };
}

/**
 * Without the app distribution (the China regions): API Gateway passes `/assets/{name}` through to the site's
 * distribution, which serves the same bucket prefix, so pages keep naming the scripts on their own origin.
 */
export function assetsThroughApi(httpApi: apigwv2.HttpApi, siteBaseUrl: string): void {
  httpApi.addRoutes({
    path: `${ASSETS_PATH}{name}`,
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpUrlIntegration('ClientAssetsIntegration', `${siteBaseUrl.replace(/\/+$/u, '')}${ASSETS_PATH}{name}`, {
      method: apigwv2.HttpMethod.GET,
      timeout: Duration.seconds(10),
    }),
  });
}
