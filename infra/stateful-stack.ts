import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { BILLING_MODE, GSI1, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../shared/store/table.js';
import { addMailEventDestination } from './alarms.js';
import { allowAppDistributionToReadAssets } from './client-assets.js';
import { siteResponseHeaders } from './edge.js';
import { acknowledgeRule } from './nag.js';
import { isChinaRegion, isThrowaway, type StageConfig } from './stages.js';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
  /** the certificate of `config.siteDomain` (the edge stack's, in us-east-1) */
  readonly siteCertificate?: acm.ICertificate | undefined;
}

/** SES v2 as this stage sends mail: the identity and configuration set the functions are allowed to use. */
export interface SesMailResources {
  readonly transport: 'ses';
  readonly identityArn: string;
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
}

/**
 * The tag a function's role carries when it may sign history events: the history key's policy lets principals with it
 * sign and nobody else (the roles live in the stateless stack, so the key names them by tag, not by reference).
 */
export const HISTORY_WRITER_TAG = { key: 'nianbao-history-writer', value: 'true' } as const;

/** Secrets Manager's generator has no hex mode: lower case and digits without g–z leaves exactly 0–9a–f. */
export const MASTER_SECRET_EXCLUDED_CHARACTERS = 'ghijklmnopqrstuvwxyz';

function billingMode(): dynamodb.BillingMode {
  const mode = Object.values(dynamodb.BillingMode).find((value) => value === BILLING_MODE);
  if (mode === undefined) throw new Error(`shared/store/table.ts names billing mode ${BILLING_MODE}, which CDK does not know`);
  return mode;
}

function projectionType(): dynamodb.ProjectionType {
  const type = Object.values(dynamodb.ProjectionType).find((value) => value === GSI1.projectionType);
  if (type === undefined) throw new Error(`shared/store/table.ts names projection ${GSI1.projectionType}, which CDK does not know`);
  return type;
}

/**
 * Everything that holds state or outlives a deployment: the table (the event logs are the source of truth), the
 * public site's bucket and its CloudFront distribution, the access-log bucket, the master secret (every outstanding
 * review link and sign-in code is signed with keys derived from it) and the SES identity (its DKIM records live in
 * DNS). RETAIN outside throwaway stages; a throwaway stage is emptied and deleted with the stack.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly siteBucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly masterSecret: secretsmanager.Secret;
  /** the public site's base URL: the stage's, or the distribution's own https domain */
  readonly siteBaseUrl: string;
  readonly sesMail: SesMailResources | undefined;
  /** signs every history event (ECDSA P-256); its private half never leaves KMS */
  readonly historyKey: kms.Key;
  /** the write-once chain heads (Object Lock, compliance mode) */
  readonly anchorBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const throwaway = isThrowaway(config);
    const removalPolicy = config.removalPolicy;

    // ---- the table: same shape as shared/store/table.ts builds locally ------------------------------------------
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: billingMode(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // a throwaway stage must be deletable by `cdk destroy`; everywhere else the table refuses DeleteTable
      deletionProtection: !throwaway,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // sessions, sign-in codes and their counters carry their expiry (epoch seconds) here; reads still check it
      timeToLiveAttribute: TTL_ATTRIBUTE,
      ...(config.tableWarmThroughput === undefined ? {} : { warmThroughput: config.tableWarmThroughput }),
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI1.indexName,
      partitionKey: { name: GSI1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: GSI1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: projectionType(),
    });

    // ---- access logs of the site bucket and of CloudFront ---------------------------------------------------------
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront's standard logs are delivered with an ACL, so this bucket keeps ACLs (objects stay private)
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(400) }],
      removalPolicy,
      autoDeleteObjects: throwaway,
    });
    // (cdk-nag's S1 recognises a server-access-log target and does not ask it to log its own access)

    // ---- the public site ----------------------------------------------------------------------------------------
    this.siteBucket = new s3.Bucket(this, 'SiteBucket', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      // index.html and the indexes are rewritten on every publication: old versions go after 30 days
      lifecycleRules: [
        {
          id: 'expire-noncurrent-site-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
      autoDeleteObjects: throwaway,
    });

    allowAppDistributionToReadAssets(this.siteBucket);

    this.distribution = new cloudfront.Distribution(this, 'Site', {
      comment: 'nianbao public site: published 政府信息公开工作年度报告',
      defaultBehavior: {
        // CloudFront in the China regions has no origin access control yet: an origin access identity there
        origin: isChinaRegion(this.region)
          ? origins.S3BucketOrigin.withOriginAccessIdentity(this.siteBucket)
          : origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: siteResponseHeaders(this),
        compress: true,
      },
      defaultRootObject: 'index.html',
      ...(config.siteDomain === undefined || props.siteCertificate === undefined
        ? {}
        : {
            domainNames: [config.siteDomain],
            certificate: props.siteCertificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.accessLogBucket,
      logFilePrefix: 'cloudfront/',
    });
    acknowledgeRule(
      this.distribution,
      'CFR1',
      'The published reports are public by law (政府信息公开条例) and must be readable from anywhere: no geo restriction.',
    );
    acknowledgeRule(
      this.distribution,
      'CFR2',
      'A read-only static site (GET/HEAD only, cached, S3 origin behind origin access control, no forms or dynamic origin): a WAF web ACL would add cost without protecting anything the distribution exposes.',
    );
    if (config.siteDomain === undefined) {
      acknowledgeRule(
        this.distribution,
        'CFR4',
        'Without siteDomain the distribution serves the default *.cloudfront.net certificate, whose security policy CloudFront fixes (TLSv1) and does not ' +
          'let a distribution raise; with -c siteDomain (prod) it serves an ACM certificate with TLSv1.2_2021.',
      );
    }
    this.siteBaseUrl = config.siteBaseUrl ?? `https://${config.siteDomain ?? this.distribution.distributionDomainName}`;

    // ---- the master secret ---------------------------------------------------------------------------------------
    this.masterSecret = new secretsmanager.Secret(this, 'MasterSecret', {
      description: 'nianbao master secret (64 hex characters): review-link signing and sign-in code keys are derived from it',
      generateSecretString: {
        passwordLength: 64,
        excludeUppercase: true,
        excludePunctuation: true,
        includeSpace: false,
        excludeCharacters: MASTER_SECRET_EXCLUDED_CHARACTERS,
        requireEachIncludedType: false,
      },
      removalPolicy,
    });
    acknowledgeRule(
      this.masterSecret,
      'SMG4',
      'Rotating the master secret invalidates every outstanding review link and sign-in code at once (the keys are derived from it; the handlers hold one key, not a key ring): it is rotated by hand between reporting seasons, as the README (Deploy, Rotate the master secret) describes.',
    );

    // ---- the history's trust anchors ---------------------------------------------------------------------------------
    // The key that signs every event. Its policy keeps administration with the account but gives kms:Sign only to
    // roles tagged as history writers (the functions that append events), so neither an administrator's IAM policy
    // nor a function that only reads can sign; anyone in the account may read the public key and verify.
    const account = new iam.AccountRootPrincipal();
    this.historyKey = new kms.Key(this, 'HistoryKey', {
      description: 'nianbao history signing key: ECDSA P-256 signatures over every report event (verify with keys/history.pem on the site)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // the signatures must stay checkable for as long as the reports are kept
      removalPolicy: throwaway ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersButDoesNotSign',
            principals: [account],
            actions: [
              'kms:Create*',
              'kms:Describe*',
              'kms:Enable*',
              'kms:List*',
              'kms:Put*',
              'kms:Update*',
              'kms:Revoke*',
              'kms:Disable*',
              'kms:Get*',
              'kms:Delete*',
              'kms:TagResource',
              'kms:UntagResource',
              'kms:ScheduleKeyDeletion',
              'kms:CancelKeyDeletion',
              'kms:Verify',
            ],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'OnlyHistoryWritersSign',
            principals: [new iam.AnyPrincipal()],
            actions: ['kms:Sign'],
            resources: ['*'],
            conditions: {
              StringEquals: {
                'aws:PrincipalAccount': this.account,
                [`aws:PrincipalTag/${HISTORY_WRITER_TAG.key}`]: HISTORY_WRITER_TAG.value,
              },
            },
          }),
        ],
      }),
    });

    // Anchors are written once and locked in compliance mode: not even the account's root can delete or overwrite
    // one before its retention ends. The bucket outlives any stack (a locked bucket cannot be emptied anyway).
    this.anchorBucket = new s3.Bucket(this, 'AnchorBucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(config.anchorRetention),
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'anchor-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- SES ---------------------------------------------------------------------------------------------------------
    if (config.mail.transport === 'ses') {
      const configurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
        reputationMetrics: true,
        suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        sendingEnabled: true,
      });
      configurationSet.applyRemovalPolicy(removalPolicy);
      addMailEventDestination(configurationSet);
      let identityArn: string;
      if (config.mail.createIdentity) {
        const identity = new ses.EmailIdentity(this, 'MailIdentity', {
          identity: config.mail.identity.includes('@')
            ? ses.Identity.email(config.mail.identity)
            : ses.Identity.domain(config.mail.identity),
          configurationSet,
        });
        identity.applyRemovalPolicy(removalPolicy);
        identityArn = identity.emailIdentityArn;
        if (!config.mail.identity.includes('@')) {
          identity.dkimRecords.forEach((record, index) => {
            new CfnOutput(this, `DkimRecord${index + 1}`, {
              description: 'CNAME to add to DNS so SES can verify and sign for the domain',
              value: `${record.name} CNAME ${record.value}`,
            });
          });
        }
      } else {
        identityArn = this.formatArn({
          service: 'ses',
          resource: 'identity',
          resourceName: config.mail.identity,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        });
      }
      this.sesMail = {
        transport: 'ses',
        identityArn,
        configurationSetName: configurationSet.configurationSetName,
        configurationSetArn: this.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: configurationSet.configurationSetName,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      };
    } else {
      this.sesMail = undefined;
    }

    new CfnOutput(this, 'SiteUrl', { value: this.siteBaseUrl, description: 'the public site (published reports)' });
    new CfnOutput(this, 'TableName', {
      value: this.table.tableName,
      description: 'load the roster into this table (infra/scripts/load-roster.ts)',
    });
    new CfnOutput(this, 'SiteBucketName', { value: this.siteBucket.bucketName });
    new CfnOutput(this, 'AnchorBucketName', {
      value: this.anchorBucket.bucketName,
      description: 'auditors copy anchors/ from here (AUDIT.md)',
    });
    new CfnOutput(this, 'HistoryKeyArn', { value: this.historyKey.keyArn });
  }
}
