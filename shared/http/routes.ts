/**
 * Every HTTP route and the function that answers it: the HTTP API in AWS and the local server are both built from
 * this table, so they cannot drift apart. `function` names the module in functions/.
 */
export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway syntax: `{name}` is one path segment */
  readonly path: string;
  readonly function: HttpFunctionName;
  /** for the web-pages function, which of its pages this route is (functions/web-pages.ts dispatches on it) */
  readonly page?: WebPage;
}

/** The pages the web-pages function renders, one per route of its own. */
export type WebPage =
  | 'home'
  | 'login'
  | 'status'
  | 'sign-off'
  | 'audit'
  | 'new-report'
  | 'draft'
  | 'revision'
  | 'import'
  | 'admin'
  | 'admin-log';

export const HTTP_FUNCTIONS = [
  'request-sign-in-code',
  'create-session',
  'end-session',
  'get-me',
  'validate-report',
  'get-draft',
  'save-draft',
  'submit-report',
  'list-reports',
  'get-report',
  'resubmit-report',
  'withdraw-report',
  'report-history',
  'review-page',
  'decide-review',
  'my-tasks',
  'my-delegation',
  'web-pages',
  'import-report',
  'admin-list-agencies',
  'admin-save-agency',
  'admin-list-people',
  'admin-save-person',
  'admin-remove-person',
  'admin-import-people',
  'admin-progress',
  'admin-send-reminders',
  'admin-summary',
  'admin-log',
] as const;
export type HttpFunctionName = (typeof HTTP_FUNCTIONS)[number];

export const TASK_FUNCTIONS = [
  'request-review',
  'request-revision',
  'publish-report',
  'record-execution-failure',
  'send-due-reminders',
] as const;
export type TaskFunctionName = (typeof TASK_FUNCTIONS)[number];

export const ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/api/auth/code', function: 'request-sign-in-code' },
  { method: 'POST', path: '/login/code', function: 'request-sign-in-code' },
  { method: 'POST', path: '/api/auth/session', function: 'create-session' },
  { method: 'POST', path: '/login/session', function: 'create-session' },
  { method: 'POST', path: '/api/auth/logout', function: 'end-session' },
  { method: 'GET', path: '/api/me', function: 'get-me' },
  { method: 'POST', path: '/api/reports/validate', function: 'validate-report' },
  { method: 'GET', path: '/api/drafts/{agencyId}/{year}', function: 'get-draft' },
  { method: 'PUT', path: '/api/drafts/{agencyId}/{year}', function: 'save-draft' },
  { method: 'POST', path: '/api/reports', function: 'submit-report' },
  { method: 'GET', path: '/api/reports', function: 'list-reports' },
  { method: 'GET', path: '/api/reports/{id}', function: 'get-report' },
  { method: 'PUT', path: '/api/reports/{id}', function: 'resubmit-report' },
  { method: 'POST', path: '/api/reports/{id}/withdraw', function: 'withdraw-report' },
  { method: 'GET', path: '/api/reports/{id}/history', function: 'report-history' },
  { method: 'GET', path: '/reviews/{reviewId}', function: 'review-page' },
  { method: 'POST', path: '/reviews/{reviewId}/decision', function: 'decide-review' },
  { method: 'POST', path: '/api/reviews/{reviewId}/decision', function: 'decide-review' },
  { method: 'GET', path: '/api/me/tasks', function: 'my-tasks' },
  { method: 'POST', path: '/api/me/tasks/{reviewId}/resend', function: 'my-tasks' },
  { method: 'GET', path: '/api/me/delegation', function: 'my-delegation' },
  { method: 'PUT', path: '/api/me/delegation', function: 'my-delegation' },
  { method: 'DELETE', path: '/api/me/delegation', function: 'my-delegation' },
  { method: 'POST', path: '/me/delegation', function: 'my-delegation' },
  // last year's report from before nianbao: a preview of what the file says, then saved as the agency's imported report
  { method: 'POST', path: '/api/reports/import', function: 'import-report' },
  { method: 'PUT', path: '/api/agencies/{agencyId}/previous/{year}', function: 'import-report' },
  { method: 'GET', path: '/', function: 'web-pages', page: 'home' },
  { method: 'GET', path: '/login', function: 'web-pages', page: 'login' },
  { method: 'GET', path: '/reports/{id}', function: 'web-pages', page: 'status' },
  { method: 'GET', path: '/reports/{id}/sign-off', function: 'web-pages', page: 'sign-off' },
  { method: 'GET', path: '/audit/reports/{id}', function: 'web-pages', page: 'audit' },
  // the report form: a new year's draft (/reports/new?year= leads there) and a returned report's revision
  { method: 'GET', path: '/reports/new', function: 'web-pages', page: 'new-report' },
  { method: 'GET', path: '/drafts/{agencyId}/{year}', function: 'web-pages', page: 'draft' },
  { method: 'GET', path: '/reports/{id}/edit', function: 'web-pages', page: 'revision' },
  { method: 'GET', path: '/previous/import', function: 'web-pages', page: 'import' },
  // the browser's scripts (bundled from client/); /audit/reports/{id}.json and .csv are the route above
  // the administrator's console, a page over the routes below
  { method: 'GET', path: '/admin', function: 'web-pages', page: 'admin' },
  // the administration log with its verification, for administrators and auditors
  { method: 'GET', path: '/admin/log', function: 'web-pages', page: 'admin-log' },
  // administration (the district's 政务公开办): every route answers 403 to anybody without the role `admin`
  { method: 'GET', path: '/api/admin/agencies', function: 'admin-list-agencies' },
  { method: 'PUT', path: '/api/admin/agencies/{agencyId}', function: 'admin-save-agency' },
  { method: 'GET', path: '/api/admin/people', function: 'admin-list-people' },
  { method: 'POST', path: '/api/admin/people/import', function: 'admin-import-people' },
  { method: 'PUT', path: '/api/admin/people/{email}', function: 'admin-save-person' },
  { method: 'DELETE', path: '/api/admin/people/{email}', function: 'admin-remove-person' },
  { method: 'GET', path: '/api/admin/progress', function: 'admin-progress' },
  { method: 'POST', path: '/api/admin/reminders', function: 'admin-send-reminders' },
  { method: 'GET', path: '/api/admin/summary', function: 'admin-summary' },
  { method: 'GET', path: '/api/admin/summary.csv', function: 'admin-summary' },
  { method: 'GET', path: '/api/admin/summary.xlsx', function: 'admin-summary' },
  // the administration log, for administrators and auditors, verified like a report's history
  { method: 'GET', path: '/api/admin/log', function: 'admin-log' },
];

/**
 * Matches a concrete path against the table: the route and its path parameters, or undefined. As in API Gateway, the
 * most specific route wins: `/reports/new` over `/reports/{id}` (more literal segments first, then table order).
 */
export function matchRoute(
  method: string,
  path: string,
  routes: readonly RouteSpec[] = ROUTES,
): { route: RouteSpec; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/');
  let best: { route: RouteSpec; pathParameters: Record<string, string>; literals: number } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let literals = 0;
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) {
        literals++;
        return part === segment;
      }
      if (segment === '') return false;
      try {
        pathParameters[name] = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return true;
    });
    if (matches && (best === undefined || literals > best.literals)) best = { route, pathParameters, literals };
  }
  return best && { route: best.route, pathParameters: best.pathParameters };
}
