import { ExecutionStatusChangeSchema } from '../shared/workflow/contracts.js';
import { recordExecutionFailure } from '../shared/workflow/record-execution-failure.js';
import { runtimeSigningStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { taskHandler } from '../shared/runtime/task-handler.js';

/**
 * The target of the EventBridge rule on the review state machine's "Step Functions Execution Status Change" events
 * (FAILED, TIMED_OUT, ABORTED): writes publish_failed or workflow_failed into the report's log. Locally the engine
 * delivers the same events to this module.
 */
export function createRecordExecutionFailureHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return taskHandler('record-execution-failure', ExecutionStatusChangeSchema, (change) => recordExecutionFailure(change, deps));
}

export const handler = lazyHandler(async () => createRecordExecutionFailureHandler({ store: runtimeSigningStore(), clock: systemClock }));
