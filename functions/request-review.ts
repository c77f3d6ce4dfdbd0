import { RequestReviewInputSchema } from '../shared/workflow/contracts.js';
import { requestReview } from '../shared/workflow/request-review.js';
import type { RequestReviewDeps } from '../shared/workflow/review-delivery.js';
import {
  runtimeBaseUrl,
  runtimeKeys,
  runtimeMailer,
  runtimeSigningStore,
  runtimeWorkflow,
  systemClock,
  type AppDeps,
} from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { taskHandler } from '../shared/runtime/task-handler.js';

/** The DirectorReview / LeaderReview task (lambda:invoke.waitForTaskToken). */
export function createRequestReviewHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'mailer' | 'keys' | 'baseUrl'>) {
  const reviewDeps: RequestReviewDeps = { ...deps, linkKey: deps.keys.links };
  return taskHandler('request-review', RequestReviewInputSchema, (input) => requestReview(input, reviewDeps));
}

export const handler = lazyHandler(async () =>
  createRequestReviewHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    workflow: runtimeWorkflow(),
    mailer: await runtimeMailer(),
    keys: await runtimeKeys(),
    baseUrl: runtimeBaseUrl(),
  }),
);
