import * as z from 'zod';
import { isOfficerOf } from '../shared/auth/principal.js';
import { assetResponse } from '../shared/http/assets.js';
import { currentPrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { auditCsv, auditFileName, auditJson } from '../shared/http/pages/audit-export.js';
import { renderAuditPage } from '../shared/http/pages/audit-page.js';
import { draftPagePath } from '../shared/http/pages/form-model.js';
import { renderFormPage } from '../shared/http/pages/form-page.js';
import { renderHomePage } from '../shared/http/pages/home-page.js';
import { messagePage } from '../shared/http/pages/layout.js';
import { renderLoginPage, safeNext, SIGN_IN_RETRY_MESSAGES } from '../shared/http/pages/login-page.js';
import { EmailSchema } from '../shared/workflow/model.js';
import { loadDraftForm, loadHomeView, loadRevisionForm, type FormPageData } from '../shared/http/pages/page-data.js';
import { beijingYear } from '../shared/http/pages/names.js';
import { renderStatusPage } from '../shared/http/pages/status-page.js';
import type { HttpRequest } from '../shared/http/request.js';
import { html, SECURITY_HEADERS, seeOther, type HttpResponse } from '../shared/http/response.js';
import { YearSchema } from '../shared/report/schema.js';
import { DomainError } from '../shared/workflow/errors.js';
import { reportPageKey } from '../shared/workflow/publish-report.js';
import { compareVersions, getReport, reportAt, reportHistory } from '../shared/workflow/report-queries.js';
import { runtimeStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { ENV, optionalEnv } from '../shared/runtime/env.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/**
 * The web app's GET pages: / (home), /login, /reports/new?year= (→ the year's draft), /drafts/{agencyId}/{year} (the
 * form), /reports/{id} (status), /reports/{id}/edit (revise a returned report), /audit/reports/{id} with its .json and
 * .csv exports, and /assets/{name} (the browser's scripts). Anyone not signed in is sent to sign in and back.
 */

export type WebPagesDeps = Pick<AppDeps, 'store' | 'clock' | 'workflow'> & { readonly siteBaseUrl?: string | undefined };

/** `?version=2` opens a version; `?from=1&to=2` compares two. Anything else is ignored. */
const VersionQuerySchema = z.object({
  version: z.coerce.number().int().min(1).max(10_000).optional(),
  from: z.coerce.number().int().min(1).max(10_000).optional(),
  to: z.coerce.number().int().min(1).max(10_000).optional(),
});

const download = (body: string, contentType: string, fileName: string): HttpResponse => ({
  statusCode: 200,
  headers: { ...SECURITY_HEADERS, 'cache-control': 'no-store', 'content-type': contentType, 'content-disposition': `attachment; filename="${fileName}"` },
  body,
});

function formResponse(data: FormPageData): HttpResponse {
  return data.kind === 'redirect' ? seeOther(data.location) : html(200, renderFormPage(data.props));
}

/** `/audit/reports/daxing-kw-2020.csv` (or `?format=csv`): report ids never contain a dot, so the suffix is unambiguous. */
function exportFormat(request: HttpRequest, id: string): { id: string; format: 'html' | 'json' | 'csv' } {
  const suffix = /\.(json|csv)$/.exec(id)?.[1];
  if (suffix === 'json' || suffix === 'csv') return { id: id.slice(0, -suffix.length - 1), format: suffix };
  const format = request.query.get('format');
  return { id, format: format === 'json' || format === 'csv' ? format : 'html' };
}

/** The latest year a report may be started for: the current one (its report is written the next January), in Beijing time. */
const latestYear = (now: Date): number => beijingYear(now);

export function createWebPagesHandler(deps: WebPagesDeps) {
  return httpHandler('web-pages', async (request) => {
    const path = request.path;
    if (path.startsWith('/assets/')) return assetResponse(request.pathParameters['name'] ?? path.slice('/assets/'.length), request.headers['if-none-match']);
    const principal = await currentPrincipal(request, deps);
    if (path === '/login') {
      const next = safeNext(request.query.get('next'));
      if (principal) return seeOther(next);
      const retry = request.query.get('retry');
      const email = EmailSchema.safeParse(request.query.get('email'));
      if ((retry === 'invalid' || retry === 'locked') && email.success) {
        // locked: the code is spent, so the page starts again at the address, not at a box that can only fail
        return html(200, renderLoginPage({ step: retry === 'locked' ? 'email' : 'code', email: email.data, next, error: SIGN_IN_RETRY_MESSAGES[retry] }));
      }
      return html(200, renderLoginPage({ step: 'email', next }));
    }
    if (!principal) {
      const query = request.query.toString();
      return seeOther(`/login?next=${encodeURIComponent(query === '' ? path : `${path}?${query}`)}`);
    }
    try {
      if (path === '/') return html(200, renderHomePage(principal, await loadHomeView(principal, deps)));
      if (path === '/reports/new') {
        const year = YearSchema.safeParse(Number(request.query.get('year')));
        if (!isOfficerOf(principal, principal.agencyId)) return html(403, messagePage('无法填报', '只有信息员可以填报年度报告。', principal));
        if (!year.success) return html(400, messagePage('无法填报', '请选择 2019 年以后的报告年度。', principal));
        if (year.data > latestYear(deps.clock.now())) return html(400, messagePage('无法填报', `${year.data}年尚未结束，最晚只能填报${latestYear(deps.clock.now())}年度的报告。`, principal));
        const template = request.query.get('template');
        return seeOther(`${draftPagePath(principal.agencyId, year.data)}${template ? `?template=${encodeURIComponent(template)}` : ''}`);
      }
      const agencyId = request.pathParameters['agencyId'];
      if (path.startsWith('/drafts/') && agencyId !== undefined) {
        const year = YearSchema.safeParse(Number(request.pathParameters['year']));
        if (!year.success || year.data > latestYear(deps.clock.now())) return html(404, messagePage('无法打开该页面', '没有这个报告年度。', principal));
        return formResponse(await loadDraftForm(principal, agencyId, year.data, request.query.get('template') ?? undefined, deps));
      }
      const id = request.pathParameters['id'] ?? '';
      if (path.startsWith('/audit/')) {
        const target = exportFormat(request, id);
        const history = await reportHistory(target.id, principal, deps);
        if (target.format === 'json') return download(auditJson(target.id, history, deps.clock.now()), 'application/json; charset=utf-8', auditFileName(target.id, 'json'));
        if (target.format === 'csv') return download(auditCsv(history), 'text/csv; charset=utf-8', auditFileName(target.id, 'csv'));
        const query = VersionQuerySchema.safeParse(Object.fromEntries(request.query));
        const asked = query.success ? query.data : {};
        const shownReport = asked.version === undefined ? undefined : reportAt(history.events, asked.version);
        const diff = asked.from === undefined || asked.to === undefined ? undefined : compareVersions(history.events, asked.from, asked.to);
        return html(
          200,
          renderAuditPage(principal, target.id, history, {
            shown: asked.version === undefined || !shownReport ? undefined : { version: asked.version, report: shownReport },
            compared: asked.from === undefined || asked.to === undefined || !diff ? undefined : { from: asked.from, to: asked.to, diff },
          }),
        );
      }
      if (path.endsWith('/edit')) return formResponse(await loadRevisionForm(principal, id, deps));
      const report = await getReport(id, principal, deps);
      const publicUrl = report.status === 'published' && deps.siteBaseUrl !== undefined ? new URL(reportPageKey(report.agencyId, report.year), deps.siteBaseUrl.endsWith('/') ? deps.siteBaseUrl : `${deps.siteBaseUrl}/`).toString() : undefined;
      return html(200, renderStatusPage(principal, report, { publicUrl }));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return html(error.status, messagePage('无法打开该页面', error.message, principal));
    }
  });
}

export const handler = lazyHandler(async () =>
  createWebPagesHandler({ store: runtimeStore(), clock: systemClock, workflow: runtimeWorkflow(), siteBaseUrl: optionalEnv(ENV.siteBaseUrl) }),
);
