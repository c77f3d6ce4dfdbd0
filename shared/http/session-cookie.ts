import { SIGN_IN_LIMITS } from '../auth/sign-in.js';
import type { HttpRequest } from './request.js';

/** The session cookie: a random id only (the session lives in the table), HttpOnly, SameSite=Lax, Secure over https. */

export const SESSION_COOKIE = 'nianbao_session';

export const sessionIdFrom = (request: HttpRequest): string | undefined => request.cookies[SESSION_COOKIE];

export function sessionCookie(sessionId: string, secure: boolean): string {
  const maxAge = SIGN_IN_LIMITS.sessionHours * 3600;
  return `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}
