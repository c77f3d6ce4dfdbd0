import { createHash } from 'node:crypto';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { TimeZone } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { ROUTES } from '../shared/http/routes.js';
import { Alarms } from './alarms.js';
import { ApiEdge } from './api-edge.js';
import { assetsThroughApi, ClientAssets } from './client-assets.js';
import { ENV } from '../shared/runtime/env.js';
import { FAILED_EXECUTION_STATUSES } from '../shared/workflow/contracts.js';
import { FunctionBindings, type MailBinding } from './bindings.js';
import { sesFromAddress } from '../shared/mail/ses-from-address.js';
import { acknowledgeRule, acknowledgeWildcardResources } from './nag.js';
import { FUNCTION_NAMES, FUNCTION_NEEDS, type FunctionName } from './function-needs.js';
import { ProjectFunction } from './project-function.js';
import { ReviewStateMachine } from './review-state-machine.js';
import { INDEX_WRITER_TIMEOUT, SiteIndexWriter } from './site-index-writer.js';
import { HISTORY_WRITER_TAG, type SesMailResources } from './stateful-stack.js';
import type { StageConfig } from './stages.js';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: dynamodb.ITable;
  readonly siteBucket: s3.IBucket;
  readonly siteBaseUrl: string;
  readonly masterSecret: secretsmanager.ISecret;
  /** the history signing key and the anchor bucket (shared/history/*) */
  readonly historyKey: kms.IKey;
  readonly anchorBucket: s3.IBucket;
  /** SES resources from the stateful stack; undefined when the stage mails through SMTP */
  readonly sesMail: SesMailResources | undefined;
  /** the edge stack's AWS WAF web ACL; undefined in the China regions (no CloudFront in front of the API there) */
  readonly webAclArn?: string | undefined;
  /** the certificate of `config.apiDomain` (edge stack, us-east-1) */
  readonly apiCertificate?: acm.ICertificate | undefined;
  /** where CloudFront writes the API distribution's access logs */
  readonly accessLogBucket: s3.IBucket;
}

const HTTP_METHODS: Readonly<Record<(typeof ROUTES)[number]['method'], apigwv2.HttpMethod>> = {
  GET: apigwv2.HttpMethod.GET,
  POST: apigwv2.HttpMethod.POST,
  PUT: apigwv2.HttpMethod.PUT,
  DELETE: apigwv2.HttpMethod.DELETE,
};

/** Access log fields: the route key, never the raw path or query string (review links carry a signature). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/**
 * What can be deleted and rebuilt from the stateful stack: one Lambda per handler, the review state machine, the
 * HTTP API built from shared/http/routes.ts, and the alarms. (Deleting it in a live stage stops the executions of
 * reports in review: see the README, Deploy.)
 */
export class StatelessStack extends Stack {
  readonly functions: Readonly<Record<FunctionName, ProjectFunction>>;
  readonly reviewStateMachine: ReviewStateMachine;
  readonly reminderSchedule: scheduler.Schedule;
  /** the machine's physical name, `{stackName}-Review` (see reviewStateMachineName) */
  readonly stateMachineName: string;
  readonly httpApi: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  readonly baseUrl: string;
  readonly apiEdge: ApiEdge | undefined;
  readonly alarms: Alarms;
  readonly alarmTopic: sns.Topic;
  readonly bindings: FunctionBindings;
  /** the review machine's FAILED / TIMED_OUT / ABORTED status changes → record-execution-failure */
  readonly executionFailureRule: events.Rule;
  /** the browser's scripts deployed to the site bucket's assets/ */
  readonly clientAssets: ClientAssets;
  /** the one writer of the public site's indexes: its queue, dead-letter queue and alarms */
  readonly siteIndexWriter: SiteIndexWriter;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'nianbao: the form, the review links and the JSON API',
      createDefaultStage: false,
    });
    // CloudFront and AWS WAF in front of the API, which then answers only requests that came through them
    this.apiEdge =
      props.webAclArn === undefined
        ? undefined
        : new ApiEdge(this, 'ApiEdge', {
            httpApi: this.httpApi,
            webAclArn: props.webAclArn,
            domain: config.apiDomain,
            certificate: props.apiCertificate,
            logBucket: props.accessLogBucket,
            siteBucket: props.siteBucket,
            logRetention: config.logRetention,
            removalPolicy: config.removalPolicy,
          });
    this.baseUrl = config.baseUrl ?? this.apiEdge?.url ?? this.httpApi.apiEndpoint;
    // the browser's scripts, built at synth, into the site bucket; served beside the pages (infra/client-assets.ts)
    this.clientAssets = new ClientAssets(this, 'ClientAssets', {
      siteBucket: props.siteBucket,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    if (this.apiEdge === undefined) assetsThroughApi(this.httpApi, props.siteBaseUrl);

    // The machine's name is derived from the stack's (unique in the account and region, as CloudFormation's own
    // generated names are) so its ARN can be built without referring to the machine: the task functions need that ARN
    // and the machine needs theirs, which as references would be a cycle.
    const stateMachineName = reviewStateMachineName(this.stackName);
    this.stateMachineName = stateMachineName;

    this.siteIndexWriter = new SiteIndexWriter(this, 'SiteIndexWriter', {
      removalPolicy: config.removalPolicy,
      logRetention: config.logRetention,
    });
    this.bindings = new FunctionBindings(this, {
      table: props.table,
      siteBucket: props.siteBucket,
      indexQueue: this.siteIndexWriter.queue,
      stateMachineName,
      masterSecret: props.masterSecret,
      historyKey: props.historyKey,
      anchorBucket: props.anchorBucket,
      historyWriterTag: HISTORY_WRITER_TAG,
      mail: this.mailBinding(config, props.sesMail),
      baseUrl: this.baseUrl,
      siteBaseUrl: props.siteBaseUrl,
    });

    const functions = {} as Record<FunctionName, ProjectFunction>;
    for (const name of FUNCTION_NAMES) functions[name] = this.createFunction(name, config);
    this.functions = functions;

    // ---- the review workflow ------------------------------------------------------------------------------------
    const workflowLogs = new logs.LogGroup(this, 'ReviewWorkflowLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.reviewStateMachine = new ReviewStateMachine(this, 'Review', {
      functions: {
        requestReview: functions['request-review'],
        requestRevision: functions['request-revision'],
        publishReport: functions['publish-report'],
      },
      reviewTimeout: config.reviewTimeout,
      revisionTimeout: config.revisionTimeout,
      logGroup: workflowLogs,
    });
    const cfnMachine = this.reviewStateMachine.stateMachine.node.defaultChild as sfn.CfnStateMachine;
    cfnMachine.stateMachineName = stateMachineName;
    this.acknowledgeStateMachineRole();
    this.executionFailureRule = this.recordExecutionFailures(functions['record-execution-failure']);

    // ---- the deadline reminders: one run a day at 09:00 Beijing time sends the 14/7/3/1-day slots that are due -----
    // (a daily run rather than four dated schedules: districts set their own deadlines, and each slot is claimed in
    // the table before its mail, so a run repeated or retried by the Scheduler sends nothing twice)
    const reminderRole = new iam.Role(this, 'ReminderSchedulerRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    this.reminderSchedule = new scheduler.Schedule(this, 'DeadlineReminders', {
      description: 'nianbao: reminders 14, 7, 3 and 1 days before each district deadline',
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '9', timeZone: TimeZone.ASIA_SHANGHAI }),
      target: new schedulerTargets.LambdaInvoke(functions['send-due-reminders'], {
        role: reminderRole,
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
      }),
    });
    acknowledgeWildcardResources(
      reminderRole,
      [`${functions['send-due-reminders'].functionArn}:*`],
      'The Scheduler target grants lambda:InvokeFunction on the reminder function and its versions (ARN:*), as aws-scheduler-targets does; nothing else.',
    );

    // ---- the HTTP API: one route per entry of ROUTES -------------------------------------------------------------
    const apiLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', { retention: config.logRetention, removalPolicy: config.removalPolicy });
    this.apiStage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(apiLogs), format: ACCESS_LOG_FORMAT },
    });
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.function);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(`${route.function}-integration`, functions[route.function]);
        integrations.set(route.function, integration);
      }
      const authorizer = this.apiEdge === undefined ? {} : { authorizer: this.apiEdge.authorizer };
      this.httpApi.addRoutes({ path: route.path, methods: [HTTP_METHODS[route.method]], integration, ...authorizer });
    }
    if (this.apiEdge === undefined)
      acknowledgeRule(
        this.httpApi,
        'APIG4',
        'Authorization is the application\'s own: every route that acts for a person resolves the HttpOnly session cookie (shared/http/authenticate.ts) and checks the agency or the named approver; sign-in, validation, the sign-in page and the signed review-link page are public by design (ARCHITECTURE.md, HTTP API). An API Gateway authorizer cannot express "the approver named on this review".',
      );

    // ---- alarms ---------------------------------------------------------------------------------------------------
    this.alarmTopic = this.createAlarmTopic(config);
    const notify = new cwActions.SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(notify);
      return created;
    };
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const machine = this.reviewStateMachine.stateMachine;
    alarm(
      'ExecutionsFailedAlarm',
      machine.metricFailed(fiveMinutes),
      "A review workflow execution failed (a task, Publish included, failing after its retries, or an unknown outcome); the report's log says publish_failed or workflow_failed. Read the execution history; fix the cause and redrive (it reruns the failed task).",
    );
    alarm(
      'ExecutionsThrottledAlarm',
      machine.metricThrottled(fiveMinutes),
      'Step Functions throttled the review workflow (state transitions or StartExecution over quota): see the README, Scaling.',
    );
    alarm(
      'HttpApi5xxAlarm',
      this.httpApi.metricServerError(fiveMinutes),
      'The HTTP API answered 5xx: an unhandled error in a handler (logged with its correlation id), a Lambda timeout or throttle.',
    );

    // ---- the site-index writer: the queue's one consumer and its alarms (infra/site-index-writer.ts) -----------------
    this.siteIndexWriter.consumeWith(functions['rebuild-site-indexes']);
    this.siteIndexWriter.alarms(functions['rebuild-site-indexes'], notify);
    this.siteIndexWriter.rebuildOnDeploy(functions['rebuild-site-indexes']);
    new CfnOutput(this, 'SiteIndexQueueUrl', {
      value: this.siteIndexWriter.queue.queueUrl,
      description: 'nianbao rebuild-indexes --queue-url …',
    });

    this.alarms = new Alarms(this, 'Alarms', {
      action: notify,
      stateMachine: machine,
      functions,
      table: props.table,
      httpApi: this.httpApi,
      apiAccessLogs: apiLogs,
      sesMail: props.sesMail !== undefined,
      authorizer: this.apiEdge?.authorizerFunction,
    });

    if (this.apiEdge !== undefined) {
      new CfnOutput(this, 'AppUrl', { value: this.apiEdge.url, description: 'the app behind CloudFront and AWS WAF' });
      new CfnOutput(this, 'AppDistributionDomain', { value: this.apiEdge.distribution.distributionDomainName });
    }
    new CfnOutput(this, 'ApiUrl', {
      value: this.httpApi.apiEndpoint,
      description: "the HTTP API's own endpoint (behind CloudFront: only via CloudFront)",
    });
    new CfnOutput(this, 'BaseUrl', { value: this.baseUrl, description: 'where emailed links point' });
    new CfnOutput(this, 'StateMachineArn', { value: machine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'subscribe the people who answer alarms' });
  }

  private createFunction(name: FunctionName, config: StageConfig): ProjectFunction {
    const needs = FUNCTION_NEEDS[name];
    const fn = new ProjectFunction(this, functionId(name), {
      name,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      // HTTP functions answer inside API Gateway's 30 s; publish renders and rebuilds the site's indexes
      timeout:
        needs.kind === 'http'
          ? Duration.seconds(25)
          : needs.kind === 'queue'
            ? INDEX_WRITER_TIMEOUT
            : name === 'publish-report'
              ? Duration.minutes(2)
              : Duration.minutes(1),
      memorySize: name === 'publish-report' ? 2048 : 1024,
      ...(config.reservedConcurrency[name] === undefined ? {} : { reservedConcurrentExecutions: config.reservedConcurrency[name] }),
      ...(needs.mail === true && config.mail.transport === 'smtp' ? { bundleNodemailer: true } : {}),
      ...(needs.pdfFonts === true ? { pdfFonts: true } : {}),
    });
    this.bindings.bindTable(fn, needs.table, needs.items);
    if (needs.stateMachine !== undefined) this.bindings.bindStateMachine(fn, needs.stateMachine);
    if (needs.keys) this.bindings.bindMasterSecret(fn);
    if (needs.mail) this.bindings.bindMailer(fn);
    if (needs.baseUrl) this.bindings.bindBaseUrl(fn);
    if (needs.siteWrite) this.bindings.bindSiteBucket(fn);
    if (needs.indexQueue) this.bindings.bindIndexQueue(fn);
    if (needs.siteBaseUrl) this.bindings.bindSiteBaseUrl(fn);
    if (needs.history !== undefined) this.bindings.bindHistory(fn, needs.history);
    this.acknowledgeFunctionPolicy(fn, name);
    return fn;
  }

  private mailBinding(config: StageConfig, sesMail: SesMailResources | undefined): MailBinding {
    const mail = config.mail;
    if (mail.transport === 'ses') {
      if (sesMail === undefined) throw new Error('the stage mails through SES but the stateful stack made no SES resources');
      return {
        // SES takes the sender as 7-bit ASCII: a Chinese display name goes as RFC 2047 encoded words (shared/mail/ses-from-address.ts)
        environment: {
          [ENV.mailTransport]: 'ses',
          [ENV.mailFrom]: sesFromAddress(mail.from),
          [ENV.sesConfigurationSet]: sesMail.configurationSetName,
        },
        grant: (fn) => {
          // SESv2 SendEmail is authorized against the sending identity and the configuration set named in the call
          fn.addToRolePolicy(
            new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [sesMail.identityArn, sesMail.configurationSetArn] }),
          );
        },
      };
    }
    const secret = secretsmanager.Secret.fromSecretNameV2(this, 'SmtpSettings', mail.secretName);
    return {
      environment: { [ENV.mailTransport]: 'smtp', [ENV.mailFrom]: mail.from, [ENV.smtpSecretArn]: secret.secretArn },
      grant: (fn) => {
        // imported by name: Secrets Manager appends six random characters to the ARN, which -?????? matches (that one secret)
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [`${secret.secretArn}-??????`] }),
        );
      },
    };
  }

  /** IAM5: the wildcard resources the bind helpers had to use, each for a reason that holds for that function. */
  private acknowledgeFunctionPolicy(fn: ProjectFunction, name: FunctionName): void {
    const needs = FUNCTION_NEEDS[name];
    const role = fn.executionRole;
    if (
      needs.stateMachine?.some((action) => !['states:StartExecution', 'states:SendTaskSuccess', 'states:SendTaskFailure'].includes(action))
    ) {
      acknowledgeWildcardResources(
        role,
        [this.bindings.executionArnPattern],
        "Execution names are chosen at run time (one per report and round: {agencyId}-{year}-r{round}); the pattern covers this state machine's executions only, for the listed read/stop actions.",
      );
    }
    if (needs.history !== undefined) {
      acknowledgeWildcardResources(
        role,
        [this.bindings.anchorObjectsArn],
        "Anchors are named by report id and event number ({reportId}/{seq}.json), known only at run time: Get (and for writers Put) on the anchor bucket's objects only; Object Lock refuses any overwrite or delete.",
      );
    }
    if (needs.siteWrite) {
      acknowledgeWildcardResources(
        role,
        [this.bindings.siteObjectsArn],
        'publish-report writes report pages and report.json, rebuild-site-indexes the index pages, under keys made of agency id and year: ' +
          "s3:PutObject only, on the site bucket's objects only.",
      );
    }
  }

  /** IAM5 on the state machine's role, which CDK writes for LambdaInvoke tasks, X-Ray tracing and execution logging. */
  private acknowledgeStateMachineRole(): void {
    const role = this.reviewStateMachine.stateMachine.role;
    const tasks = [this.functions['request-review'], this.functions['request-revision'], this.functions['publish-report']];
    acknowledgeWildcardResources(
      role,
      tasks.map((fn) => `${fn.functionArn}:*`),
      "CDK's LambdaInvoke grants lambda:InvokeFunction on each task function and its versions and aliases (ARN:*): only the three task functions.",
    );
    acknowledgeWildcardResources(
      role,
      ['*'],
      'The X-Ray actions (PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and the CloudWatch Logs delivery actions for execution logging (CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) support no resource-level permissions.',
    );
  }

  /**
   * Failures are recorded from the execution's status change, not from inside the execution, so a task that ran out of
   * retries fails the execution at that task and a redrive reruns it (review-state-machine.ts).
   */
  private recordExecutionFailures(recorder: ProjectFunction): events.Rule {
    const rule = new events.Rule(this, 'ExecutionFailureRule', {
      description: "A review execution FAILED, TIMED_OUT or was ABORTED: record it in the report's log",
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [this.reviewStateMachine.stateMachine.stateMachineArn], status: [...FAILED_EXECUTION_STATUSES] },
      },
    });
    rule.addTarget(new targets.LambdaFunction(recorder, { retryAttempts: 185, maxEventAge: Duration.hours(24) }));
    return rule;
  }

  private createAlarmTopic(config: StageConfig): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'nianbao alarm topic encryption (CloudWatch alarms may use it)',
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'nianbao alarms', masterKey: key, enforceSSL: true });
    if (config.alarmEmail !== undefined) topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    return topic;
  }
}

/** `{stackName}-Review`, at most 80 characters of [A-Za-z0-9-] (Step Functions' limit). */
export function reviewStateMachineName(stackName: string): string {
  const name = `${stackName}-Review`;
  return name.length <= 80 ? name : `${stackName.slice(0, 63)}-${createHash('sha256').update(stackName).digest('hex').slice(0, 8)}-Review`;
}

function functionId(name: FunctionName): string {
  return `${name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}Function`;
}
