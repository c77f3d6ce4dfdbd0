import { runInNewContext } from 'node:vm';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ORIGIN_VERIFY_CODE } from '#infra/api-edge.js';
import {
  COUNTED_BODY_RULES,
  EDGE_REGION,
  HSTS_MAX_AGE,
  ORIGIN_VERIFY_HEADER,
  SIGN_IN_PATH_PREFIXES,
  SITE_CONTENT_SECURITY_POLICY,
} from '#infra/edge.js';
import { STAGES } from '#infra/stages.js';
import { ROUTES } from '#shared/http/routes.js';
import { ENV } from '#shared/runtime/env.js';
import { flatten, functionLogicalId, logicalIdOf, only, resourcesOfType, synthTemplates, type Resource } from './support.js';

/**
 * The edge on the synthesized prod templates: AWS WAF (per-IP limits, AWS managed rules) on a CloudFront distribution
 * in front of the HTTP API, which answers only requests that came through it; HSTS on the API, HSTS and a CSP on the
 * site; custom domains with TLSv1.2_2021 certificates; the web ACL and certificates in us-east-1 whatever the region.
 */

const prod = synthTemplates({ stage: 'prod' });
const edgeOf = (templates: typeof prod): Template => {
  if (templates.built.edge === undefined) throw new Error('no edge stack');
  return Template.fromStack(templates.built.edge);
};
const edge = edgeOf(prod);
const domains = synthTemplates({
  stage: 'prod',
  account: '123456789012',
  region: 'ap-southeast-1',
  apiDomain: 'nianbao.example.gov.cn',
  siteDomain: 'nianbao-site.example.gov.cn',
  siteCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
});
const china = synthTemplates({
  stage: 'prod',
  account: '123456789012',
  region: 'cn-north-1',
  mailTransport: 'smtp',
  smtpSecretName: 'nianbao/smtp',
});

type Rule = {
  Name: string;
  Priority: number;
  Action?: unknown;
  OverrideAction?: unknown;
  Statement: Record<string, Record<string, unknown>>;
};
const webAcl = only(resourcesOfType(edge, 'AWS::WAFv2::WebACL'))[1];
const rules = (webAcl.Properties?.['Rules'] as Rule[]).slice().sort((a, b) => a.Priority - b.Priority);
const ruleNamed = (name: string): Rule => {
  const rule = rules.find((candidate) => candidate.Name === name);
  if (rule === undefined) throw new Error(`no rule ${name}`);
  return rule;
};
const apiDistribution = (templates: typeof prod): Record<string, unknown> => {
  const apiEdge = templates.built.stateless.apiEdge;
  if (apiEdge === undefined) throw new Error('no API distribution');
  const resource = templates.stateless.toJSON()['Resources'][logicalIdOf(templates.built.stateless, apiEdge.distribution)] as Resource;
  return resource.Properties?.['DistributionConfig'] as Record<string, unknown>;
};
const siteDistribution = (templates: typeof prod): Record<string, unknown> =>
  only(resourcesOfType(templates.stateful, 'AWS::CloudFront::Distribution'))[1].Properties?.['DistributionConfig'] as Record<
    string,
    unknown
  >;

describe('AWS WAF in front of the app', () => {
  it('is a CloudFront-scope web ACL that lets through what no rule blocks', () => {
    expect(webAcl.Properties?.['Scope']).toBe('CLOUDFRONT');
    expect(webAcl.Properties?.['DefaultAction']).toEqual({ Allow: {} });
  });

  it("limits sign-in per client IP: /api/auth/* and /login/* at the stage's sign-in rate, answering 429", () => {
    const rule = ruleNamed('SignInRatePerIp');
    expect(rule.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
    const rate = rule.Statement['RateBasedStatement'] as Record<string, unknown>;
    expect(rate['AggregateKeyType']).toBe('IP');
    expect(rate['Limit']).toBe(STAGES.prod.edgeRateLimits.signInPerIp);
    expect(rate['EvaluationWindowSec']).toBe(300);
    const scoped = (
      rate['ScopeDownStatement'] as { OrStatement: { Statements: { ByteMatchStatement: Record<string, unknown> }[] } }
    ).OrStatement.Statements.map((s) => s.ByteMatchStatement);
    expect(scoped.map((match) => match['SearchString'])).toEqual([...SIGN_IN_PATH_PREFIXES]);
    for (const match of scoped) {
      expect(match['FieldToMatch']).toEqual({ UriPath: {} });
      expect(match['PositionalConstraint']).toBe('STARTS_WITH');
    }
  });

  it('scopes the sign-in rule to exactly the sign-in routes of shared/http/routes.ts', () => {
    const signIn = ROUTES.filter((route) => SIGN_IN_PATH_PREFIXES.some((prefix) => route.path.startsWith(prefix))).map(
      (route) => route.function,
    );
    expect(new Set(signIn)).toEqual(new Set(['request-sign-in-code', 'create-session', 'end-session']));
  });

  it("limits every request per client IP at the stage's general rate, after the sign-in rule", () => {
    const rule = ruleNamed('RatePerIp');
    const rate = rule.Statement['RateBasedStatement'] as Record<string, unknown>;
    expect(rate).toEqual({ AggregateKeyType: 'IP', Limit: STAGES.prod.edgeRateLimits.perIp, EvaluationWindowSec: 300 });
    expect(rule.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
    expect(rules.map((r) => r.Name).slice(0, 2)).toEqual(['SignInRatePerIp', 'RatePerIp']);
    expect(STAGES.prod.edgeRateLimits.perIp).toBeGreaterThan(STAGES.prod.edgeRateLimits.signInPerIp);
  });

  it("runs AWS's managed rule groups, counting (not blocking) the body rules real reports would trip", () => {
    const managed = rules.filter((rule) => rule.Statement['ManagedRuleGroupStatement'] !== undefined);
    expect(managed.map((rule) => rule.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    for (const rule of managed) {
      expect(rule.OverrideAction).toEqual({ None: {} });
      expect(rule.Statement['ManagedRuleGroupStatement']?.['VendorName']).toBe('AWS');
    }
    const common = ruleNamed('AWSManagedRulesCommonRuleSet').Statement['ManagedRuleGroupStatement'];
    const overrides = common?.['RuleActionOverrides'] as { Name: string; ActionToUse: unknown }[];
    expect(overrides.map((override) => override.Name)).toEqual([...COUNTED_BODY_RULES]);
    for (const override of overrides) expect(override.ActionToUse).toEqual({ Count: {} });
  });
});

describe("the dev stage's edge", () => {
  const dev = synthTemplates({ stage: 'dev' });
  const devAcl = only(resourcesOfType(edgeOf(dev), 'AWS::WAFv2::WebACL'))[1];
  const devRules = (devAcl.Properties?.['Rules'] as Rule[]).slice().sort((a, b) => a.Priority - b.Priority);

  it("keeps both per-IP rate limits at the dev limits, and only them: AWS's managed groups cost $1 a month each idle", () => {
    expect(STAGES.dev.edgeManagedRules).toBe(false);
    expect(devRules.map((rule) => rule.Name)).toEqual(['SignInRatePerIp', 'RatePerIp']);
    expect(devRules.map((rule) => (rule.Statement['RateBasedStatement'] as Record<string, unknown>)['Limit'])).toEqual([
      STAGES.dev.edgeRateLimits.signInPerIp,
      STAGES.dev.edgeRateLimits.perIp,
    ]);
    for (const rule of devRules) expect(rule.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
  });
});

describe('CloudFront in front of the HTTP API', () => {
  const config = apiDistribution(prod);
  const behavior = config['DefaultCacheBehavior'] as Record<string, unknown>;
  const origin = (config['Origins'] as Record<string, unknown>[])[0] as Record<string, unknown>;

  it("carries the edge stack's web ACL", () => {
    expect(flatten(config['WebACLId'])).toMatch(new RegExp(`^<${prod.built.edge?.stackName}\\.\\w*WebAcl\\w*Arn\\w*>$`));
  });

  it('reaches the API over TLS 1.2 at its execute-api address, sending the origin-verify secret', () => {
    const apiId = logicalIdOf(prod.built.stateless, prod.built.stateless.httpApi);
    expect(flatten(origin['DomainName'])).toBe(`<${apiId}>.execute-api.<AWS::Region>.<AWS::URLSuffix>`);
    expect(origin['CustomOriginConfig']).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    const headers = origin['OriginCustomHeaders'] as { HeaderName: string; HeaderValue: unknown }[];
    expect(headers.map((header) => header.HeaderName)).toEqual([ORIGIN_VERIFY_HEADER]);
    const secretId = logicalIdOf(prod.built.stateless, prod.built.stateless.apiEdge?.originVerifySecret as never);
    expect(flatten(headers[0]?.HeaderValue)).toBe(`{{resolve:secretsmanager:<${secretId}>:SecretString:::}}`);
  });

  it('caches nothing, forwards every method, and redirects plain http', () => {
    expect(behavior['CachePolicyId']).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behavior['OriginRequestPolicyId']).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(behavior['AllowedMethods']).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(behavior['ViewerProtocolPolicy']).toBe('redirect-to-https');
  });

  it('adds HSTS to every API response', () => {
    const policyId = flatten(behavior['ResponseHeadersPolicyId']).replace(/[<>]/g, '');
    const policy = prod.stateless.toJSON()['Resources'][policyId] as Resource;
    const security = (policy.Properties?.['ResponseHeadersPolicyConfig'] as Record<string, Record<string, unknown>>)[
      'SecurityHeadersConfig'
    ];
    expect(security?.['StrictTransportSecurity']).toEqual({
      AccessControlMaxAgeSec: HSTS_MAX_AGE.toSeconds(),
      IncludeSubdomains: false,
      Preload: false,
      Override: true,
    });
  });

  it('is where emailed links point when the stage sets no baseUrl', () => {
    const apiEdge = prod.built.stateless.apiEdge;
    const fn = prod.stateless.toJSON()['Resources'][functionLogicalId(prod.built, 'request-review')] as Resource;
    const baseUrl = (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables[ENV.baseUrl];
    expect(flatten(baseUrl)).toBe(`https://<${logicalIdOf(prod.built.stateless, apiEdge?.distribution as never)}.DomainName>`);
  });
});

describe('the API answers only requests that came through CloudFront', () => {
  const routes = resourcesOfType(prod.stateless, 'AWS::ApiGatewayV2::Route');
  const [authorizerId, authorizer] = only(resourcesOfType(prod.stateless, 'AWS::ApiGatewayV2::Authorizer'));

  it('runs the origin-verify authorizer on every route, keyed on the header and cached for an hour', () => {
    expect(Object.keys(routes)).toHaveLength(ROUTES.length);
    for (const route of Object.values(routes)) {
      expect(route.Properties?.['AuthorizationType']).toBe('CUSTOM');
      expect(route.Properties?.['AuthorizerId']).toEqual({ Ref: authorizerId });
    }
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: [`$request.header.${ORIGIN_VERIFY_HEADER}`],
      AuthorizerResultTtlInSeconds: 3600,
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
    });
  });

  it('lets the authorizer read the origin-verify secret and nothing else', () => {
    const apiEdge = prod.built.stateless.apiEdge;
    const roleId = logicalIdOf(prod.built.stateless, apiEdge?.authorizerFunction.role as never);
    const statements = Object.values(resourcesOfType(prod.stateless, 'AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties?.['Roles'] as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap(
        (policy) => (policy.Properties?.['PolicyDocument'] as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
      );
    const secretId = logicalIdOf(prod.built.stateless, apiEdge?.originVerifySecret as never);
    expect(statements.filter((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith('secretsmanager:')))).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } },
    ]);
  });

  /** the authorizer's own code, run as Lambda would with the secret answered by a stand-in for Secrets Manager */
  async function authorize(secret: string, headers: Record<string, string> | undefined): Promise<boolean> {
    const module = { exports: {} as { handler?: (event: unknown) => Promise<{ isAuthorized: boolean }> } };
    const fakeSdk = {
      SecretsManagerClient: class {
        send = async (command: { input: { SecretId: string } }) => {
          expect(command.input.SecretId).toBe('arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:OriginVerify');
          return { SecretString: secret };
        };
      },
      GetSecretValueCommand: class {
        constructor(readonly input: { SecretId: string }) {}
      },
    };
    const require = (name: string): unknown =>
      name === '@aws-sdk/client-secrets-manager' ? fakeSdk : (globalThis.process.getBuiltinModule(name) as unknown);
    runInNewContext(ORIGIN_VERIFY_CODE, {
      require,
      module,
      exports: module.exports,
      Buffer,
      String,
      process: { env: { ORIGIN_VERIFY_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:OriginVerify' } },
    });
    const handler = module.exports.handler;
    if (handler === undefined) throw new Error('no handler');
    return (await handler({ headers })).isAuthorized;
  }

  it('admits exactly the secret, and refuses a missing, wrong, longer or shorter header', async () => {
    const secret = 'a'.repeat(24) + 'B'.repeat(24);
    expect(await authorize(secret, { [ORIGIN_VERIFY_HEADER]: secret })).toBe(true);
    expect(await authorize(secret, {})).toBe(false);
    expect(await authorize(secret, undefined)).toBe(false);
    expect(await authorize(secret, { [ORIGIN_VERIFY_HEADER]: `${secret.slice(0, -1)}C` })).toBe(false);
    expect(await authorize(secret, { [ORIGIN_VERIFY_HEADER]: `${secret}a` })).toBe(false);
    expect(await authorize(secret, { [ORIGIN_VERIFY_HEADER]: secret.slice(1) })).toBe(false);
  });

  it('refuses everything while the secret is empty or short', async () => {
    expect(await authorize('', { [ORIGIN_VERIFY_HEADER]: '' })).toBe(false);
    expect(await authorize('short', { [ORIGIN_VERIFY_HEADER]: 'short' })).toBe(false);
  });

  it('generates a 48-character secret for it', () => {
    const secretId = logicalIdOf(prod.built.stateless, prod.built.stateless.apiEdge?.originVerifySecret as never);
    const secret = prod.stateless.toJSON()['Resources'][secretId] as Resource;
    expect(secret.Properties?.['GenerateSecretString']).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
  });
});

describe("the public site's distribution", () => {
  it('adds HSTS and a Content-Security-Policy that allows no script, form or frame', () => {
    const behavior = siteDistribution(prod)['DefaultCacheBehavior'] as Record<string, unknown>;
    const policyId = flatten(behavior['ResponseHeadersPolicyId']).replace(/[<>]/g, '');
    const policy = prod.stateful.toJSON()['Resources'][policyId] as Resource;
    const security = (policy.Properties?.['ResponseHeadersPolicyConfig'] as Record<string, Record<string, unknown>>)[
      'SecurityHeadersConfig'
    ];
    expect(security?.['StrictTransportSecurity']).toEqual({
      AccessControlMaxAgeSec: HSTS_MAX_AGE.toSeconds(),
      IncludeSubdomains: false,
      Preload: false,
      Override: true,
    });
    expect(security?.['ContentSecurityPolicy']).toEqual({ ContentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, Override: true });
    expect(SITE_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(SITE_CONTENT_SECURITY_POLICY).not.toContain('script-src');
    expect(security?.['FrameOptions']).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security?.['ContentTypeOptions']).toEqual({ Override: true });
  });

  it("expires the site bucket's noncurrent versions after 30 days", () => {
    const bucket = Object.values(resourcesOfType(prod.stateful, 'AWS::S3::Bucket')).find(
      (candidate) => candidate.Properties?.['VersioningConfiguration'] !== undefined,
    );
    const rules = (bucket?.Properties?.['LifecycleConfiguration'] as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }));
  });
});

describe('custom domains', () => {
  it('serve the app and the site on their own domains with TLSv1.2_2021 certificates from us-east-1', () => {
    const api = apiDistribution(domains);
    expect(api['Aliases']).toEqual(['nianbao.example.gov.cn']);
    expect(api['ViewerCertificate']).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    const site = siteDistribution(domains);
    expect(site['Aliases']).toEqual(['nianbao-site.example.gov.cn']);
    expect(site['ViewerCertificate']).toEqual({
      AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });

  it('requests a DNS-validated certificate in the edge stack for a domain given without one', () => {
    const certificate = only(resourcesOfType(edgeOf(domains), 'AWS::CertificateManager::Certificate'))[1];
    expect(certificate.Properties).toMatchObject({ DomainName: 'nianbao.example.gov.cn', ValidationMethod: 'DNS' });
  });

  it('point emailed links and the site links at the domains', () => {
    const fn = domains.stateless.toJSON()['Resources'][functionLogicalId(domains.built, 'publish-report')] as Resource;
    expect((fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables[ENV.siteBaseUrl]).toBe(
      'https://nianbao-site.example.gov.cn',
    );
    expect(domains.built.stateless.baseUrl).toBe('https://nianbao.example.gov.cn');
  });
});

describe('where the edge lives', () => {
  it('puts the web ACL and certificates in us-east-1 when the app runs elsewhere, passing them across regions', () => {
    expect(domains.built.edge?.region).toBe(EDGE_REGION);
    expect(domains.built.stateless.region).toBe('ap-southeast-1');
    expect(JSON.stringify(apiDistribution(domains)['WebACLId'])).toContain('ExportsReader');
  });

  it('stops an environment-agnostic deployment of the edge stack anywhere but us-east-1, saying why', () => {
    const rule = (edge.toJSON()['Rules'] as Record<string, { Assertions: { Assert: unknown; AssertDescription: string }[] }>)[
      'DeployedInUsEast1'
    ];
    expect(rule?.Assertions[0]?.Assert).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, EDGE_REGION] });
    expect(rule?.Assertions[0]?.AssertDescription).toContain('-c region=');
  });

  it('has no edge in the China regions (no CloudFront-scope WAF there): the API keeps its own endpoint and stage throttle', () => {
    expect(china.built.edge).toBeUndefined();
    expect(china.built.stateless.apiEdge).toBeUndefined();
    expect(Object.keys(resourcesOfType(china.stateless, 'AWS::CloudFront::Distribution'))).toEqual([]);
    for (const route of Object.values(resourcesOfType(china.stateless, 'AWS::ApiGatewayV2::Route')))
      expect(route.Properties?.['AuthorizationType']).toBe('NONE');
    expect(china.built.stateless.baseUrl).toBe(china.built.stateless.httpApi.apiEndpoint);
  });
});
