import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { INDEX_MESSAGE_GROUP } from '../shared/store/sqs-index-queue.js';
import { nagRule } from './nag.js';
import type { ProjectFunction } from './project-function.js';

/** the writer's timeout; SQS hides a delivered batch for six times as long (AWS's advice for Lambda consumers) */
export const INDEX_WRITER_TIMEOUT = Duration.minutes(1);
/** deliveries of one batch before it goes to the dead-letter queue (and the alarm fires) */
export const INDEX_WRITER_MAX_RECEIVES = 5;
/** the largest batch Lambda takes from a FIFO queue: ten requests, one rebuild */
export const INDEX_WRITER_BATCH = 10;

export interface SiteIndexWriterProps {
  readonly removalPolicy: RemovalPolicy;
  /** the stage's retention, for the log of the request sent at deployment */
  readonly logRetention: logs.RetentionDays;
}

/**
 * The one writer of the public site's indexes: a FIFO queue (every request in one message group, see
 * shared/store/sqs-index-queue.ts) into one Lambda with reserved concurrency 1, so rebuilds never overlap and each
 * takes a batch of requests at once. A batch that keeps failing goes to the dead-letter queue; the alarms fire on
 * a message there and on any failed invocation. `nianbao rebuild-indexes` queues a full rebuild.
 */
export class SiteIndexWriter extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  private readonly props: SiteIndexWriterProps;

  constructor(scope: Construct, id: string, props: SiteIndexWriterProps) {
    super(scope, id);
    this.props = props;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'Requests', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(INDEX_WRITER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: INDEX_WRITER_MAX_RECEIVES },
      removalPolicy: props.removalPolicy,
    });
  }

  /** The writer function: the queue's only consumer, one at a time. */
  consumeWith(fn: ProjectFunction): void {
    const cfn = fn.node.defaultChild as lambda.CfnFunction;
    cfn.reservedConcurrentExecutions = 1;
    fn.addEventSource(new SqsEventSource(this.queue, { batchSize: INDEX_WRITER_BATCH }));
  }

  /**
   * A full rebuild asked for once the stack is deployed (and again whenever this request changes): the site is a real
   * index page from the first deployment, before anything is published, written by the one writer of the indexes.
   * Nothing already published is lost: a full rebuild renders every index from the store's list.
   */
  rebuildOnDeploy(fn: ProjectFunction): void {
    const send = {
      service: 'SQS',
      action: 'sendMessage',
      parameters: {
        QueueUrl: this.queue.queueUrl,
        MessageBody: JSON.stringify({ kind: 'all' }),
        MessageGroupId: INDEX_MESSAGE_GROUP,
        MessageDeduplicationId: 'deploy-rebuild',
      },
      physicalResourceId: cr.PhysicalResourceId.of('site-index-rebuild-on-deploy'),
    };
    const rebuild = new cr.AwsCustomResource(this, 'RebuildOnDeploy', {
      onCreate: send,
      onUpdate: send,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new logs.LogGroup(this, 'RebuildOnDeployLogs', {
        retention: this.props.logRetention,
        removalPolicy: this.props.removalPolicy,
      }),
    });
    // the queue's consumer is in place before the request is sent
    rebuild.node.addDependency(fn);
    const provider = Stack.of(this).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`);
    const providerRole = provider?.node.tryFindChild('ServiceRole');
    if (providerRole !== undefined) {
      Validations.of(providerRole).acknowledge({
        id: `${nagRule('IAM4')}[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]`,
        reason:
          "CDK's provider for the one SQS request sent at deployment runs with AWSLambdaBasicExecutionRole (its own logs only); its one grant is " +
          'sqs:SendMessage on the site-index queue, given inline.',
      });
    }
  }

  /** A request dead-lettered. (A failed invocation is retried by SQS; the per-function errors alarm says so.) */
  alarms(_fn: ProjectFunction, action: cwActions.SnsAction): cloudwatch.Alarm[] {
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM };
    const make = (id: string, metric: cloudwatch.IMetric, description: string) => {
      const alarm = new cloudwatch.Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(action);
      return alarm;
    };
    return [
      make(
        'DeadLetterAlarm',
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(fiveMinutes),
        `A site-index rebuild failed ${INDEX_WRITER_MAX_RECEIVES} times and its requests are in the dead-letter queue: the public indexes may miss ` +
          "reports whose pages are published. Fix the cause (the writer's log), then run `nianbao rebuild-indexes` and purge the dead-letter queue.",
      ),
    ];
  }
}
