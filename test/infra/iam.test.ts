import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '#infra/function-needs.js';
import { GSI1 } from '#shared/store/table.js';
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

const { stateless, built } = synthTemplates({ stage: 'prod' });
const smtp = synthTemplates({ stage: 'prod', mailTransport: 'smtp', smtpSecretName: 'nianbao/smtp' });
const byRole = statementsByRole(stateless);
const statementsOf = (name: FunctionName): Statement[] => byRole.get(roleOfFunction(stateless, functionLogicalId(built, name))) ?? [];
const allows = (name: FunctionName, action: string): Statement[] =>
  statementsOf(name).filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).some((a) => a === action || (a.endsWith('*') && action.startsWith(a.slice(0, -1)))));

const machineName = built.stateless.stateMachineName;
const machineArn = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${machineName}`;
const statefulName = built.stateful.stackName;

/** Actions AWS authorizes only against "*" (no resource-level permissions), and which CDK adds for tracing and logging. */
const STAR_ONLY_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

const READ_ONLY: readonly FunctionName[] = ['get-me', 'get-draft', 'get-report', 'list-reports', 'report-history', 'review-page', 'web-pages'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('least privilege: Step Functions', () => {
  it('lets only the decision path, request-review, request-revision and resubmit-report call SendTaskSuccess', () => {
    const callers = FUNCTION_NAMES.filter((name) => allows(name, 'states:SendTaskSuccess').length > 0);
    // decide-review: the recorded decision; request-review: a decision recorded while an older token was live;
    // resubmit-report: releases OfficerRevision; request-revision: a resubmission made while an older token was live
    expect(callers.sort()).toEqual(['decide-review', 'request-review', 'request-revision', 'resubmit-report']);
  });

  it('scopes SendTaskSuccess to the review state machine, with no heartbeat; SendTaskFailure only where a co-signer\'s return is delivered', () => {
    for (const name of ['decide-review', 'request-review', 'request-revision', 'resubmit-report'] as const) {
      for (const statement of [...allows(name, 'states:SendTaskSuccess'), ...allows(name, 'states:SendTaskFailure')]) {
        expect(resourcesOf(statement).map(flatten), name).toEqual([machineArn]);
      }
      expect(allows(name, 'states:SendTaskHeartbeat'), name).toEqual([]);
    }
    // a 会签 return fails the co-signer's Map iteration: the decision path and the task that redelivers it
    expect(FUNCTION_NAMES.filter((name) => allows(name, 'states:SendTaskFailure').length > 0).sort()).toEqual(['decide-review', 'request-review']);
  });

  it('lets only submit-report start executions, only withdraw-report stop them, and only the history readers read them', () => {
    const holders = (action: string) => FUNCTION_NAMES.filter((name) => allows(name, action).length > 0).sort();
    expect(holders('states:StartExecution')).toEqual(['submit-report']);
    expect(holders('states:StopExecution')).toEqual(['withdraw-report']);
    expect(holders('states:DescribeExecution')).toEqual(['report-history', 'web-pages']);
    expect(holders('states:GetExecutionHistory')).toEqual(['report-history', 'web-pages']);
    for (const statement of allows('withdraw-report', 'states:StopExecution')) {
      expect(resourcesOf(statement).map(flatten)).toEqual([`arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machineName}:*`]);
    }
  });

  it('lets the state machine invoke exactly the four task functions', () => {
    const machineRole = logicalIdOf(built.stateless, built.stateless.reviewStateMachine.stateMachine.role as never);
    const invoke = (byRole.get(machineRole) ?? []).filter((statement) => actionsOf(statement).includes('lambda:InvokeFunction'));
    const targets = new Set(invoke.flatMap(resourcesOf).map(flatten).map((arn) => arn.replace(/:\*$/, '')));
    const tasks: FunctionName[] = ['request-review', 'request-revision', 'publish-report', 'record-publish-failure'];
    expect([...targets].sort()).toEqual(tasks.map((name) => `<${functionLogicalId(built, name)}.Arn>`).sort());
  });
});

describe('least privilege: the site bucket and the table', () => {
  it('lets only publish-report write the site bucket, with PutObject on its objects and nothing else', () => {
    const writers = FUNCTION_NAMES.filter((name) => statementsOf(name).some((statement) => actionsOf(statement).some((action) => action.startsWith('s3:'))));
    expect(writers).toEqual(['publish-report']);
    const s3Statements = statementsOf('publish-report').filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
    expect(s3Statements).toHaveLength(1);
    expect(actionsOf(s3Statements[0] as Statement)).toEqual(['s3:PutObject']);
    expect(resourcesOf(s3Statements[0] as Statement).map(flatten)).toEqual([expect.stringMatching(new RegExp(`^<${statefulName}\\.\\w*SiteBucket\\w*Arn\\w*>/\\*$`))]);
  });

  it('gives the read-only functions Get and Query only', () => {
    for (const name of READ_ONLY) {
      const dynamo = statementsOf(name).flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'));
      expect(new Set(dynamo), name).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query']));
    }
  });

  it('lets only end-session delete, and nothing scan or batch', () => {
    for (const name of FUNCTION_NAMES) {
      const dynamo = statementsOf(name).flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'));
      if (name !== 'end-session') expect(dynamo, name).not.toContain('dynamodb:DeleteItem');
      for (const action of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem', 'dynamodb:*']) expect(dynamo, name).not.toContain(action);
      if (READ_ONLY.includes(name)) for (const action of WRITE_ACTIONS) expect(dynamo, name).not.toContain(action);
    }
    expect(statementsOf('end-session').flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:DeleteItem']);
  });

  it('scopes table access to the table, and only Query to gsi1, without an index wildcard', () => {
    for (const name of FUNCTION_NAMES) {
      for (const statement of statementsOf(name).filter((s) => actionsOf(s).some((action) => action.startsWith('dynamodb:')))) {
        for (const resource of resourcesOf(statement).map(flatten)) {
          expect(resource, name).toMatch(new RegExp(`^<${statefulName}\\.\\w*Table\\w*Arn\\w*>(/index/${GSI1.indexName})?$`));
          if (resource.endsWith(`/index/${GSI1.indexName}`)) expect(actionsOf(statement), name).toEqual(['dynamodb:Query']);
        }
      }
    }
  });

  it('gives validate-report nothing but its logs', () => {
    const actions = statementsOf('validate-report').flatMap(actionsOf);
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });
});

describe('least privilege: secrets and mail', () => {
  it('lets only the functions that sign links or codes read the master secret', () => {
    const readers = FUNCTION_NAMES.filter((name) => allows(name, 'secretsmanager:GetSecretValue').length > 0).sort();
    expect(readers).toEqual(['create-session', 'decide-review', 'my-tasks', 'request-review', 'request-sign-in-code', 'review-page']);
  });

  it('lets only the mailing functions send mail, as the stage identity and configuration set', () => {
    const senders = FUNCTION_NAMES.filter((name) => allows(name, 'ses:SendEmail').length > 0).sort();
    expect(senders).toEqual(['my-tasks', 'publish-report', 'request-review', 'request-revision', 'request-sign-in-code', 'withdraw-report']);
    for (const name of senders) {
      const resources = allows(name, 'ses:SendEmail').flatMap(resourcesOf).map(flatten);
      expect(resources, name).toHaveLength(2);
      expect(resources, name).toEqual(
        expect.arrayContaining([
          'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/nianbao.example.gov.cn',
          expect.stringMatching(/^arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:configuration-set\/<.+MailConfigurationSet.+>$/),
        ]),
      );
    }
  });

  it('lets the mailing functions read the SMTP settings secret, and only that, when the stage mails through SMTP', () => {
    const smtpRoles = statementsByRole(smtp.stateless);
    for (const name of ['publish-report', 'request-review', 'request-revision', 'request-sign-in-code'] as const) {
      const statements = smtpRoles.get(roleOfFunction(smtp.stateless, functionLogicalId(smtp.built, name))) ?? [];
      expect(statements.flatMap(actionsOf), name).not.toContain('ses:SendEmail');
      const secretResources = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).flatMap(resourcesOf).map(flatten);
      expect(secretResources, name).toContain('arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:nianbao/smtp-??????');
    }
  });
});

describe('least privilege: no wildcard a function does not need', () => {
  it('has no "Resource": "*" except for actions that only accept it', () => {
    for (const [role, statements] of byRole) {
      for (const statement of statements.filter((s) => resourcesOf(s).includes('*'))) {
        for (const action of actionsOf(statement)) expect(STAR_ONLY_ACTIONS.has(action), `${role}: ${action} on *`).toBe(true);
      }
    }
  });

  it('has no wildcard actions anywhere', () => {
    for (const [role, statements] of byRole) {
      for (const action of statements.flatMap(actionsOf)) expect(action.includes('*'), `${role}: ${action}`).toBe(false);
    }
  });

  it('gives every function a role of its own without managed policies', () => {
    const roles = resourcesOfType(stateless, 'AWS::IAM::Role');
    const functionRoles = FUNCTION_NAMES.map((name) => roleOfFunction(stateless, functionLogicalId(built, name)));
    expect(new Set(functionRoles).size).toBe(FUNCTION_NAMES.length);
    for (const role of functionRoles) expect(roles[role]?.Properties?.['ManagedPolicyArns'], role).toBeUndefined();
  });
});
