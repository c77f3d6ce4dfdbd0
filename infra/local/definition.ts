import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as z from 'zod';
import { ReviewStateMachine, type ReviewFunctions } from '../review-state-machine.js';
import { functionArn, LOCAL_ACCOUNT, LOCAL_FUNCTIONS, LOCAL_REGION, type DefinitionOptions } from './local-names.js';

/**
 * The state machine definition exactly as CDK synthesizes it for AWS, with placeholder function ARNs that the local
 * engine maps back to the handler modules. Nothing here writes ASL by hand.
 */

export {
  functionArn,
  LOCAL_ACCOUNT,
  LOCAL_FUNCTIONS,
  LOCAL_REGION,
  LOCAL_STATE_MACHINE_ARN,
  LOCAL_STATE_MACHINE_NAME,
  type DefinitionOptions,
} from './local-names.js';

const JoinSchema = z.object({ 'Fn::Join': z.tuple([z.string(), z.array(z.union([z.string(), z.record(z.string(), z.unknown())]))]) });

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Literal parts stay; the pseudo parameters take the local values; anything else only AWS could resolve. */
function resolvePart(part: string | Record<string, unknown>): string {
  if (typeof part === 'string') return part;
  const ref = part['Ref'];
  const value = typeof ref === 'string' ? PSEUDO_PARAMETERS[ref] : undefined;
  if (value === undefined) throw new Error(`the definition refers to something only AWS can resolve: ${JSON.stringify(part)}`);
  return value;
}

/** The definition string of the one state machine in a synthesized template (a literal, or an Fn::Join of literals). */
export function definitionFromTemplate(template: Record<string, unknown>): Record<string, unknown> {
  const machines = Template.fromJSON(template).findResources('AWS::StepFunctions::StateMachine');
  const [machine, ...others] = Object.values(machines);
  if (!machine || others.length > 0) throw new Error('expected exactly one state machine in the template');
  const raw: unknown = machine['Properties']?.['DefinitionString'];
  let text: string;
  if (typeof raw === 'string') text = raw;
  else {
    const join = JoinSchema.parse(raw)['Fn::Join'];
    text = join[1].map(resolvePart).join(join[0]);
  }
  return z.record(z.string(), z.unknown()).parse(JSON.parse(text));
}

/** Synthesizes the review state machine into a throwaway stack and returns its CloudFormation template. */
export function synthesizeReviewTemplate(options: DefinitionOptions = {}): Record<string, unknown> {
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': false } });
  const stack = new Stack(app, 'NianbaoLocal', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const fn = (id: keyof ReviewFunctions) => lambda.Function.fromFunctionArn(stack, id, functionArn(LOCAL_FUNCTIONS[id]));
  new ReviewStateMachine(stack, 'Review', {
    functions: { requestReview: fn('requestReview'), requestRevision: fn('requestRevision'), publishReport: fn('publishReport') },
    ...(options.reviewTimeoutSeconds === undefined ? {} : { reviewTimeout: Duration.seconds(options.reviewTimeoutSeconds) }),
    ...(options.revisionTimeoutSeconds === undefined ? {} : { revisionTimeout: Duration.seconds(options.revisionTimeoutSeconds) }),
    ...(options.executionTimeoutSeconds === undefined ? {} : { executionTimeout: Duration.seconds(options.executionTimeoutSeconds) }),
  });
  return Template.fromStack(stack).toJSON();
}

export function synthesizeReviewDefinition(options: DefinitionOptions = {}): Record<string, unknown> {
  return definitionFromTemplate(synthesizeReviewTemplate(options));
}
