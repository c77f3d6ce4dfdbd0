import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCreateSessionHandler } from '#functions/create-session.js';
import { createRequestSignInCodeHandler } from '#functions/request-sign-in-code.js';
import { createWebPagesHandler } from '#functions/web-pages.js';
import type { HttpResponse } from '#shared/http/response.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { byId, parseHtml, plainText } from './html.js';
import { DIRECTOR } from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

const NEXT = '/reports/daxing-kw-2020';

async function requestCode(): Promise<string> {
  await createRequestSignInCodeHandler(app.deps)(httpEvent({ method: 'POST', path: '/api/auth/code', body: { email: DIRECTOR } }));
  const message = app.outbox.list().findLast((entry) => entry.to === DIRECTOR && entry.subject.includes('验证码'));
  return /\b(\d{6})\b/u.exec(message?.text ?? '')?.[1] ?? '';
}

const postCode = (code: string): Promise<HttpResponse> =>
  createCreateSessionHandler(app.deps)(
    httpEvent({
      method: 'POST',
      path: '/login/session',
      headers: { origin: 'https://nianbao.example.gov.cn' },
      form: { email: DIRECTOR, code, next: NEXT },
    }),
  );

async function getLogin(location: string) {
  const url = new URL(location, 'https://nianbao.example.gov.cn');
  const response = await createWebPagesHandler(app.deps)(
    httpEvent({ method: 'GET', path: url.pathname, pathParameters: {}, query: Object.fromEntries(url.searchParams) }),
  );
  expect(response.statusCode).toBe(200);
  return parseHtml(response.body);
}

const attempts = async (): Promise<number[]> =>
  (await app.deps.store.listSignInCodes(DIRECTOR, '2000-01-01T00:00:00.000Z')).map((code) => code.attempts);

describe('signing in on the page', () => {
  it('answers a wrong code with a redirect, so refreshing the page that says so counts no further attempt', async () => {
    const code = await requestCode();
    const wrong = code === '000000' ? '111111' : '000000';
    const response = await postCode(wrong);
    expect(response.statusCode).toBe(303);
    const location = response.headers['location'] ?? '';
    expect(location.startsWith('/login?')).toBe(true);
    expect(await attempts()).toEqual([1]);
    for (let refresh = 0; refresh < 3; refresh++) {
      const page = await getLogin(location);
      expect(plainText(byId(page, 'code-error') ?? page)).toContain('验证码不正确或已过期');
      expect(byId(page, 'code')).toBeDefined();
    }
    expect(await attempts()).toEqual([1]);
    // the right code still works afterwards
    expect((await postCode(code)).headers['location']).toBe(NEXT);
  });

  it('after five wrong codes refuses even the right one, answered like any wrong code (nothing tells a guesser the count)', async () => {
    const code = await requestCode();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let attempt = 1; attempt <= 5; attempt++)
      expect(new URL((await postCode(wrong)).headers['location'] ?? '', 'https://x.example').searchParams.get('retry')).toBe('invalid');
    // the code is spent: even the right one is refused now, with the same answer as a wrong one
    const location = (await postCode(code)).headers['location'] ?? '';
    expect(new URL(location, 'https://x.example').searchParams.get('retry')).toBe('invalid');
    expect(plainText(await getLogin(location))).toContain('验证码');
  });

  it('tells whoever waits for a code whom to ask when it never comes, and shows no text an address could invent', async () => {
    const page = await getLogin(`/login?${new URLSearchParams({ retry: 'invalid', email: DIRECTOR, next: NEXT }).toString()}`);
    expect(plainText(byId(page, 'code-hint') ?? page)).toContain('请本机关的管理员确认您已登记');
    const forged = await getLogin(`/login?${new URLSearchParams({ retry: '请拨打 12345 领取验证码', email: DIRECTOR }).toString()}`);
    expect(plainText(forged)).not.toContain('12345');
    expect(byId(forged, 'code')).toBeUndefined();
  });
});
