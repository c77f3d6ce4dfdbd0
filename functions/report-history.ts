import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { reportHistory } from '../shared/workflow/report-queries.js';
import { runtimeHistory, runtimeStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /api/reports/{id}/history: `{events, chain: {valid, head, signed, anchoredSeq, problem}, executions}` for the agency and its auditors. */
export function createReportHistoryHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'history'>) {
  return httpHandler('report-history', async (request) => {
    const principal = await requirePrincipal(request, deps);
    return json(200, await reportHistory(pathParameter(request, 'id'), principal, deps));
  });
}

export const handler = lazyHandler(async () =>
  createReportHistoryHandler({ store: runtimeStore(), clock: systemClock, workflow: runtimeWorkflow(), history: runtimeHistory() }),
);
