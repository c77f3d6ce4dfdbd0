import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { json } from '../shared/http/response.js';
import { listAgenciesInScope } from '../shared/workflow/admin/agencies.js';
import { DEFAULT_CHAIN } from '../shared/workflow/review-chain.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /api/admin/agencies: the agencies of the administrator's districts, each with the chain in force. */
export function createAdminListAgenciesHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return httpHandler('admin-list-agencies', async (request) => {
    const principal = await requirePrincipal(request, deps);
    const agencies = await listAgenciesInScope(principal, deps);
    return json(200, {
      agencies: agencies.map((agency) => ({
        id: agency.id,
        name: agency.name,
        district: agency.district,
        template: agency.template,
        chain: agency.chain ?? DEFAULT_CHAIN,
      })),
    });
  });
}

export const handler = lazyHandler(async () => createAdminListAgenciesHandler({ store: runtimeStore(), clock: systemClock }));
