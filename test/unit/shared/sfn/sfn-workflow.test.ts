import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SfnWorkflow } from '#shared/sfn/sfn-workflow.js';

const MACHINE = 'arn:aws:states:cn-north-1:123456789012:stateMachine:Nianbao-prod-Stateless-Review';
const sfn = mockClient(SFNClient);

afterEach(() => {
  sfn.reset();
});

describe('SfnWorkflow.history', () => {
  it('asks Step Functions for the history without execution data, on every page (task tokens and report text stay out)', async () => {
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [{ id: 1, type: 'ExecutionStarted', timestamp: new Date('2027-01-20T08:00:00Z') }], nextToken: 'page-2' })
      .resolvesOnce({
        events: [
          {
            id: 2,
            type: 'TaskStateEntered',
            timestamp: new Date('2027-01-20T08:00:01Z'),
            stateEnteredEventDetails: { name: 'DirectorReview' },
          },
        ],
      });
    const workflow = new SfnWorkflow({ client: new SFNClient({ region: 'cn-north-1' }), stateMachineArn: MACHINE });

    const events = await workflow.history('daxing-kw-2026-r1');

    const calls = sfn.commandCalls(GetExecutionHistoryCommand);
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(call.args[0].input.includeExecutionData).toBe(false);
    expect(calls[0]?.args[0].input.executionArn).toBe(
      'arn:aws:states:cn-north-1:123456789012:execution:Nianbao-prod-Stateless-Review:daxing-kw-2026-r1',
    );
    expect(events.map((event) => event.stateName ?? event.type)).toEqual(['ExecutionStarted', 'DirectorReview']);
  });
});
