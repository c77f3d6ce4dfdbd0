import * as z from 'zod';
import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody, pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { saveDraft } from '../shared/workflow/drafts.js';
import { runtimeBaseUrl, runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { draftKey } from './get-draft.js';

const BodySchema = z.object({ content: z.unknown(), revision: z.int().min(1).optional() });

/** PUT /api/drafts/{agencyId}/{year} {content, revision?}: invalid reports are fine here; lost updates are not. */
export function createSaveDraftHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'baseUrl'>) {
  return httpHandler('save-draft', async (request) => {
    const principal = await requirePrincipal(request, deps);
    requireJsonRequest(request, deps.baseUrl);
    const { agencyId, year } = draftKey(pathParameter(request, 'agencyId'), pathParameter(request, 'year'));
    const body = jsonBody(request, BodySchema);
    return json(200, await saveDraft(agencyId, year, body, principal, deps));
  });
}

export const handler = lazyHandler(async () =>
  createSaveDraftHandler({ store: runtimeStore(), clock: systemClock, baseUrl: runtimeBaseUrl() }),
);
