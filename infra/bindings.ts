import { ArnFormat, type Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Tags } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { ENV } from '../shared/runtime/env.js';
import { GSI1, type Partition } from '../shared/store/table.js';
import {
  indexKeyPatterns,
  leadingKeyPatterns,
  TABLE_READ,
  type ItemNeeds,
  type StateMachineAction,
  type TableAction,
} from './function-needs.js';
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
  readonly historyKey: kms.IKey;
  readonly anchorBucket: s3.IBucket;
  /** the role tag the history key's policy lets sign */
  readonly historyWriterTag: { readonly key: string; readonly value: string };
  readonly mail: MailBinding;
  readonly baseUrl: string;
  readonly siteBaseUrl: string;
}

const EXECUTION_ACTIONS: ReadonlySet<StateMachineAction> = new Set([
  'states:StopExecution',
  'states:DescribeExecution',
  'states:GetExecutionHistory',
]);

/**
 * The bind helpers: each sets a function's environment variable(s) and grants exactly the access that goes with
 * it, in one call, so a variable never comes without its permission or the other way round.
 */
export class FunctionBindings {
  readonly stateMachineArn: string;
  readonly executionArnPattern: string;
  readonly siteObjectsArn: string;
  readonly anchorObjectsArn: string;

  constructor(
    scope: Stack,
    private readonly targets: BindingTargets,
  ) {
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
    this.anchorObjectsArn = targets.anchorBucket.arnForObjects('*');
  }

  /**
   * The table with only the given actions, each held by `dynamodb:LeadingKeys` to the partitions the function names:
   * Get/Query to `items.read`, Put/Update/Delete to `items.write`, and Query on gsi1 (named: no index wildcard) to
   * `items.index`. A table action without partitions to reach is refused rather than granted table-wide.
   */
  bindTable(fn: ProjectFunction, actions: readonly TableAction[], items: ItemNeeds = {}): void {
    if (actions.length === 0) return;
    fn.addEnvironment(ENV.tableName, this.targets.table.tableName);
    const reads = actions.filter((action) => TABLE_READ.includes(action));
    const writes = actions.filter((action) => !TABLE_READ.includes(action));
    const grant = (granted: readonly TableAction[], partitions: readonly Partition[] | undefined, what: string) => {
      if (granted.length === 0) return;
      if (partitions === undefined || partitions.length === 0) {
        throw new Error(
          `${fn.functionModule}: ${granted.join(', ')} needs the partitions it may ${what} (items.${what} in infra/function-needs.ts)`,
        );
      }
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...granted],
          resources: [this.targets.table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeyPatterns(partitions) } },
        }),
      );
    };
    grant(reads, items.read, 'read');
    grant(writes, items.write, 'write');
    // the index is only ever queried (agency heads and roster, agencies, published reports)
    if (items.index !== undefined && items.index.length > 0) {
      if (!actions.includes('dynamodb:Query')) throw new Error(`${fn.functionModule}: items.index needs dynamodb:Query`);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [`${this.targets.table.tableArn}/index/${GSI1.indexName}`],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': indexKeyPatterns(items.index) } },
        }),
      );
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
    if (onExecutions.length > 0)
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: onExecutions, resources: [this.executionArnPattern] }));
  }

  /** The master secret (link signing and sign-in code keys): GetSecretValue on that one secret. */
  bindMasterSecret(fn: ProjectFunction): void {
    fn.addEnvironment(ENV.masterSecretArn, this.targets.masterSecret.secretArn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.targets.masterSecret.secretArn] }),
    );
  }

  /**
   * The history key and the anchor bucket. `sign`: kms:Sign (the key policy also requires the writer tag, set here)
   * and GetPublicKey, PutObject and GetObject on the anchors. `verify`: GetPublicKey and GetObject. No function may
   * delete an anchor, and Object Lock would refuse it anyway.
   */
  bindHistory(fn: ProjectFunction, mode: 'sign' | 'verify'): void {
    fn.addEnvironment(ENV.historyKeyId, this.targets.historyKey.keyArn);
    fn.addEnvironment(ENV.anchorBucket, this.targets.anchorBucket.bucketName);
    const anchors = this.anchorObjectsArn;
    if (mode === 'sign') {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['kms:Sign', 'kms:GetPublicKey'], resources: [this.targets.historyKey.keyArn] }),
      );
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [anchors] }));
      Tags.of(fn.executionRole).add(this.targets.historyWriterTag.key, this.targets.historyWriterTag.value);
    } else {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [this.targets.historyKey.keyArn] }));
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [anchors] }));
    }
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
