import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTION_NEEDS, type FunctionName } from '#infra/function-needs.js';
import { HISTORY_WRITER_TAG } from '#infra/stateful-stack.js';
import { ENV } from '#shared/runtime/env.js';
import { TTL_ATTRIBUTE } from '#shared/store/table.js';
import {
  actionsOf,
  flatten,
  functionLogicalId,
  only,
  resourcesOf,
  resourcesOfType,
  roleOfFunction,
  statementsByRole,
  synthTemplates,
  type Statement,
} from './support.js';

/**
 * What keeps the report histories honest on AWS, on the synthesized prod template: the signing key (asymmetric, only
 * tagged writer roles may sign), the anchor bucket (Object Lock in compliance mode for the stage's retention), and the
 * table's TTL on expiring items.
 */

const { stateful, stateless, built } = synthTemplates({ stage: 'prod' });
const dev = synthTemplates({ stage: 'dev' });
const byRole = statementsByRole(stateless);
const statementsOf = (name: FunctionName): Statement[] => byRole.get(roleOfFunction(stateless, functionLogicalId(built, name))) ?? [];
const allowed = (name: FunctionName, action: string): boolean =>
  statementsOf(name).some((statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action));

const WRITERS: readonly FunctionName[] = [
  'submit-report',
  'resubmit-report',
  'withdraw-report',
  'decide-review',
  'request-review',
  'request-revision',
  'publish-report',
  'record-execution-failure',
  // the administration log is signed and anchored the same way (the people routes also append the hand-over of a
  // changed person's open reviews to the reports)
  'admin-save-agency',
  'my-delegation',
  'admin-save-person',
  'admin-remove-person',
  'admin-import-people',
  'admin-send-reminders',
  'send-due-reminders',
];

interface KeyPolicyStatement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Principal: unknown;
  readonly Condition?: unknown;
}

describe('the history signing key', () => {
  const [, key] = only(resourcesOfType(stateful, 'AWS::KMS::Key'));
  const statements = (key.Properties?.['KeyPolicy'] as { Statement: KeyPolicyStatement[] }).Statement;

  it('is an asymmetric P-256 signing key, kept when the stack goes', () => {
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(key.DeletionPolicy).toBe('Retain');
  });

  it('lets only principals tagged as history writers sign: the account administers but cannot sign', () => {
    const signing = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action === 'kms:Sign' || action === 'kms:*' || action === 'kms:S*'),
    );
    expect(signing).toHaveLength(1);
    expect(signing[0]?.Condition).toMatchObject({
      StringEquals: { [`aws:PrincipalTag/${HISTORY_WRITER_TAG.key}`]: HISTORY_WRITER_TAG.value },
    });
    expect(flatten(signing[0]?.Condition)).toContain('aws:PrincipalAccount');
  });

  it('is given, with kms:Sign and the writer tag, to exactly the functions that append events', () => {
    const writers = FUNCTION_NAMES.filter((name) => allowed(name, 'kms:Sign'));
    expect(writers.sort()).toEqual([...WRITERS].sort());
    const roles = resourcesOfType(stateless, 'AWS::IAM::Role');
    for (const name of FUNCTION_NAMES) {
      const role = roles[roleOfFunction(stateless, functionLogicalId(built, name))];
      const tags = (role?.Properties?.['Tags'] ?? []) as Array<{ Key: string; Value: string }>;
      const tagged = tags.some((tag) => tag.Key === HISTORY_WRITER_TAG.key && tag.Value === HISTORY_WRITER_TAG.value);
      expect(tagged, name).toBe(WRITERS.includes(name));
    }
  });

  it('is readable (the public key) by the functions that verify histories, who cannot sign', () => {
    for (const name of ['report-history', 'web-pages'] as const) {
      expect(allowed(name, 'kms:GetPublicKey'), name).toBe(true);
      expect(allowed(name, 'kms:Sign'), name).toBe(false);
      expect(allowed(name, 's3:PutObject'), name).toBe(false);
    }
  });

  it('reaches each function that has it through the variables the handlers read', () => {
    for (const name of FUNCTION_NAMES) {
      const [, fn] = only(
        Object.fromEntries(
          Object.entries(resourcesOfType(stateless, 'AWS::Lambda::Function')).filter(([id]) => id === functionLogicalId(built, name)),
        ),
      );
      const variables = Object.keys((fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables);
      const expected = FUNCTION_NEEDS[name].history !== undefined;
      expect(variables.includes(ENV.historyKeyId), name).toBe(expected);
      expect(variables.includes(ENV.anchorBucket), name).toBe(expected);
    }
  });
});

describe('the anchor bucket', () => {
  const buckets = resourcesOfType(stateful, 'AWS::S3::Bucket');
  const [anchorId, anchor] = only(
    Object.fromEntries(Object.entries(buckets).filter(([, bucket]) => bucket.Properties?.['ObjectLockEnabled'] === true)),
  );

  it('locks every anchor in compliance mode for the stage’s retention (ten years in prod, a day in dev)', () => {
    expect(anchor.Properties?.['ObjectLockConfiguration']).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3653 } },
    });
    const [, devAnchor] = only(
      Object.fromEntries(
        Object.entries(resourcesOfType(dev.stateful, 'AWS::S3::Bucket')).filter(
          ([, bucket]) => bucket.Properties?.['ObjectLockEnabled'] === true,
        ),
      ),
    );
    expect(devAnchor.Properties?.['ObjectLockConfiguration']).toMatchObject({
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } },
    });
    expect(devAnchor.DeletionPolicy).toBe('Retain');
  });

  it('is versioned, private, encrypted and TLS-only', () => {
    expect(anchor.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const policies = Object.values(resourcesOfType(stateful, 'AWS::S3::BucketPolicy')).filter((policy) =>
      flatten(policy.Properties?.['Bucket']).includes(anchorId),
    );
    expect(flatten(policies)).toContain('aws:SecureTransport');
  });

  it('may be written only by the writers and read by the verifiers, and deleted by no function', () => {
    const anchorObjects = (statement: Statement) => resourcesOf(statement).some((resource) => flatten(resource).includes(anchorId));
    for (const name of FUNCTION_NAMES) {
      const onAnchors = statementsOf(name).filter(anchorObjects).flatMap(actionsOf);
      const expected =
        FUNCTION_NEEDS[name].history === 'sign'
          ? ['s3:GetObject', 's3:PutObject']
          : FUNCTION_NEEDS[name].history === 'verify'
            ? ['s3:GetObject']
            : [];
      expect([...new Set(onAnchors)].sort(), name).toEqual(expected);
    }
  });
});

describe('the table', () => {
  it('expires sessions, sign-in codes and their counters through DynamoDB TTL on the attribute the store writes', () => {
    const [, table] = only(resourcesOfType(stateful, 'AWS::DynamoDB::Table'));
    expect(table.Properties?.['TimeToLiveSpecification']).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
  });
});
