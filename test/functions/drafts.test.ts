import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGetDraftHandler } from '#functions/get-draft.js';
import { createSaveDraftHandler } from '#functions/save-draft.js';
import type { HttpResponse } from '#shared/http/response.js';
import { MAX_BODY_BYTES } from '#shared/http/request.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { signIn } from '../support/sign-in.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

const OFFICER = 'officer@kw.example.cn';
const OTHER_OFFICER = 'officer@fgw.example.cn';
const CHINESE = /[\u4e00-\u9fff]/;

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  await app.deps.store.putAgency({ id: 'daxing-fgw', name: '北京市大兴区发展和改革委员会' });
  await app.deps.store.putRosterEntry({ email: OTHER_OFFICER, name: '陈信息员', agencyId: 'daxing-fgw', roles: ['officer'] });
});

const path = (agencyId: string, year: string) => ({ path: `/api/drafts/${agencyId}/${year}`, pathParameters: { agencyId, year } });

function getDraft(cookie: string | undefined, agencyId = 'daxing-kw', year = '2020'): Promise<HttpResponse> {
  return createGetDraftHandler(app.deps)(
    httpEvent({ method: 'GET', ...path(agencyId, year), ...(cookie === undefined ? {} : { cookie }) }),
  );
}

function putDraft(cookie: string | undefined, body: unknown, agencyId = 'daxing-kw', year = '2020'): Promise<HttpResponse> {
  return createSaveDraftHandler(app.deps)(
    httpEvent({ method: 'PUT', ...path(agencyId, year), body, ...(cookie === undefined ? {} : { cookie }) }),
  );
}

/** A draft half typed in: blank cells, an empty text, a number still as the text the officer typed. */
function halfTypedDraft(): Record<string, unknown> {
  let draft = referenceReport();
  draft = withValue(draft, 'applications.newlyReceived.naturalPerson', '');
  draft = withValue(draft, 'applications.outcomes.total.total', null);
  draft = withValue(draft, 'activeDisclosure.regulations.rules.newlyMade', '1 2');
  draft = withValue(draft, 'overview', '');
  draft = withValue(draft, 'problems', undefined);
  return draft;
}

interface DraftBody {
  agencyId: string;
  year: number;
  content: unknown;
  revision: number;
  updatedAt: string;
  updatedBy: string;
}

describe('GET/PUT /api/drafts/{agencyId}/{year}', () => {
  it('keeps an invalid draft exactly as the officer typed it', async () => {
    const officer = await signIn(app, OFFICER);
    const content = halfTypedDraft();

    const saved = await putDraft(officer, { content });
    expect(saved.statusCode).toBe(200);
    expect(jsonOf(saved)).toMatchObject({ agencyId: 'daxing-kw', year: 2020, revision: 1, updatedBy: OFFICER });

    const read = await getDraft(officer);
    expect(read.statusCode).toBe(200);
    const body = jsonOf(read) as DraftBody;
    expect(body.content).toEqual(content);
    expect(body.revision).toBe(1);
  });

  it('answers 404 for a year that has no draft yet', async () => {
    const officer = await signIn(app, OFFICER);
    const response = await getDraft(officer, 'daxing-kw', '2021');
    expect(response.statusCode).toBe(404);
  });

  it('refuses a second “new” draft from another tab with 409 DRAFT_CONFLICT and keeps the first', async () => {
    const officer = await signIn(app, OFFICER);
    const first = halfTypedDraft();
    const second = withValue(first, 'overview', '另一个窗口里输入的文字');
    expect((await putDraft(officer, { content: first })).statusCode).toBe(200);

    const conflict = await putDraft(officer, { content: second });
    expect(conflict.statusCode).toBe(409);
    expect(jsonOf(conflict)).toMatchObject({
      error: { code: 'DRAFT_CONFLICT', message: expect.stringMatching(CHINESE), revision: 1, updatedBy: OFFICER },
    });

    const stored = jsonOf(await getDraft(officer)) as DraftBody;
    expect(stored.content).toEqual(first);
    expect(stored.revision).toBe(1);
  });

  it('refuses a save carrying a stale revision with 409 DRAFT_CONFLICT and loses nothing saved since', async () => {
    const officer = await signIn(app, OFFICER);
    const loaded = jsonOf(await putDraft(officer, { content: halfTypedDraft() })) as DraftBody;
    const newer = withValue(halfTypedDraft(), 'overview', '在第一个窗口里继续输入');
    const saved = await putDraft(officer, { content: newer, revision: loaded.revision });
    expect(jsonOf(saved)).toMatchObject({ revision: 2 });

    const stale = await putDraft(officer, { content: withValue(halfTypedDraft(), 'overview', '旧窗口'), revision: loaded.revision });
    expect(stale.statusCode).toBe(409);
    expect(jsonOf(stale)).toMatchObject({ error: { code: 'DRAFT_CONFLICT', revision: 2 } });

    const stored = jsonOf(await getDraft(officer)) as DraftBody;
    expect(stored.content).toEqual(newer);
    expect(stored.revision).toBe(2);
  });

  it('refuses a save naming a revision that was never stored', async () => {
    const officer = await signIn(app, OFFICER);
    const response = await putDraft(officer, { content: halfTypedDraft(), revision: 7 });
    expect(response.statusCode).toBe(409);
    expect(jsonOf(response)).toMatchObject({ error: { code: 'DRAFT_CONFLICT' } });
    expect((await getDraft(officer)).statusCode).toBe(404);
  });

  it.each([
    ['another agency’s officer', OTHER_OFFICER],
    ['the office director', 'director@kw.example.cn'],
    ['the leader in charge', 'leader@kw.example.cn'],
    ['an auditor', 'auditor@audit.example.cn'],
  ])('answers %s with 404, not 403, for reading or saving the draft', async (_who, email) => {
    const officer = await signIn(app, OFFICER);
    await putDraft(officer, { content: halfTypedDraft() });
    const someone = await signIn(app, email);

    const read = await getDraft(someone);
    const write = await putDraft(someone, { content: { overview: '改一下' }, revision: 1 });
    expect(read.statusCode).toBe(404);
    expect(write.statusCode).toBe(404);
    expect(jsonOf(read)).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(CHINESE) } });

    const stored = jsonOf(await getDraft(officer)) as DraftBody;
    expect(stored.content).toEqual(halfTypedDraft());
  });

  it('answers 401 without a session cookie', async () => {
    expect((await getDraft(undefined)).statusCode).toBe(401);
    expect((await putDraft(undefined, { content: {} })).statusCode).toBe(401);
  });

  it('refuses a body over 256 KiB with 413 and stores nothing', async () => {
    const officer = await signIn(app, OFFICER);
    const body = { content: withValue(halfTypedDraft(), 'overview', '字'.repeat(Math.ceil(MAX_BODY_BYTES / 3) + 1)) };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(256 * 1024);

    const response = await putDraft(officer, body);
    expect(response.statusCode).toBe(413);
    expect(jsonOf(response)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(CHINESE) } });
    expect((await getDraft(officer)).statusCode).toBe(404);
  });

  it('accepts a body just under 256 KiB', async () => {
    const officer = await signIn(app, OFFICER);
    const base = JSON.stringify({ content: withValue(halfTypedDraft(), 'overview', '') });
    const overview = 'a'.repeat(MAX_BODY_BYTES - Buffer.byteLength(base));
    const body = JSON.stringify({ content: withValue(halfTypedDraft(), 'overview', overview) });
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);

    const response = await putDraft(officer, body);
    expect(response.statusCode).toBe(200);
    expect((jsonOf(await getDraft(officer)) as DraftBody).content).toMatchObject({ overview });
  });

  it('refuses malformed JSON with 400 MALFORMED_JSON', async () => {
    const officer = await signIn(app, OFFICER);
    const response = await putDraft(officer, '{"content": {"overview": "未完');

    expect(response.statusCode).toBe(400);
    expect(jsonOf(response)).toEqual({ error: { code: 'MALFORMED_JSON', message: expect.stringMatching(CHINESE) } });
  });
});

describe('strict input on /api/drafts/{agencyId}/{year}', () => {
  it.each([
    ['a top-level constructor key', '{"content":{"constructor":1}}', 'constructor'],
    ['a constructor key deep inside', '{"content":{"applications":{"outcomes":{"constructor":{"name":"String"}}}}}', 'constructor'],
    ['a constructor key in a list', '{"content":{"list":[1,{"constructor":{"name":"Set"}}]}}', 'constructor'],
    ['a __proto__ key deep inside', '{"content":{"a":{"b":{"__proto__":{"x":1}}}}}', '__proto__'],
  ])('refuses %s with 400 DRAFT_BAD_FIELD (never a 500), and keeps the draft there was', async (_name, body, key) => {
    const officer = await signIn(app, OFFICER);
    expect((await putDraft(officer, { content: halfTypedDraft() })).statusCode).toBe(200);
    const response = await putDraft(officer, body);
    expect(response.statusCode).toBe(400);
    expect(jsonOf(response)).toEqual({ error: { code: 'DRAFT_BAD_FIELD', message: expect.stringContaining(key) } });
    expect((jsonOf(await getDraft(officer)) as DraftBody).content).toEqual(halfTypedDraft());
  });

  it('stores keys that only look like Object’s own (toString, hasOwnProperty, prototype) as they are', async () => {
    const officer = await signIn(app, OFFICER);
    const content = { toString: 1, hasOwnProperty: { valueOf: 'x' }, prototype: [null] };
    expect((await putDraft(officer, JSON.stringify({ content }))).statusCode).toBe(200);
    expect((jsonOf(await getDraft(officer)) as DraftBody).content).toEqual(content);
  });

  it.each([['-0'], ['-0.0'], ['1e-400'], ['1e400']])(
    'refuses the number %s with 400 INEXACT_NUMBER instead of storing 0',
    async (number) => {
      const officer = await signIn(app, OFFICER);
      const response = await putDraft(officer, `{"content":{"applications":{"newlyReceived":{"naturalPerson":${number}}}}}`);
      expect(response.statusCode).toBe(400);
      expect(jsonOf(response)).toMatchObject({ error: { code: 'INEXACT_NUMBER', message: expect.stringMatching(CHINESE) } });
      expect((await getDraft(officer)).statusCode).toBe(404);
    },
  );

  it('refuses a body that is not UTF-8 with 400 INVALID_UTF8', async () => {
    const officer = await signIn(app, OFFICER);
    const bytes = Buffer.concat([Buffer.from('{"content":{"overview":"'), Buffer.from([0xe6, 0x94]), Buffer.from('"}}')]);
    const event = {
      ...httpEvent({ method: 'PUT', ...path('daxing-kw', '2020'), body: '', cookie: officer }),
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
    const response = await createSaveDraftHandler(app.deps)(event);
    expect(response.statusCode).toBe(400);
    expect(jsonOf(response)).toMatchObject({ error: { code: 'INVALID_UTF8', message: expect.stringMatching(CHINESE) } });
    expect((await getDraft(officer)).statusCode).toBe(404);
  });

  it.each([['0x7e4'], ['2.02e3'], [' 2030'], ['2020.0'], ['02020'], ['+2020'], ['２０２０'], ['2018'], ['2101']])(
    'refuses the year %j in the path with 400 BAD_YEAR',
    async (year) => {
      const officer = await signIn(app, OFFICER);
      for (const response of [await getDraft(officer, 'daxing-kw', year), await putDraft(officer, { content: {} }, 'daxing-kw', year)]) {
        expect(response.statusCode).toBe(400);
        expect(jsonOf(response)).toEqual({ error: { code: 'BAD_YEAR', message: expect.stringMatching(CHINESE) } });
      }
    },
  );

  it('takes the first and the last year there are', async () => {
    const officer = await signIn(app, OFFICER);
    for (const year of ['2019', '2100']) expect((await putDraft(officer, { content: {} }, 'daxing-kw', year)).statusCode).toBe(200);
  });
});
