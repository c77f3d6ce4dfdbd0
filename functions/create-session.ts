import * as z from 'zod';
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
  return httpHandler('create-session', async (request) => {
    if (request.path === '/login/session') {
      requireSameOrigin(request, deps.baseUrl);
      const form = formBody(request);
      const email = form.get('email') ?? '';
      const next = safeNext(form.get('next'));
      try {
        const { sessionId } = await createSession({ email, code: form.get('code') ?? '' }, signIn);
        return seeOther(next, { cookies: [sessionCookie(sessionId, secure)] });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // POST/redirect/GET: refreshing the page that says so must not send the wrong code again as another attempt
        return seeOther(signInRetryPath(email, next, error instanceof TooManyRequestsError ? 'locked' : 'invalid'));
      }
    }
    requireJsonRequest(request, deps.baseUrl);
    const body = jsonBody(request, BodySchema);
    const { sessionId } = await createSession(body, signIn);
    return noContent({ cookies: [sessionCookie(sessionId, secure)] });
  });
}

export const handler = lazyHandler(async () =>
  createCreateSessionHandler({ store: runtimeStore(), clock: systemClock, keys: await runtimeKeys(), baseUrl: runtimeBaseUrl() }),
);
