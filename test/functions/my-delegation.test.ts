import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMyDelegationHandler } from '#functions/my-delegation.js';
import { createWebPagesHandler } from '#functions/web-pages.js';
import type { HttpResponse } from '#shared/http/response.js';
import { verifyAdminLogChain } from '#shared/workflow/admin/admin-log.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { all, byId, inputNamed, parseHtml, plainText } from './html.js';
import { AUDITOR, cookieOf, csrfOf, DIRECTOR, forgetCookies, LEADER, OFFICER } from './workflow-helpers.js';

/**
 * PUT, GET and DELETE /api/me/delegation and the home page's 我的代理 form: who may name a deputy, whom, for which
 * days. The test clock stands at 2021-01-20 09:00 Beijing time (01:00 UTC).
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

const VICE = 'vice@kw.example.cn';
const TODAY = '2021-01-20';

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  await app.deps.store.putRosterEntry({ email: VICE, name: '陈副主任', agencyId: 'daxing-kw', roles: ['officer'] });
});

async function call(method: 'GET' | 'PUT' | 'DELETE', email: string | undefined, body?: unknown): Promise<HttpResponse> {
  const cookie = email === undefined ? undefined : await cookieOf(app, email);
  return createMyDelegationHandler(app.deps)(
    httpEvent({ method, path: '/api/me/delegation', ...(cookie === undefined ? {} : { cookie }), ...(body === undefined ? {} : { body }) }),
  );
}

const put = (email: string, body: Record<string, string>) => call('PUT', email, body);
const delegationOf = (response: HttpResponse) => (jsonOf(response) as { delegation: Record<string, unknown> | null }).delegation;
const errorOf = (response: HttpResponse) => (jsonOf(response) as { error: { code: string; message: string } }).error;

async function refused(response: HttpResponse, status: number, code: string): Promise<string> {
  expect(response.statusCode, response.body).toBe(status);
  const { message, code: actual } = errorOf(response);
  expect(actual).toBe(code);
  // people read the message: Chinese, without the code
  expect(message).toMatch(/[\u4e00-\u9fff]/u);
  expect(message).not.toContain(code);
  return message;
}

describe('PUT /api/me/delegation', () => {
  it('names a colleague of the agency as deputy for the days given; GET shows it; the administration log records it', async () => {
    const response = await put(DIRECTOR, { to: ' Vice@KW.example.cn ', from: TODAY, until: '2021-01-30' });
    expect(response.statusCode, response.body).toBe(200);
    const expected = {
      delegator: DIRECTOR,
      delegatorName: '王主任',
      deputy: VICE,
      deputyName: '陈副主任',
      agencyId: 'daxing-kw',
      from: TODAY,
      until: '2021-01-30',
      setAt: app.clock.now().toISOString(),
    };
    expect(delegationOf(response)).toEqual(expected);
    expect(delegationOf(await call('GET', DIRECTOR))).toEqual(expected);
    expect(delegationOf(await call('GET', VICE))).toBeNull();

    const log = await app.deps.store.listAdminEvents();
    expect(log.map((event) => [event.type, event.subject, event.actor.email, event.data['deputy'], event.data['until']])).toEqual([
      ['delegation_set', DIRECTOR, DIRECTOR, VICE, '2021-01-30'],
    ]);
    expect(verifyAdminLogChain(log).valid).toBe(true);
  });

  it('replaces the delegation with a new one: one per person', async () => {
    expect((await put(DIRECTOR, { to: VICE, from: TODAY, until: '2021-01-30' })).statusCode).toBe(200);
    expect((await put(DIRECTOR, { to: LEADER, from: '2021-02-01', until: '2021-02-03' })).statusCode).toBe(200);
    expect(delegationOf(await call('GET', DIRECTOR))).toMatchObject({ deputy: LEADER, from: '2021-02-01', until: '2021-02-03' });
    expect((await app.deps.store.listDelegations('daxing-kw')).map((delegation) => delegation.deputy)).toEqual([LEADER]);
    expect((await app.deps.store.listAdminEvents()).map((event) => event.type)).toEqual(['delegation_set', 'delegation_set']);
  });

  it('refuses yourself as deputy', async () => {
    await refused(await put(DIRECTOR, { to: DIRECTOR, from: TODAY, until: TODAY }), 400, 'DEPUTY_IS_SELF');
  });

  it('refuses a deputy not on the roster, and one of another agency, with the same answer', async () => {
    const unknown = await refused(
      await put(DIRECTOR, { to: 'nobody@kw.example.cn', from: TODAY, until: TODAY }),
      400,
      'DEPUTY_NOT_IN_AGENCY',
    );
    const elsewhere = await refused(
      await put(DIRECTOR, { to: 'director@czj.example.cn', from: TODAY, until: TODAY }),
      400,
      'DEPUTY_NOT_IN_AGENCY',
    );
    expect(elsewhere).toBe(unknown);
    expect(await app.deps.store.getDelegation(DIRECTOR)).toBeUndefined();
  });

  it('takes a single day (from = until) and refuses a start after the end', async () => {
    expect((await put(DIRECTOR, { to: VICE, from: '2021-01-21', until: '2021-01-21' })).statusCode).toBe(200);
    await refused(await put(DIRECTOR, { to: VICE, from: '2021-01-22', until: '2021-01-21' }), 400, 'DELEGATION_DATES_REVERSED');
  });

  it('takes an end today (Beijing date) and refuses one that has passed', async () => {
    await refused(await put(DIRECTOR, { to: VICE, from: '2021-01-18', until: '2021-01-19' }), 400, 'DELEGATION_IN_PAST');
    expect((await put(DIRECTOR, { to: VICE, from: '2021-01-18', until: TODAY })).statusCode).toBe(200);
    // 16:00 UTC on the 20th is already the 21st in Beijing: the 20th has passed there
    app.clock.advance(15 * 3_600_000);
    forgetCookies(app);
    await refused(await put(DIRECTOR, { to: VICE, from: '2021-01-18', until: TODAY }), 400, 'DELEGATION_IN_PAST');
  });

  it('takes 90 days counting both ends and refuses 91', async () => {
    expect((await put(DIRECTOR, { to: VICE, from: TODAY, until: '2021-04-19' })).statusCode).toBe(200);
    const message = await refused(await put(DIRECTOR, { to: VICE, from: TODAY, until: '2021-04-20' }), 400, 'DELEGATION_TOO_LONG');
    expect(message).toContain('90 天');
    expect(delegationOf(await call('GET', DIRECTOR))).toMatchObject({ until: '2021-04-19' });
  });

  it('lets only a person who decides a step delegate: not an officer, not an auditor', async () => {
    await refused(await put(OFFICER, { to: VICE, from: TODAY, until: TODAY }), 403, 'DELEGATOR_DECIDES_NO_STEP');
    await refused(await put(AUDITOR, { to: DIRECTOR, from: TODAY, until: TODAY }), 403, 'DELEGATOR_DECIDES_NO_STEP');
    expect((await put(LEADER, { to: VICE, from: TODAY, until: TODAY })).statusCode).toBe(200);
  });

  it('refuses a body without an address or with dates not written YYYY-MM-DD, and anyone not signed in', async () => {
    await refused(await put(DIRECTOR, { to: 'not an address', from: TODAY, until: TODAY }), 400, 'INVALID_BODY');
    await refused(await put(DIRECTOR, { to: VICE, from: '2021/01/20', until: TODAY }), 400, 'INVALID_BODY');
    await refused(await call('PUT', undefined, { to: VICE, from: TODAY, until: TODAY }), 401, 'UNAUTHENTICATED');
    expect(await app.deps.store.listAdminEvents()).toEqual([]);
  });
});

describe('DELETE /api/me/delegation', () => {
  it('ends the delegation at once (GET then answers null), logs it, and answers 404 when there is none', async () => {
    await put(DIRECTOR, { to: VICE, from: TODAY, until: '2021-01-30' });
    const ended = await call('DELETE', DIRECTOR);
    expect(ended.statusCode, ended.body).toBe(200);
    expect(delegationOf(ended)).toMatchObject({ deputy: VICE, endedAt: app.clock.now().toISOString() });
    expect(delegationOf(await call('GET', DIRECTOR))).toBeNull();
    expect((await app.deps.store.listAdminEvents()).map((event) => event.type)).toEqual(['delegation_set', 'delegation_ended']);
    await refused(await call('DELETE', DIRECTOR), 404, 'NOT_FOUND');
  });

  it('treats a delegation whose last day has passed as gone', async () => {
    await put(DIRECTOR, { to: VICE, from: TODAY, until: TODAY });
    app.clock.advance(15 * 3_600_000);
    forgetCookies(app);
    expect(delegationOf(await call('GET', DIRECTOR))).toBeNull();
    await refused(await call('DELETE', DIRECTOR), 404, 'NOT_FOUND');
  });
});

describe('我的代理 on the home page', () => {
  async function home(email: string) {
    const response = await createWebPagesHandler(app.deps)(httpEvent({ method: 'GET', path: '/', cookie: await cookieOf(app, email) }));
    expect(response.statusCode).toBe(200);
    return parseHtml(response.body);
  }

  async function postForm(email: string, form: Record<string, string>): Promise<HttpResponse> {
    const cookie = await cookieOf(app, email);
    return createMyDelegationHandler(app.deps)(
      httpEvent({
        method: 'POST',
        path: '/me/delegation',
        cookie,
        headers: { origin: 'https://nianbao.example.gov.cn' },
        form: { csrf: await csrfOf(app, cookie), ...form },
      }),
    );
  }

  it('sets a delegation through the labelled form, shows it, and ends it', async () => {
    const before = await home(DIRECTOR);
    const form = byId(before, 'delegation-form');
    if (!form) throw new Error('no delegation form');
    for (const [name, label] of [
      ['to', '代理人邮箱'],
      ['from', '开始日期'],
      ['until', '结束日期'],
    ] as const) {
      const id = inputNamed(form, name)?.attrs['id'];
      const labels = all(form, (element) => element.tag === 'label' && element.attrs['for'] === id);
      expect(labels.map(plainText)).toEqual([label]);
    }
    expect(plainText(byId(before, 'delegation-current') ?? before)).toContain('您目前没有设置代理');

    const set = await postForm(DIRECTOR, { action: 'set', to: VICE, from: TODAY, until: '2021-01-22' });
    expect(set.statusCode, set.body).toBe(303);
    expect(set.headers?.['location']).toBe('/#delegation');
    expect(plainText(byId(await home(DIRECTOR), 'delegation-current') ?? before)).toContain(
      '正在生效：陈副主任（vice@kw.example.cn）自2021年1月20日至2021年1月22日代您处理审核',
    );
    expect(plainText(byId(await home(VICE), 'delegation') ?? before)).toContain('您正在代理王主任处理审核（至2021年1月22日）');

    expect((await postForm(DIRECTOR, { action: 'end' })).statusCode).toBe(303);
    expect(await app.deps.store.getDelegation(DIRECTOR)).toMatchObject({ endedAt: app.clock.now().toISOString() });
  });

  it('shows a refused form as a page with the Chinese message, and refuses a form without the page’s token', async () => {
    const reversed = await postForm(DIRECTOR, { action: 'set', to: VICE, from: '2021-01-22', until: '2021-01-21' });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.body).toContain('代理的开始日期不能晚于结束日期');
    expect(reversed.body).not.toContain('DELEGATION_DATES_REVERSED');
    const cookie = await cookieOf(app, DIRECTOR);
    const forged = await createMyDelegationHandler(app.deps)(
      httpEvent({
        method: 'POST',
        path: '/me/delegation',
        cookie,
        form: { csrf: 'x', action: 'set', to: VICE, from: TODAY, until: TODAY },
      }),
    );
    expect(forged.statusCode).toBe(403);
    expect(await app.deps.store.getDelegation(DIRECTOR)).toBeUndefined();
  });

  it('offers no form to an officer', async () => {
    expect(byId(await home(OFFICER), 'delegation-form')).toBeUndefined();
  });
});
