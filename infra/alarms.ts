import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { GSI1 } from '../shared/store/table.js';
import { FUNCTION_NEEDS, type FunctionName } from './function-needs.js';

/** The namespace of the metrics nianbao makes from its own logs. */
export const METRIC_NAMESPACE = 'Nianbao';

/**
 * A failed sign-in, as the create-session function logs it: a top-level JSON field `"event": "sign_in_failed"` in its
 * log line (Powertools: `logger.warn('sign-in failed', { event: SIGN_IN_FAILED_EVENT })`), one line per refused code.
 */
export const SIGN_IN_FAILED_EVENT = 'sign_in_failed';

/** The CloudWatch dimension SES's event destination puts on this app's mail metrics (Send, Bounce, Complaint, …). */
export const MAIL_METRIC_DIMENSION = { name: 'nianbao-mail', value: 'sent' } as const;

/** SES publishes every sending event of the configuration set to CloudWatch, under MAIL_METRIC_DIMENSION. */
export function addMailEventDestination(configurationSet: ses.ConfigurationSet): ses.ConfigurationSetEventDestination {
  return configurationSet.addEventDestination('CloudWatchEvents', {
    destination: ses.EventDestination.cloudWatchDimensions([
      { name: MAIL_METRIC_DIMENSION.name, source: ses.CloudWatchDimensionSource.MESSAGE_TAG, defaultValue: MAIL_METRIC_DIMENSION.value },
    ]),
    events: [
      ses.EmailSendingEvent.SEND,
      ses.EmailSendingEvent.DELIVERY,
      ses.EmailSendingEvent.BOUNCE,
      ses.EmailSendingEvent.COMPLAINT,
      ses.EmailSendingEvent.REJECT,
      ses.EmailSendingEvent.RENDERING_FAILURE,
      ses.EmailSendingEvent.DELIVERY_DELAY,
    ],
  });
}

/**
 * When each alarm fires. A task function's errors and throttles are retried by the state machine, so a few are
 * expected; an HTTP function's error or throttle is a 5xx someone saw.
 */
export const ALARM_THRESHOLDS = {
  httpFunctionErrors: 5,
  httpFunctionThrottles: 1,
  taskFunctionErrors: 3,
  taskFunctionThrottles: 10,
  /** refused sign-in codes in 5 minutes: typing mistakes at the peak are ~60; more is someone guessing */
  failedSignIns: 200,
  /** per cent of API responses over 15 minutes, once at least 100 requests came */
  api4xxPercent: 25,
  api429Percent: 1,
  /** SES's own limits: it reviews an account at 5 % bounces and 0.1 % complaints, and may pause it at 10 % and 0.5 % */
  bounceRate: 0.04,
  complaintRate: 0.001,
} as const;

export interface AlarmsProps {
  readonly action: cloudwatch.IAlarmAction;
  readonly stateMachine: sfn.IStateMachine;
  readonly functions: Readonly<Record<FunctionName, lambda.IFunction & { readonly functionLogGroup: logs.ILogGroup }>>;
  readonly table: dynamodb.ITable;
  readonly httpApi: apigwv2.IHttpApi;
  readonly apiAccessLogs: logs.ILogGroup;
  /** SES sends the mail (an SMTP relay reports nothing to CloudWatch) */
  readonly sesMail: boolean;
  /** the API's origin-verify authorizer: when it fails, every request fails */
  readonly authorizer?: lambda.IFunction | undefined;
}

/**
 * The alarms beyond the workflow's failed executions and the API's 5xx: executions that timed out or were aborted
 * other than by a withdrawal, each function's errors and throttles, DynamoDB throttling, SES bounces and complaints,
 * the API's 4xx and 429 rates, and failed sign-ins. All notify the stage's alarm topic.
 */
export class Alarms extends Construct {
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const alarms = new Map<string, cloudwatch.Alarm>();
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string, evaluationPeriods = 1) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(props.action);
      alarms.set(alarmId, created);
    };
    const sum = (period: Duration) => ({ period, statistic: cloudwatch.Stats.SUM });
    const fiveMinutes = sum(Duration.minutes(5));

    // ---- the review workflow ------------------------------------------------------------------------------------
    alarm(
      'ExecutionsTimedOut',
      props.stateMachine.metricTimedOut(fiveMinutes),
      1,
      "A review workflow execution timed out (a report left waiting past the execution's limit, or a task past its timeout). Read the execution history; " +
        'redrive it or start a new round.',
    );
    // a withdrawal stops its execution (ABORTED) on purpose: only aborts beyond the withdrawals answered 200 alarm
    const withdrawals = new logs.MetricFilter(this, 'WithdrawalsFilter', {
      logGroup: props.functions['withdraw-report'].functionLogGroup,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.route', '=', 'withdraw-report'),
        logs.FilterPattern.numberValue('$.status', '=', 200),
      ),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'Withdrawals',
      metricValue: '1',
    });
    const fifteenMinutes = sum(Duration.minutes(15));
    alarm(
      'ExecutionsAbortedUnexpectedly',
      new cloudwatch.MathExpression({
        expression: 'FILL(aborted, 0) - FILL(withdrawals, 0)',
        usingMetrics: { aborted: props.stateMachine.metricAborted(fifteenMinutes), withdrawals: withdrawals.metric(fifteenMinutes) },
        period: Duration.minutes(15),
        label: 'executions aborted other than by a withdrawal',
      }),
      1,
      'A review workflow execution was aborted (StopExecution) more often than reports were withdrawn: someone stopped an execution by hand, or a ' +
        "withdrawal failed half-way. Read the report's log and the execution history.",
    );

    // ---- every function -----------------------------------------------------------------------------------------
    for (const [name, fn] of Object.entries(props.functions) as [FunctionName, AlarmsProps['functions'][FunctionName]][]) {
      const task = FUNCTION_NEEDS[name].kind === 'task';
      const id = name
        .split('-')
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join('');
      alarm(
        `${id}Errors`,
        fn.metricErrors(fiveMinutes),
        task ? ALARM_THRESHOLDS.taskFunctionErrors : ALARM_THRESHOLDS.httpFunctionErrors,
        `${name} failed with an unhandled error or a timeout${task ? ' (the state machine retries it)' : ' (the caller saw a 5xx)'}: its log group has the ` +
          `error with its request id.`,
      );
      alarm(
        `${id}Throttles`,
        fn.metricThrottles(fiveMinutes),
        task ? ALARM_THRESHOLDS.taskFunctionThrottles : ALARM_THRESHOLDS.httpFunctionThrottles,
        `Lambda throttled ${name}: the account's concurrency${task ? " or the function's reserved concurrency" : ''} ran out (README, Scaling).`,
      );
    }

    if (props.authorizer !== undefined) {
      alarm(
        'OriginVerifyAuthorizerErrors',
        props.authorizer.metricErrors(fiveMinutes),
        1,
        "The API's origin-verify authorizer failed (it could not read its secret?): API Gateway answers 500 to every request whose answer is not cached.",
      );
      alarm(
        'OriginVerifyAuthorizerThrottles',
        props.authorizer.metricThrottles(fiveMinutes),
        1,
        "Lambda throttled the API's origin-verify authorizer: requests with an uncached header value fail (someone may be sending the execute-api address " +
          'random header values).',
      );
    }

    // ---- DynamoDB -----------------------------------------------------------------------------------------------
    alarm(
      'TableThrottledRequests',
      props.table.metricThrottledRequestsForOperations({
        operations: [
          dynamodb.Operation.GET_ITEM,
          dynamodb.Operation.QUERY,
          dynamodb.Operation.PUT_ITEM,
          dynamodb.Operation.UPDATE_ITEM,
          dynamodb.Operation.DELETE_ITEM,
        ],
        ...fiveMinutes,
      }),
      1,
      "DynamoDB throttled requests to the table (over the warm throughput or a partition's limit): see README, Scaling, on tableWarmThroughput.",
    );
    alarm(
      'IndexWriteThrottleEvents',
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'WriteThrottleEvents',
        dimensionsMap: { TableName: props.table.tableName, GlobalSecondaryIndexName: GSI1.indexName },
        ...fiveMinutes,
      }),
      1,
      `DynamoDB throttled writes to the ${GSI1.indexName} index, which throttles the table writes behind them (the PUBLISHED and AGENCY# partitions; ` +
        `README, Scaling).`,
    );

    // ---- mail ---------------------------------------------------------------------------------------------------
    if (props.sesMail) {
      const mailMetric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/SES',
          metricName,
          dimensionsMap: { [MAIL_METRIC_DIMENSION.name]: MAIL_METRIC_DIMENSION.value },
          ...sum(Duration.hours(1)),
        });
      const rate = (event: string, label: string) =>
        new cloudwatch.MathExpression({
          expression: 'IF(FILL(sends, 0) >= 20, FILL(events, 0) / sends, 0)',
          usingMetrics: { sends: mailMetric('Send'), events: mailMetric(event) },
          period: Duration.hours(1),
          label,
        });
      alarm(
        'MailBounceRate',
        rate('Bounce', 'bounces per message sent'),
        ALARM_THRESHOLDS.bounceRate,
        "Over 4 % of this app's mail bounced in the last hour: a roster with wrong addresses? SES reviews an account at 5 % and may pause its sending at " +
          '10 %.',
      );
      alarm(
        'MailComplaintRate',
        rate('Complaint', 'complaints per message sent'),
        ALARM_THRESHOLDS.complaintRate,
        "Recipients marked this app's mail as spam (over 0.1 % in the last hour): SES reviews an account at 0.1 % and may pause it at 0.5 %.",
      );
      const reputation = (metricName: string) =>
        new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: cloudwatch.Stats.MAXIMUM });
      alarm(
        'AccountBounceRate',
        reputation('Reputation.BounceRate'),
        ALARM_THRESHOLDS.bounceRate,
        "The account's bounce rate, which SES enforces (all mail of the account and region), is over 4 %.",
      );
      alarm(
        'AccountComplaintRate',
        reputation('Reputation.ComplaintRate'),
        ALARM_THRESHOLDS.complaintRate,
        "The account's complaint rate, which SES enforces, is over 0.1 %.",
      );
    }

    // ---- the API ------------------------------------------------------------------------------------------------
    const quarterHour = Duration.minutes(15);
    alarm(
      'Api4xxRate',
      new cloudwatch.MathExpression({
        expression: 'IF(FILL(total, 0) >= 100, 100 * FILL(errors, 0) / total, 0)',
        usingMetrics: { errors: props.httpApi.metricClientError(sum(quarterHour)), total: props.httpApi.metricCount(sum(quarterHour)) },
        period: quarterHour,
        label: 'per cent of API responses that were 4xx',
      }),
      ALARM_THRESHOLDS.api4xxPercent,
      "Over a quarter of the API's answers in 15 minutes were 4xx: a client or page sending bad requests, sessions failing, or someone probing.",
    );
    const throttled = new logs.MetricFilter(this, 'Api429Filter', {
      logGroup: props.apiAccessLogs,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'Api429',
      metricValue: '1',
    });
    alarm(
      'Api429Rate',
      new cloudwatch.MathExpression({
        expression: 'IF(FILL(total, 0) >= 100, 100 * FILL(throttled, 0) / total, 0)',
        usingMetrics: { throttled: throttled.metric(sum(Duration.minutes(5))), total: props.httpApi.metricCount(sum(Duration.minutes(5))) },
        period: Duration.minutes(5),
        label: 'per cent of API responses that were 429',
      }),
      ALARM_THRESHOLDS.api429Percent,
      "Over 1 % of the API's answers in 5 minutes were 429: the stage throttle (apiThrottle) or the sign-in attempt limits. AWS WAF's own 429s are counted " +
        'at CloudFront (us-east-1 metrics).',
    );

    // ---- sign-in ------------------------------------------------------------------------------------------------
    const failedSignIns = new logs.MetricFilter(this, 'FailedSignInsFilter', {
      logGroup: props.functions['create-session'].functionLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.event', '=', SIGN_IN_FAILED_EVENT),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'FailedSignIns',
      metricValue: '1',
    });
    alarm(
      'FailedSignIns',
      failedSignIns.metric(fiveMinutes),
      ALARM_THRESHOLDS.failedSignIns,
      "Over 200 sign-in codes were refused in 5 minutes: someone may be guessing codes. AWS WAF's SignInRatePerIp rule and the attempt limits hold; look " +
        'at the sampled requests of the web ACL.',
    );

    this.alarms = alarms;
  }
}
