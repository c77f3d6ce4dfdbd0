import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, jsonOf, startEmulator, stopEmulator, type TestApp } from '../../support/app.js';
import { cookieOf, DIRECTOR, LEADER, OFFICER, REPORT_ID, requestReview, submit } from '../workflow-helpers.js';
import { ADMIN, adminRoutes, gbk } from './admin-support.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
let admin: string;
let r: ReturnType<typeof adminRoutes>;
beforeEach(async () => {
  app = await createTestApp();
  admin = await cookieOf(app, ADMIN);
  r = adminRoutes(app);
});

const errorOf = (body: unknown) =>
  (body as { error: { code: string; message: string; problems?: { code: string; stepId?: string }[] } }).error;

const COSIGN_CHAIN = {
  steps: [
    { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
    { id: 'legal', label: '法制会签', kind: 'cosign', role: 'legal' },
    { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
  ],
};

describe('agencies', () => {
  it('lists the three agencies of the district with the chain in force (the default one when none is set)', async () => {
    const body = jsonOf(await r.listAgencies(admin)) as {
      agencies: { id: string; district: string; chain: { steps: { id: string }[] } }[];
    };
    expect(body.agencies.map((a) => a.id)).toEqual(['daxing-czj', 'daxing-jw', 'daxing-kw']);
    expect(body.agencies.every((a) => a.district === 'daxing')).toBe(true);
    expect(body.agencies[0]?.chain.steps.map((s) => s.id)).toEqual(['director', 'leader']);
  });

  it('saves the name, the starting template and a chain, warning about a step nobody holds yet; the change is logged', async () => {
    const response = await r.saveAgency(admin, 'daxing-kw', {
      name: '北京市大兴区科学技术委员会',
      district: 'daxing',
      template: 'beijing-2019',
      chain: COSIGN_CHAIN,
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = jsonOf(response) as { warnings: { code: string; stepId: string }[] };
    expect(body.warnings).toEqual([expect.objectContaining({ code: 'CHAIN_ROLE_UNHELD', stepId: 'legal' })]);
    expect(await app.deps.store.getAgency('daxing-kw')).toMatchObject({ template: 'beijing-2019', chain: COSIGN_CHAIN });
    const log = await app.deps.store.listAdminEvents();
    expect(log.map((e) => [e.type, e.subject, e.actor.email])).toEqual([['agency_saved', 'daxing-kw', ADMIN]]);
  });

  it('refuses a chain with problems, each at its step, and writes nothing', async () => {
    const bad = {
      steps: [
        { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
        { id: 'director', label: '主任审核', kind: 'review', role: 'director' },
      ],
    };
    const response = await r.saveAgency(admin, 'daxing-kw', { name: '某委', district: 'daxing', chain: bad });
    expect(response.statusCode).toBe(400);
    const error = errorOf(jsonOf(response));
    expect(error.code).toBe('CHAIN_INVALID');
    expect(error.problems?.map((p) => p.code)).toEqual(expect.arrayContaining(['CHAIN_SIGN_NOT_LAST', 'CHAIN_NO_CONFIDENTIALITY']));
    expect((await app.deps.store.getAgency('daxing-kw'))?.name).toBe('北京市大兴区科学技术委员会');
    expect(await app.deps.store.listAdminEvents()).toEqual([]);
  });

  it('keeps an administrator to their districts: another district is 403 both ways, an unknown template is 400', async () => {
    await app.deps.store.putAgency({ id: 'tongzhou-kw', name: '北京市通州区科学技术委员会', district: 'tongzhou' });
    expect((jsonOf(await r.listAgencies(admin)) as { agencies: { id: string }[] }).agencies.map((a) => a.id)).not.toContain('tongzhou-kw');
    const into = await r.saveAgency(admin, 'daxing-kw', { name: '某委', district: 'tongzhou' });
    expect([into.statusCode, errorOf(jsonOf(into)).code]).toEqual([403, 'OUT_OF_SCOPE']);
    const from = await r.saveAgency(admin, 'tongzhou-kw', { name: '某委', district: 'daxing' });
    expect([from.statusCode, errorOf(jsonOf(from)).code]).toEqual([403, 'OUT_OF_SCOPE']);
    expect((await app.deps.store.getAgency('tongzhou-kw'))?.district).toBe('tongzhou');
    expect((await r.saveAgency(admin, 'daxing-kw', { name: '某委', district: 'daxing', template: 'shanghai-2019' })).statusCode).toBe(400);
  });

  it('lets an administrator of every district ("*") manage any agency', async () => {
    await app.deps.store.putRosterEntry({
      email: 'root@gov.example.cn',
      name: '市管理员',
      agencyId: 'daxing-gkb',
      roles: ['admin'],
      adminScope: '*',
    });
    await app.deps.store.putAgency({ id: 'tongzhou-kw', name: '北京市通州区科学技术委员会', district: 'tongzhou' });
    const root = await cookieOf(app, 'root@gov.example.cn');
    expect((await r.saveAgency(root, 'tongzhou-kw', { name: '通州科委', district: 'tongzhou' })).statusCode).toBe(200);
  });
});

describe('people', () => {
  it('lists an agency’s people, and everybody of the district without agencyId', async () => {
    const kw = jsonOf(await r.listPeople(admin, 'daxing-kw')) as { people: { email: string; roles: string[] }[] };
    expect(kw.people.map((p) => p.email)).toEqual(['auditor@audit.example.cn', DIRECTOR, LEADER, OFFICER]);
    const all = jsonOf(await r.listPeople(admin)) as { people: { agencyId: string }[] };
    expect(new Set(all.people.map((p) => p.agencyId))).toEqual(new Set(['daxing-czj', 'daxing-jw', 'daxing-kw']));
  });

  it('adds a co-signer, who then holds the role in the agency; the change is logged', async () => {
    const response = await r.savePerson(admin, 'legal@kw.example.cn', { name: '郑法制', agencyId: 'daxing-kw', roles: ['legal'] });
    expect(response.statusCode, response.body).toBe(200);
    expect(await app.deps.store.getRosterEntry('legal@kw.example.cn')).toEqual({
      email: 'legal@kw.example.cn',
      name: '郑法制',
      agencyId: 'daxing-kw',
      roles: ['legal'],
    });
    expect((await app.deps.store.listAdminEvents()).map((e) => [e.type, e.subject])).toEqual([['person_saved', 'legal@kw.example.cn']]);
  });

  it('shows before saving that moving the director takes their open review, and the preview writes nothing', async () => {
    await submit(app);
    await requestReview(app, { taskToken: 'director-1', version: 1, stage: 'director', reportId: REPORT_ID });
    const preview = await r.savePerson(admin, DIRECTOR, { name: '王主任', agencyId: 'daxing-czj', roles: ['director'] }, true);
    expect(preview.statusCode, preview.body).toBe(200);
    const body = jsonOf(preview) as { preview: boolean; openReviews: { reportId: string; stepLabel: string; reassigned: boolean }[] };
    expect(body.preview).toBe(true);
    expect(body.openReviews).toEqual([expect.objectContaining({ reportId: REPORT_ID, stepLabel: '办公室主任审核', reassigned: true })]);
    expect((await app.deps.store.getRosterEntry(DIRECTOR))?.agencyId).toBe('daxing-kw');
    // renaming keeps the role: the review stays theirs
    const rename = jsonOf(
      await r.savePerson(admin, DIRECTOR, { name: '王新主任', agencyId: 'daxing-kw', roles: ['director'] }, true),
    ) as typeof body;
    expect(rename.openReviews.map((o) => o.reassigned)).toEqual([false]);
    const removal = jsonOf(await r.removePerson(admin, DIRECTOR, true)) as typeof body;
    expect(removal.openReviews.map((o) => o.reassigned)).toEqual([true]);
    expect(await app.deps.store.getRosterEntry(DIRECTOR)).toBeDefined();
    expect(await app.deps.store.listAdminEvents()).toEqual([]);
  });

  it('moves and removes people; removing someone unknown is 404', async () => {
    expect((await r.savePerson(admin, LEADER, { name: '张副主任', agencyId: 'daxing-jw', roles: ['leader'] })).statusCode).toBe(200);
    expect((await app.deps.store.getRosterEntry(LEADER))?.agencyId).toBe('daxing-jw');
    expect((await r.removePerson(admin, LEADER)).statusCode).toBe(200);
    expect(await app.deps.store.getRosterEntry(LEADER)).toBeUndefined();
    expect((await r.removePerson(admin, LEADER)).statusCode).toBe(404);
    expect((await app.deps.store.listAdminEvents()).map((e) => e.type)).toEqual(['person_saved', 'person_removed']);
  });

  it('grants neither admin nor auditor, and cannot touch an auditor or a person of another district', async () => {
    const grant = await r.savePerson(admin, 'x@kw.example.cn', { name: '某人', agencyId: 'daxing-kw', roles: ['admin'] });
    expect([grant.statusCode, errorOf(jsonOf(grant)).code]).toEqual([400, 'ROLE_NOT_GRANTABLE']);
    const auditor = await r.savePerson(admin, 'auditor@audit.example.cn', { name: '赵监督', agencyId: 'daxing-kw', roles: ['officer'] });
    expect([auditor.statusCode, errorOf(jsonOf(auditor)).code]).toEqual([403, 'PERSON_OUT_OF_SCOPE']);
    expect((await r.removePerson(admin, 'auditor@audit.example.cn')).statusCode).toBe(403);
    await app.deps.store.putAgency({ id: 'tongzhou-kw', name: '通州科委', district: 'tongzhou' });
    await app.deps.store.putRosterEntry({
      email: 'officer@tz.example.cn',
      name: '通州信息员',
      agencyId: 'tongzhou-kw',
      roles: ['officer'],
    });
    expect(
      (await r.savePerson(admin, 'officer@tz.example.cn', { name: '某人', agencyId: 'daxing-kw', roles: ['officer'] })).statusCode,
    ).toBe(403);
    expect((await r.savePerson(admin, 'new@tz.example.cn', { name: '某人', agencyId: 'tongzhou-kw', roles: ['officer'] })).statusCode).toBe(
      403,
    );
    expect((await r.removePerson(admin, 'officer@tz.example.cn')).statusCode).toBe(403);
    expect(await app.deps.store.getRosterEntry('officer@tz.example.cn')).toBeDefined();
  });
});

describe('the people CSV', () => {
  const tenPeople = [
    '邮箱,姓名,单位,角色',
    ...Array.from(
      { length: 10 },
      (_, i) => `p${i}@czj.example.cn,人员${i},${i % 2 === 0 ? '北京市大兴区财政局' : 'daxing-czj'},${i === 0 ? '信息员、legal' : 'legal'}`,
    ),
  ].join('\r\n');

  it('imports ten people from a GBK file as Excel saves it; the same file again changes nothing', async () => {
    const first = await r.importPeople(admin, gbk(tenPeople));
    expect(first.statusCode, first.body).toBe(200);
    expect(jsonOf(first)).toEqual({ imported: 10, unchanged: 0, errors: [], handedOver: 0, warnings: [] });
    expect(await app.deps.store.getRosterEntry('p0@czj.example.cn')).toEqual({
      email: 'p0@czj.example.cn',
      name: '人员0',
      agencyId: 'daxing-czj',
      roles: ['officer', 'legal'],
    });
    expect((await app.deps.store.listRoster('daxing-czj')).length).toBe(13);
    expect(jsonOf(await r.importPeople(admin, gbk(tenPeople)))).toEqual({
      imported: 0,
      unchanged: 10,
      errors: [],
      handedOver: 0,
      warnings: [],
    });
    expect((await app.deps.store.listAdminEvents()).map((e) => e.type)).toEqual(['people_imported']);
  });

  it('writes nothing when one line is wrong, and names every wrong line', async () => {
    const text = `${tenPeople}\r\nbad-address,某人,daxing-czj,信息员\r\np1@czj.example.cn,重复,daxing-czj,信息员\r\nq@czj.example.cn,某人,海淀区某局,信息员\r\nr@czj.example.cn,某人,daxing-czj,管理员`;
    const response = await r.importPeople(admin, gbk(text));
    expect(response.statusCode).toBe(400);
    const body = jsonOf(response) as { imported: number; errors: { line: number; message: string }[] };
    expect(body.imported).toBe(0);
    expect(body.errors.map((e) => e.line)).toEqual([12, 13, 14, 15]);
    expect(body.errors[2]?.message).toContain('海淀区某局');
    expect(await app.deps.store.getRosterEntry('p0@czj.example.cn')).toBeUndefined();
    expect(await app.deps.store.listAdminEvents()).toEqual([]);
  });

  it('refuses another media type', async () => {
    const { createAdminImportPeopleHandler } = await import('#functions/admin-import-people.js');
    const { httpEvent } = await import('../../support/app.js');
    const response = await createAdminImportPeopleHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/admin/people/import', cookie: admin, form: { a: 'b' } }),
    );
    expect(response.statusCode).toBe(400);
  });
});
