import * as z from 'zod';
import { currentPrincipal, requirePrincipal } from '../shared/http/authenticate.js';
import { requireCsrfToken, requireJsonRequest, requireSameOrigin } from '../shared/http/csrf.js';
import { errorBody } from '../shared/http/errors.js';
import { httpHandler } from '../shared/http/handler.js';
import { messagePage } from '../shared/http/pages/layout.js';
import { formBody, jsonBody, pathParameter } from '../shared/http/request.js';
import { html, json, seeOther } from '../shared/http/response.js';
import { AlreadyDecidedError, decideReview, type DecisionRequest } from '../shared/workflow/decide-review.js';
import { DomainError, ValidationError } from '../shared/workflow/errors.js';
import { runtimeBaseUrl, runtimeKeys, runtimeSigningStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const JsonBodySchema = z.object({
  sig: z.string().max(200),
  outcome: z.enum(['approve', 'return']),
  comment: z.string().max(4000).default(''),
  confidentialityReviewed: z.boolean().default(false),
});

const OutcomeSchema = z.enum(['approve', 'return']);

const reviewPath = (reviewId: string, sig: string, error?: string) =>
  `/reviews/${encodeURIComponent(reviewId)}?sig=${encodeURIComponent(sig)}${error === undefined ? '' : `&error=${encodeURIComponent(error)}`}#decision`;

/**
 * POST /reviews/{reviewId}/decision (the review page's form: CSRF token, then 303 back to the page, which shows the
 * recorded decision) and POST /api/reviews/{reviewId}/decision (the JSON twin: 200 with the decision; 409 with the
 * decision that already stands; 403 for anyone but the named approver; 410 for an expired link).
 */
export function createDecideReviewHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'keys' | 'baseUrl'>) {
  const decideDeps = { store: deps.store, clock: deps.clock, workflow: deps.workflow, linkKey: deps.keys.links };
  return httpHandler('decide-review', async (request) => {
    const reviewId = pathParameter(request, 'reviewId');
    if (request.path.startsWith('/api/')) {
      const principal = await requirePrincipal(request, deps);
      requireJsonRequest(request, deps.baseUrl);
      const body = jsonBody(request, JsonBodySchema);
      try {
        return json(200, { decision: await decideReview({ reviewId, ...body }, principal, decideDeps) });
      } catch (error) {
        if (error instanceof AlreadyDecidedError) return json(409, { ...errorBody(error), decision: error.decision });
        throw error;
      }
    }

    const form = formBody(request);
    const sig = form.get('sig') ?? '';
    const principal = await currentPrincipal(request, deps);
    if (!principal) return seeOther(`/login?next=${encodeURIComponent(reviewPath(reviewId, sig))}`);
    try {
      requireSameOrigin(request, deps.baseUrl);
      requireCsrfToken(form.get('csrf'), principal);
      const outcome = OutcomeSchema.safeParse(form.get('outcome'));
      if (!outcome.success) throw new ValidationError('请选择“同意”或“退回修改”。', 'BAD_REQUEST');
      const decision: DecisionRequest = {
        reviewId,
        sig,
        outcome: outcome.data,
        comment: form.get('comment') ?? '',
        confidentialityReviewed: form.get('confidentialityReviewed') === 'yes',
      };
      await decideReview(decision, principal, decideDeps);
      return seeOther(reviewPath(reviewId, sig));
    } catch (error) {
      if (error instanceof AlreadyDecidedError) return seeOther(reviewPath(reviewId, sig));
      if (error instanceof ValidationError || (error instanceof DomainError && error.code === 'CSRF'))
        return seeOther(reviewPath(reviewId, sig, error.code));
      if (error instanceof DomainError) return html(error.status, messagePage('审核未能提交', error.message));
      throw error;
    }
  });
}

export const handler = lazyHandler(async () =>
  createDecideReviewHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    workflow: runtimeWorkflow(),
    keys: await runtimeKeys(),
    baseUrl: runtimeBaseUrl(),
  }),
);
