import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ASSETS_PATH } from '../shared/http/assets.js';
import { assetsBehavior } from './client-assets.js';
import { HSTS_MAX_AGE, ORIGIN_VERIFY_HEADER } from './edge.js';
import { acknowledgeRule } from './nag.js';
import { newestNodeRuntime } from './project-function.js';

/**
 * The authorizer every route of the HTTP API runs: the request must carry the origin-verify header CloudFront adds,
 * with the secret's value. API Gateway answers 401 itself when the header is missing, and caches the answer per
 * header value for an hour, so the function runs about once an hour per API Gateway host, not per request.
 * Plain CommonJS for the Node.js runtime (its AWS SDK is built in): it is the whole function.
 */
export const ORIGIN_VERIFY_CODE = `
const { timingSafeEqual } = require('node:crypto');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
let expected;
exports.handler = async (event) => {
  if (expected === undefined) {
    const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.ORIGIN_VERIFY_SECRET_ARN }));
    expected = Buffer.from(secret.SecretString ?? '');
  }
  const given = Buffer.from(String((event.headers ?? {})['${ORIGIN_VERIFY_HEADER}'] ?? ''));
  return { isAuthorized: expected.length >= 32 && given.length === expected.length && timingSafeEqual(given, expected) };
};
`;

export interface ApiEdgeProps {
  readonly httpApi: apigwv2.HttpApi;
  /** the edge stack's web ACL (us-east-1) */
  readonly webAclArn: string;
  readonly domain?: string | undefined;
  readonly certificate?: acm.ICertificate | undefined;
  readonly logBucket: s3.IBucket;
  /** the site bucket, whose `assets/` prefix holds the browser's scripts (infra/client-assets.ts) */
  readonly siteBucket: s3.IBucket;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * CloudFront with AWS WAF in front of the HTTP API (an HTTP API cannot take a web ACL itself): nothing cached but
 * the browser's scripts (`/assets/*`, from the site bucket), everything but the Host header forwarded, HSTS added to every response. The API refuses requests that did not come
 * through it (the origin-verify authorizer), so WAF's per-IP limits cannot be walked around through the
 * execute-api address.
 */
export class ApiEdge extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly authorizer: HttpLambdaAuthorizer;
  readonly originVerifySecret: secretsmanager.Secret;
  readonly authorizerFunction: lambda.Function;
  /** https://{apiDomain}, or the distribution's own domain */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiEdgeProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.originVerifySecret = new secretsmanager.Secret(this, 'OriginVerifySecret', {
      description: 'nianbao: the header value CloudFront sends to the HTTP API, which refuses requests without it',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: props.removalPolicy,
    });
    acknowledgeRule(
      this.originVerifySecret,
      'SMG4',
      'The value is written into the CloudFront origin and read by the authorizer only at deployment and cold start; rotating it means a deployment (cdk ' +
        'deploy after put-secret-value), which README, Deploy describes. It proves a request came through CloudFront; it guards no data.',
    );

    const logGroup = new logs.LogGroup(this, 'AuthorizerLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const role = new iam.Role(this, 'AuthorizerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'nianbao origin-verify authorizer: its log group and the origin-verify secret',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.originVerifySecret.secretArn] }),
    );
    this.authorizerFunction = new lambda.Function(this, 'Authorizer', {
      description: 'nianbao: refuses API requests that did not come through CloudFront (and its AWS WAF)',
      runtime: newestNodeRuntime(),
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(ORIGIN_VERIFY_CODE),
      memorySize: 256,
      timeout: Duration.seconds(5),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ORIGIN_VERIFY_SECRET_ARN: this.originVerifySecret.secretArn },
    });
    this.authorizer = new HttpLambdaAuthorizer('OriginVerify', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [`$request.header.${ORIGIN_VERIFY_HEADER}`],
      resultsCacheTtl: Duration.hours(1),
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'nianbao app and API: HSTS (the handlers set the other security headers and the CSP)',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: false, preload: false, override: true },
      },
    });

    const custom =
      props.domain !== undefined && props.certificate !== undefined ? { domain: props.domain, certificate: props.certificate } : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'nianbao app and API: AWS WAF in front of the HTTP API',
      defaultBehavior: {
        origin: new origins.HttpOrigin(`${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originVerifySecret.secretValue.unsafeUnwrap() },
          readTimeout: Duration.seconds(30),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        // cookies, query strings and headers reach the handlers; Host must be API Gateway's own
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // the scripts the pages name (`/assets/<entry>.<hash>.js`), from the site bucket: the only cached path
      additionalBehaviors: { [`${ASSETS_PATH}*`]: assetsBehavior(this, props.siteBucket) },
      webAclId: props.webAclArn,
      ...(custom === undefined
        ? {}
        : {
            domainNames: [custom.domain],
            certificate: custom.certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront-api/',
    });
    acknowledgeRule(
      this.distribution,
      'CFR1',
      'Civil servants sign in from every province and from offices abroad (embassies, representative offices): no geo restriction; AWS WAF limits each ' +
        'client IP instead.',
    );
    if (custom === undefined) {
      acknowledgeRule(
        this.distribution,
        'CFR4',
        'Without apiDomain the distribution serves the default *.cloudfront.net certificate, whose security policy CloudFront fixes; with -c apiDomain ' +
          '(prod) it serves an ACM certificate with TLSv1.2_2021.',
      );
    }
    this.url = props.domain !== undefined ? `https://${props.domain}` : `https://${this.distribution.distributionDomainName}`;
  }
}
