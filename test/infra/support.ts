import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod';
import { addNagChecks, addNianbaoStacks, type NianbaoStacks } from '#infra/nianbao-app.js';
import type { FunctionName } from '#infra/function-needs.js';
import { PROJECT_ROOT } from '#infra/project-function.js';

/**
 * Building the CDK app in tests: the context of cdk.json (the same feature flags `cdk synth` uses) plus the stage's
 * context values. `bundle: false` (the default) sets `aws:cdk:bundling-stacks` to [] so no asset is bundled: the
 * templates are the same, only the code asset is a placeholder. bundles.test.ts bundles for real.
 */

const CdkJsonSchema = z.object({ app: z.string(), context: z.record(z.string(), z.unknown()) });
export const CDK_JSON = CdkJsonSchema.parse(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')));

export interface BuildOptions {
  readonly context?: Readonly<Record<string, unknown>>;
  readonly bundle?: boolean;
  readonly nag?: boolean;
  readonly outdir?: string;
}

export interface BuiltApp extends NianbaoStacks {
  readonly app: App;
  readonly outdir: string;
}

/** prod refuses to synthesize without an alarm subscriber (stages.test.ts checks that): tests give it one */
export const TEST_ALARM_EMAIL = 'alarms@example.gov.cn';

export function buildApp(options: BuildOptions = {}): BuiltApp {
  const outdir = options.outdir ?? mkdtempSync(path.join(tmpdir(), 'nianbao-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...CDK_JSON.context,
      ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...(options.context?.['stage'] === 'prod' ? { alarmEmail: TEST_ALARM_EMAIL } : {}),
      ...options.context,
    },
  });
  const stacks = addNianbaoStacks(app);
  if (options.nag === true) addNagChecks(app);
  return { app, outdir, ...stacks };
}

export interface Templates {
  readonly built: BuiltApp;
  readonly stateful: Template;
  readonly stateless: Template;
}

export function synthTemplates(context: Readonly<Record<string, unknown>> = {}): Templates {
  const built = buildApp({ context });
  return { built, stateful: Template.fromStack(built.stateful), stateless: Template.fromStack(built.stateless) };
}

export type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
};

export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

export function only<T>(record: Record<string, T>): [string, T] {
  const entries = Object.entries(record);
  if (entries.length !== 1) throw new Error(`expected exactly one, found ${entries.length}: ${entries.map(([id]) => id).join(', ')}`);
  return entries[0] as [string, T];
}

/** The logical id CloudFormation knows a construct's resource by. */
export function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild;
  if (child === undefined) throw new Error('construct has no default child');
  return stack.getLogicalId(child as never);
}

/** The Lambda function resource of functions/<name>.ts in the stateless stack. */
export function functionLogicalId(built: BuiltApp, name: FunctionName): string {
  return logicalIdOf(built.stateless, built.stateless.functions[name]);
}

/** A policy statement as it appears in a synthesized template. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
export const resourcesOf = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** Every statement of every AWS::IAM::Policy attached to a role, by role logical id. */
export function statementsByRole(template: Template): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const policy of Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))) {
    const properties = policy.Properties ?? {};
    const document = properties['PolicyDocument'] as { Statement: Statement[] };
    for (const role of (properties['Roles'] as { Ref: string }[] | undefined) ?? []) {
      byRole.set(role.Ref, [...(byRole.get(role.Ref) ?? []), ...document.Statement]);
    }
  }
  return byRole;
}

/** The role logical id of a function resource. */
export function roleOfFunction(template: Template, functionId: string): string {
  const fn = template.toJSON()['Resources'][functionId] as Resource;
  const role = (fn.Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return role;
}

/** A CloudFormation value rendered as text for matching: literals kept, references as <LogicalId.Attr> / <Ref>. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join)) return (join[1] as unknown[]).map(flatten).join(String(join[0]));
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${String(getAtt[0])}.${String(getAtt[1])}>`;
    if (typeof node['Ref'] === 'string') return `<${node['Ref']}>`;
    const output = node['Fn::GetStackOutput'] as { StackName: string; OutputName: string } | undefined;
    if (output !== undefined) return `<${output.StackName}.${output.OutputName}>`;
    // a strong reference: the producing stack's export `{StackName}:{ExportName}`
    const imported = node['Fn::ImportValue'];
    if (typeof imported === 'string') return `<${imported.replace(':', '.')}>`;
  }
  return JSON.stringify(value);
}
