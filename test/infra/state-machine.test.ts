import { describe, expect, it } from 'vitest';
import { STAGES } from '#infra/stages.js';
import { flatten, functionLogicalId, only, resourcesOfType, synthTemplates } from './support.js';

/**
 * The review state machine as AWS receives it: the DefinitionString of the synthesized template, parsed (references
 * rendered as <LogicalId.Attr>), asserting on the states it must have rather than on one serialized definition.
 */

interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}
interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
}
interface State {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string; Payload?: Record<string, unknown> };
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
  Catch?: Catcher[];
  Retry?: Retrier[];
  Choices?: { Next: string }[];
  Default?: string;
  Next?: string;
  End?: boolean;
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: string;
}

const { stateless, built } = synthTemplates({ stage: 'prod' });
const dev = synthTemplates({ stage: 'dev' });
const [, machine] = only(resourcesOfType(stateless, 'AWS::StepFunctions::StateMachine'));
const definition = JSON.parse(flatten(machine.Properties?.['DefinitionString'])) as Definition;
const states = Object.entries(definition.States);
const state = (name: string): State => {
  const found = definition.States[name];
  if (found === undefined) throw new Error(`no state ${name}`);
  return found;
};
const isLambdaTask = (s: State): boolean => s.Type === 'Task' && (s.Resource ?? '').includes(':states:::lambda:invoke');
const waitsForToken = (s: State): boolean => (s.Resource ?? '').endsWith(':states:::lambda:invoke.waitForTaskToken');
const fnArn = (name: Parameters<typeof functionLogicalId>[1]) => `<${functionLogicalId(built, name)}.Arn>`;

describe('the review state machine as synthesized', () => {
  it('is a Standard machine on JSONPath with execution logging (without execution data) and tracing', () => {
    expect(machine.Properties?.['StateMachineType']).toBe('STANDARD');
    expect(definition.QueryLanguage).toBe('JSONPath');
    expect(JSON.stringify(definition)).not.toMatch(/JSONata|\{%/);
    expect(machine.Properties?.['LoggingConfiguration']).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(machine.Properties?.['TracingConfiguration']).toEqual({ Enabled: true });
    expect(definition.StartAt).toBe('DirectorReview');
    // named after its stack, so the task functions can be given its ARN without a reference cycle
    expect(machine.Properties?.['StateMachineName']).toBe(built.stateless.stateMachineName);
    expect(built.stateless.stateMachineName).toBe(`${built.stateless.stackName}-Review`);
  });

  it('waits for a task token in DirectorReview, LeaderReview and OfficerRevision, with the right function', () => {
    const waiting = states.filter(([, s]) => waitsForToken(s)).map(([name]) => name).sort();
    expect(waiting).toEqual(['DirectorReview', 'LeaderReview', 'OfficerRevision']);
    expect(state('DirectorReview').Parameters?.FunctionName).toBe(fnArn('request-review'));
    expect(state('LeaderReview').Parameters?.FunctionName).toBe(fnArn('request-review'));
    expect(state('OfficerRevision').Parameters?.FunctionName).toBe(fnArn('request-revision'));
    for (const [name, s] of states.filter(([, candidate]) => waitsForToken(candidate))) {
      expect(s.Parameters?.Payload?.['taskToken.$'], name).toBe('$$.Task.Token');
    }
  });

  it('gives every waitForTaskToken task a timeout and catches States.Timeout (the reminder), and nothing else', () => {
    const timeouts: Record<string, number> = {
      DirectorReview: STAGES.prod.reviewTimeout.toSeconds(),
      LeaderReview: STAGES.prod.reviewTimeout.toSeconds(),
      OfficerRevision: STAGES.prod.revisionTimeout.toSeconds(),
    };
    for (const [name, s] of states.filter(([, candidate]) => waitsForToken(candidate))) {
      expect(s.TimeoutSeconds, name).toBe(timeouts[name]);
      const catchers = s.Catch ?? [];
      const timeoutIndex = catchers.findIndex((c) => c.ErrorEquals.length === 1 && c.ErrorEquals[0] === 'States.Timeout');
      expect(timeoutIndex, name).toBeGreaterThanOrEqual(0);
      // retries exhausted: the execution fails AT the task, so a redrive reruns it (AWS redrives "from the unsuccessful step")
      expect(catchers, name).toHaveLength(1);
      // the reminder is a Pass back into the same task: the same review, a new token
      const reminder = state(catchers[timeoutIndex]?.Next ?? '');
      expect(reminder.Type, name).toBe('Pass');
      expect(reminder.Next, name).toBe(name);
      expect(catchers[timeoutIndex]?.ResultPath, name).toBeNull();
    }
  });

  it('gives every Choice a Default, and every Default fails loudly', () => {
    const choices = states.filter(([, s]) => s.Type === 'Choice');
    expect(choices.map(([name]) => name).sort()).toEqual(['DirectorDecision', 'LeaderDecision', 'RevisionOutcome']);
    for (const [name, s] of choices) {
      expect(s.Default, name).toBeDefined();
      expect(state(s.Default ?? '').Type, name).toBe('Fail');
    }
  });

  it('retries Lambda\'s own transient errors with backoff on every Lambda task', () => {
    const lambdaTasks = states.filter(([, s]) => isLambdaTask(s));
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual(['DirectorReview', 'LeaderReview', 'OfficerRevision', 'Publish']);
    for (const [name, s] of lambdaTasks) {
      const retriers = s.Retry ?? [];
      const covers = (error: string) => retriers.find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
      for (const error of ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException']) {
        const retrier = covers(error);
        expect(retrier, `${name} ${error}`).toBeDefined();
        expect(retrier?.BackoffRate, `${name} ${error}`).toBeGreaterThan(1);
        expect(retrier?.MaxAttempts, `${name} ${error}`).toBeGreaterThan(0);
      }
      for (const retrier of retriers) {
        expect(retrier.BackoffRate, name).toBeGreaterThan(1);
        // a waiting task must never retry its own timeout: that path is the reminder
        expect(retrier.ErrorEquals, name).not.toContain('States.Timeout');
        if (waitsForToken(s)) expect(retrier.ErrorEquals, name).not.toContain('States.ALL');
      }
    }
  });

  it('lets a Publish that failed after its retries fail the execution at Publish: no Catch, no Fail state behind it', () => {
    const publish = state('Publish');
    expect(publish.Parameters?.FunctionName).toBe(fnArn('publish-report'));
    expect(publish.Catch).toBeUndefined();
    expect(publish.Retry?.length).toBeGreaterThan(0);
    expect(states.map(([name]) => name)).not.toContain('RecordPublishFailure');
    // the only Fail states left are the Choices' defaults (an outcome the workflow does not know)
    expect(states.filter(([, s]) => s.Type === 'Fail').map(([name]) => name).sort()).toEqual(['UnknownDirectorOutcome', 'UnknownLeaderOutcome', 'UnknownRevisionOutcome']);
    expect(publish.Next).toBe('Published');
    expect(state('Published').Type).toBe('Succeed');
  });

  it('only reaches states that exist, and reaches every state', () => {
    const targets = (s: State): string[] => [
      ...(s.Next === undefined ? [] : [s.Next]),
      ...(s.Default === undefined ? [] : [s.Default]),
      ...(s.Choices ?? []).map((c) => c.Next),
      ...(s.Catch ?? []).map((c) => c.Next),
    ];
    const seen = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length > 0) {
      const name = queue.pop() ?? '';
      if (seen.has(name)) continue;
      seen.add(name);
      for (const next of targets(state(name))) queue.push(next);
    }
    expect([...seen].sort()).toEqual(Object.keys(definition.States).sort());
  });

  it('uses the stage\'s timeouts (dev and prod share them today; both come from infra/stages.ts)', () => {
    const [, devMachine] = only(resourcesOfType(dev.stateless, 'AWS::StepFunctions::StateMachine'));
    const devDefinition = JSON.parse(flatten(devMachine.Properties?.['DefinitionString'])) as Definition;
    expect(devDefinition.States['OfficerRevision']?.TimeoutSeconds).toBe(STAGES.dev.revisionTimeout.toSeconds());
    expect(devDefinition.States['DirectorReview']?.TimeoutSeconds).toBe(STAGES.dev.reviewTimeout.toSeconds());
  });
});
