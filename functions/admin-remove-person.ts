import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireSameOrigin } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { removePerson, type PeopleDeps } from '../shared/workflow/admin/people.js';
import { runtimeBaseUrl, runtimeKeys, runtimeMailer, runtimeSigningStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** DELETE /api/admin/people/{email}[?preview=1]: a cross-site form cannot send DELETE, so the origin check suffices. */
export function createAdminRemovePersonHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'baseUrl' | 'mailer' | 'keys'>) {
  const peopleDeps: PeopleDeps = { ...deps, linkKey: deps.keys.links };
  return httpHandler('admin-remove-person', async (request) => {
    const principal = await requirePrincipal(request, deps);
    requireSameOrigin(request, deps.baseUrl);
    const preview = request.query.get('preview') === '1';
    return json(200, await removePerson(principal, pathParameter(request, 'email'), preview, peopleDeps));
  });
}

export const handler = lazyHandler(async () =>
  createAdminRemovePersonHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    baseUrl: runtimeBaseUrl(),
    mailer: await runtimeMailer(),
    keys: await runtimeKeys(),
  }),
);
