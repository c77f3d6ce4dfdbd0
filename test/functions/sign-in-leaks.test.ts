import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCreateSessionHandler } from '#functions/create-session.js';
import { createRequestSignInCodeHandler } from '#functions/request-sign-in-code.js';
import { browserCookie, newBrowserId } from '#shared/auth/browser.js';
import { requestSignInCode, SIGN_IN_LIMITS } from '#shared/auth/sign-in.js';
import type { HttpResponse } from '#shared/http/response.js';
import type { Background } from '#shared/runtime/background.js';
import type { Mailer, Store } from '#shared/workflow/ports.js';
import { BASE_URL, createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';

/**
 * Sign-in must not tell anyone who is on the roster, and nobody but the owner may stop the owner from signing in.
 * Timing is asserted structurally: the same store calls in the same order for any address, the email handed to the
 * background; the measured medians are in BENCHMARKS.md (bench/sign-in-timing.ts).
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

const OFFICER = 'officer@kw.example.cn';
const STRANGER = 'nobody@kw.example.cn';
const DAY = 24 * 3_600_000;

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

const cookieLine = (browserId: string): string => browserCookie(browserId, false).split(';')[0] ?? '';

function requestCode(email: string, cookie?: string): Promise<HttpResponse> {
  return createRequestSignInCodeHandler(app.deps)(
    httpEvent({ method: 'POST', path: '/api/auth/code', body: { email }, ...(cookie === undefined ? {} : { cookie }) }),
  );
}

function postSession(email: string, code: string, cookie?: string): Promise<HttpResponse> {
  return createCreateSessionHandler(app.deps)(
    httpEvent({ method: 'POST', path: '/api/auth/session', body: { email, code }, ...(cookie === undefined ? {} : { cookie }) }),
  );
}

function codesMailed(to: string): string[] {
  return app.outbox
    .list()
    .filter((entry) => entry.to === to && entry.subject.includes('验证码'))
    .map((entry) => /\b(\d{6})\b/.exec(entry.text)?.[1] ?? '');
}

const otherCode = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** A store that writes down which of its methods are called, in order. */
function spyStore(store: Store, calls: string[]): Store {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return Reflect.apply(value, target, args);
      };
    },
  });
}

describe('asking for a code', () => {
  it('does the same store work, in the same order, for a roster address and an unknown one, and never waits for the mail', async () => {
    const runs: Array<() => Promise<unknown>> = [];
    const background: Background = { run: (_name, task) => void runs.push(task), settle: async () => undefined };
    let sends = 0;
    const mailer: Mailer = {
      send: async (message) => {
        sends++;
        return app.deps.mailer.send(message);
      },
    };
    const trace = async (email: string) => {
      const calls: string[] = [];
      const deps = {
        store: spyStore(app.deps.store, calls),
        clock: app.clock,
        codeKey: app.deps.keys.signInCodes,
        mailer,
        baseUrl: BASE_URL,
        background,
      };
      await requestSignInCode(email, { browserId: undefined, knownBrowser: false }, deps);
      return calls;
    };
    const known = await trace(OFFICER);
    const unknown = await trace(STRANGER);
    expect(known).toEqual(['getRosterEntry', 'countSignInRequest', 'countSignInRequest', 'putSignInCode']);
    expect(unknown).toEqual(known);
    // the email was handed off, not sent, when the answer was ready; only the roster address gets one
    expect(sends).toBe(0);
    expect(runs).toHaveLength(1);
    await runs[0]?.();
    expect(sends).toBe(1);
    expect(codesMailed(OFFICER)).toHaveLength(1);
  });

  it('counts the limit atomically: twenty requests at once make exactly five codes', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => requestCode(OFFICER)));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array.from({ length: 20 }, () => 202));
    expect(codesMailed(OFFICER)).toHaveLength(SIGN_IN_LIMITS.codesPerHour);
  });

  it('refuses a form post from another site on /login/code, as on /api/auth/code', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const response = await createRequestSignInCodeHandler(app.deps)(
        httpEvent({ method: 'POST', path: '/login/code', headers: { origin }, form: { email: OFFICER, next: '/' } }),
      );
      expect(response.statusCode).toBe(403);
    }
    expect(codesMailed(OFFICER)).toEqual([]);
    const ours = await createRequestSignInCodeHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/login/code', headers: { origin: BASE_URL }, form: { email: OFFICER, next: '/' } }),
    );
    expect(ours.statusCode).toBe(200);
    expect(codesMailed(OFFICER)).toHaveLength(1);
  });

  it('caps the codes per address per day at exactly twenty, however many browsers ask', async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.codesPerDay; i++) await requestCode(OFFICER, cookieLine(newBrowserId()));
    expect(codesMailed(OFFICER)).toHaveLength(20);
    await requestCode(OFFICER, cookieLine(newBrowserId()));
    expect(codesMailed(OFFICER)).toHaveLength(20);
    app.clock.advance(DAY);
    await requestCode(OFFICER, cookieLine(newBrowserId()));
    expect(codesMailed(OFFICER)).toHaveLength(21);
  });
});

describe('checking a code', () => {
  it('answers wrong codes and used-up codes alike for a roster address and an unknown one', async () => {
    await requestCode(OFFICER);
    await requestCode(STRANGER);
    const [code = ''] = codesMailed(OFFICER);
    const answers = async (email: string) => {
      const seen: Array<[number, string]> = [];
      let guess = code;
      for (let i = 0; i < SIGN_IN_LIMITS.attemptsPerCode + 2; i++) {
        guess = otherCode(guess);
        const response = await postSession(email, guess);
        seen.push([response.statusCode, response.body]);
      }
      return seen;
    };
    const known = await answers(OFFICER);
    expect(known.every(([status]) => status === 401)).toBe(true);
    expect(await answers(STRANGER)).toEqual(known);
  });

  it('checks a guess against one code only: the newest one asked from that browser', async () => {
    await requestCode(OFFICER);
    // asked again a second later: codes asked in the same millisecond have no order to keep
    app.clock.advance(1_000);
    await requestCode(OFFICER);
    const [newest = '', older = ''] = codesMailed(OFFICER);
    expect((await postSession(OFFICER, older)).statusCode).toBe(401);
    expect((await postSession(OFFICER, newest)).statusCode).toBe(204);
  });

  it('takes a code only in the browser that asked for it', async () => {
    const mine = cookieLine(newBrowserId());
    await requestCode(OFFICER, mine);
    const [code = ''] = codesMailed(OFFICER);
    expect((await postSession(OFFICER, code, cookieLine(newBrowserId()))).statusCode).toBe(401);
    expect((await postSession(OFFICER, code)).statusCode).toBe(401);
    expect((await postSession(OFFICER, code, mine)).statusCode).toBe(204);
  });
});

describe('a flood of code requests for someone else’s address', () => {
  it('cannot stop the owner: their browser keeps its own hourly budget, and once signed in its own daily one', async () => {
    const owner = newBrowserId();
    await requestCode(OFFICER, cookieLine(owner));
    const first = await postSession(OFFICER, codesMailed(OFFICER)[0] ?? '', cookieLine(owner));
    expect(first.statusCode).toBe(204);
    const known = first.cookies?.find((line) => line.startsWith('nianbao_known='))?.split(';')[0];
    expect(known).toBeDefined();
    const ownerCookies = `${cookieLine(owner)}; ${known}`;

    // a stranger asks a hundred times, from no browser and from forty fresh ones
    for (let i = 0; i < 60; i++) await requestCode(OFFICER);
    for (let i = 0; i < 40; i++) await requestCode(OFFICER, cookieLine(newBrowserId()));
    const mailedBefore = codesMailed(OFFICER).length;
    expect(mailedBefore).toBe(1 + SIGN_IN_LIMITS.codesPerDay - 1);

    await requestCode(OFFICER, ownerCookies);
    const mailed = codesMailed(OFFICER);
    expect(mailed).toHaveLength(mailedBefore + 1);
    expect((await postSession(OFFICER, mailed[0] ?? '', ownerCookies)).statusCode).toBe(204);
  });
});
