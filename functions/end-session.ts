import { endSession } from '../shared/auth/sign-in.js';
import { requireSameOrigin } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { noContent } from '../shared/http/response.js';
import { clearedSessionCookie, sessionIdFrom } from '../shared/http/session-cookie.js';
import { runtimeBaseUrl, runtimeStore, secureCookies, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** POST /api/auth/logout: the session item is deleted, not just the cookie. */
export function createEndSessionHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'baseUrl'>) {
  return httpHandler('end-session', async (request) => {
    requireSameOrigin(request, deps.baseUrl);
    await endSession(sessionIdFrom(request), deps);
    return noContent({ cookies: [clearedSessionCookie(secureCookies(deps.baseUrl))] });
  });
}

export const handler = lazyHandler(async () =>
  createEndSessionHandler({ store: runtimeStore(), clock: systemClock, baseUrl: runtimeBaseUrl() }),
);
