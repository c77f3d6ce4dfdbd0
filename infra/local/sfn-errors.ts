/**
 * The errors the local Step Functions engine answers with. `code` is the Step Functions error shape's name, which the
 * endpoint sends as `__type` and @aws-sdk/client-sfn turns into its exception class of the same name
 * (TaskDoesNotExist, TaskTimedOut, InvalidToken, …).
 */

export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException';

export class SfnError extends Error {
  override readonly name = 'SfnError';
  readonly code: SfnErrorCode;

  constructor(code: SfnErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export const isSfnError = (error: unknown, code?: SfnErrorCode): error is SfnError =>
  error instanceof SfnError && (code === undefined || error.code === code);
