import type { Principal } from '../auth/principal.js';
import { resolveSession, type SessionDeps } from '../auth/sign-in.js';
import { UnauthenticatedError } from '../workflow/errors.js';
import type { HttpRequest } from './request.js';
import { sessionIdFrom } from './session-cookie.js';

export const currentPrincipal = (request: HttpRequest, deps: SessionDeps): Promise<Principal | undefined> =>
  resolveSession(sessionIdFrom(request), deps);

export async function requirePrincipal(request: HttpRequest, deps: SessionDeps): Promise<Principal> {
  const principal = await currentPrincipal(request, deps);
  if (!principal) throw new UnauthenticatedError();
  return principal;
}
