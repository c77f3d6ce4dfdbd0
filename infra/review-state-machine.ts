import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RETURNED_ERROR } from '../shared/workflow/task-answer.js';

/**
 * The review workflow, defined once for every agency's chain: the execution input carries the round's chain and a
 * cursor (`at`: the step index and kind); each review task answers the next cursor, written into the report's log
 * with the decision, so no state computes it. AWS runs what this synthesizes; the local engine (infra/local) runs the
 * same synthesized definition. JSONPath only: the local engine ignores JSONata.
 *
 *   Route ─review/sign▶ Review ─▶ Route              (one approver; `at` ← the decision's cursor)
 *     │  ─cosign▶ CoSign (Map over at.cosigners: CoSignReview each) ─▶ Route
 *     │  ─return▶ OfficerRevision ─resubmitted▶ NewVersion ─▶ Route
 *     └  ─publish▶ Publish (end)
 *   each wait: States.Timeout ▶ a reminder (the same task again, with a new token, for the same review) ▶ wait
 *   a co-signer's return fails their iteration with `Returned`: the Map stops the others and catches it
 *
 * Transitions: the default chain (review → sign) takes Route, Review, Route, Review, Route, Publish = 6 per report;
 * each further step 2, a 会签 of n people 2 + n.
 *
 * A task whose retries ran out fails the execution AT that task: no Catch leads to a Fail state. AWS redrives an
 * execution "from the unsuccessful step", so a redrive then runs that task again (with a fresh retry budget); a Catch
 * into a Fail state would make the Fail state the unsuccessful step, and the redrive would only fail again. The
 * failure is written into the report's log from the execution's status change (an EventBridge rule, see
 * functions/record-execution-failure.ts), not from inside the execution.
 */

export interface ReviewFunctions {
  readonly requestReview: IFunction;
  readonly requestRevision: IFunction;
  readonly publishReport: IFunction;
}

export interface ReviewStateMachineProps {
  readonly functions: ReviewFunctions;
  /** how long an approver has before a reminder; default 3 days */
  readonly reviewTimeout?: Duration;
  /** how long the officer has to revise before a reminder; default 14 days */
  readonly revisionTimeout?: Duration;
  /** execution logging in AWS; the local engine does not need it */
  readonly logGroup?: logs.ILogGroup;
  /** the execution's own TimeoutSeconds (default none: AWS's maximum, a year, applies); tests use a short one */
  readonly executionTimeout?: Duration;
}

export const DEFAULT_REVIEW_TIMEOUT = Duration.days(3);
export const DEFAULT_REVISION_TIMEOUT = Duration.days(14);

/**
 * Any failure of a task's function (a mail provider throttling, a table busy): retried a few times before the
 * workflow gives up on it. States.TaskFailed never matches States.Timeout, which is the reminder path.
 */
const TASK_RETRY = { errors: [sfn.Errors.TASKS_FAILED], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3 };

export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * Lambda's own transient failures (throttling above all, in the January peak): retried with full jitter, so many
 * executions throttled at once do not come back at once, for about half an hour (2 s doubling to 5 minutes, 12
 * attempts: at most 2+4+…+256 + 4×300 = 1,710 s) before the task's other retries and catches take over.
 */
const LAMBDA_RETRY = {
  errors: LAMBDA_SERVICE_ERRORS,
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 12,
  maxDelay: Duration.minutes(5),
  jitterStrategy: sfn.JitterType.FULL,
};

/** A co-signer's return is a decision, not a fault: never retried, straight to the Map's catch. */
const RETURNED_NO_RETRY = { errors: [RETURNED_ERROR], maxAttempts: 0 };

export class ReviewStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly definitionBody: sfn.DefinitionBody;

  constructor(scope: Construct, id: string, props: ReviewStateMachineProps) {
    super(scope, id);
    const { functions } = props;
    const reviewTimeout = props.reviewTimeout ?? DEFAULT_REVIEW_TIMEOUT;
    const revisionTimeout = props.revisionTimeout ?? DEFAULT_REVISION_TIMEOUT;

    // resultPath undefined: the task's result is its output (the ASL default; the local engine reads an explicit
    // "$" as a field named "$")
    const waitForDecision = (name: string, payload: Record<string, unknown>, resultPath: string | undefined) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: functions.requestReview,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ taskToken: sfn.JsonPath.taskToken, ...payload }),
        ...(resultPath === undefined ? {} : { resultPath }),
        taskTimeout: sfn.Timeout.duration(reviewTimeout),
        retryOnServiceExceptions: false,
      })
        .addRetry(RETURNED_NO_RETRY)
        .addRetry(LAMBDA_RETRY)
        .addRetry(TASK_RETRY);
    const reminder = (name: string, next: sfn.IChainable) =>
      new sfn.Pass(this, name, { comment: 'timed out waiting: ask again (same review, new token)', resultPath: sfn.JsonPath.DISCARD }).next(
        next,
      );

    const unknownOutcome = new sfn.Fail(this, 'UnknownOutcome', {
      error: 'UnknownOutcome',
      cause: 'a task answered with an outcome this workflow does not know',
    });

    // one approver: a 审核 or 签发 step
    const review = waitForDecision(
      'Review',
      {
        reportId: sfn.JsonPath.stringAt('$.reportId'),
        version: sfn.JsonPath.numberAt('$.version'),
        step: sfn.JsonPath.numberAt('$.at.index'),
      },
      '$.at',
    );
    review.addCatch(reminder('ReviewReminder', review), { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });

    // 会签: every co-signer at once; each iteration ends with the same cursor (the step after), or fails `Returned`
    const coSignReview = waitForDecision(
      'CoSignReview',
      {
        reportId: sfn.JsonPath.stringAt('$.reportId'),
        version: sfn.JsonPath.numberAt('$.version'),
        step: sfn.JsonPath.numberAt('$.step'),
        approver: sfn.JsonPath.stringAt('$.approver'),
      },
      undefined,
    );
    coSignReview.addCatch(reminder('CoSignReminder', coSignReview), { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    const coSign = new sfn.Map(this, 'CoSign', {
      itemsPath: '$.at.cosigners',
      itemSelector: {
        reportId: sfn.JsonPath.stringAt('$.reportId'),
        version: sfn.JsonPath.numberAt('$.version'),
        step: sfn.JsonPath.numberAt('$.at.index'),
        approver: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
      },
      resultSelector: {
        outcome: sfn.JsonPath.stringAt('$[0].outcome'),
        index: sfn.JsonPath.numberAt('$[0].index'),
        kind: sfn.JsonPath.stringAt('$[0].kind'),
        stepId: sfn.JsonPath.stringAt('$[0].stepId'),
        cosigners: sfn.JsonPath.listAt('$[0].cosigners'),
      },
      resultPath: '$.at',
    });
    coSign.itemProcessor(coSignReview);

    const officerRevision = new tasks.LambdaInvoke(this, 'OfficerRevision', {
      lambdaFunction: functions.requestRevision,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        reportId: sfn.JsonPath.stringAt('$.reportId'),
        version: sfn.JsonPath.numberAt('$.version'),
      }),
      resultPath: '$.revision',
      taskTimeout: sfn.Timeout.duration(revisionTimeout),
      retryOnServiceExceptions: false,
    })
      .addRetry(LAMBDA_RETRY)
      .addRetry(TASK_RETRY);
    officerRevision.addCatch(reminder('RevisionReminder', officerRevision), {
      errors: [sfn.Errors.TIMEOUT],
      resultPath: sfn.JsonPath.DISCARD,
    });
    coSign.addCatch(officerRevision, { errors: [RETURNED_ERROR], resultPath: '$.returned' });

    const publish = new tasks.LambdaInvoke(this, 'Publish', {
      lambdaFunction: functions.publishReport,
      payload: sfn.TaskInput.fromObject({ reportId: sfn.JsonPath.stringAt('$.reportId'), version: sfn.JsonPath.numberAt('$.version') }),
      resultPath: sfn.JsonPath.DISCARD,
      retryOnServiceExceptions: false,
    })
      .addRetry(LAMBDA_RETRY)
      .addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 4 });

    const route = new sfn.Choice(this, 'Route')
      .when(sfn.Condition.stringEquals('$.at.outcome', 'return'), officerRevision)
      .when(sfn.Condition.or(sfn.Condition.stringEquals('$.at.kind', 'review'), sfn.Condition.stringEquals('$.at.kind', 'sign')), review)
      .when(sfn.Condition.stringEquals('$.at.kind', 'cosign'), coSign)
      .when(sfn.Condition.stringEquals('$.at.kind', 'publish'), publish)
      .otherwise(unknownOutcome);
    review.next(route);
    coSign.next(route);

    const newVersion = new sfn.Pass(this, 'NewVersion', {
      parameters: { 'reportId.$': '$.reportId', 'version.$': '$.revision.version', 'chain.$': '$.chain', 'at.$': '$.revision.at' },
    }).next(route);
    officerRevision.next(
      new sfn.Choice(this, 'RevisionOutcome').when(sfn.Condition.stringEquals('$.revision.outcome', 'resubmitted'), newVersion).otherwise(
        new sfn.Fail(this, 'UnknownRevisionOutcome', {
          error: 'UnknownOutcome',
          cause: 'the revision task answered with an outcome this workflow does not know',
        }),
      ),
    );

    this.definitionBody = sfn.DefinitionBody.fromChainable(route);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: this.definitionBody,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      tracingEnabled: true,
      ...(props.executionTimeout === undefined ? {} : { timeout: props.executionTimeout }),
      ...(props.logGroup === undefined
        ? {}
        : { logs: { destination: props.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false } }),
    });
  }
}
