import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody, pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { PersonChangeSchema, savePerson, type PeopleDeps } from '../shared/workflow/admin/people.js';
import { runtimeBaseUrl, runtimeKeys, runtimeMailer, runtimeSigningStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** PUT /api/admin/people/{email}[?preview=1] {name, agencyId, roles}: with preview, what happens to their open reviews. */
export function createAdminSavePersonHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'baseUrl' | 'mailer' | 'keys'>) {
  const peopleDeps: PeopleDeps = { ...deps, linkKey: deps.keys.links };
  return httpHandler('admin-save-person', async (request) => {
    const principal = await requirePrincipal(request, deps);
    requireJsonRequest(request, deps.baseUrl);
    const preview = request.query.get('preview') === '1';
    return json(
      200,
      await savePerson(principal, pathParameter(request, 'email'), jsonBody(request, PersonChangeSchema), preview, peopleDeps),
    );
  });
}

export const handler = lazyHandler(async () =>
  createAdminSavePersonHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    baseUrl: runtimeBaseUrl(),
    mailer: await runtimeMailer(),
    keys: await runtimeKeys(),
  }),
);
