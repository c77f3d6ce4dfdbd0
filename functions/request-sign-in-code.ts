import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { browserIdFrom, isKnownBrowser } from '../shared/auth/browser.js';
import { requestSignInCode, type Asker } from '../shared/auth/sign-in.js';
import { requireJsonRequest, requireSameOrigin } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { formBody, jsonBody, type HttpRequest } from '../shared/http/request.js';
import { html, json } from '../shared/http/response.js';
import { renderLoginPage, safeNext } from '../shared/http/pages/login-page.js';
import { AwaitedBackground } from '../shared/runtime/background.js';
import { runtimeBaseUrl, runtimeKeys, runtimeMailer, runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const BodySchema = z.object({ email: z.string().max(320) });

/**
 * On Lambda the handler must wait for the email before it returns (a frozen function sends nothing), so the answer
 * is held to at least this long: longer than sending takes, so its time says nothing about the address.
 */
export const LAMBDA_ANSWER_FLOOR_MS = 400;

export interface RequestCodeOptions {
  /** the answer is never given sooner than this after the request arrived */
  readonly answerFloorMs?: number;
}

/** POST /api/auth/code (JSON) and POST /login/code (the sign-in form): always the same answer, from our own pages only. */
export function createRequestSignInCodeHandler(
  deps: Pick<AppDeps, 'store' | 'mailer' | 'clock' | 'keys' | 'baseUrl' | 'background'>,
  options: RequestCodeOptions = {},
) {
  const { store, mailer, clock, baseUrl, background } = deps;
  const signIn = { store, mailer, clock, codeKey: deps.keys.signInCodes, baseUrl, background };
  const asker = (request: HttpRequest, email: string): Asker => ({
    browserId: browserIdFrom(request),
    knownBrowser: isKnownBrowser(request, deps.keys.signInBrowsers, email.trim().toLowerCase()),
  });
  const answer = async (email: string, request: HttpRequest): Promise<void> => {
    const floor = sleep(options.answerFloorMs ?? 0);
    await requestSignInCode(email, asker(request, email), signIn);
    await deps.background.settle();
    await floor;
  };
  return httpHandler('request-sign-in-code', async (request) => {
    if (request.path === '/login/code') {
      requireSameOrigin(request, deps.baseUrl);
      const form = formBody(request);
      const email = form.get('email') ?? '';
      await answer(email, request);
      return html(200, renderLoginPage({ step: 'code', email, next: safeNext(form.get('next')) }));
    }
    requireJsonRequest(request, deps.baseUrl);
    const { email } = jsonBody(request, BodySchema);
    await answer(email, request);
    return json(202, { ok: true, message: '如果该邮箱已登记，验证码已发送，10 分钟内有效。' });
  });
}

export const handler = lazyHandler(async () =>
  createRequestSignInCodeHandler(
    {
      store: runtimeStore(),
      mailer: await runtimeMailer(),
      clock: systemClock,
      keys: await runtimeKeys(),
      baseUrl: runtimeBaseUrl(),
      background: new AwaitedBackground(),
    },
    { answerFloorMs: LAMBDA_ANSWER_FLOOR_MS },
  ),
);
