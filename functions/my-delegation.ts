import * as z from 'zod';
import { currentPrincipal, requirePrincipal } from '../shared/http/authenticate.js';
import { requireCsrfToken, requireJsonRequest, requireSameOrigin } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { messagePage } from '../shared/http/pages/layout.js';
import { formBody, jsonBody } from '../shared/http/request.js';
import { html, json, seeOther } from '../shared/http/response.js';
import { endDelegation, myDelegation, setDelegation } from '../shared/workflow/delegation.js';
import { DomainError, ValidationError } from '../shared/workflow/errors.js';
import { EmailSchema, IsoDateSchema } from '../shared/workflow/model.js';
import { runtimeBaseUrl, runtimeSigningStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const DelegationBodySchema = z.object({ to: EmailSchema, from: IsoDateSchema, until: IsoDateSchema });

const HOME_SECTION = '/#delegation';

/**
 * The signed-in person's delegation (代理): GET /api/me/delegation (the running or planned one, or null),
 * PUT /api/me/delegation {to, from, until} (sets or replaces it), DELETE /api/me/delegation (ends it), and
 * POST /me/delegation, the home page's form (CSRF token; `action` set or end; 303 back to the home page).
 */
export function createMyDelegationHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'baseUrl'>) {
  return httpHandler('my-delegation', async (request) => {
    if (request.path.startsWith('/api/')) {
      const principal = await requirePrincipal(request, deps);
      if (request.method === 'GET') return json(200, { delegation: await myDelegation(principal, deps) });
      if (request.method === 'DELETE') {
        requireSameOrigin(request, deps.baseUrl);
        return json(200, { delegation: await endDelegation(principal, deps) });
      }
      requireJsonRequest(request, deps.baseUrl);
      return json(200, { delegation: await setDelegation(jsonBody(request, DelegationBodySchema), principal, deps) });
    }

    const principal = await currentPrincipal(request, deps);
    if (!principal) return seeOther(`/login?next=${encodeURIComponent(HOME_SECTION)}`);
    const form = formBody(request);
    try {
      requireSameOrigin(request, deps.baseUrl);
      requireCsrfToken(form.get('csrf'), principal);
      if (form.get('action') === 'end') {
        await endDelegation(principal, deps);
      } else {
        const parsed = DelegationBodySchema.safeParse({
          to: form.get('to') ?? '',
          from: form.get('from') ?? '',
          until: form.get('until') ?? '',
        });
        if (!parsed.success) throw new ValidationError('请填写代理人的邮箱和代理的起止日期（年-月-日）。', 'INVALID_BODY');
        await setDelegation(parsed.data, principal, deps);
      }
      return seeOther(HOME_SECTION);
    } catch (error) {
      if (error instanceof DomainError) return html(error.status, messagePage('代理未能保存', error.message));
      throw error;
    }
  });
}

export const handler = lazyHandler(async () =>
  createMyDelegationHandler({ store: runtimeSigningStore(), clock: systemClock, baseUrl: runtimeBaseUrl() }),
);
