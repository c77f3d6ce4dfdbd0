import * as z from 'zod';
import { browserIdFrom, knownBrowserCookie } from '../shared/auth/browser.js';
import { createSession } from '../shared/auth/sign-in.js';
import { requireJsonRequest, requireSameOrigin } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { formBody, jsonBody } from '../shared/http/request.js';
import { noContent, seeOther } from '../shared/http/response.js';
import { safeNext, signInRetryPath } from '../shared/http/pages/login-page.js';
import { sessionCookie } from '../shared/http/session-cookie.js';
import { DomainError, TooManyRequestsError } from '../shared/workflow/errors.js';
import { runtimeBaseUrl, runtimeKeys, runtimeStore, secureCookies, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const BodySchema = z.object({ email: z.string().max(320), code: z.string().max(16) });

/** POST /api/auth/session (JSON → 204 + cookie) and POST /login/session (the form → 303 to where the person was going). */
export function createCreateSessionHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'keys' | 'baseUrl'>) {
  const signIn = { store: deps.store, clock: deps.clock, codeKey: deps.keys.signInCodes };
  const secure = secureCookies(deps.baseUrl);
  /** the session, and the mark that lets this browser ask for codes outside the address's shared daily cap */
  const cookiesFor = (sessionId: string, email: string, browserId: string | undefined): string[] => [
    sessionCookie(sessionId, secure),
    ...(browserId === undefined ? [] : [knownBrowserCookie(deps.keys.signInBrowsers, email, browserId, secure)]),
  ];
  return httpHandler('create-session', async (request) => {
    const browserId = browserIdFrom(request);
    if (request.path === '/login/session') {
      requireSameOrigin(request, deps.baseUrl);
      const form = formBody(request);
      const email = form.get('email') ?? '';
      const next = safeNext(form.get('next'));
      try {
        const { sessionId, session } = await createSession({ email, code: form.get('code') ?? '' }, { browserId }, signIn);
        return seeOther(next, { cookies: cookiesFor(sessionId, session.email, browserId) });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // POST/redirect/GET: refreshing the page that says so must not send the wrong code again as another attempt
        return seeOther(signInRetryPath(email, next, error instanceof TooManyRequestsError ? 'locked' : 'invalid'));
      }
    }
    requireJsonRequest(request, deps.baseUrl);
    const body = jsonBody(request, BodySchema);
    const { sessionId, session } = await createSession(body, { browserId }, signIn);
    return noContent({ cookies: cookiesFor(sessionId, session.email, browserId) });
  });
}

export const handler = lazyHandler(async () =>
  createCreateSessionHandler({ store: runtimeStore(), clock: systemClock, keys: await runtimeKeys(), baseUrl: runtimeBaseUrl() }),
);
