import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/**
 * The review workflow, defined once: 信息员 → 办公室主任 → 主管领导 → publish. AWS runs what this synthesizes; the local
 * engine (infra/local) runs the same synthesized definition. JSONPath only: the local engine ignores JSONata.
 *
 *   DirectorReview ─approve▶ LeaderReview ─approve▶ Publish ─▶ Published
 *        │ return                │ return
 *        └──────▶ OfficerRevision ◀┘ ─resubmitted▶ NewVersion ▶ DirectorReview
 *   each wait: States.Timeout ▶ a reminder (the same task again, with a new token, for the same review) ▶ wait
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
 * Lambda's own transient failures, retried with backoff on every task; then any failure of the task's function
 * (a mail provider throttling, a table busy) a few more times before the workflow gives up on it. States.TaskFailed
 * never matches States.Timeout, which is the reminder path.
 */
const TASK_RETRY = { errors: [sfn.Errors.TASKS_FAILED], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3 };

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

export class ReviewStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly definitionBody: sfn.DefinitionBody;

  constructor(scope: Construct, id: string, props: ReviewStateMachineProps) {
    super(scope, id);
    const { functions } = props;
    const reviewTimeout = props.reviewTimeout ?? DEFAULT_REVIEW_TIMEOUT;
    const revisionTimeout = props.revisionTimeout ?? DEFAULT_REVISION_TIMEOUT;

    const waitForDecision = (name: string, stage: 'director' | 'leader') =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: functions.requestReview,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          taskToken: sfn.JsonPath.taskToken,
          reportId: sfn.JsonPath.stringAt('$.reportId'),
          version: sfn.JsonPath.numberAt('$.version'),
          stage,
        }),
        resultPath: '$.decision',
        taskTimeout: sfn.Timeout.duration(reviewTimeout),
        retryOnServiceExceptions: false,
      })
        .addRetry({ errors: LAMBDA_SERVICE_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6 })
        .addRetry(TASK_RETRY);

    const unknownOutcome = (name: string) =>
      new sfn.Fail(this, name, { error: 'UnknownOutcome', cause: 'a task answered with an outcome this workflow does not know' });

    const directorReview = waitForDecision('DirectorReview', 'director');
    const leaderReview = waitForDecision('LeaderReview', 'leader');
    const officerRevision = new tasks.LambdaInvoke(this, 'OfficerRevision', {
      lambdaFunction: functions.requestRevision,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        reportId: sfn.JsonPath.stringAt('$.reportId'),
        version: sfn.JsonPath.numberAt('$.version'),
        decision: sfn.JsonPath.objectAt('$.decision'),
      }),
      resultPath: '$.revision',
      taskTimeout: sfn.Timeout.duration(revisionTimeout),
      retryOnServiceExceptions: false,
    })
      .addRetry({ errors: LAMBDA_SERVICE_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6 })
      .addRetry(TASK_RETRY);

    const reminder = (name: string, next: sfn.IChainable) =>
      new sfn.Pass(this, name, { comment: 'timed out waiting: ask again (same review, new token)', resultPath: sfn.JsonPath.DISCARD }).next(next);
    directorReview.addCatch(reminder('DirectorReminder', directorReview), { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    leaderReview.addCatch(reminder('LeaderReminder', leaderReview), { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    officerRevision.addCatch(reminder('RevisionReminder', officerRevision), { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });

    const publish = new tasks.LambdaInvoke(this, 'Publish', {
      lambdaFunction: functions.publishReport,
      payload: sfn.TaskInput.fromObject({ reportId: sfn.JsonPath.stringAt('$.reportId'), version: sfn.JsonPath.numberAt('$.version') }),
      resultPath: sfn.JsonPath.DISCARD,
      retryOnServiceExceptions: false,
    }).addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 4 });
    const newVersion = new sfn.Pass(this, 'NewVersion', {
      parameters: { 'reportId.$': '$.reportId', 'version.$': '$.revision.version' },
    }).next(directorReview);

    const definition = directorReview.next(
      new sfn.Choice(this, 'DirectorDecision')
        .when(sfn.Condition.stringEquals('$.decision.outcome', 'approve'), leaderReview.next(
          new sfn.Choice(this, 'LeaderDecision')
            .when(sfn.Condition.stringEquals('$.decision.outcome', 'approve'), publish.next(new sfn.Succeed(this, 'Published')))
            .when(sfn.Condition.stringEquals('$.decision.outcome', 'return'), officerRevision)
            .otherwise(unknownOutcome('UnknownLeaderOutcome')),
        ))
        .when(sfn.Condition.stringEquals('$.decision.outcome', 'return'), officerRevision)
        .otherwise(unknownOutcome('UnknownDirectorOutcome')),
    );
    officerRevision.next(
      new sfn.Choice(this, 'RevisionOutcome')
        .when(sfn.Condition.stringEquals('$.revision.outcome', 'resubmitted'), newVersion)
        .otherwise(unknownOutcome('UnknownRevisionOutcome')),
    );

    this.definitionBody = sfn.DefinitionBody.fromChainable(definition);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: this.definitionBody,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      tracingEnabled: true,
      ...(props.executionTimeout === undefined ? {} : { timeout: props.executionTimeout }),
      ...(props.logGroup === undefined ? {} : { logs: { destination: props.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false } }),
    });
  }
}
