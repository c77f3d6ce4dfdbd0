import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ProjectFunction } from './project-function.js';

/** the writer's timeout; SQS hides a delivered batch for six times as long (AWS's advice for Lambda consumers) */
export const INDEX_WRITER_TIMEOUT = Duration.minutes(1);
/** deliveries of one batch before it goes to the dead-letter queue (and the alarm fires) */
export const INDEX_WRITER_MAX_RECEIVES = 5;
/** the largest batch Lambda takes from a FIFO queue: ten requests, one rebuild */
export const INDEX_WRITER_BATCH = 10;

export interface SiteIndexWriterProps {
  readonly removalPolicy: RemovalPolicy;
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

  constructor(scope: Construct, id: string, props: SiteIndexWriterProps) {
    super(scope, id);
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
          'reports whose pages are published. Fix the cause (the writer\'s log), then run `nianbao rebuild-indexes` and purge the dead-letter queue.',
      ),
    ];
  }
}
