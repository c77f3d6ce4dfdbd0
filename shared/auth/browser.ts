import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '../http/request.js';

/**
 * The browser a sign-in code was asked from. The pages with a sign-in form give each browser a random id in an
 * HttpOnly cookie; a code is bound to the id that asked for it and is checked only from there, and the hourly limit is
 * counted per address and browser. A stranger asking for codes for someone's address uses their own budget and gets
 * codes that work only in their own browser, so they cannot stop the owner from signing in. A request without the
 * cookie (a script) counts in one shared "no browser" budget.
 *
 * After a sign-in the browser also gets a mark for that address (an HMAC, nothing stored): the daily cap on codes per
 * address is counted separately for such a browser, so a flood from elsewhere cannot use up the owner's day either.
 */

export const BROWSER_COOKIE = 'nianbao_browser';
export const KNOWN_BROWSER_COOKIE = 'nianbao_known';
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const YEAR_SECONDS = 365 * 24 * 3600;

export const browserIdFrom = (request: HttpRequest): string | undefined => {
  const id = request.cookies[BROWSER_COOKIE];
  return id !== undefined && ID_PATTERN.test(id) ? id : undefined;
};

/** What the table keeps of a browser id: its sha256 (of the empty string for "no browser"). */
export const browserHash = (browserId: string | undefined): string =>
  createHash('sha256')
    .update(`browser v1\n${browserId ?? ''}`, 'utf8')
    .digest('hex');

export const newBrowserId = (): string => randomBytes(32).toString('base64url');

export function browserCookie(browserId: string, secure: boolean): string {
  return `${BROWSER_COOKIE}=${browserId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${YEAR_SECONDS}${secure ? '; Secure' : ''}`;
}

/**
 * The Set-Cookie line a page with a sign-in form sends when the browser has no id yet. Secure when the request came
 * over https (API Gateway says so in x-forwarded-proto; the local server is plain http).
 */
export function browserCookieFor(request: HttpRequest): string[] {
  return browserIdFrom(request) === undefined ? [browserCookie(newBrowserId(), request.headers['x-forwarded-proto'] === 'https')] : [];
}

function knownMark(key: Buffer, email: string, browserId: string): string {
  return createHmac('sha256', key).update(`known browser v1\n${email}\n${browserId}`).digest('base64url');
}

export function knownBrowserCookie(key: Buffer, email: string, browserId: string, secure: boolean): string {
  return `${KNOWN_BROWSER_COOKIE}=${knownMark(key, email, browserId)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${YEAR_SECONDS}${secure ? '; Secure' : ''}`;
}

/** Whether this browser signed in as `email` before (its mark checks out). */
export function isKnownBrowser(request: HttpRequest, key: Buffer, email: string): boolean {
  const browserId = browserIdFrom(request);
  const mark = request.cookies[KNOWN_BROWSER_COOKIE];
  if (browserId === undefined || mark === undefined) return false;
  const expected = Buffer.from(knownMark(key, email, browserId), 'utf8');
  const given = Buffer.from(mark, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
