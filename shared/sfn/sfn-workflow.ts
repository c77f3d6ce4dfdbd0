import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { RoundClosedError, TaskGoneError } from '../workflow/errors.js';
import type { ExecutionHistoryEvent, ExecutionSummary, Workflow } from '../workflow/ports.js';

/** The Workflow port over Step Functions (the real service, or the local endpoint with the same protocol). */
export class SfnWorkflow implements Workflow {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(options: { client: SFNClient; stateMachineArn: string }) {
    this.client = options.client;
    this.stateMachineArn = options.stateMachineArn;
  }

  /** arn:aws:states:{region}:{account}:stateMachine:{machine} → …:execution:{machine}:{name} */
  executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async start(name: string, input: Readonly<Record<string, unknown>>): Promise<void> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
      // a name is used once: still running, it is the start an earlier attempt made; closed, it is a round that ended
      const existing = await this.describe(name);
      if (existing?.status !== 'RUNNING') throw new RoundClosedError(name, existing?.status ?? 'UNKNOWN');
    }
  }

  async stop(name: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn: this.executionArn(name), cause }));
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }

  async sendTaskSuccess(taskToken: string, output: Readonly<Record<string, unknown>>): Promise<void> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken) {
        throw new TaskGoneError(error.name);
      }
      throw error;
    }
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    } catch (failure) {
      if (failure instanceof TaskTimedOut || failure instanceof TaskDoesNotExist || failure instanceof InvalidToken) {
        throw new TaskGoneError(failure.name);
      }
      throw failure;
    }
  }

  async describe(name: string): Promise<ExecutionSummary | undefined> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn: this.executionArn(name) }));
      return {
        name,
        status: out.status ?? 'UNKNOWN',
        startDate: (out.startDate ?? new Date(0)).toISOString(),
        ...(out.stopDate === undefined ? {} : { stopDate: out.stopDate.toISOString() }),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  async history(name: string): Promise<ExecutionHistoryEvent[]> {
    const events: ExecutionHistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      // includeExecutionData: false — on AWS a TaskScheduled event's parameters carry the live task token, and inputs carry report text
      const page = await this.client.send(
        new GetExecutionHistoryCommand({ executionArn: this.executionArn(name), nextToken, maxResults: 1000, includeExecutionData: false }),
      );
      for (const event of page.events ?? []) {
        // only what an auditor needs: never inputs or outputs, which carry task tokens and report text
        const stateName = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
        events.push({
          id: event.id ?? events.length + 1,
          type: event.type ?? 'Unknown',
          timestamp: (event.timestamp ?? new Date(0)).toISOString(),
          ...(stateName === undefined ? {} : { stateName }),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return events;
  }
}
