import * as z from 'zod';
import { requestSignInCode } from '../shared/auth/sign-in.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { formBody, jsonBody } from '../shared/http/request.js';
import { html, json } from '../shared/http/response.js';
import { renderLoginPage, safeNext } from '../shared/http/pages/login-page.js';
import { runtimeBaseUrl, runtimeKeys, runtimeMailer, runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const BodySchema = z.object({ email: z.string().max(320) });

/** POST /api/auth/code (JSON) and POST /login/code (the sign-in form): always the same answer. */
export function createRequestSignInCodeHandler(deps: Pick<AppDeps, 'store' | 'mailer' | 'clock' | 'keys' | 'baseUrl'>) {
  const signIn = { store: deps.store, mailer: deps.mailer, clock: deps.clock, codeKey: deps.keys.signInCodes, baseUrl: deps.baseUrl };
  return httpHandler('request-sign-in-code', async (request) => {
    if (request.path === '/login/code') {
      const form = formBody(request);
      const email = form.get('email') ?? '';
      await requestSignInCode(email, signIn);
      return html(200, renderLoginPage({ step: 'code', email, next: safeNext(form.get('next')) }));
    }
    requireJsonRequest(request, deps.baseUrl);
    const { email } = jsonBody(request, BodySchema);
    await requestSignInCode(email, signIn);
    return json(202, { ok: true, message: '如果该邮箱已登记，验证码已发送，10 分钟内有效。' });
  });
}

export const handler = lazyHandler(async () =>
  createRequestSignInCodeHandler({ store: runtimeStore(), mailer: await runtimeMailer(), clock: systemClock, keys: await runtimeKeys(), baseUrl: runtimeBaseUrl() }),
);
