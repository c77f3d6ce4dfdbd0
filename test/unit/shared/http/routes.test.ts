import { describe, expect, it } from 'vitest';
import { matchRoute, ROUTES } from '#shared/http/routes.js';

describe('the route table', () => {
  it('prefers the most specific route, as API Gateway does: /reports/new is not the report “new”', () => {
    expect(matchRoute('GET', '/reports/new')?.route.page).toBe('new-report');
    expect(matchRoute('GET', '/reports/daxing-kw-2021')?.route.page).toBe('status');
    expect(matchRoute('GET', '/reports/daxing-kw-2021')?.pathParameters).toEqual({ id: 'daxing-kw-2021' });
  });

  it('names a page for every route of the web-pages function, and for no other function', () => {
    for (const route of ROUTES) {
      expect(route.page !== undefined, `${route.method} ${route.path}`).toBe(route.function === 'web-pages');
    }
  });

  it('gives each route of a method and path once', () => {
    const keys = ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('matches nothing for an unknown path, an empty segment or a malformed escape', () => {
    expect(matchRoute('GET', '/nowhere')).toBeUndefined();
    expect(matchRoute('GET', '/reports/')).toBeUndefined();
    expect(matchRoute('GET', '/reports/%E0%A4%A')).toBeUndefined();
  });
});
