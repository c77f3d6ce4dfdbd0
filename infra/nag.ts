import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledging cdk-nag 3 findings. Rule-level findings are acknowledged with `AwsSolutions::AwsSolutions-<rule>`;
 * an IAM5 wildcard finding names the resource as cdk-nag flattens it (`<Logical.Arn>:*`), and a resource that
 * crosses stacks only takes its final form (Fn::GetStackOutput …) once CDK has resolved the references, so those
 * acknowledgements are recorded in a construct validation, which runs after that and before the nag plugin.
 */

export const nagRule = (rule: string): string => `AwsSolutions::AwsSolutions-${rule}`;

export function acknowledgeRule(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: nagRule(rule), reason });
}

/** AwsSolutions-IAM5 for wildcard resources (as the policy on `scope` names them), each with the same reason. */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  scope.node.addValidation({
    validate: () => {
      const stack = Stack.of(scope);
      for (const resource of resources) {
        Validations.of(scope).acknowledge({ id: `${nagRule('IAM5')}[Resource::${flattenCfnReference(stack.resolve(resource))}]`, reason });
      }
      return [];
    },
  });
}

/** cdk-nag's own rendering of a CloudFormation value in finding ids (utils/flatten-cfn-reference, not exported). */
export function flattenCfnReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(flattenCfnReference).join(delimiter);
    }
    if (node['Fn::Sub'] !== undefined) return flattenCfnReference(node['Fn::Sub']);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flattenCfnReference(getAtt[0])}.${flattenCfnReference(getAtt[1])}>`;
    if (node['Fn::ImportValue'] !== undefined) return flattenCfnReference(node['Fn::ImportValue']);
    if (node['Ref'] !== undefined) return `<${flattenCfnReference(node['Ref'])}>`;
  }
  return JSON.stringify(value);
}
