import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { ENV } from '../shared/runtime/env.js';
import { GSI1 } from '../shared/store/table.js';
import type { StateMachineAction, TableAction } from './function-needs.js';
import type { ProjectFunction } from './project-function.js';

/** How the functions send mail in this stage: the variables to set and the grant to give. */
export interface MailBinding {
  readonly environment: Readonly<Record<string, string>>;
  grant(fn: ProjectFunction): void;
}

export interface BindingTargets {
  readonly table: dynamodb.ITable;
  readonly siteBucket: s3.IBucket;
  /** the site-index writer's FIFO queue */
  readonly indexQueue: sqs.IQueue;
  /** the state machine by name: its ARN is built from the name, so the task functions the machine invokes can be
   * given it without a circular reference between the functions and the machine */
  readonly stateMachineName: string;
  readonly masterSecret: secretsmanager.ISecret;
  readonly mail: MailBinding;
  readonly baseUrl: string;
  readonly siteBaseUrl: string;
}

const EXECUTION_ACTIONS: ReadonlySet<StateMachineAction> = new Set(['states:StopExecution', 'states:DescribeExecution', 'states:GetExecutionHistory']);

/**
 * The bind helpers: each sets a function's environment variable(s) and grants exactly the access that goes with
 * it, in one call, so a variable never comes without its permission or the other way round.
 */
export class FunctionBindings {
  readonly stateMachineArn: string;
  readonly executionArnPattern: string;
  readonly siteObjectsArn: string;

  constructor(scope: Stack, private readonly targets: BindingTargets) {
    this.stateMachineArn = scope.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: targets.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // arn:…:execution:{machine}:{execution name} — the executions of this machine only
    this.executionArnPattern = scope.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${targets.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.siteObjectsArn = targets.siteBucket.arnForObjects('*');
  }

  /** The table with only the given actions, and Query on gsi1 (named: no index wildcard). */
  bindTable(fn: ProjectFunction, actions: readonly TableAction[]): void {
    if (actions.length === 0) return;
    fn.addEnvironment(ENV.tableName, this.targets.table.tableName);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions], resources: [this.targets.table.tableArn] }));
    // the index is only ever queried (agency heads and roster, agencies, published reports)
    if (actions.includes('dynamodb:Query')) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${this.targets.table.tableArn}/index/${GSI1.indexName}`] }));
    }
  }

  /** Write-only: PutObject on the site bucket's objects (publish-report; nothing else writes the public site). */
  bindSiteBucket(fn: ProjectFunction): void {
    fn.addEnvironment(ENV.siteBucket, this.targets.siteBucket.bucketName);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.siteObjectsArn] }));
  }

  /** The site-index writer's queue: SendMessage on that queue only (publish-report asks for rebuilds). */
  bindIndexQueue(fn: ProjectFunction): void {
    fn.addEnvironment(ENV.indexQueueUrl, this.targets.indexQueue.queueUrl);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.targets.indexQueue.queueArn] }));
  }

  /**
   * The state machine's ARN, and the given actions: StartExecution and SendTaskSuccess on the machine,
   * Stop/Describe/GetExecutionHistory on its executions. `[]` sets the variable only.
   */
  bindStateMachine(fn: ProjectFunction, actions: readonly StateMachineAction[]): void {
    fn.addEnvironment(ENV.stateMachineArn, this.stateMachineArn);
    const onMachine = actions.filter((action) => !EXECUTION_ACTIONS.has(action));
    const onExecutions = actions.filter((action) => EXECUTION_ACTIONS.has(action));
    if (onMachine.length > 0) fn.addToRolePolicy(new iam.PolicyStatement({ actions: onMachine, resources: [this.stateMachineArn] }));
    if (onExecutions.length > 0) fn.addToRolePolicy(new iam.PolicyStatement({ actions: onExecutions, resources: [this.executionArnPattern] }));
  }

  /** The master secret (link signing and sign-in code keys): GetSecretValue on that one secret. */
  bindMasterSecret(fn: ProjectFunction): void {
    fn.addEnvironment(ENV.masterSecretArn, this.targets.masterSecret.secretArn);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.targets.masterSecret.secretArn] }));
  }

  bindMailer(fn: ProjectFunction): void {
    for (const [name, value] of Object.entries(this.targets.mail.environment)) fn.addEnvironment(name, value);
    this.targets.mail.grant(fn);
  }

  bindBaseUrl(fn: ProjectFunction): void {
    fn.addEnvironment(ENV.baseUrl, this.targets.baseUrl);
  }

  bindSiteBaseUrl(fn: ProjectFunction): void {
    fn.addEnvironment(ENV.siteBaseUrl, this.targets.siteBaseUrl);
  }
}
