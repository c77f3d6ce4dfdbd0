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
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
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
  ItemsPath?: string;
  ItemSelector?: Record<string, unknown>;
  ResultSelector?: Record<string, unknown>;
  ItemProcessor?: Definition;
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
/** Every state, the Map's iteration states included (names are unique across the whole definition). */
const allStates = (d: Definition): Array<[string, State]> =>
  Object.entries(d.States).flatMap(([name, s]) => [[name, s] as [string, State], ...(s.ItemProcessor ? allStates(s.ItemProcessor) : [])]);
const states = allStates(definition);
const byName = new Map(states);
const state = (name: string): State => {
  const found = byName.get(name);
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
    expect(definition.StartAt).toBe('Route');
    // named after its stack, so the task functions can be given its ARN without a reference cycle
    expect(machine.Properties?.['StateMachineName']).toBe(built.stateless.stateMachineName);
    expect(built.stateless.stateMachineName).toBe(`${built.stateless.stackName}-Review`);
  });

  it('waits for a task token in Review, CoSignReview (each co-signer) and OfficerRevision, with the right function', () => {
    const waiting = states
      .filter(([, s]) => waitsForToken(s))
      .map(([name]) => name)
      .sort();
    expect(waiting).toEqual(['CoSignReview', 'OfficerRevision', 'Review']);
    expect(state('Review').Parameters?.FunctionName).toBe(fnArn('request-review'));
    expect(state('CoSignReview').Parameters?.FunctionName).toBe(fnArn('request-review'));
    expect(state('OfficerRevision').Parameters?.FunctionName).toBe(fnArn('request-revision'));
    // the step comes from the execution's cursor, never from the definition: one definition for every chain
    expect(state('Review').Parameters?.Payload).toMatchObject({ 'step.$': '$.at.index' });
    expect(state('CoSignReview').Parameters?.Payload).toMatchObject({ 'step.$': '$.step', 'approver.$': '$.approver' });
    expect(JSON.stringify(definition)).not.toMatch(/director|leader/i);
    for (const [name, s] of states.filter(([, candidate]) => waitsForToken(candidate))) {
      expect(s.Parameters?.Payload?.['taskToken.$'], name).toBe('$$.Task.Token');
    }
  });

  it('gives every waitForTaskToken task a timeout and catches States.Timeout (the reminder), and nothing else', () => {
    const timeouts: Record<string, number> = {
      Review: STAGES.prod.reviewTimeout.toSeconds(),
      CoSignReview: STAGES.prod.reviewTimeout.toSeconds(),
      OfficerRevision: STAGES.prod.revisionTimeout.toSeconds(),
    };
    for (const [name, s] of states.filter(([, candidate]) => waitsForToken(candidate))) {
      expect(s.TimeoutSeconds, name).toBe(timeouts[name]);
      const catchers = s.Catch ?? [];
      const timeoutIndex = catchers.findIndex((c) => c.ErrorEquals.length === 1 && c.ErrorEquals[0] === 'States.Timeout');
      expect(timeoutIndex, name).toBeGreaterThanOrEqual(0);
      // retries exhausted: the execution fails AT the task, so a redrive reruns it (AWS redrives "from the unsuccessful step");
      // only the timeout is caught (the reminder), and a co-signer's return reaches the Map, which catches it
      expect(
        catchers.map((c) => c.ErrorEquals),
        name,
      ).toEqual([['States.Timeout']]);
      // the reminder is a Pass back into the same task: the same review, a new token
      const reminder = state(catchers[timeoutIndex]?.Next ?? '');
      expect(reminder.Type, name).toBe('Pass');
      expect(reminder.Next, name).toBe(name);
      expect(catchers[timeoutIndex]?.ResultPath, name).toBeNull();
    }
  });

  it('gives every Choice a Default, and every Default fails loudly', () => {
    const choices = states.filter(([, s]) => s.Type === 'Choice');
    expect(choices.map(([name]) => name).sort()).toEqual(['RevisionOutcome', 'Route']);
    for (const [name, s] of choices) {
      expect(s.Default, name).toBeDefined();
      expect(state(s.Default ?? '').Type, name).toBe('Fail');
    }
  });

  it('routes on the cursor: a return to the officer first, then the step kind, publish after the last', () => {
    const route = state('Route') as State & { Choices: Array<{ Next: string } & Record<string, unknown>> };
    expect(route.Choices.map((choice) => choice.Next)).toEqual(['OfficerRevision', 'Review', 'CoSign', 'Publish']);
    expect(state('Review').Next).toBe('Route');
    expect(state('CoSign').Next).toBe('Route');
    expect(state('NewVersion').Next).toBe('Route');
  });

  it('asks every co-signer at once in a Map, and sends the first return to the officer', () => {
    const coSign = state('CoSign');
    expect(coSign.Type).toBe('Map');
    expect(coSign.ItemsPath).toBe('$.at.cosigners');
    expect(coSign.ItemSelector).toMatchObject({ 'approver.$': '$$.Map.Item.Value', 'step.$': '$.at.index' });
    expect(coSign.ItemProcessor?.StartAt).toBe('CoSignReview');
    expect(coSign.Catch?.[0]).toMatchObject({ ErrorEquals: ['Returned'], Next: 'OfficerRevision' });
    // nothing else is caught: a co-signer's task out of retries fails the execution there, so a redrive reruns it
    expect(coSign.Catch).toHaveLength(1);
    // a return is a decision: never retried
    expect(state('CoSignReview').Retry?.[0]).toEqual({ ErrorEquals: ['Returned'], MaxAttempts: 0 });
  });

  it("retries Lambda's own transient errors with backoff on every Lambda task", () => {
    const lambdaTasks = states.filter(([, s]) => isLambdaTask(s));
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual(['CoSignReview', 'OfficerRevision', 'Publish', 'Review']);
    for (const [name, s] of lambdaTasks) {
      const retriers = s.Retry ?? [];
      const covers = (error: string) => retriers.find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
      for (const error of ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException']) {
        const retrier = covers(error);
        expect(retrier, `${name} ${error}`).toBeDefined();
        expect(retrier?.BackoffRate, `${name} ${error}`).toBeGreaterThan(1);
        expect(retrier?.MaxAttempts, `${name} ${error}`).toBeGreaterThan(0);
      }
      // throttling in the January peak: full jitter, capped delays, about half an hour in all
      const throttled = covers('Lambda.TooManyRequestsException');
      expect(throttled?.JitterStrategy, name).toBe('FULL');
      expect(throttled?.MaxDelaySeconds, name).toBe(300);
      const waits = Array.from({ length: throttled?.MaxAttempts ?? 0 }, (_, i) =>
        Math.min((throttled?.IntervalSeconds ?? 1) * (throttled?.BackoffRate ?? 1) ** i, throttled?.MaxDelaySeconds ?? Infinity),
      );
      const total = waits.reduce((a, b) => a + b, 0);
      expect(total, name).toBeGreaterThanOrEqual(25 * 60);
      expect(total, name).toBeLessThanOrEqual(35 * 60);
      for (const retrier of retriers) {
        if (retrier.MaxAttempts === 0) continue;
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
    expect(
      states
        .filter(([, s]) => s.Type === 'Fail')
        .map(([name]) => name)
        .sort(),
    ).toEqual(['UnknownOutcome', 'UnknownRevisionOutcome']);
    // the last state of a published round: no Succeed after it, one transition fewer per report
    expect(publish.End).toBe(true);
  });

  it('only reaches states that exist, and reaches every state', () => {
    const targets = (s: State): string[] => [
      ...(s.ItemProcessor === undefined ? [] : [s.ItemProcessor.StartAt]),
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
    expect([...seen].sort()).toEqual(states.map(([name]) => name).sort());
  });

  it("uses the stage's timeouts (dev and prod share them today; both come from infra/stages.ts)", () => {
    const [, devMachine] = only(resourcesOfType(dev.stateless, 'AWS::StepFunctions::StateMachine'));
    const devDefinition = JSON.parse(flatten(devMachine.Properties?.['DefinitionString'])) as Definition;
    expect(devDefinition.States['OfficerRevision']?.TimeoutSeconds).toBe(STAGES.dev.revisionTimeout.toSeconds());
    expect(devDefinition.States['Review']?.TimeoutSeconds).toBe(STAGES.dev.reviewTimeout.toSeconds());
  });
});
