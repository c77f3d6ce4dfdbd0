import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '#infra/function-needs.js';
import { newestNodeRuntime, PROJECT_ROOT } from '#infra/project-function.js';
import { STAGES } from '#infra/stages.js';
import { ROUTES } from '#shared/http/routes.js';
import { ENV } from '#shared/runtime/env.js';
import { flatten, functionLogicalId, logicalIdOf, resourcesOfType, synthTemplates, type Resource } from './support.js';

const prod = synthTemplates({ stage: 'prod' });
const dev = synthTemplates({ stage: 'dev' });
const smtp = synthTemplates({ stage: 'prod', mailTransport: 'smtp', smtpSecretName: 'nianbao/smtp' });
const { stateless, built } = prod;
/**
 * the handler functions: every Lambda but the edge's origin-verify authorizer (api-edge.test.ts) and CDK's provider
 * of the request sent to the site-index writer at deployment (site-index-writer.test.ts)
 */
const authorizerId =
  built.stateless.apiEdge === undefined ? undefined : logicalIdOf(built.stateless, built.stateless.apiEdge.authorizerFunction);
// besides the handlers: the origin-verify authorizer, aws-s3-deployment's copier of the browser scripts and the
// custom resource's provider (both run at deployments)
const providerIds = new Set(
  Object.values(resourcesOfType(stateless, 'Custom::AWS')).map((resource) =>
    flatten(resource.Properties?.['ServiceToken']).replace(/^<(.+)\.Arn>$/u, '$1'),
  ),
);
const functions = Object.fromEntries(
  Object.entries(resourcesOfType(stateless, 'AWS::Lambda::Function')).filter(
    ([id]) => id !== authorizerId && !id.startsWith('CustomCDKBucketDeployment') && !providerIds.has(id),
  ),
);
const logGroups = resourcesOfType(stateless, 'AWS::Logs::LogGroup');
const fnOf = (name: FunctionName): Resource => {
  const fn = functions[functionLogicalId(built, name)];
  if (fn === undefined) throw new Error(`no function for ${name}`);
  return fn;
};

function fnEnv(template: typeof stateless, app: typeof built, name: FunctionName): Record<string, unknown> {
  const fn = resourcesOfType(template, 'AWS::Lambda::Function')[functionLogicalId(app, name)];
  return (fn?.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
}

const MAIL = [ENV.mailTransport, ENV.mailFrom, ENV.sesConfigurationSet];
const T = ENV.tableName;
const SM = ENV.stateMachineArn;
const KEYS = ENV.masterSecretArn;
const BASE = ENV.baseUrl;

/** The variables each handler needs (functions/<name>.ts → the getters of shared/runtime/deps.ts), prod mailing through SES. */
/** the history key and the anchor bucket: the functions that append events (sign) or check histories (verify) */
const HISTORY = [ENV.historyKeyId, ENV.anchorBucket];
const EXPECTED_VARIABLES: Record<FunctionName, readonly string[]> = {
  'request-sign-in-code': [T, KEYS, ...MAIL, BASE],
  'create-session': [T, KEYS, BASE],
  'end-session': [T, BASE],
  'get-me': [T],
  'validate-report': [],
  'get-draft': [T],
  'save-draft': [T, BASE],
  'import-report': [T, BASE],
  'submit-report': [T, SM, BASE, ...HISTORY],
  'list-reports': [T],
  'get-report': [T],
  'resubmit-report': [T, SM, BASE, ...HISTORY],
  'withdraw-report': [T, SM, ...MAIL, BASE, ...HISTORY],
  'report-history': [T, SM, ...HISTORY],
  'review-page': [T, SM, KEYS],
  'decide-review': [T, SM, KEYS, BASE, ...HISTORY],
  'my-tasks': [T, SM, KEYS, ...MAIL, BASE],
  'my-delegation': [T, BASE, ...HISTORY],
  'web-pages': [T, SM, ENV.siteBaseUrl, ...HISTORY],
  'request-review': [T, SM, KEYS, ...MAIL, BASE, ...HISTORY],
  'request-revision': [T, SM, ...MAIL, BASE, ...HISTORY],
  'publish-report': [T, ENV.siteBucket, ENV.indexQueueUrl, ...MAIL, ENV.siteBaseUrl, ...HISTORY],
  'record-execution-failure': [T, ...HISTORY],
  'rebuild-site-indexes': [T, ENV.siteBucket],
  'admin-list-agencies': [T],
  'admin-save-agency': [T, BASE, ...HISTORY],
  'admin-list-people': [T],
  'admin-save-person': [T, KEYS, ...MAIL, BASE, ...HISTORY],
  'admin-remove-person': [T, KEYS, ...MAIL, BASE, ...HISTORY],
  'admin-import-people': [T, KEYS, ...MAIL, BASE, ...HISTORY],
  'admin-progress': [T],
  'admin-send-reminders': [T, ...MAIL, BASE, ...HISTORY],
  'admin-summary': [T],
  'admin-log': [T, ...HISTORY],
  'send-due-reminders': [T, ...MAIL, BASE, ...HISTORY],
};

describe('the Lambda functions', () => {
  it('are one per handler module in functions/', () => {
    const modules = readdirSync(path.join(PROJECT_ROOT, 'functions'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.slice(0, -3))
      .sort();
    expect([...FUNCTION_NAMES].sort()).toEqual(modules);
    expect(Object.keys(functions)).toHaveLength(FUNCTION_NAMES.length);
  });

  it('run on the newest Node.js runtime aws-cdk-lib offers, at least nodejs22.x', () => {
    const newest = newestNodeRuntime();
    const majors = lambda.Runtime.ALL.map((runtime) => Number(/^nodejs(\d+)\.x$/.exec(runtime.name)?.[1])).filter(Number.isInteger);
    expect(newest.name).toBe(`nodejs${Math.max(...majors)}.x`);
    expect(Number(/^nodejs(\d+)\.x$/.exec(newest.name)?.[1])).toBeGreaterThanOrEqual(22);
    for (const name of FUNCTION_NAMES) expect(fnOf(name).Properties?.['Runtime'], name).toBe(newest.name);
  });

  it('run on arm64 with the ESM handler entry', () => {
    for (const name of FUNCTION_NAMES) {
      expect(fnOf(name).Properties?.['Architectures'], name).toEqual(['arm64']);
      expect(fnOf(name).Properties?.['Handler'], name).toBe('index.handler');
    }
  });

  it("each log to their own log group with the stage's retention, as JSON", () => {
    const logGroupIds = new Set<string>();
    for (const name of FUNCTION_NAMES) {
      const logging = fnOf(name).Properties?.['LoggingConfig'] as { LogFormat: string; LogGroup: { Ref: string } };
      expect(logging.LogFormat, name).toBe('JSON');
      const group = logGroups[logging.LogGroup.Ref];
      expect(group?.Properties?.['RetentionInDays'], name).toBe(STAGES.prod.logRetention);
      expect(group?.DeletionPolicy, name).toBe('Retain');
      logGroupIds.add(logging.LogGroup.Ref);
    }
    expect(logGroupIds.size).toBe(FUNCTION_NAMES.length);
  });

  it('keep dev logs a week and delete them with the stack', () => {
    for (const group of Object.values(resourcesOfType(dev.stateless, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties?.['RetentionInDays']).toBe(RetentionDays.ONE_WEEK);
      expect(group.DeletionPolicy).toBe('Delete');
    }
  });

  it('get exactly the environment variables their handlers read', () => {
    for (const name of FUNCTION_NAMES) {
      const variables = (fnOf(name).Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      const nianbao = Object.keys(variables)
        .filter((key) => key.startsWith('NIANBAO_'))
        .sort();
      expect(nianbao, name).toEqual([...EXPECTED_VARIABLES[name]].sort());
      expect(variables['NODE_OPTIONS'], name).toBe('--enable-source-maps');
    }
  });

  it('point every function that knows the state machine at the review state machine', () => {
    const machineName = built.stateless.stateMachineName;
    for (const name of FUNCTION_NAMES) {
      const arn = (fnOf(name).Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables[SM];
      if (arn !== undefined)
        expect(flatten(arn), name).toBe(`arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${machineName}`);
    }
  });

  it('give SES the sender as 7-bit ASCII (the Chinese display name as RFC 2047 words), and SMTP the sender as configured', () => {
    const sesFrom = fnEnv(stateless, built, 'request-review')[ENV.mailFrom];
    expect(sesFrom).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <noreply@nianbao\.example\.gov\.cn>$/);
    expect(Buffer.from(String(/B\?([^?]+)\?=/.exec(String(sesFrom))?.[1]), 'base64').toString('utf8')).toBe(
      STAGES.prod.mail.from.split(' <')[0],
    );
    expect(fnEnv(smtp.stateless, smtp.built, 'request-review')[ENV.mailFrom]).toBe(STAGES.prod.mail.from);
  });

  it('mail through the SMTP secret instead of SES when the stage says so', () => {
    const fn = resourcesOfType(smtp.stateless, 'AWS::Lambda::Function')[functionLogicalId(smtp.built, 'request-review')];
    const variables = (fn?.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(variables[ENV.mailTransport]).toBe('smtp');
    expect(flatten(variables[ENV.smtpSecretArn])).toBe(
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:nianbao/smtp',
    );
    expect(variables[ENV.sesConfigurationSet]).toBeUndefined();
  });
});

describe('the HTTP API', () => {
  const routes = resourcesOfType(stateless, 'AWS::ApiGatewayV2::Route');
  const integrations = resourcesOfType(stateless, 'AWS::ApiGatewayV2::Integration');

  it('has exactly one route per entry of ROUTES, each integrated with the Lambda of its functions/<name>.ts', () => {
    const byKey = new Map(Object.values(routes).map((route) => [route.Properties?.['RouteKey'] as string, route]));
    expect([...byKey.keys()].sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    for (const spec of ROUTES) {
      const route = byKey.get(`${spec.method} ${spec.path}`);
      const target = flatten(route?.Properties?.['Target']);
      const integrationId = /^integrations\/<(\w+)>$/.exec(target)?.[1] ?? '';
      const integration = integrations[integrationId];
      expect(integration?.Properties, `${spec.method} ${spec.path}`).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [functionLogicalId(built, spec.function), 'Arn'] },
      });
    }
  });

  it('lets API Gateway invoke each function only for its own routes', () => {
    const permissions = Object.values(resourcesOfType(stateless, 'AWS::Lambda::Permission')).filter(
      (p) => p.Properties?.['Principal'] === 'apigateway.amazonaws.com',
    );
    for (const spec of ROUTES) {
      const fnArn = { 'Fn::GetAtt': [functionLogicalId(built, spec.function), 'Arn'] };
      const matching = permissions.filter(
        (p) =>
          JSON.stringify(p.Properties?.['FunctionName']) === JSON.stringify(fnArn) &&
          flatten(p.Properties?.['SourceArn']).endsWith(`/*/*${spec.path}`),
      );
      // one per route: a function answering several methods on one path (GET/PUT/DELETE /api/me/delegation) has one each
      const routes = ROUTES.filter((other) => other.function === spec.function && other.path === spec.path);
      expect(matching, `${spec.method} ${spec.path}`).toHaveLength(routes.length);
    }
  });

  it('serves the $default stage with access logs and the stage throttle', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: STAGES.prod.apiThrottle.rateLimit,
        ThrottlingBurstLimit: STAGES.prod.apiThrottle.burstLimit,
      },
    });
    const [stage] = Object.values(resourcesOfType(stateless, 'AWS::ApiGatewayV2::Stage'));
    const format = JSON.parse(String((stage?.Properties?.['AccessLogSettings'] as { Format: string }).Format)) as Record<string, string>;
    expect(format['requestId']).toBe('$context.requestId');
    // review links carry a signature in the query string: the access log has the route key, never the raw path or query
    expect(JSON.stringify(format)).not.toMatch(/\$context\.(path|rawPath|rawQueryString)/);
  });
});

describe('the alarms', () => {
  const alarms = Object.values(resourcesOfType(stateless, 'AWS::CloudWatch::Alarm'));
  const topicId = Object.keys(resourcesOfType(stateless, 'AWS::SNS::Topic'))[0];
  const alarmOn = (metric: string, namespace: string) =>
    alarms.find((a) => a.Properties?.['MetricName'] === metric && a.Properties?.['Namespace'] === namespace);

  it('fire on failed and throttled review executions', () => {
    const machineId = Object.keys(resourcesOfType(stateless, 'AWS::StepFunctions::StateMachine'))[0];
    for (const metric of ['ExecutionsFailed', 'ExecutionThrottled']) {
      const alarm = alarmOn(metric, 'AWS/States');
      expect(alarm, metric).toBeDefined();
      expect(alarm?.Properties?.['Dimensions'], metric).toEqual([{ Name: 'StateMachineArn', Value: { Ref: machineId } }]);
      expect(alarm?.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
      });
    }
  });

  it('fire when the failure recorder itself fails (EventBridge retries it): its errors alarm, to the topic', () => {
    const recorder = functionLogicalId(built, 'record-execution-failure');
    const alarm = Object.values(resourcesOfType(stateless, 'AWS::CloudWatch::Alarm')).find(
      (candidate) =>
        candidate.Properties?.['MetricName'] === 'Errors' && JSON.stringify(candidate.Properties?.['Dimensions']).includes(recorder),
    );
    expect(alarm?.Properties).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', AlarmActions: [{ Ref: topicId }] });
  });

  it('fire on HTTP API 5xx', () => {
    const alarm = alarmOn('5xx', 'AWS/ApiGateway');
    expect(alarm?.Properties?.['Dimensions']).toEqual([
      { Name: 'ApiId', Value: { Ref: Object.keys(resourcesOfType(stateless, 'AWS::ApiGatewayV2::Api'))[0] } },
    ]);
    expect(alarm?.Properties).toMatchObject({ Threshold: 1, Statistic: 'Sum', AlarmActions: [{ Ref: topicId }] });
  });

  it('notify an encrypted topic that only accepts TLS', () => {
    stateless.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Object.keys(resourcesOfType(stateless, 'AWS::KMS::Key'))[0], 'Arn'] },
    });
    stateless.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('failures recorded from the execution status change', () => {
  const [ruleId, rule] = Object.entries(resourcesOfType(stateless, 'AWS::Events::Rule'))[0] ?? [];
  const machineId = Object.keys(resourcesOfType(stateless, 'AWS::StepFunctions::StateMachine'))[0];

  it("has one EventBridge rule: the review machine's FAILED, TIMED_OUT and ABORTED status changes", () => {
    expect(Object.keys(resourcesOfType(stateless, 'AWS::Events::Rule'))).toHaveLength(1);
    expect(rule?.Properties?.['EventPattern']).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [{ Ref: machineId }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
    expect(rule?.Properties?.['State']).toBe('ENABLED');
  });

  it('targets record-execution-failure, retried for a day, and lets EventBridge (this rule only) invoke it', () => {
    const fnId = functionLogicalId(built, 'record-execution-failure');
    expect(rule?.Properties?.['Targets']).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      }),
    ]);
    const permissions = Object.values(resourcesOfType(stateless, 'AWS::Lambda::Permission')).filter(
      (p) => p.Properties?.['Principal'] === 'events.amazonaws.com',
    );
    expect(permissions.map((p) => p.Properties)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      }),
    ]);
  });
});

describe('the deadline reminders', () => {
  it('run once a day at 09:00 Beijing time through EventBridge Scheduler, invoking the send-due-reminders function', () => {
    const schedules = Object.values(resourcesOfType(stateless, 'AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(1);
    const props = schedules[0]?.Properties ?? {};
    expect(props['ScheduleExpression']).toBe('cron(0 9 * * ? *)');
    expect(props['ScheduleExpressionTimezone']).toBe('Asia/Shanghai');
    expect(JSON.stringify(props['Target'])).toContain(functionLogicalId(built, 'send-due-reminders'));
  });
});
