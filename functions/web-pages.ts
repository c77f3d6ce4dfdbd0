import { currentPrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { renderAuditPage, renderHomePage, renderStatusPage } from '../shared/http/pages/app-pages.js';
import { messagePage } from '../shared/http/pages/layout.js';
import { renderLoginPage, safeNext } from '../shared/http/pages/login-page.js';
import { html, seeOther } from '../shared/http/response.js';
import { DomainError } from '../shared/workflow/errors.js';
import { getReport, listReports, reportHistory } from '../shared/workflow/report-queries.js';
import { runtimeStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /, /login, /reports/{id}, /audit/reports/{id}: the signed-in pages; anyone else is sent to sign in. */
export function createWebPagesHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'workflow'>) {
  return httpHandler('web-pages', async (request) => {
    if (request.path === '/login') return html(200, renderLoginPage({ step: 'email', next: safeNext(request.query.get('next')) }));
    const principal = await currentPrincipal(request, deps);
    if (!principal) return seeOther(`/login?next=${encodeURIComponent(request.path)}`);
    try {
      if (request.path === '/') return html(200, renderHomePage(principal, await listReports(principal, {}, deps)));
      const id = request.pathParameters['id'] ?? '';
      if (request.path.startsWith('/audit/')) return html(200, renderAuditPage(principal, id, await reportHistory(id, principal, deps)));
      return html(200, renderStatusPage(principal, await getReport(id, principal, deps)));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return html(error.status, messagePage('无法打开该页面', error.message));
    }
  });
}

export const handler = lazyHandler(async () => createWebPagesHandler({ store: runtimeStore(), clock: systemClock, workflow: runtimeWorkflow() }));
