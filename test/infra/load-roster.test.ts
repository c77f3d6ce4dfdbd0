import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRosterFile, loadRoster, RosterFileError, rosterWarnings } from '#infra/scripts/load-roster.js';
import { DEMO_AGENCIES, DEMO_AGENCY, DEMO_DISTRICT, DEMO_ROSTER } from '#shared/runtime/demo-roster.js';
import { createDocumentClient } from '#shared/store/document-client.js';
import { DynamoStore } from '#shared/store/dynamo-store.js';
import { ensureTable } from '#shared/store/table.js';
import { createTestDynamoClient, startDynalite, uniqueTableName, type Emulator } from '../support/dynalite.js';

const noAgencyInTable = async () => undefined;

describe('load-roster: checking the file', () => {
  it('accepts the demo district, its agencies and roster', async () => {
    const file = await checkRosterFile({ districts: [DEMO_DISTRICT], agencies: DEMO_AGENCIES, roster: DEMO_ROSTER }, noAgencyInTable);
    expect(file.roster).toHaveLength(DEMO_ROSTER.length);
  });

  it('refuses a record the model schemas refuse, naming the field', async () => {
    await expect(checkRosterFile({ agencies: [{ id: 'Bad Id', name: '某局' }] }, noAgencyInTable)).rejects.toThrow(/agencies\.0\.id|id/);
    await expect(
      checkRosterFile({ roster: [{ email: 'not-an-address', name: '某人', agencyId: 'daxing-kw', roles: ['officer'] }] }, noAgencyInTable),
    ).rejects.toThrow(RosterFileError);
  });

  it('refuses a roster entry whose agency is neither in the file nor in the table', async () => {
    const entry = { email: 'officer@x.example.cn', name: '某人', agencyId: 'haidian-x', roles: ['officer'] };
    await expect(checkRosterFile({ roster: [entry] }, noAgencyInTable)).rejects.toThrow(
      /haidian-x is neither in the file nor in the table/,
    );
    await expect(checkRosterFile({ roster: [entry] }, async (id) => ({ id, name: '海淀区某局' }))).resolves.toMatchObject({
      roster: [entry],
    });
  });

  it('accepts an agency with its own chain and people holding its step roles; warns of a step role nobody holds', async () => {
    const chain = {
      steps: [
        { id: 'section', label: '科室负责人审核', kind: 'review', role: 'section-head' },
        { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
        { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
      ],
    };
    const roster = [
      { email: 'officer@jw.example.cn', name: '孙信息员', agencyId: 'daxing-jw', roles: ['officer'] },
      { email: 'section@jw.example.cn', name: '周科长', agencyId: 'daxing-jw', roles: ['section-head'] },
      { email: 'director@jw.example.cn', name: '吴主任', agencyId: 'daxing-jw', roles: ['director'] },
    ];
    const file = await checkRosterFile(
      { agencies: [{ id: 'daxing-jw', name: '北京市大兴区教育委员会', district: 'daxing', chain }], roster },
      noAgencyInTable,
    );
    expect(file.agencies[0]?.chain?.steps.map((step) => step.id)).toEqual(['section', 'director', 'leader']);
    expect(rosterWarnings(file)).toEqual(['agency daxing-jw: nobody holds leader for the step 主管领导签发']);
  });

  it("refuses an agency whose chain breaks the chain rules, with the rule's code", async () => {
    const noSign = { steps: [{ id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true }] };
    await expect(checkRosterFile({ agencies: [{ id: 'daxing-jw', name: '某委', chain: noSign }] }, noAgencyInTable)).rejects.toThrow(
      /CHAIN_NO_SIGN/,
    );
    const reserved = { steps: [{ id: 'leader', label: '签发', kind: 'sign', role: 'officer', confidentiality: true }] };
    await expect(checkRosterFile({ agencies: [{ id: 'daxing-jw', name: '某委', chain: reserved }] }, noAgencyInTable)).rejects.toThrow(
      /CHAIN_ROLE_RESERVED/,
    );
  });

  it('refuses duplicates and an auditor without a scope', async () => {
    const officer = { email: 'officer@kw.example.cn', name: '李信息员', agencyId: 'daxing-kw', roles: ['officer'] };
    await expect(checkRosterFile({ agencies: [DEMO_AGENCY, DEMO_AGENCY], roster: [officer, officer] }, noAgencyInTable)).rejects.toThrow(
      /listed twice/,
    );
    await expect(
      checkRosterFile(
        { agencies: [DEMO_AGENCY], roster: [{ email: 'a@audit.example.cn', name: '审计', agencyId: 'daxing-kw', roles: ['auditor'] }] },
        noAgencyInTable,
      ),
    ).rejects.toThrow(/without an auditScope/);
  });

  it('refuses an administrator without a scope: the first administrator of a deployment names their districts', async () => {
    const admin = { email: 'admin@daxing.example.cn', name: '管理员', agencyId: 'daxing-kw', roles: ['admin'] };
    await expect(checkRosterFile({ agencies: [DEMO_AGENCY], roster: [admin] }, noAgencyInTable)).rejects.toThrow(/without an adminScope/);
    await expect(
      checkRosterFile({ agencies: [DEMO_AGENCY], roster: [{ ...admin, adminScope: ['daxing'] }] }, noAgencyInTable),
    ).resolves.toBeDefined();
  });
});

describe('load-roster: writing through the store', () => {
  let emulator: Emulator;
  let store: DynamoStore;

  beforeAll(async () => {
    emulator = await startDynalite();
    const client = createTestDynamoClient(emulator.endpoint);
    const tableName = uniqueTableName();
    await ensureTable(client, tableName);
    store = new DynamoStore({ client: createDocumentClient(client), tableName });
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('puts the agencies and roster entries the handlers then read, and a second load changes nothing', async () => {
    const file = await checkRosterFile({ districts: [DEMO_DISTRICT], agencies: DEMO_AGENCIES, roster: DEMO_ROSTER }, (id) =>
      store.getAgency(id),
    );
    expect(await loadRoster(file, store)).toEqual({
      agencies: DEMO_AGENCIES.length,
      roster: DEMO_ROSTER.length,
      handedOver: 0,
      stranded: [],
    });
    await loadRoster(file, store);
    expect(await store.listDistricts()).toEqual([DEMO_DISTRICT]);
    expect(await store.listAgencies()).toEqual(expect.arrayContaining([...DEMO_AGENCIES]));
    expect((await store.listRoster(DEMO_AGENCY.id)).map((entry) => entry.email).sort()).toEqual(
      DEMO_ROSTER.filter((entry) => entry.agencyId === DEMO_AGENCY.id)
        .map((entry) => entry.email)
        .sort(),
    );
    expect(await store.getRosterEntry('admin@daxing.example.cn')).toMatchObject({ roles: ['admin'], adminScope: ['daxing'] });
    expect(await store.getRosterEntry('director@kw.example.cn')).toMatchObject({ roles: ['director'], agencyId: 'daxing-kw' });
  });
});
