import { describe, expect, it } from 'vitest';
import { ALARM_THRESHOLDS, MAIL_METRIC_DIMENSION, METRIC_NAMESPACE, SIGN_IN_FAILED_EVENT } from '#infra/alarms.js';
import { FUNCTION_NAMES, FUNCTION_NEEDS } from '#infra/function-needs.js';
import { STAGES } from '#infra/stages.js';
import { GSI1 } from '#shared/store/table.js';
import {
  flatten,
  functionLogicalId,
  logicalIdOf,
  only,
  resourcesOfType,
  synthTemplates,
  TEST_ALARM_EMAIL,
  type Resource,
} from './support.js';

/**
 * The alarms on the synthesized prod template: what each watches, when it fires, and that it reaches someone.
 */

const prod = synthTemplates({ stage: 'prod' });
const smtp = synthTemplates({ stage: 'prod', mailTransport: 'smtp', smtpSecretName: 'nianbao/smtp' });
const { stateless, stateful, built } = prod;
const alarms = resourcesOfType(stateless, 'AWS::CloudWatch::Alarm');
const topicId = only(resourcesOfType(stateless, 'AWS::SNS::Topic'))[0];
const machineId = only(resourcesOfType(stateless, 'AWS::StepFunctions::StateMachine'))[0];
const apiId = only(resourcesOfType(stateless, 'AWS::ApiGatewayV2::Api'))[0];

type Dimension = { Name: string; Value: unknown };
type Query = {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: Dimension[] }; Period: number; Stat: string };
};
const single = (namespace: string, metric: string, dimension: { Name: string; Value: unknown }): Resource[] =>
  Object.values(alarms).filter(
    (alarm) =>
      alarm.Properties?.['Namespace'] === namespace &&
      alarm.Properties?.['MetricName'] === metric &&
      (alarm.Properties?.['Dimensions'] as Dimension[] | undefined)?.some(
        (d) => d.Name === dimension.Name && JSON.stringify(d.Value) === JSON.stringify(dimension.Value),
      ),
  );
const queriesOf = (alarm: Resource | undefined): Query[] => (alarm?.Properties?.['Metrics'] as Query[] | undefined) ?? [];
const mathAlarm = (expression: RegExp): Resource | undefined =>
  Object.values(alarms).find((alarm) =>
    queriesOf(alarm).some((query) => query.Expression !== undefined && expression.test(query.Expression)),
  );
const metricsOf = (alarm: Resource | undefined) =>
  queriesOf(alarm).flatMap((query) =>
    query.MetricStat === undefined ? [] : [{ id: query.Id, ...query.MetricStat.Metric, period: query.MetricStat.Period }],
  );
const metricFilters = resourcesOfType(stateless, 'AWS::Logs::MetricFilter');
const filterFor = (metricName: string): Resource | undefined =>
  Object.values(metricFilters).find(
    (filter) => (filter.Properties?.['MetricTransformations'] as { MetricName: string }[])[0]?.MetricName === metricName,
  );

describe('every alarm', () => {
  it("notifies the alarm topic, which emails the stage's alarm address", () => {
    for (const [id, alarm] of Object.entries(alarms)) expect(alarm.Properties?.['AlarmActions'], id).toEqual([{ Ref: topicId }]);
    const subscription = only(resourcesOfType(stateless, 'AWS::SNS::Subscription'))[1];
    expect(subscription.Properties).toMatchObject({ Protocol: 'email', Endpoint: TEST_ALARM_EMAIL, TopicArn: { Ref: topicId } });
  });
});

describe("the review workflow's alarms", () => {
  it('fire on an execution that timed out (a year-long wait ends TIMED_OUT, which the failed alarm does not see)', () => {
    const [alarm] = single('AWS/States', 'ExecutionsTimedOut', { Name: 'StateMachineArn', Value: { Ref: machineId } });
    expect(alarm?.Properties).toMatchObject({ Threshold: 1, Statistic: 'Sum', ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('fire on an aborted execution, except the ones a withdrawal stopped', () => {
    const alarm = mathAlarm(/aborted/);
    expect(queriesOf(alarm).find((query) => query.ReturnData !== false)?.Expression).toBe('FILL(aborted, 0) - FILL(withdrawals, 0)');
    const metrics = metricsOf(alarm);
    expect(metrics.find((m) => m.id === 'aborted')).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsAborted',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
    });
    expect(metrics.find((m) => m.id === 'withdrawals')).toMatchObject({ Namespace: METRIC_NAMESPACE, MetricName: 'Withdrawals' });
    const withdrawals = filterFor('Withdrawals');
    expect(withdrawals?.Properties?.['FilterPattern']).toBe('{ ($.route = "withdraw-report") && ($.status = 200) }');
    const withdrawLogs = logicalIdOf(built.stateless, built.stateless.functions['withdraw-report'].functionLogGroup);
    expect(withdrawals?.Properties?.['LogGroupName']).toEqual({ Ref: withdrawLogs });
    expect(alarm?.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });
});

describe("each function's alarms", () => {
  it.each(FUNCTION_NAMES.map((name) => [name]))("%s: errors and throttles, at its kind's thresholds", (name) => {
    const dimension = { Name: 'FunctionName', Value: { Ref: functionLogicalId(built, name) } };
    const task = FUNCTION_NEEDS[name].kind === 'task';
    const errors = single('AWS/Lambda', 'Errors', dimension);
    const throttles = single('AWS/Lambda', 'Throttles', dimension);
    expect(errors).toHaveLength(1);
    expect(throttles).toHaveLength(1);
    expect(errors[0]?.Properties).toMatchObject({
      Statistic: 'Sum',
      Period: 300,
      Threshold: task ? ALARM_THRESHOLDS.taskFunctionErrors : ALARM_THRESHOLDS.httpFunctionErrors,
    });
    expect(throttles[0]?.Properties).toMatchObject({
      Statistic: 'Sum',
      Period: 300,
      Threshold: task ? ALARM_THRESHOLDS.taskFunctionThrottles : ALARM_THRESHOLDS.httpFunctionThrottles,
    });
  });
});

describe("the origin-verify authorizer's alarms", () => {
  it('fire on any error or throttle: when it fails, every uncached request fails', () => {
    const authorizer = built.stateless.apiEdge?.authorizerFunction;
    if (authorizer === undefined) throw new Error('prod has no origin-verify authorizer');
    const dimension = { Name: 'FunctionName', Value: { Ref: logicalIdOf(built.stateless, authorizer) } };
    for (const metric of ['Errors', 'Throttles']) {
      const [alarm] = single('AWS/Lambda', metric, dimension);
      expect(alarm?.Properties, metric).toMatchObject({ Threshold: 1, Statistic: 'Sum', Period: 300 });
    }
  });
});

describe('reserved concurrency', () => {
  it("keeps capacity for the workflow's task functions and the decision path, as prod's config sizes it, and for nothing else", () => {
    const functions = resourcesOfType(stateless, 'AWS::Lambda::Function');
    for (const name of FUNCTION_NAMES) {
      const reserved = functions[functionLogicalId(built, name)]?.Properties?.['ReservedConcurrentExecutions'];
      // the site-index writer is held to one at a time in every stage: that is what makes it the one writer
      expect(reserved, name).toBe(name === 'rebuild-site-indexes' ? 1 : STAGES.prod.reservedConcurrency[name]);
    }
    for (const name of ['decide-review', 'request-review', 'request-revision', 'publish-report'] as const)
      expect(STAGES.prod.reservedConcurrency[name], name).toBeGreaterThan(0);
    const total = Object.values(STAGES.prod.reservedConcurrency).reduce((sum, n) => sum + (n ?? 0), 0);
    // Lambda keeps 100 of the account's (default 1,000) unreserved; the HTTP functions need most of the rest at the peak
    expect(total).toBeLessThanOrEqual(200);
  });
});

describe('DynamoDB alarms', () => {
  it('fire on throttled requests to the table, for every operation the functions use', () => {
    const alarm = mathAlarm(/ThrottledRequests|^m\d|\+/);
    const metrics = metricsOf(alarm).filter((m) => m.MetricName === 'ThrottledRequests');
    expect(new Set(metrics.map((m) => m.Dimensions?.find((d) => d.Name === 'Operation')?.Value))).toEqual(
      new Set(['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem']),
    );
    for (const metric of metrics) expect(flatten(metric.Dimensions?.find((d) => d.Name === 'TableName')?.Value)).toMatch(/Table/);
    expect(alarm?.Properties).toMatchObject({ Threshold: 1 });
  });

  it('fire on throttled writes to gsi1, which hold back the table writes behind them', () => {
    const alarm = Object.values(alarms).find((a) => a.Properties?.['MetricName'] === 'WriteThrottleEvents');
    const dimensions = alarm?.Properties?.['Dimensions'] as Dimension[];
    expect(dimensions.find((d) => d.Name === 'GlobalSecondaryIndexName')?.Value).toBe(GSI1.indexName);
  });
});

describe('mail alarms', () => {
  it("publish the configuration set's sending events, bounces and complaints among them, to CloudWatch", () => {
    const destination = only(resourcesOfType(stateful, 'AWS::SES::ConfigurationSetEventDestination'))[1];
    const config = destination.Properties?.['EventDestination'] as Record<string, unknown>;
    expect(config['Enabled']).toBe(true);
    expect(config['MatchingEventTypes']).toEqual(expect.arrayContaining(['send', 'bounce', 'complaint', 'reject']));
    expect(config['CloudWatchDestination']).toEqual({
      DimensionConfigurations: [
        {
          DimensionName: MAIL_METRIC_DIMENSION.name,
          DimensionValueSource: 'messageTag',
          DefaultDimensionValue: MAIL_METRIC_DIMENSION.value,
        },
      ],
    });
  });

  it("fire on this app's bounce and complaint rates, once enough mail went out to mean something", () => {
    for (const [event, threshold] of [
      ['Bounce', ALARM_THRESHOLDS.bounceRate],
      ['Complaint', ALARM_THRESHOLDS.complaintRate],
    ] as const) {
      const alarm = Object.values(alarms).find((a) => metricsOf(a).some((m) => m.Namespace === 'AWS/SES' && m.MetricName === event));
      expect(queriesOf(alarm).find((q) => q.ReturnData !== false)?.Expression, event).toBe(
        'IF(FILL(sends, 0) >= 20, FILL(events, 0) / sends, 0)',
      );
      for (const metric of metricsOf(alarm))
        expect(metric.Dimensions, event).toEqual([{ Name: MAIL_METRIC_DIMENSION.name, Value: MAIL_METRIC_DIMENSION.value }]);
      expect(alarm?.Properties?.['Threshold'], event).toBe(threshold);
    }
  });

  it("fire on the account's reputation rates, which SES enforces", () => {
    expect(Object.values(alarms).find((a) => a.Properties?.['MetricName'] === 'Reputation.BounceRate')?.Properties?.['Threshold']).toBe(
      0.04,
    );
    expect(Object.values(alarms).find((a) => a.Properties?.['MetricName'] === 'Reputation.ComplaintRate')?.Properties?.['Threshold']).toBe(
      0.001,
    );
  });

  it('are left out when the stage mails through SMTP', () => {
    const smtpAlarms = Object.values(resourcesOfType(smtp.stateless, 'AWS::CloudWatch::Alarm'));
    expect(
      smtpAlarms.filter((a) => a.Properties?.['Namespace'] === 'AWS/SES' || metricsOf(a).some((m) => m.Namespace === 'AWS/SES')),
    ).toEqual([]);
  });
});

describe('API alarms', () => {
  it('fire when over a quarter of the answers in 15 minutes are 4xx', () => {
    const alarm = mathAlarm(/errors/);
    expect(queriesOf(alarm).find((q) => q.ReturnData !== false)?.Expression).toBe(
      'IF(FILL(total, 0) >= 100, 100 * FILL(errors, 0) / total, 0)',
    );
    expect(metricsOf(alarm).map((m) => [m.MetricName, m.period, m.Dimensions])).toEqual(
      expect.arrayContaining([
        ['4xx', 900, [{ Name: 'ApiId', Value: { Ref: apiId } }]],
        ['Count', 900, [{ Name: 'ApiId', Value: { Ref: apiId } }]],
      ]),
    );
    expect(alarm?.Properties?.['Threshold']).toBe(ALARM_THRESHOLDS.api4xxPercent);
  });

  it('fire when over 1 % of the answers in 5 minutes are 429, counted from the access log', () => {
    const alarm = mathAlarm(/throttled/);
    expect(alarm?.Properties?.['Threshold']).toBe(ALARM_THRESHOLDS.api429Percent);
    expect(metricsOf(alarm).find((m) => m.id === 'throttled')).toMatchObject({ Namespace: METRIC_NAMESPACE, MetricName: 'Api429' });
    const filter = filterFor('Api429');
    expect(filter?.Properties?.['FilterPattern']).toBe('{ $.status = "429" }');
    const accessLogs = flatten(
      (only(resourcesOfType(stateless, 'AWS::ApiGatewayV2::Stage'))[1].Properties?.['AccessLogSettings'] as { DestinationArn: unknown })
        .DestinationArn,
    );
    expect(accessLogs).toBe(`<${flatten(filter?.Properties?.['LogGroupName']).replace(/[<>]/g, '')}.Arn>`);
  });
});

describe('the failed sign-in alarm', () => {
  it('counts create-session log lines whose JSON field "event" is "sign_in_failed"', () => {
    const filter = filterFor('FailedSignIns');
    expect(filter?.Properties?.['FilterPattern']).toBe(`{ $.event = "${SIGN_IN_FAILED_EVENT}" }`);
    expect(SIGN_IN_FAILED_EVENT).toBe('sign_in_failed');
    expect(filter?.Properties?.['LogGroupName']).toEqual({
      Ref: logicalIdOf(built.stateless, built.stateless.functions['create-session'].functionLogGroup),
    });
    expect(filter?.Properties?.['MetricTransformations']).toEqual([
      { MetricNamespace: METRIC_NAMESPACE, MetricName: 'FailedSignIns', MetricValue: '1' },
    ]);
  });

  it('fires at 200 refused codes in 5 minutes', () => {
    const alarm = Object.values(alarms).find(
      (a) => a.Properties?.['MetricName'] === 'FailedSignIns' && a.Properties?.['Namespace'] === METRIC_NAMESPACE,
    );
    expect(alarm?.Properties).toMatchObject({
      Threshold: ALARM_THRESHOLDS.failedSignIns,
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});
