import * as z from 'zod';
import { browserCookieFor } from '../shared/auth/browser.js';
import { isOfficerOf, type Principal } from '../shared/auth/principal.js';
import { currentPrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { auditCsv, auditFileName, auditJson } from '../shared/http/pages/audit-export.js';
import { currentReportYear, loadAdminView } from '../shared/http/pages/admin-data.js';
import { renderAdminLogPage } from '../shared/http/pages/admin-log-page.js';
import { renderAdminPage } from '../shared/http/pages/admin-page.js';
import { readAdminLog } from '../shared/workflow/admin/admin-log.js';
import { renderAuditPage } from '../shared/http/pages/audit-page.js';
import { publishedDownloads } from '../shared/http/pages/downloads.js';
import { renderSignOffDocument, signOffFileName } from '../shared/http/pages/sign-off-document.js';
import { renderImportPage } from '../shared/http/pages/import-page.js';
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
import { matchRoute, ROUTES, type WebPage } from '../shared/http/routes.js';
import { BAD_YEAR, yearFromText } from '../shared/report/year.js';
import { DomainError } from '../shared/workflow/errors.js';
import { reportPageKey } from '../shared/workflow/site-keys.js';
import { compareVersions, getReport, reportAt, reportHistory } from '../shared/workflow/report-queries.js';
import { runtimeHistory, runtimeStore, runtimeWorkflow, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { ENV, optionalEnv } from '../shared/runtime/env.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/**
 * The web app's GET pages: / (home), /login, /reports/new?year= (→ the year's draft), /drafts/{agencyId}/{year} (the
 * form), /reports/{id} (status), /reports/{id}/edit (revise a returned report), /audit/reports/{id} with its .json and
 * .csv exports, /admin (the district administrator's console) and /admin/log (the administration log). Anyone not
 * signed in is sent to sign in and back. The browser's scripts are files built beforehand and served beside the pages,
 * not by this function (shared/http/assets.ts).
 */

export type WebPagesDeps = Pick<AppDeps, 'store' | 'clock' | 'workflow' | 'history'> & { readonly siteBaseUrl?: string | undefined };

/** `?version=2` opens a version; `?from=1&to=2` compares two. Anything else is ignored. */
const VersionQuerySchema = z.object({
  version: z.coerce.number().int().min(1).max(10_000).optional(),
  from: z.coerce.number().int().min(1).max(10_000).optional(),
  to: z.coerce.number().int().min(1).max(10_000).optional(),
});

const download = (body: string, contentType: string, fileName: string): HttpResponse => ({
  statusCode: 200,
  headers: {
    ...SECURITY_HEADERS,
    'cache-control': 'no-store',
    'content-type': contentType,
    'content-disposition': `attachment; filename="${fileName}"`,
  },
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

/**
 * The year whose report an agency new to nianbao would import: the one before the year it is reporting on. Reports are
 * written from late in the year to 31 January, so until July the year being reported on is the one before.
 */
function previousReportYear(now: Date): number {
  const reporting = now.getUTCMonth() >= 6 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
  return reporting - 1;
}

type Page = (request: HttpRequest, principal: Principal, deps: WebPagesDeps) => Promise<HttpResponse>;

/** The signed-in pages, one per route of shared/http/routes.ts that names a `page`. */
const PAGES: Readonly<Record<Exclude<WebPage, 'login'>, Page>> = {
  home: async (_request, principal, deps) => html(200, renderHomePage(principal, await loadHomeView(principal, deps))),
  'new-report': async (request, principal, deps) => {
    const year = yearFromText(request.query.get('year'));
    if (!isOfficerOf(principal, principal.agencyId)) return html(403, messagePage('无法填报', '只有信息员可以填报年度报告。', principal));
    if (year === undefined) return html(400, messagePage('无法填报', BAD_YEAR.message, principal));
    const latest = latestYear(deps.clock.now());
    if (year > latest) return html(400, messagePage('无法填报', `${year}年尚未结束，最晚只能填报${latest}年度的报告。`, principal));
    const template = request.query.get('template');
    return seeOther(`${draftPagePath(principal.agencyId, year)}${template ? `?template=${encodeURIComponent(template)}` : ''}`);
  },
  draft: async (request, principal, deps) => {
    const year = yearFromText(request.pathParameters['year']);
    if (year === undefined || year > latestYear(deps.clock.now()))
      return html(404, messagePage('无法打开该页面', '没有这个报告年度。', principal));
    const agencyId = request.pathParameters['agencyId'] ?? '';
    return formResponse(await loadDraftForm(principal, agencyId, year, request.query.get('template') ?? undefined, deps));
  },
  audit: async (request, principal, deps) => {
    const target = exportFormat(request, request.pathParameters['id'] ?? '');
    const history = await reportHistory(target.id, principal, deps);
    if (target.format === 'json')
      return download(auditJson(target.id, history, deps.clock.now()), 'application/json; charset=utf-8', auditFileName(target.id, 'json'));
    if (target.format === 'csv') return download(auditCsv(history), 'text/csv; charset=utf-8', auditFileName(target.id, 'csv'));
    const query = VersionQuerySchema.safeParse(Object.fromEntries(request.query));
    const asked = query.success ? query.data : {};
    const shownReport = asked.version === undefined ? undefined : reportAt(history.events, asked.version);
    const diff = asked.from === undefined || asked.to === undefined ? undefined : compareVersions(history.events, asked.from, asked.to);
    return html(
      200,
      renderAuditPage(principal, target.id, history, {
        siteBaseUrl: deps.siteBaseUrl,
        shown: asked.version === undefined || !shownReport ? undefined : { version: asked.version, report: shownReport },
        compared: asked.from === undefined || asked.to === undefined || !diff ? undefined : { from: asked.from, to: asked.to, diff },
      }),
    );
  },
  import: async (request, principal, deps) => {
    if (!isOfficerOf(principal, principal.agencyId)) return html(403, messagePage('无法导入', '只有信息员可以导入上年报告。', principal));
    const asked = request.query.get('year');
    const year = asked === null ? previousReportYear(deps.clock.now()) : yearFromText(asked);
    if (year === undefined) return html(400, messagePage('无法导入', BAD_YEAR.message, principal));
    const [agency, existing] = await Promise.all([
      deps.store.getAgency(principal.agencyId),
      deps.store.getImportedReport(principal.agencyId, year),
    ]);
    return html(200, renderImportPage(principal, { agencyId: principal.agencyId, agencyName: agency?.name ?? '', year, existing }));
  },
  admin: async (request, principal, deps) => {
    const asked = request.query.get('year');
    const year = (asked === null ? undefined : yearFromText(asked)) ?? currentReportYear(deps.clock.now());
    return html(200, renderAdminPage(principal, await loadAdminView(principal, year, deps)));
  },
  'admin-log': async (_request, principal, deps) => html(200, renderAdminLogPage(principal, await readAdminLog(principal, deps))),
  revision: async (request, principal, deps) => formResponse(await loadRevisionForm(principal, request.pathParameters['id'] ?? '', deps)),
  'sign-off': async (request, principal, deps) => {
    const report = await getReport(request.pathParameters['id'] ?? '', principal, deps);
    if (report.status !== 'published')
      return html(404, messagePage('暂无签发单', '报告发布后才能下载签发单；此前请在报告页面查看。', principal));
    return download(renderSignOffDocument(report), 'text/html; charset=utf-8', signOffFileName(report.id));
  },
  status: async (request, principal, deps) => {
    const report = await getReport(request.pathParameters['id'] ?? '', principal, deps);
    const publicUrl =
      report.status === 'published' && deps.siteBaseUrl !== undefined
        ? new URL(
            reportPageKey(report.agencyId, report.year),
            deps.siteBaseUrl.endsWith('/') ? deps.siteBaseUrl : `${deps.siteBaseUrl}/`,
          ).toString()
        : undefined;
    const downloads = report.status === 'published' ? publishedDownloads(deps.siteBaseUrl, report.agencyId, report.year) : undefined;
    return html(200, renderStatusPage(principal, report, { publicUrl, downloads }));
  },
};

const WEB_ROUTES = ROUTES.filter((route) => route.function === 'web-pages');

export function createWebPagesHandler(deps: WebPagesDeps) {
  return httpHandler('web-pages', async (request) => {
    const match = matchRoute(request.method, request.path, WEB_ROUTES);
    const page = match?.route.page;
    if (!match || page === undefined) return html(404, messagePage('无法打开该页面', '没有这个页面。', undefined));
    const params = { ...match.pathParameters, ...request.pathParameters };
    const routed: HttpRequest = { ...request, pathParameters: params };
    const principal = await currentPrincipal(routed, deps);
    if (page === 'login') {
      const next = safeNext(request.query.get('next'));
      if (principal) return seeOther(next);
      const retry = request.query.get('retry');
      const email = EmailSchema.safeParse(request.query.get('email'));
      if ((retry === 'invalid' || retry === 'locked') && email.success) {
        // locked: the code is spent, so the page starts again at the address, not at a box that can only fail
        return html(
          200,
          renderLoginPage({ step: retry === 'locked' ? 'email' : 'code', email: email.data, next, error: SIGN_IN_RETRY_MESSAGES[retry] }),
          { cookies: browserCookieFor(request) },
        );
      }
      return html(200, renderLoginPage({ step: 'email', next }), { cookies: browserCookieFor(request) });
    }
    if (!principal) {
      const query = request.query.toString();
      return seeOther(`/login?next=${encodeURIComponent(query === '' ? request.path : `${request.path}?${query}`)}`);
    }
    try {
      return await PAGES[page](routed, principal, deps);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return html(error.status, messagePage('无法打开该页面', error.message, principal));
    }
  });
}

export const handler = lazyHandler(async () =>
  createWebPagesHandler({
    store: runtimeStore(),
    clock: systemClock,
    workflow: runtimeWorkflow(),
    history: runtimeHistory(),
    siteBaseUrl: optionalEnv(ENV.siteBaseUrl),
  }),
);
