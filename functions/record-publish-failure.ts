import { PublishFailureInputSchema } from '../shared/workflow/contracts.js';
import { recordPublishFailure } from '../shared/workflow/record-publish-failure.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { taskHandler } from '../shared/runtime/task-handler.js';

/** The Publish task's catch: records publish_failed before the execution ends failed (and can be redriven). */
export function createRecordPublishFailureHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return taskHandler('record-publish-failure', PublishFailureInputSchema, (input) => recordPublishFailure(input, deps));
}

export const handler = lazyHandler(async () => createRecordPublishFailureHandler({ store: runtimeStore(), clock: systemClock }));
