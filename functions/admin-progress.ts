import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { yearQuery } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { progressFor } from '../shared/workflow/admin/progress.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /api/admin/progress?year=2026[&district=daxing]: the deadline dashboard. */
export function createAdminProgressHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return httpHandler('admin-progress', async (request) => {
    const principal = await requirePrincipal(request, deps);
    const progress = await progressFor(principal, yearQuery(request), request.query.get('district') ?? undefined, deps);
    return json(200, {
      deadline: progress.deadline,
      agencies: progress.agencies.map((row) => ({
        agencyId: row.agencyId,
        name: row.name,
        district: row.district,
        state: row.state,
        stepLabel: row.stepLabel,
        since: row.since,
        deadline: row.deadline,
        daysToDeadline: row.daysToDeadline,
        overdue: row.overdue,
      })),
    });
  });
}

export const handler = lazyHandler(async () => createAdminProgressHandler({ store: runtimeStore(), clock: systemClock }));
