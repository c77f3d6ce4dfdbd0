import { timingSafeEqual } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { ForbiddenError, ValidationError } from '../workflow/errors.js';
import type { HttpRequest } from './request.js';

/**
 * Cross-site request defences. A JSON call must say it is JSON (a cross-site form cannot) and, when the browser names
 * an origin, come from ours. A form post must carry the session's CSRF token.
 */

export function requireJsonRequest(request: HttpRequest, baseUrl: string): void {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new ValidationError('请求须为 JSON（Content-Type: application/json）。', 'UNSUPPORTED_MEDIA_TYPE');
  requireSameOrigin(request, baseUrl);
}

export function requireSameOrigin(request: HttpRequest, baseUrl: string): void {
  const origin = request.headers['origin'];
  if (origin !== undefined && origin !== new URL(baseUrl).origin) throw new ForbiddenError('请求来源不被允许。', 'CROSS_ORIGIN');
}

export function requireCsrfToken(given: string | null, principal: Principal): void {
  const expected = Buffer.from(principal.csrfToken, 'utf8');
  const actual = Buffer.from(given ?? '', 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new ForbiddenError('页面已过期，请刷新后重新提交。', 'CSRF');
  }
}
