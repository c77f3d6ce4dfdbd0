import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireSameOrigin } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { json } from '../shared/http/response.js';
import { importPeople, type PeopleDeps } from '../shared/workflow/admin/people.js';
import { ValidationError } from '../shared/workflow/errors.js';
import { runtimeBaseUrl, runtimeKeys, runtimeMailer, runtimeSigningStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/**
 * POST /api/admin/people/import with text/csv (邮箱,姓名,单位,角色): all or nothing. A cross-site form cannot send
 * text/csv without a preflight, which this API does not grant, so the type is the CSRF defence, as JSON is elsewhere.
 * Any bad line answers 400 with every line's error and writes nothing.
 */
export function createAdminImportPeopleHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'baseUrl' | 'mailer' | 'keys'>) {
  const peopleDeps: PeopleDeps = { ...deps, linkKey: deps.keys.links };
  return httpHandler('admin-import-people', async (request) => {
    const principal = await requirePrincipal(request, deps);
    if (!/^text\/csv\b/i.test(request.headers['content-type'] ?? '')) {
      throw new ValidationError('请上传 CSV 文件（Content-Type: text/csv）。', 'UNSUPPORTED_MEDIA_TYPE');
    }
    requireSameOrigin(request, deps.baseUrl);
    const result = await importPeople(principal, request.rawBody, peopleDeps);
    return json(result.errors.length > 0 ? 400 : 200, result);
  });
}

export const handler = lazyHandler(async () =>
  createAdminImportPeopleHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    baseUrl: runtimeBaseUrl(),
    mailer: await runtimeMailer(),
    keys: await runtimeKeys(),
  }),
);
