import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { json } from '../shared/http/response.js';
import { listPeople } from '../shared/workflow/admin/people.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /api/admin/people[?agencyId=]: one agency's people, or everybody in the administrator's agencies. */
export function createAdminListPeopleHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return httpHandler('admin-list-people', async (request) => {
    const principal = await requirePrincipal(request, deps);
    return json(200, { people: await listPeople(principal, request.query.get('agencyId') ?? undefined, deps) });
  });
}

export const handler = lazyHandler(async () => createAdminListPeopleHandler({ store: runtimeStore(), clock: systemClock }));
