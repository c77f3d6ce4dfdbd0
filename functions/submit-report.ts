import * as z from 'zod';
import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { AcknowledgementsInputSchema } from '../shared/workflow/acknowledgements.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { submitReport } from '../shared/workflow/submit-report.js';
import { runtimeBaseUrl, runtimeSigningStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const BodySchema = z.object({ report: z.unknown(), acknowledgements: AcknowledgementsInputSchema.optional() });

/** POST /api/reports {report, acknowledgements?} → 201 {id, version, status, stage}; 400 with the findings; 409 when already in review. */
export function createSubmitReportHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'baseUrl'>) {
  return httpHandler('submit-report', async (request) => {
    const principal = await requirePrincipal(request, deps);
    requireJsonRequest(request, deps.baseUrl);
    const { report, acknowledgements } = jsonBody(request, BodySchema);
    return json(201, await submitReport(report, principal, deps, acknowledgements));
  });
}

export const handler = lazyHandler(async () =>
  createSubmitReportHandler({ store: runtimeSigningStore(), clock: systemClock, workflow: runtimeWorkflow(), baseUrl: runtimeBaseUrl() }),
);
