import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#infra/function-needs.js';
import { INDEX_WRITER_BATCH, INDEX_WRITER_MAX_RECEIVES } from '#infra/site-index-writer.js';
import {
  actionsOf,
  flatten,
  functionLogicalId,
  logicalIdOf,
  resourcesOf,
  resourcesOfType,
  roleOfFunction,
  statementsByRole,
  synthTemplates,
  type Statement,
} from './support.js';

/** The site-index writer in the synthesized prod template: one queue, one consumer, one at a time, alarmed. */

const { stateless, built } = synthTemplates({ stage: 'prod' });
const queues = resourcesOfType(stateless, 'AWS::SQS::Queue');
const writerId = functionLogicalId(built, 'rebuild-site-indexes');
const byRole = statementsByRole(stateless);
const statementsOf = (logicalId: string): Statement[] => byRole.get(roleOfFunction(stateless, logicalId)) ?? [];

const requestQueueId = Object.entries(queues).find(([, queue]) => queue.Properties?.['RedrivePolicy'] !== undefined)?.[0] ?? '';
const deadLetterId = Object.entries(queues).find(([, queue]) => queue.Properties?.['RedrivePolicy'] === undefined)?.[0] ?? '';

describe('the site-index writer', () => {
  it('is a FIFO queue, encrypted, with a FIFO dead-letter queue after five receives', () => {
    expect(Object.keys(queues)).toHaveLength(2);
    for (const id of [requestQueueId, deadLetterId]) {
      expect(queues[id]?.Properties?.['FifoQueue'], id).toBe(true);
      expect(queues[id]?.Properties?.['SqsManagedSseEnabled'], id).toBe(true);
    }
    const redrive = queues[requestQueueId]?.Properties?.['RedrivePolicy'] as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect(redrive.maxReceiveCount).toBe(INDEX_WRITER_MAX_RECEIVES);
    expect(flatten(redrive.deadLetterTargetArn)).toBe(`<${deadLetterId}.Arn>`);
    // a batch stays hidden while the writer works on it: six times the writer's timeout
    const writer = resourcesOfType(stateless, 'AWS::Lambda::Function')[writerId];
    expect(queues[requestQueueId]?.Properties?.['VisibilityTimeout']).toBe(6 * Number(writer?.Properties?.['Timeout']));
  });

  it('is consumed by exactly one function, with reserved concurrency 1, in batches of ten', () => {
    const mappings = Object.values(resourcesOfType(stateless, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(1);
    expect(flatten(mappings[0]?.Properties?.['FunctionName'])).toBe(`<${writerId}>`);
    expect(flatten(mappings[0]?.Properties?.['EventSourceArn'])).toBe(`<${requestQueueId}.Arn>`);
    expect(mappings[0]?.Properties?.['BatchSize']).toBe(INDEX_WRITER_BATCH);
    const functions = resourcesOfType(stateless, 'AWS::Lambda::Function');
    expect(functions[writerId]?.Properties?.['ReservedConcurrentExecutions']).toBe(1);
    // the only function held to exactly one at a time (prod reserves capacity for others, never a ceiling of 1)
    const one = Object.entries(functions)
      .filter(([, fn]) => fn.Properties?.['ReservedConcurrentExecutions'] === 1)
      .map(([id]) => id);
    expect(one).toEqual([writerId]);
  });

  it('is fed only by publish-report (SendMessage on that queue), and reads the queue only itself', () => {
    const senders = FUNCTION_NAMES.filter((name) =>
      statementsOf(functionLogicalId(built, name)).some((statement) => actionsOf(statement).includes('sqs:SendMessage')),
    );
    expect(senders).toEqual(['publish-report']);
    const send = statementsOf(functionLogicalId(built, 'publish-report')).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('sqs:')),
    );
    expect(send.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
    expect(send.flatMap(resourcesOf).map(flatten)).toEqual([`<${requestQueueId}.Arn>`]);
    const receivers = FUNCTION_NAMES.filter((name) =>
      statementsOf(functionLogicalId(built, name)).some((statement) => actionsOf(statement).includes('sqs:ReceiveMessage')),
    );
    expect(receivers).toEqual(['rebuild-site-indexes']);
    const tableActions = statementsOf(writerId)
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));
    expect(new Set(tableActions)).toEqual(new Set(['dynamodb:Query']));
  });

  it('alarms on a dead-lettered request and on a failed rebuild, to the alarm topic', () => {
    const alarms = Object.values(resourcesOfType(stateless, 'AWS::CloudWatch::Alarm'));
    const topic = `<${logicalIdOf(built.stateless, built.stateless.alarmTopic)}>`;
    const deadLetter = alarms.find((alarm) => alarm.Properties?.['MetricName'] === 'ApproximateNumberOfMessagesVisible');
    expect(deadLetter?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(JSON.stringify(deadLetter?.Properties?.['Dimensions'])).toContain(deadLetterId);
    const failures = alarms.find(
      (alarm) => alarm.Properties?.['MetricName'] === 'Errors' && JSON.stringify(alarm.Properties?.['Dimensions']).includes(writerId),
    );
    expect(failures?.Properties).toMatchObject({ Namespace: 'AWS/Lambda' });
    for (const alarm of [deadLetter, failures]) expect((alarm?.Properties?.['AlarmActions'] as unknown[]).map(flatten)).toEqual([topic]);
  });
});

describe('the site before anything is published', () => {
  it('asks the writer for a full rebuild when the stack is deployed, so /site/ is an index page from the first deployment', () => {
    const requests = Object.entries(resourcesOfType(stateless, 'Custom::AWS'));
    expect(requests).toHaveLength(1);
    const [id, resource] = requests[0] ?? [];
    for (const phase of ['Create', 'Update']) {
      const call = JSON.parse(flatten(resource?.Properties?.[phase])) as {
        service: string;
        action: string;
        parameters: Record<string, string>;
      };
      expect(call).toMatchObject({
        service: 'SQS',
        action: 'sendMessage',
        parameters: { QueueUrl: `<${requestQueueId}>`, MessageGroupId: 'site-indexes' },
      });
      // the message the writer reads as "rebuild every index": the root page is written even with no report
      expect(JSON.parse(call.parameters['MessageBody'] ?? '')).toEqual({ kind: 'all' });
    }
    // sent once the writer consumes the queue, and allowed to send to that queue only
    expect(resource?.DependsOn).toEqual(expect.arrayContaining([writerId]));
    const policies = Object.entries(resourcesOfType(stateless, 'AWS::IAM::Policy')).filter(([policyId]) =>
      (resource?.DependsOn ?? []).includes(policyId),
    );
    expect(policies, id).toHaveLength(1);
    const document = policies[0]?.[1].Properties?.['PolicyDocument'] as { Statement: Array<{ Action: unknown; Resource: unknown }> };
    expect(document.Statement.map((statement) => [statement.Action, flatten(statement.Resource)])).toEqual([
      ['sqs:SendMessage', `<${requestQueueId}.Arn>`],
    ]);
  });
});
