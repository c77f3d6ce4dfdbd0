import { browserCookieFor } from '../shared/auth/browser.js';
import { currentPrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { messagePage } from '../shared/http/pages/layout.js';
import { renderReviewPage, renderReviewSignInPage } from '../shared/http/pages/review-page.js';
import { pathParameter } from '../shared/http/request.js';
import { html } from '../shared/http/response.js';
import { DomainError } from '../shared/workflow/errors.js';
import { reviewTeaser, reviewView } from '../shared/workflow/review-view.js';
import { runtimeKeys, runtimeStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/**
 * GET /reviews/{reviewId}?sig=… — the page an approver's email links to. It only reads: mail scanners and link
 * previews open it too, and see only which report it is until someone signs in as the approver (or an auditor). Problems are shown as a page, not JSON, because a person followed a link.
 */
export function createReviewPageHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'keys'>) {
  const decideDeps = { store: deps.store, clock: deps.clock, workflow: deps.workflow, linkKey: deps.keys.links };
  return httpHandler('review-page', async (request) => {
    const sig = request.query.get('sig') ?? undefined;
    const principal = await currentPrincipal(request, deps);
    try {
      const reviewId = pathParameter(request, 'reviewId');
      if (!principal) {
        return html(200, renderReviewSignInPage(await reviewTeaser(reviewId, sig, decideDeps), sig ?? ''), {
          cookies: browserCookieFor(request),
        });
      }
      const view = await reviewView(reviewId, sig, principal, decideDeps);
      const error = request.query.get('error') ?? undefined;
      return html(200, renderReviewPage({ view, sig: sig ?? '', principal, error }));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return html(error.status, messagePage('无法打开审核页面', error.message));
    }
  });
}

export const handler = lazyHandler(async () =>
  createReviewPageHandler({ store: runtimeStore(), clock: systemClock, workflow: runtimeWorkflow(), keys: await runtimeKeys() }),
);
