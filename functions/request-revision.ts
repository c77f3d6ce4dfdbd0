import { RequestRevisionInputSchema } from '../shared/workflow/contracts.js';
import { requestRevision } from '../shared/workflow/request-revision.js';
import { runtimeBaseUrl, runtimeMailer, runtimeSigningStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { taskHandler } from '../shared/runtime/task-handler.js';

/** The OfficerRevision task (lambda:invoke.waitForTaskToken). */
export function createRequestRevisionHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'mailer' | 'baseUrl'>) {
  return taskHandler('request-revision', RequestRevisionInputSchema, (input) => requestRevision(input, deps));
}

export const handler = lazyHandler(async () =>
  createRequestRevisionHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    workflow: runtimeWorkflow(),
    mailer: await runtimeMailer(),
    baseUrl: runtimeBaseUrl(),
  }),
);
