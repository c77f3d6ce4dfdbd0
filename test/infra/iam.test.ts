import { describe, expect, it } from 'vitest';
import {
  FUNCTION_NAMES,
  FUNCTION_NEEDS,
  indexKeyPatterns,
  leadingKeyPatterns,
  matchesKeyPattern,
  type FunctionName,
  type TableAction,
} from '#infra/function-needs.js';
import { GSI1, INDEX_PARTITIONS, keys, PARTITIONS, type IndexPartition, type Partition } from '#shared/store/table.js';
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
  statementsOf(name).filter(
    (statement) =>
      statement.Effect === 'Allow' &&
      actionsOf(statement).some((a) => a === action || (a.endsWith('*') && action.startsWith(a.slice(0, -1)))),
  );

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

const READ_ONLY: readonly FunctionName[] = [
  'get-me',
  'get-draft',
  'get-report',
  'list-reports',
  'report-history',
  'review-page',
  'web-pages',
];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('least privilege: Step Functions', () => {
  it('lets only the decision path, request-review, request-revision and resubmit-report call SendTaskSuccess', () => {
    const callers = FUNCTION_NAMES.filter((name) => allows(name, 'states:SendTaskSuccess').length > 0);
    // decide-review: the recorded decision; request-review: a decision recorded while an older token was live;
    // resubmit-report: releases OfficerRevision; request-revision: a resubmission made while an older token was live
    expect(callers.sort()).toEqual(['decide-review', 'request-review', 'request-revision', 'resubmit-report']);
  });

  it("scopes SendTaskSuccess to the review state machine, with no heartbeat; SendTaskFailure only where a co-signer's return is delivered", () => {
    for (const name of ['decide-review', 'request-review', 'request-revision', 'resubmit-report'] as const) {
      for (const statement of [...allows(name, 'states:SendTaskSuccess'), ...allows(name, 'states:SendTaskFailure')]) {
        expect(resourcesOf(statement).map(flatten), name).toEqual([machineArn]);
      }
      expect(allows(name, 'states:SendTaskHeartbeat'), name).toEqual([]);
    }
    // a 会签 return fails the co-signer's Map iteration: the decision path and the task that redelivers it
    expect(FUNCTION_NAMES.filter((name) => allows(name, 'states:SendTaskFailure').length > 0).sort()).toEqual([
      'decide-review',
      'request-review',
    ]);
  });

  it('lets only submit-report start executions, only withdraw-report stop them, and only the history readers read them', () => {
    const holders = (action: string) => FUNCTION_NAMES.filter((name) => allows(name, action).length > 0).sort();
    expect(holders('states:StartExecution')).toEqual(['submit-report']);
    expect(holders('states:StopExecution')).toEqual(['withdraw-report']);
    expect(holders('states:DescribeExecution')).toEqual(['report-history', 'web-pages']);
    expect(holders('states:GetExecutionHistory')).toEqual(['report-history', 'web-pages']);
    for (const statement of allows('withdraw-report', 'states:StopExecution')) {
      expect(resourcesOf(statement).map(flatten)).toEqual([
        `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machineName}:*`,
      ]);
    }
  });

  it("lets the state machine invoke exactly the three task functions (the failure recorder is EventBridge's)", () => {
    const machineRole = logicalIdOf(built.stateless, built.stateless.reviewStateMachine.stateMachine.role as never);
    const invoke = (byRole.get(machineRole) ?? []).filter((statement) => actionsOf(statement).includes('lambda:InvokeFunction'));
    const targets = new Set(
      invoke
        .flatMap(resourcesOf)
        .map(flatten)
        .map((arn) => arn.replace(/:\*$/, '')),
    );
    const tasks: FunctionName[] = ['request-review', 'request-revision', 'publish-report'];
    expect([...targets].sort()).toEqual(tasks.map((name) => `<${functionLogicalId(built, name)}.Arn>`).sort());
  });
});

describe('least privilege: the site bucket and the table', () => {
  it('lets only publish-report and the site-index writer write the site bucket, with PutObject on its objects and nothing else', () => {
    // the anchor bucket's grants are checked in history-trust.test.ts
    const onSite = (statement: Statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')) &&
      resourcesOf(statement).some((resource) => flatten(resource).includes('SiteBucket'));
    const writers = FUNCTION_NAMES.filter((name) => statementsOf(name).some(onSite));
    expect(writers).toEqual(['publish-report', 'rebuild-site-indexes']);
    for (const writer of writers) {
      const s3Statements = statementsOf(writer).filter(onSite);
      expect(s3Statements, writer).toHaveLength(1);
      expect(actionsOf(s3Statements[0] as Statement), writer).toEqual(['s3:PutObject']);
      const bucketObjects = new RegExp(`^<${statefulName}\\.\\w*SiteBucket\\w*Arn\\w*>/\\*$`);
      expect(resourcesOf(s3Statements[0] as Statement).map(flatten), writer).toEqual([expect.stringMatching(bucketObjects)]);
    }
  });

  it('gives the read-only functions Get and Query only', () => {
    for (const name of READ_ONLY) {
      const dynamo = statementsOf(name)
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('dynamodb:'));
      expect(new Set(dynamo), name).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query']));
    }
  });

  it('lets only end-session and the removal of a person delete, and nothing scan or batch', () => {
    for (const name of FUNCTION_NAMES) {
      const dynamo = statementsOf(name)
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('dynamodb:'));
      if (name !== 'end-session' && name !== 'admin-remove-person') expect(dynamo, name).not.toContain('dynamodb:DeleteItem');
      for (const action of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem', 'dynamodb:*'])
        expect(dynamo, name).not.toContain(action);
      if (READ_ONLY.includes(name)) for (const action of WRITE_ACTIONS) expect(dynamo, name).not.toContain(action);
    }
    expect(
      statementsOf('end-session')
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('dynamodb:')),
    ).toEqual(['dynamodb:DeleteItem']);
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
    // the people routes sign the link of a review they hand on
    expect(readers).toEqual([
      'admin-import-people',
      'admin-remove-person',
      'admin-save-person',
      'create-session',
      'decide-review',
      'my-tasks',
      'request-review',
      'request-sign-in-code',
      'review-page',
    ]);
  });

  it('lets only the mailing functions send mail, as the stage identity and configuration set', () => {
    const senders = FUNCTION_NAMES.filter((name) => allows(name, 'ses:SendEmail').length > 0).sort();
    expect(senders).toEqual([
      'admin-import-people',
      'admin-remove-person',
      'admin-save-person',
      'admin-send-reminders',
      'my-tasks',
      'publish-report',
      'request-review',
      'request-revision',
      'request-sign-in-code',
      'send-due-reminders',
      'withdraw-report',
    ]);
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
      const secretResources = statements
        .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
        .flatMap(resourcesOf)
        .map(flatten);
      expect(secretResources, name).toContain(
        'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:nianbao/smtp-??????',
      );
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

/**
 * dynamodb:LeadingKeys: each function reaches only the partitions infra/function-needs.ts names for it, read and
 * write separately. `allowedOn` evaluates the synthesized statements the way IAM does for one request: an Allow with
 * the action, on the table (or gsi1), whose ForAllValues:StringLike patterns match the request's partition key.
 */
type Target = 'table' | 'index';
const globMatches = matchesKeyPattern;

function allowedOn(name: FunctionName, action: string, target: Target, partitionKey: string): boolean {
  return allows(name, action).some((statement) => {
    const onIndex = (resource: string) => resource.endsWith(`/index/${GSI1.indexName}`);
    const onTarget = resourcesOf(statement)
      .map(flatten)
      .some((resource) => (target === 'index' ? onIndex(resource) : !resource.includes('/index/')));
    if (!onTarget) return false;
    const condition = statement.Condition as Record<string, Record<string, string | string[]>> | undefined;
    const patterns = condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
    if (patterns === undefined) return true;
    return (Array.isArray(patterns) ? patterns : [patterns]).some((pattern) => globMatches(pattern, partitionKey));
  });
}

/** one real key of each partition, as shared/store/table.ts builds them */
const SAMPLE_KEYS: Record<Partition, string> = {
  report: keys.head('daxing-kw-2026').pk,
  review: keys.review('rv_0123456789abcdef').pk,
  draft: keys.draft('daxing-kw', 2026).pk,
  session: keys.session('a'.repeat(64)).pk,
  imported: keys.imported('daxing-kw', 2025).pk,
  signIn: keys.signInPk('officer@kw.example.cn'),
  agency: keys.agency('daxing-kw').pk,
  roster: keys.roster('officer@kw.example.cn').pk,
  published: keys.published('daxing-kw', 2026).pk,
  district: keys.district('daxing').pk,
  reminder: keys.reminder('daxing-2026-d14-daxing-kw').pk,
  adminLog: keys.adminEvent(1).pk,
  delegation: keys.delegation('director@kw.example.cn').pk,
};
const SAMPLE_INDEX_KEYS: Record<IndexPartition, string> = {
  agency: keys.rosterIndex('daxing-kw', 'officer@kw.example.cn').gsi1pk,
  agencies: keys.agencyIndex('daxing-kw').gsi1pk,
  published: keys.publishedIndex('daxing-kw', 2026).gsi1pk,
  districts: keys.districtIndex('daxing').gsi1pk,
};
const PARTITION_NAMES = Object.keys(PARTITIONS) as Partition[];
const INDEX_PARTITION_NAMES = Object.keys(INDEX_PARTITIONS) as IndexPartition[];
const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
const writers = (partition: Partition): FunctionName[] =>
  FUNCTION_NAMES.filter((name) => TABLE_WRITES.some((action) => allowedOn(name, action, 'table', SAMPLE_KEYS[partition]))).sort();

describe('least privilege: dynamodb:LeadingKeys', () => {
  it('holds every table and index grant of every function to named partitions (no statement reaches the whole table)', () => {
    for (const name of FUNCTION_NAMES) {
      for (const statement of statementsOf(name).filter((s) => actionsOf(s).some((action) => action.startsWith('dynamodb:')))) {
        const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
        expect(
          condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
          `${name}: ${actionsOf(statement).join(', ')}`,
        ).toBeDefined();
      }
    }
  });

  it('lets a function write only the partitions it names, and nothing another function owns', () => {
    for (const name of FUNCTION_NAMES) {
      const declared = new Set(FUNCTION_NEEDS[name].items?.write ?? []);
      for (const partition of PARTITION_NAMES) {
        const writes = TABLE_WRITES.some((action) => allowedOn(name, action, 'table', SAMPLE_KEYS[partition]));
        const mayWrite = FUNCTION_NEEDS[name].table.some((action) => TABLE_WRITES.includes(action));
        expect(writes, `${name} writing ${partition}`).toBe(declared.has(partition) && mayWrite);
      }
    }
  });

  it('lets a function read only the partitions it names', () => {
    for (const name of FUNCTION_NAMES) {
      const declared = new Set(FUNCTION_NEEDS[name].items?.read ?? []);
      for (const partition of PARTITION_NAMES) {
        for (const action of ['dynamodb:GetItem', 'dynamodb:Query']) {
          const reads = allowedOn(name, action, 'table', SAMPLE_KEYS[partition]);
          expect(reads, `${name} ${action} ${partition}`).toBe(
            declared.has(partition) && FUNCTION_NEEDS[name].table.includes(action as TableAction),
          );
        }
      }
      const indexed = new Set(FUNCTION_NEEDS[name].items?.index ?? []);
      for (const partition of INDEX_PARTITION_NAMES) {
        expect(allowedOn(name, 'dynamodb:Query', 'index', SAMPLE_INDEX_KEYS[partition]), `${name} querying gsi1 ${partition}`).toBe(
          indexed.has(partition),
        );
      }
    }
  });

  it('keeps the authorization data out of reach: only the administration writes the roster and agencies, only sign-in writes sessions and codes', () => {
    expect(writers('roster')).toEqual(['admin-import-people', 'admin-remove-person', 'admin-save-person']);
    expect(writers('agency')).toEqual(['admin-save-agency']);
    expect(writers('session')).toEqual(['create-session', 'end-session']);
    expect(FUNCTION_NAMES.filter((name) => allowedOn(name, 'dynamodb:PutItem', 'table', SAMPLE_KEYS.session))).toEqual(['create-session']);
    expect(writers('signIn')).toEqual(['create-session', 'request-sign-in-code']);
  });

  it('lets save-draft write drafts and nothing else, and only save-draft write drafts', () => {
    expect(
      PARTITION_NAMES.filter((partition) =>
        TABLE_WRITES.some((action) => allowedOn('save-draft', action, 'table', SAMPLE_KEYS[partition])),
      ),
    ).toEqual(['draft']);
    expect(writers('draft')).toEqual(['save-draft']);
  });

  it('lets only the workflow (and the people routes, handing open reviews on) write reports, reviews and the published list', () => {
    const people = ['admin-import-people', 'admin-remove-person', 'admin-save-person'];
    expect(writers('report')).toEqual(
      [
        ...people,
        'decide-review',
        'publish-report',
        'record-execution-failure',
        'request-review',
        'request-revision',
        'resubmit-report',
        'submit-report',
        'withdraw-report',
      ].sort(),
    );
    // my-tasks writes only when a resend was sent (the count the limit reads)
    expect(writers('review')).toEqual([...people, 'decide-review', 'my-tasks', 'request-review']);
    expect(writers('published')).toEqual(['publish-report']);
  });

  it("draws the partitions apart: no partition pattern matches another partition's keys", () => {
    for (const partition of PARTITION_NAMES) {
      for (const other of PARTITION_NAMES.filter((candidate) => candidate !== partition)) {
        expect(
          leadingKeyPatterns([partition]).some((pattern) => globMatches(pattern, SAMPLE_KEYS[other])),
          `${partition} vs ${other}`,
        ).toBe(false);
      }
    }
    for (const partition of INDEX_PARTITION_NAMES) {
      for (const other of INDEX_PARTITION_NAMES.filter((candidate) => candidate !== partition)) {
        expect(
          indexKeyPatterns([partition]).some((pattern) => globMatches(pattern, SAMPLE_INDEX_KEYS[other])),
          `${partition} vs ${other}`,
        ).toBe(false);
      }
    }
  });
});
