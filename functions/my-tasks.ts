import { requireJsonRequest } from '../shared/http/csrf.js';
import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import {
  runtimeBaseUrl,
  runtimeKeys,
  runtimeMailer,
  runtimeStore,
  runtimeWorkflow,
  systemClock,
  type AppDeps,
} from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { listMyTasks, resendTask } from '../shared/workflow/my-tasks.js';
import type { RequestReviewDeps } from '../shared/workflow/review-delivery.js';

/** GET /api/me/tasks (the reviews waiting for the signed-in person) and POST /api/me/tasks/{reviewId}/resend. */
export function createMyTasksHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'mailer' | 'keys' | 'baseUrl'>) {
  const taskDeps: RequestReviewDeps = { ...deps, linkKey: deps.keys.links };
  return httpHandler('my-tasks', async (request) => {
    const principal = await requirePrincipal(request, deps);
    if (request.method === 'GET') return json(200, { tasks: await listMyTasks(principal, taskDeps) });
    requireJsonRequest(request, deps.baseUrl);
    return json(200, await resendTask(pathParameter(request, 'reviewId'), principal, taskDeps));
  });
}

export const handler = lazyHandler(async () =>
  createMyTasksHandler({
    store: runtimeStore(),
    clock: systemClock,
    workflow: runtimeWorkflow(),
    mailer: await runtimeMailer(),
    keys: await runtimeKeys(),
    baseUrl: runtimeBaseUrl(),
  }),
);
