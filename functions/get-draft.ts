import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { getDraft } from '../shared/workflow/drafts.js';
import { BAD_YEAR, yearFromText } from '../shared/report/year.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { ValidationError } from '../shared/workflow/errors.js';

export function draftKey(agencyId: string, rawYear: string): { agencyId: string; year: number } {
  const year = yearFromText(rawYear);
  if (year === undefined) throw new ValidationError(BAD_YEAR.message, BAD_YEAR.code);
  return { agencyId, year };
}

/** GET /api/drafts/{agencyId}/{year} */
export function createGetDraftHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return httpHandler('get-draft', async (request) => {
    const principal = await requirePrincipal(request, deps);
    const { agencyId, year } = draftKey(pathParameter(request, 'agencyId'), pathParameter(request, 'year'));
    return json(200, await getDraft(agencyId, year, principal, deps));
  });
}

export const handler = lazyHandler(async () => createGetDraftHandler({ store: runtimeStore(), clock: systemClock }));
