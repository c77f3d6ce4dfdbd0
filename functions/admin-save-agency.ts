import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody, pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { AgencyChangeSchema, saveAgency } from '../shared/workflow/admin/agencies.js';
import { runtimeBaseUrl, runtimeSigningStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** PUT /api/admin/agencies/{agencyId} {name, district, template?, chain?} */
export function createAdminSaveAgencyHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'baseUrl'>) {
  return httpHandler('admin-save-agency', async (request) => {
    const principal = await requirePrincipal(request, deps);
    requireJsonRequest(request, deps.baseUrl);
    const saved = await saveAgency(principal, pathParameter(request, 'agencyId'), jsonBody(request, AgencyChangeSchema), deps);
    return json(200, saved);
  });
}

export const handler = lazyHandler(async () =>
  createAdminSaveAgencyHandler({ store: runtimeSigningStore(), clock: systemClock, baseUrl: runtimeBaseUrl() }),
);
