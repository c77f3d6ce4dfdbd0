import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { json } from '../shared/http/response.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /api/me */
export function createGetMeHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return httpHandler('get-me', async (request) => {
    const me = await requirePrincipal(request, deps);
    const agency = await deps.store.getAgency(me.agencyId);
    return json(200, {
      email: me.email,
      name: me.name,
      agencyId: me.agencyId,
      agencyName: agency?.name,
      roles: me.roles,
      auditScope: me.auditScope,
      adminScope: me.adminScope,
      csrfToken: me.csrfToken,
    });
  });
}

export const handler = lazyHandler(async () => createGetMeHandler({ store: runtimeStore(), clock: systemClock }));
