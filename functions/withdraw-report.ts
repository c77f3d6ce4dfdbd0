import * as z from 'zod';
import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody, pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { withdrawReport } from '../shared/workflow/withdraw-report.js';
import { runtimeBaseUrl, runtimeMailer, runtimeSigningStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const WithdrawBodySchema = z.object({ reason: z.string().max(4000).default('') });

/** POST /api/reports/{id}/withdraw `{"reason"}`: the reason is required and goes to whoever held an open review. */
export function createWithdrawReportHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'baseUrl' | 'mailer'>) {
  return httpHandler('withdraw-report', async (request) => {
    const principal = await requirePrincipal(request, deps);
    // a cross-site form cannot send JSON, so a JSON call from our origin is the user's own
    requireJsonRequest(request, deps.baseUrl);
    return json(200, await withdrawReport(pathParameter(request, 'id'), jsonBody(request, WithdrawBodySchema).reason, principal, deps));
  });
}

export const handler = lazyHandler(async () =>
  createWithdrawReportHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    workflow: runtimeWorkflow(),
    baseUrl: runtimeBaseUrl(),
    mailer: await runtimeMailer(),
  }),
);
