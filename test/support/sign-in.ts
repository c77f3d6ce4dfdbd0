import { createCreateSessionHandler } from '#functions/create-session.js';
import { createRequestSignInCodeHandler } from '#functions/request-sign-in-code.js';
import type { TestApp } from './app.js';
import { httpEvent, sessionCookieOf } from './app.js';

/** Signs a roster member in the way a person does: ask for a code, read it from the outbox, post it. */
export async function signIn(app: TestApp, email: string): Promise<string> {
  await createRequestSignInCodeHandler(app.deps)(httpEvent({ method: 'POST', path: '/api/auth/code', body: { email } }));
  const message = (await app.outbox.list()).find((entry) => entry.to === email && entry.subject.includes('验证码'));
  const code = /\b(\d{6})\b/.exec(message?.text ?? '')?.[1];
  if (code === undefined) throw new Error(`no sign-in code was emailed to ${email}`);
  const response = await createCreateSessionHandler(app.deps)(
    httpEvent({ method: 'POST', path: '/api/auth/session', body: { email, code } }),
  );
  if (response.statusCode !== 204) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return sessionCookieOf(response);
}
