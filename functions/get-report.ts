import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { getReport } from '../shared/workflow/report-queries.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /api/reports/{id}: same agency or auditor; anyone else gets 404. */
export function createGetReportHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return httpHandler('get-report', async (request) => {
    const principal = await requirePrincipal(request, deps);
    return json(200, await getReport(pathParameter(request, 'id'), principal, deps));
  });
}

export const handler = lazyHandler(async () => createGetReportHandler({ store: runtimeStore(), clock: systemClock }));
