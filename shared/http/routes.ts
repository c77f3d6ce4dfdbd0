/**
 * Every HTTP route and the function that answers it: the HTTP API in AWS and the local server are both built from
 * this table, so they cannot drift apart. `function` names the module in functions/.
 */
export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** API Gateway syntax: `{name}` is one path segment */
  readonly path: string;
  readonly function: HttpFunctionName;
}

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
  'web-pages',
] as const;
export type HttpFunctionName = (typeof HTTP_FUNCTIONS)[number];

export const TASK_FUNCTIONS = ['request-review', 'request-revision', 'publish-report', 'record-publish-failure'] as const;
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
  { method: 'GET', path: '/', function: 'web-pages' },
  { method: 'GET', path: '/login', function: 'web-pages' },
  { method: 'GET', path: '/reports/{id}', function: 'web-pages' },
  { method: 'GET', path: '/audit/reports/{id}', function: 'web-pages' },
  // the report form: a new year's draft (/reports/new?year= leads there) and a returned report's revision
  { method: 'GET', path: '/reports/new', function: 'web-pages' },
  { method: 'GET', path: '/drafts/{agencyId}/{year}', function: 'web-pages' },
  { method: 'GET', path: '/reports/{id}/edit', function: 'web-pages' },
  // the browser's scripts (bundled from client/); /audit/reports/{id}.json and .csv are the route above
  { method: 'GET', path: '/assets/{name}', function: 'web-pages' },
];

/** Matches a concrete path against the table: the route and its path parameters, or undefined. */
export function matchRoute(method: string, path: string, routes: readonly RouteSpec[] = ROUTES): { route: RouteSpec; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return part === segment;
      if (segment === '') return false;
      try {
        pathParameters[name] = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return true;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}
