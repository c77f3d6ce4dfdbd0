import ExcelJS from 'exceljs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readPath, templateCells } from '#shared/report/cells.js';
import { reportSheets } from '#shared/report/sheet.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { keys } from '#shared/store/table.js';
import { createTestApp, jsonOf, startEmulator, stopEmulator, type TestApp } from '../../support/app.js';
import { adjust, referenceReport, withValue } from '../../support/report-builders.js';
import { cookieOf } from '../workflow-helpers.js';
import { ADMIN, adminRoutes, markPublished } from './admin-support.js';

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

const KW = { id: 'daxing-kw', name: '北京市大兴区科学技术委员会' };
const CZJ = { id: 'daxing-czj', name: '北京市大兴区财政局' };
const template = TEMPLATES['beijing-2019'];

function reportOf(agency: { id: string; name: string }, extra: Record<string, number> = {}) {
  return adjust(withValue(referenceReport(), 'agency', agency), extra);
}

describe('the 汇总', () => {
  it('adds up the published reports of the district cell by cell, lists who is in and who is missing, and checks the sum', async () => {
    const kw = reportOf(KW);
    const czj = reportOf(CZJ);
    await markPublished(app, kw, KW, 2020);
    await markPublished(app, czj, CZJ, 2020);
    const response = await r.summary(admin, { year: '2020', district: 'daxing' });
    expect(response.statusCode, response.body).toBe(200);
    const body = jsonOf(response) as {
      template: string;
      included: string[];
      missing: string[];
      report: Record<string, unknown>;
      checks: { errors: unknown[] };
    };
    expect([body.template, body.included, body.missing]).toEqual(['beijing-2019', ['daxing-czj', 'daxing-kw'], ['daxing-jw']]);
    let compared = 0;
    for (const cell of templateCells(template)) {
      if (cell.column.kind.type === 'money') continue;
      const a = readPath(kw, cell.path);
      const b = readPath(czj, cell.path);
      if (typeof a !== 'number' || typeof b !== 'number') continue;
      expect(readPath(body.report, cell.path), cell.id).toBe(a + b);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
    expect(body.checks.errors).toEqual([]);
    expect(body.report['agency']).toEqual({ id: 'daxing', name: '北京市大兴区' });
  });

  it('gives the same tables as CSV for Accept: text/csv, and as an XLSX workbook whose cells are the summed ones', async () => {
    await markPublished(app, reportOf(KW), KW, 2020);
    await markPublished(app, reportOf(CZJ), CZJ, 2020);
    const summary = (jsonOf(await r.summary(admin, { year: '2020', district: 'daxing' })) as { report: Record<string, unknown> }).report;
    const csv = await r.summary(admin, { year: '2020', district: 'daxing' }, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toContain('申请人');
    const { createAdminSummaryHandler } = await import('#functions/admin-summary.js');
    const { httpEvent } = await import('../../support/app.js');
    const bySuffix = await createAdminSummaryHandler(app.deps)(
      httpEvent({ method: 'GET', path: '/api/admin/summary.csv', query: { year: '2020', district: 'daxing' }, cookie: admin }),
    );
    expect(bySuffix.body).toBe(csv.body);
    const xlsx = await r.summary(admin, { year: '2020', district: 'daxing', format: 'xlsx' });
    expect(xlsx.isBase64Encoded).toBe(true);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(Buffer.from(xlsx.body, 'base64')).buffer);
    const sheets = reportSheets(template, summary);
    let compared = 0;
    for (const sheet of sheets) {
      const worksheet = workbook.getWorksheet(sheet.name);
      for (const cell of sheet.cells.filter((c) => c.role === 'value' && typeof c.value === 'number')) {
        expect(worksheet?.getCell(cell.row + 1, cell.col + 1).value, `${sheet.name} ${cell.row},${cell.col}`).toBe(cell.value);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('sums each format on its own, naming the other formats published that year', async () => {
    await markPublished(app, reportOf(KW), KW, 2020);
    await markPublished(app, withValue(reportOf(CZJ), 'template', 'national-2019'), CZJ, 2020);
    const body = jsonOf(await r.summary(admin, { year: '2020', district: 'daxing', template: 'beijing-2019' })) as {
      included: string[];
      otherTemplates: unknown;
    };
    expect(body.included).toEqual(['daxing-kw']);
    expect(body.otherTemplates).toEqual([{ template: 'national-2019', agencyIds: ['daxing-czj'] }]);
  });

  it('refuses a district out of scope, and a download when nothing is published', async () => {
    expect((await r.summary(admin, { year: '2020', district: 'tongzhou' })).statusCode).toBe(403);
    const empty = await r.summary(admin, { year: '2020', district: 'daxing', format: 'xlsx' });
    expect([empty.statusCode, (jsonOf(empty) as { error: { code: string } }).error.code]).toEqual([400, 'NOTHING_PUBLISHED']);
  });
});

describe('the administration log', () => {
  it('chains every change and shows an edited entry to the auditor as broken', async () => {
    await r.savePerson(admin, 'legal@kw.example.cn', { name: '郑法制', agencyId: 'daxing-kw', roles: ['legal'] });
    await r.saveAgency(admin, 'daxing-kw', { name: KW.name, district: 'daxing' });
    await r.remind(admin, { year: 2020, agencyIds: ['daxing-kw'] });
    const auditor = await cookieOf(app, 'auditor@audit.example.cn');
    const before = jsonOf(await r.log(auditor)) as {
      events: { seq: number; type: string }[];
      verification: { valid: boolean; length: number };
    };
    expect(before.events.map((e) => e.type)).toEqual(['person_saved', 'agency_saved', 'reminder_sent']);
    expect(before.verification).toMatchObject({ valid: true, length: 3 });
    const table = app.table;
    if (table === undefined) throw new Error('no table');
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.adminEvent(1),
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'subject' },
        ExpressionAttributeValues: { ':s': 'other@kw.example.cn' },
      }),
    );
    const after = jsonOf(await r.log(auditor)) as { verification: { valid: boolean; problem: { seq: number; message: string } } };
    expect(after.verification.valid).toBe(false);
    expect(after.verification.problem.seq).toBe(1);
  });
});
