import * as z from 'zod';
import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { AcknowledgementsInputSchema } from '../shared/workflow/acknowledgements.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody, pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { resubmitReport } from '../shared/workflow/resubmit-report.js';
import { runtimeBaseUrl, runtimeSigningStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const BodySchema = z.object({ report: z.unknown(), acknowledgements: AcknowledgementsInputSchema.optional() });

/** PUT /api/reports/{id} {report, acknowledgements?}: a new version of a returned report, back into review. */
export function createResubmitReportHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'baseUrl'>) {
  return httpHandler('resubmit-report', async (request) => {
    const principal = await requirePrincipal(request, deps);
    requireJsonRequest(request, deps.baseUrl);
    const { report, acknowledgements } = jsonBody(request, BodySchema);
    return json(200, await resubmitReport(pathParameter(request, 'id'), report, principal, deps, acknowledgements));
  });
}

export const handler = lazyHandler(async () =>
  createResubmitReportHandler({ store: runtimeSigningStore(), clock: systemClock, workflow: runtimeWorkflow(), baseUrl: runtimeBaseUrl() }),
);
