import { Aws, CfnRule, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { isChinaRegion, type StageConfig } from './stages.js';

/**
 * The edge: AWS WAF in front of the app and the certificates of the custom domains. CloudFront reads both from
 * us-east-1 only, whatever region the app runs in, so they live in a stack of their own, `Nianbao-<stage>-Edge`:
 *
 * - the stage's region is us-east-1, or unset: the edge stack deploys beside the others (same environment, plain
 *   cross-stack references); unset, a template rule stops a deployment anywhere but us-east-1 with a message;
 * - another region: the edge stack is pinned to us-east-1 and the stacks pass the web ACL and certificate ARNs across
 *   regions (CDK's `crossRegionReferences`, SSM parameters written by a custom resource);
 * - the China regions: CloudFront there takes no CloudFront-scope web ACL and no ACM certificate, so there is no edge
 *   stack; README (Deploy, China regions) says what protects the API there.
 */

export const EDGE_REGION = 'us-east-1';

export type EdgePlacement =
  | { readonly kind: 'none' }
  | { readonly kind: 'beside'; readonly region: string | undefined }
  | { readonly kind: 'us-east-1'; readonly appRegion: string };

export function edgePlacement(config: StageConfig): EdgePlacement {
  const region = config.env?.region;
  if (isChinaRegion(region)) return { kind: 'none' };
  if (region === undefined || region === EDGE_REGION) return { kind: 'beside', region };
  return { kind: 'us-east-1', appRegion: region };
}

/** The header CloudFront adds on its way to the API, and the API's authorizer requires (the API answers nothing else). */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** Routes under these prefixes sign people in: their own, lower per-IP rate (README, Scaling). */
export const SIGN_IN_PATH_PREFIXES = ['/api/auth/', '/login/'] as const;

/**
 * AWS managed rules whose body inspection would block real reports (free text with web addresses and `<`, drafts
 * of ~20 KB): counted, not blocking, so their metrics still show what they would have done. Preact escapes every
 * user string on output, and the handlers parse every body with zod.
 */
export const COUNTED_BODY_RULES = [
  'SizeRestrictions_BODY',
  'GenericRFI_BODY',
  'GenericLFI_BODY',
  'CrossSiteScripting_BODY',
  'EC2MetaDataSSRF_BODY',
] as const;

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

const uriStartsWith = (prefix: string): wafv2.CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'STARTS_WITH',
    searchString: prefix,
    textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
  },
});

/** Over the limit: 429, as the API's own throttle answers, so the page tells people to wait rather than "forbidden". */
const TOO_MANY: wafv2.CfnWebACL.RuleActionProperty = { block: { customResponse: { responseCode: 429 } } };

function rateRule(
  name: string,
  priority: number,
  limit: number,
  scopeDown?: wafv2.CfnWebACL.StatementProperty,
): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    action: TOO_MANY,
    statement: {
      rateBasedStatement: {
        limit,
        aggregateKeyType: 'IP',
        evaluationWindowSec: 300,
        ...(scopeDown === undefined ? {} : { scopeDownStatement: scopeDown }),
      },
    },
    visibilityConfig: visibility(name),
  };
}

function managedRule(name: string, priority: number, counted: readonly string[] = []): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(counted.length === 0 ? {} : { ruleActionOverrides: counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }),
      },
    },
    visibilityConfig: visibility(name),
  };
}

/**
 * The web ACL's rules, in the order WAF evaluates them: the rate limits first (cheapest), then, where the stage asks
 * for them, AWS's managed groups. The rate limits are the floor every stage keeps; each rule costs $1 a month idle.
 */
export function webAclRules(config: Pick<StageConfig, 'edgeRateLimits' | 'edgeManagedRules'>): wafv2.CfnWebACL.RuleProperty[] {
  const limits = config.edgeRateLimits;
  return [
    rateRule('SignInRatePerIp', 0, limits.signInPerIp, { orStatement: { statements: SIGN_IN_PATH_PREFIXES.map(uriStartsWith) } }),
    rateRule('RatePerIp', 1, limits.perIp),
    ...(config.edgeManagedRules
      ? [
          managedRule('AWSManagedRulesAmazonIpReputationList', 2),
          managedRule('AWSManagedRulesCommonRuleSet', 3, COUNTED_BODY_RULES),
          managedRule('AWSManagedRulesKnownBadInputsRuleSet', 4),
        ]
      : []),
  ];
}

export interface EdgeStackProps extends StackProps {
  readonly config: StageConfig;
  readonly placement: Exclude<EdgePlacement, { kind: 'none' }>;
}

export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;
  readonly siteCertificate: acm.ICertificate | undefined;
  readonly apiCertificate: acm.ICertificate | undefined;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (props.placement.kind === 'beside' && props.placement.region === undefined) {
      // an environment-agnostic template deploys wherever the CLI points; a CLOUDFRONT web ACL exists only in us-east-1
      new CfnRule(this, 'DeployedInUsEast1', {
        assertions: [
          {
            assert: Fn.conditionEquals(Aws.REGION, EDGE_REGION),
            assertDescription:
              `CloudFront reads web ACLs and certificates from ${EDGE_REGION} only: deploy with -c region=<the app's region> (the edge ` +
              `stack then goes to ${EDGE_REGION} by itself), or deploy to ${EDGE_REGION}.`,
          },
        ],
      });
    }

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: `nianbao: per-IP limits on sign-in and on everything${config.edgeManagedRules ? ', AWS managed rules' : ''}, in front of the app and API`,
      defaultAction: { allow: {} },
      rules: webAclRules(config),
      visibilityConfig: visibility('nianbao-edge'),
    });

    this.siteCertificate = certificate(this, 'SiteCertificate', config.siteDomain, config.siteCertificateArn);
    this.apiCertificate = certificate(this, 'ApiCertificate', config.apiDomain, config.apiCertificateArn);
  }
}

/**
 * The domain's certificate: the one given by ARN, or a new one validated through DNS (the deployment waits until the
 * CNAME that ACM shows in the console and the stack events is in the domain's DNS).
 */
function certificate(scope: Construct, id: string, domain: string | undefined, arn: string | undefined): acm.ICertificate | undefined {
  if (domain === undefined) return undefined;
  if (arn !== undefined) return acm.Certificate.fromCertificateArn(scope, id, arn);
  return new acm.Certificate(scope, id, { domainName: domain, validation: acm.CertificateValidation.fromDns() });
}

/** HSTS for two years: every response of a stage is https only (CloudFront redirects or refuses plain http). */
export const HSTS_MAX_AGE = Duration.days(730);

/**
 * The public site's Content-Security-Policy: published pages are static HTML with an inline stylesheet and links,
 * no scripts, no forms, no frames.
 */
export const SITE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " + "frame-ancestors 'none'";

/** The public site's headers: HSTS and the CSP above, no sniffing, no framing, no referrer beyond the origin. */
export function siteResponseHeaders(scope: Construct): cloudfront.ResponseHeadersPolicy {
  return new cloudfront.ResponseHeadersPolicy(scope, 'SiteHeaders', {
    comment: 'nianbao public site: HSTS, Content-Security-Policy and the usual security headers',
    securityHeadersBehavior: {
      strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: false, preload: false, override: true },
      contentSecurityPolicy: { contentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
    },
  });
}
