import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { json } from '../shared/http/response.js';
import { listReports } from '../shared/workflow/report-queries.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /api/reports[?agency&year]: only what the caller may see. */
export function createListReportsHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return httpHandler('list-reports', async (request) => {
    const principal = await requirePrincipal(request, deps);
    const agency = request.query.get('agency') ?? undefined;
    const rawYear = request.query.get('year');
    const year = rawYear === null || !/^\d{4}$/.test(rawYear) ? undefined : Number(rawYear);
    const heads = await listReports(principal, { agency, year }, deps);
    return json(200, {
      reports: heads.map((head) => ({
        id: head.reportId,
        agencyId: head.agencyId,
        agencyName: head.agencyName,
        year: head.year,
        template: head.template,
        status: head.status,
        stage: head.stage,
        version: head.version,
        updatedAt: head.updatedAt,
        pendingSince: head.pendingSince,
      })),
    });
  });
}

export const handler = lazyHandler(async () => createListReportsHandler({ store: runtimeStore(), clock: systemClock }));
