import type { ReviewFunctions } from '../review-state-machine.js';

/** The local stack's names for the review state machine and its task functions (no CDK needed to know them). */

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_STATE_MACHINE_NAME = 'nianbao-review';
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${LOCAL_STATE_MACHINE_NAME}`;

export const LOCAL_FUNCTIONS: Readonly<Record<keyof ReviewFunctions, string>> = {
  requestReview: 'nianbao-request-review',
  requestRevision: 'nianbao-request-revision',
  publishReport: 'nianbao-publish-report',
};

export const functionArn = (name: string): string => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;

export interface DefinitionOptions {
  readonly reviewTimeoutSeconds?: number;
  readonly revisionTimeoutSeconds?: number;
  /** the execution's own TimeoutSeconds (tests of TIMED_OUT) */
  readonly executionTimeoutSeconds?: number;
}
