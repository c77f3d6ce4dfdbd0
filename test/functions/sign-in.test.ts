import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCreateSessionHandler } from '#functions/create-session.js';
import { createEndSessionHandler } from '#functions/end-session.js';
import { createGetMeHandler } from '#functions/get-me.js';
import { createRequestSignInCodeHandler } from '#functions/request-sign-in-code.js';
import { createResubmitReportHandler } from '#functions/resubmit-report.js';
import { createSaveDraftHandler } from '#functions/save-draft.js';
import { createSubmitReportHandler } from '#functions/submit-report.js';
import { createWithdrawReportHandler } from '#functions/withdraw-report.js';
import type { HttpResponse } from '#shared/http/response.js';
import { BASE_URL, createTestApp, httpEvent, jsonOf, sessionCookieOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { referenceReport } from '../support/report-builders.js';
import { signIn } from '../support/sign-in.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

const OFFICER = 'officer@kw.example.cn';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SESSION_COOKIE_LINE = /^nianbao_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/;
const CHINESE = /[\u4e00-\u9fff]/;

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

function requestCode(email: string, options: { headers?: Record<string, string> } = {}, target: TestApp = app): Promise<HttpResponse> {
  return createRequestSignInCodeHandler(target.deps)(httpEvent({ method: 'POST', path: '/api/auth/code', body: { email }, ...options }));
}

function postSession(
  email: string,
  code: string,
  options: { headers?: Record<string, string> } = {},
  target: TestApp = app,
): Promise<HttpResponse> {
  return createCreateSessionHandler(target.deps)(
    httpEvent({ method: 'POST', path: '/api/auth/session', body: { email, code }, ...options }),
  );
}

function getMe(cookie: string | undefined): Promise<HttpResponse> {
  return createGetMeHandler(app.deps)(httpEvent({ method: 'GET', path: '/api/me', ...(cookie === undefined ? {} : { cookie }) }));
}

async function codeMails(to: string, target: TestApp = app) {
  return (await target.outbox.list()).filter((entry) => entry.to === to && entry.subject.includes('验证码'));
}

/** The code in the newest sign-in email to that address. */
async function latestCode(to: string, target: TestApp = app): Promise<string> {
  const [newest] = await codeMails(to, target);
  const code = /\b(\d{6})\b/.exec(newest?.text ?? '')?.[1];
  if (code === undefined) throw new Error(`no code emailed to ${to}`);
  return code;
}

const otherCode = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

async function rawItems(target: TestApp = app): Promise<Array<Record<string, unknown>>> {
  const table = target.table;
  if (!table) throw new Error('the test app does not expose its table');
  const items: Array<Record<string, unknown>> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(new ScanCommand({ TableName: table.name, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return items;
}

/** Every string and number anywhere in a value. */
function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (typeof value === 'object' && value !== null) return [...Object.keys(value), ...Object.values(value).flatMap(leaves)];
  return [];
}

describe('POST /api/auth/code', () => {
  it('answers 202 with the same body whether the address is on the roster, unknown or malformed', async () => {
    const roster = await requestCode(OFFICER);
    const unknown = await requestCode('nobody@kw.example.cn');
    const malformed = await requestCode('not an email');

    for (const response of [roster, unknown, malformed]) expect(response.statusCode).toBe(202);
    expect(unknown.body).toBe(roster.body);
    expect(malformed.body).toBe(roster.body);
    expect(jsonOf(roster)).toMatchObject({ message: expect.stringMatching(CHINESE) });
  });

  it('emails a six-digit code only to the roster address', async () => {
    await requestCode(OFFICER);
    await requestCode('nobody@kw.example.cn');
    await requestCode('not an email');

    const sent = await app.outbox.list();
    expect(sent.map((entry) => entry.to)).toEqual([OFFICER]);
    expect(sent[0]?.text).toMatch(/\b\d{6}\b/);
    expect(sent[0]?.subject).not.toMatch(/\d{6}/);
  });

  it('does not keep the code in clear anywhere in the table', async () => {
    await requestCode(OFFICER);
    const code = await latestCode(OFFICER);

    const items = await rawItems();
    const codeItems = items.filter((item) => String(item['pk']).startsWith('SIGNIN#') && String(item['sk']).startsWith('CODE#'));
    expect(codeItems).toHaveLength(1);
    expect(codeItems[0]?.['codeHash']).toMatch(/^[0-9a-f]{64}$/);
    // the code as a number of its own anywhere (not a piece of a longer digit run such as a timestamp's fraction)
    const standalone = new RegExp(`(?<!\\d)${code}(?!\\d)`);
    const hits = items.flatMap(leaves).filter((leaf) => standalone.test(leaf) && !/^[0-9a-f]{64}$/.test(leaf));
    expect(hits).toEqual([]);
  });

  it('sends no sixth code within the hour but still answers 202, and sends again once the hour has passed', async () => {
    for (let i = 0; i < 5; i++) expect((await requestCode(OFFICER)).statusCode).toBe(202);
    expect(await codeMails(OFFICER)).toHaveLength(5);

    const sixth = await requestCode(OFFICER);
    expect(sixth.statusCode).toBe(202);
    expect(await codeMails(OFFICER)).toHaveLength(5);

    app.clock.advance(HOUR + 1);
    expect((await requestCode(OFFICER)).statusCode).toBe(202);
    expect(await codeMails(OFFICER)).toHaveLength(6);
  });

  it('treats the address case-insensitively: the code goes to the roster address and signs in with any casing', async () => {
    await requestCode('  Officer@KW.Example.CN ');
    const code = await latestCode(OFFICER);

    const response = await postSession('OFFICER@kw.example.cn', code);
    expect(response.statusCode).toBe(204);
    const me = await getMe(sessionCookieOf(response));
    expect(jsonOf(me)).toMatchObject({ email: OFFICER });
  });

  it('counts the hourly limit per address whatever its casing', async () => {
    for (const email of [OFFICER, 'OFFICER@kw.example.cn', 'Officer@Kw.Example.Cn', 'officer@KW.EXAMPLE.CN', 'oFFICER@kw.example.cn'])
      await requestCode(email);
    await requestCode('OfFiCeR@kw.example.cn');
    expect(await codeMails(OFFICER)).toHaveLength(5);
  });
});

describe('POST /api/auth/session', () => {
  it('signs in with the right code: 204 and a session cookie that is HttpOnly, SameSite=Lax, 12 hours and Secure over https', async () => {
    await requestCode(OFFICER);
    const response = await postSession(OFFICER, await latestCode(OFFICER));

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(response.cookies).toHaveLength(1);
    expect(response.cookies?.[0]).toMatch(SESSION_COOKIE_LINE);
  });

  it('leaves Secure off the cookie when the app is served over plain http', async () => {
    const local: TestApp = { ...app, deps: { ...app.deps, baseUrl: 'http://127.0.0.1:3000' } };
    await requestCode(OFFICER, {}, local);
    const response = await postSession(OFFICER, await latestCode(OFFICER, local), {}, local);

    expect(response.statusCode).toBe(204);
    const line = response.cookies?.[0] ?? '';
    expect(line).toMatch(/^nianbao_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    expect(line).not.toContain('Secure');
  });

  it('refuses a wrong code with 401 and a Chinese message', async () => {
    await requestCode(OFFICER);
    const response = await postSession(OFFICER, otherCode(await latestCode(OFFICER)));

    expect(response.statusCode).toBe(401);
    expect(response.cookies).toBeUndefined();
    const body = jsonOf(response) as { error: { code: string; message: string } };
    expect(body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(CHINESE) } });
  });

  it('refuses a code that was never requested and a code for an address off the roster with the same 401', async () => {
    const neverRequested = await postSession(OFFICER, '123456');
    const offRoster = await postSession('nobody@kw.example.cn', '123456');
    expect(neverRequested.statusCode).toBe(401);
    expect(offRoster.statusCode).toBe(401);
    expect(offRoster.body).toBe(neverRequested.body);
  });

  it('stops a brute-force attempt: after five wrong codes even the right one is refused, with the answer a wrong code gets', async () => {
    await requestCode(OFFICER);
    const code = await latestCode(OFFICER);
    let guess = code;
    for (let i = 0; i < 5; i++) {
      guess = otherCode(guess);
      expect((await postSession(OFFICER, guess)).statusCode).toBe(401);
    }

    const right = await postSession(OFFICER, code);
    // the same 401 as a wrong code: a different answer would tell that the address is on the roster
    expect(right.statusCode).toBe(401);
    expect(right.cookies).toBeUndefined();
    expect(right.body).toBe((await postSession(OFFICER, otherCode(code))).body);
    expect((await rawItems()).filter((item) => String(item['pk']).startsWith('SESSION#'))).toEqual([]);
  });

  it('still accepts the right code on the fifth try after four wrong ones', async () => {
    await requestCode(OFFICER);
    const code = await latestCode(OFFICER);
    let guess = code;
    for (let i = 0; i < 4; i++) {
      guess = otherCode(guess);
      expect((await postSession(OFFICER, guess)).statusCode).toBe(401);
    }

    const right = await postSession(OFFICER, code);
    expect(right.statusCode).toBe(204);
    expect(right.cookies?.[0]).toMatch(SESSION_COOKIE_LINE);
  });

  it('refuses a code after its ten minutes with 401', async () => {
    await requestCode(OFFICER);
    const code = await latestCode(OFFICER);
    app.clock.advance(11 * MINUTE);

    const response = await postSession(OFFICER, code);
    expect(response.statusCode).toBe(401);
    expect(response.cookies).toBeUndefined();
  });

  it('accepts a code only once', async () => {
    await requestCode(OFFICER);
    const code = await latestCode(OFFICER);
    expect((await postSession(OFFICER, code)).statusCode).toBe(204);

    const again = await postSession(OFFICER, code);
    expect(again.statusCode).toBe(401);
    expect(again.cookies).toBeUndefined();
  });
});

describe('GET /api/me', () => {
  it('tells the signed-in person who they are', async () => {
    const cookie = await signIn(app, OFFICER);
    const response = await getMe(cookie);

    expect(response.statusCode).toBe(200);
    expect(jsonOf(response)).toMatchObject({ email: OFFICER, name: '李信息员', agencyId: 'daxing-kw', roles: ['officer'] });
  });

  it('answers 401 without a session cookie', async () => {
    const response = await getMe(undefined);
    expect(response.statusCode).toBe(401);
    expect(jsonOf(response)).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(CHINESE) } });
  });

  it('answers 401 with a made-up session cookie', async () => {
    expect((await getMe(`nianbao_session=${'A'.repeat(43)}`)).statusCode).toBe(401);
  });

  it('answers 401 once the 12-hour session has expired', async () => {
    const cookie = await signIn(app, OFFICER);
    app.clock.advance(12 * HOUR - 1000);
    expect((await getMe(cookie)).statusCode).toBe(200);

    app.clock.advance(1000);
    expect((await getMe(cookie)).statusCode).toBe(401);
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the session on the server and clears the cookie', async () => {
    const cookie = await signIn(app, OFFICER);
    const response = await createEndSessionHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/auth/logout', cookie, headers: { origin: BASE_URL } }),
    );

    expect(response.statusCode).toBe(204);
    expect(response.cookies).toEqual([expect.stringMatching(/^nianbao_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0(; Secure)?$/)]);
    expect((await getMe(cookie)).statusCode).toBe(401);
  });

  it('refuses a logout posted from another site', async () => {
    const cookie = await signIn(app, OFFICER);
    const response = await createEndSessionHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/auth/logout', cookie, headers: { origin: 'https://evil.example.com' } }),
    );

    expect(response.statusCode).toBe(403);
    expect((await getMe(cookie)).statusCode).toBe(200);
  });
});

describe('JSON routes', () => {
  type Call = (headers: Record<string, string>, cookie: string) => Promise<HttpResponse>;
  const routes: ReadonlyArray<[string, Call]> = [
    ['POST /api/auth/code', (headers) => requestCode(OFFICER, { headers })],
    ['POST /api/auth/session', (headers) => postSession(OFFICER, '123456', { headers })],
    [
      'PUT /api/drafts/{agencyId}/{year}',
      (headers, cookie) =>
        createSaveDraftHandler(app.deps)(
          httpEvent({
            method: 'PUT',
            path: '/api/drafts/daxing-kw/2020',
            pathParameters: { agencyId: 'daxing-kw', year: '2020' },
            body: { content: {} },
            cookie,
            headers,
          }),
        ),
    ],
    [
      'PUT /api/reports/{id}',
      (headers, cookie) =>
        createResubmitReportHandler(app.deps)(
          httpEvent({
            method: 'PUT',
            path: '/api/reports/daxing-kw-2020',
            pathParameters: { id: 'daxing-kw-2020' },
            body: { report: referenceReport() },
            cookie,
            headers,
          }),
        ),
    ],
    [
      'POST /api/reports',
      (headers, cookie) =>
        createSubmitReportHandler(app.deps)(
          httpEvent({ method: 'POST', path: '/api/reports', body: { report: referenceReport() }, cookie, headers }),
        ),
    ],
    [
      'POST /api/reports/{id}/withdraw',
      (headers, cookie) =>
        createWithdrawReportHandler(app.deps)(
          httpEvent({
            method: 'POST',
            path: '/api/reports/daxing-kw-2020/withdraw',
            pathParameters: { id: 'daxing-kw-2020' },
            body: { reason: '信息员发现数据有误，撤回修改。' },
            cookie,
            headers,
          }),
        ),
    ],
  ];

  it.each(routes)('%s refuses a text/plain body with 400', async (_name, call) => {
    const cookie = await signIn(app, OFFICER);
    const mailsBefore = (await app.outbox.list()).length;
    const response = await call({ 'content-type': 'text/plain' }, cookie);

    expect(response.statusCode).toBe(400);
    expect(jsonOf(response)).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(CHINESE) } });
    expect(await app.outbox.list()).toHaveLength(mailsBefore);
    expect(app.sfn.calls()).toHaveLength(0);
  });

  it.each(routes)('%s refuses a request from a foreign origin with 403', async (_name, call) => {
    const cookie = await signIn(app, OFFICER);
    const mailsBefore = (await app.outbox.list()).length;
    const response = await call({ origin: 'https://evil.example.com' }, cookie);

    expect(response.statusCode).toBe(403);
    expect(jsonOf(response)).toMatchObject({ error: { code: 'CROSS_ORIGIN' } });
    expect(await app.outbox.list()).toHaveLength(mailsBefore);
    expect(app.sfn.calls()).toHaveLength(0);
  });
});
