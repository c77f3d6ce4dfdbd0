import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImportReportHandler } from '#functions/import-report.js';
import { createPublishReportHandler } from '#functions/publish-report.js';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { matchRoute } from '#shared/http/routes.js';
import type { HttpResponse } from '#shared/http/response.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { assetUrl } from '#shared/http/assets.js';
import { all, byId, parseHtml, plainText } from './html.js';
import { AUDITOR, DIRECTOR, OFFICER, addAgency, cookieOf, signedReport } from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

const REFERENCE_TEXT = readFileSync(new URL('../fixtures/daxing-kejiwei-2020.txt', import.meta.url), 'utf8');
/** the reference page with three applications carried into 2021 by 自然人 */
const CARRYING_THREE = REFERENCE_TEXT.replace(
  '\t四、结转下年度继续办理\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0',
  '\t四、结转下年度继续办理\n\t3\n\t0\n\t0\n\t0\n\t0\n\t0\n\t3',
);

const upload = (text: string, fileName = '2020年报.txt') => ({ fileName, contentBase64: Buffer.from(text, 'utf8').toString('base64') });

async function call(method: 'POST' | 'PUT' | 'GET', path: string, email: string | undefined, body?: unknown): Promise<HttpResponse> {
  const match = matchRoute(method, path.split('?')[0] ?? '');
  if (match === undefined) throw new Error(`no route ${method} ${path}`);
  const cookie = email === undefined ? undefined : await cookieOf(app, email);
  const [pathname = '', query = ''] = path.split('?');
  const event = httpEvent({
    method,
    path: pathname,
    pathParameters: match.pathParameters,
    query: Object.fromEntries(new URLSearchParams(query)),
    ...(body === undefined ? {} : { body }),
    ...(cookie === undefined ? {} : { cookie }),
  });
  const handler = match.route.function === 'web-pages' ? createWebPagesHandler(app.deps) : createImportReportHandler(app.deps);
  return handler(event);
}

const jsonOf = (response: HttpResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

describe('POST /api/reports/import', () => {
  it('shows the officer what the file says, cell by cell, for their own agency, and stores nothing', async () => {
    const response = await call('POST', '/api/reports/import', OFFICER, upload(REFERENCE_TEXT));
    expect(response.statusCode, response.body).toBe(200);
    const preview = jsonOf(response) as {
      template: string;
      year: number;
      uncertain: unknown[];
      recognised: { path: string }[];
      report: Record<string, unknown>;
    };
    expect(preview).toMatchObject({ template: 'beijing-2019', year: 2020, uncertain: [] });
    expect(preview.report['agency']).toEqual({ id: 'daxing-kw', name: '北京市大兴区科学技术委员会' });
    expect(preview.recognised.map((item) => item.path)).toContain('applications.carriedForward.total');
    expect(await app.deps.store.getImportedReport('daxing-kw', 2020)).toBeUndefined();
  });

  it('marks what it cannot read as uncertain and leaves it out, never 0', async () => {
    const response = await call(
      'POST',
      '/api/reports/import',
      OFFICER,
      upload(REFERENCE_TEXT.replace('\t政府集中采购\n\t9', '\t政府集中采购\n\t')),
    );
    const preview = jsonOf(response) as {
      uncertain: { path: string; reason: string }[];
      report: { activeDisclosure: { procurement: { centralizedProcurement: Record<string, unknown> } } };
    };
    expect(preview.uncertain).toEqual([
      { path: 'activeDisclosure.procurement.centralizedProcurement.projects', label: '政府集中采购 采购项目数量', reason: '空白' },
    ]);
    expect(preview.report.activeDisclosure.procurement.centralizedProcurement).toEqual({ amount: '77.0693', unit: '万元' });
  });

  it('answers a file with no report in it, and a body that is not base64, with 400 and a message', async () => {
    const unreadable = await call('POST', '/api/reports/import', OFFICER, upload('购物清单\n苹果\n'));
    expect(unreadable.statusCode).toBe(400);
    expect(jsonOf(unreadable)['error']).toMatchObject({
      code: 'IMPORT_UNREADABLE',
      message: expect.stringContaining('没有读到年度报告的内容'),
    });
    const broken = await call('POST', '/api/reports/import', OFFICER, { fileName: 'x.txt', contentBase64: '不是base64' });
    expect(broken.statusCode).toBe(400);
  });

  it('is for officers: a director gets 404, nobody signed in 401', async () => {
    expect((await call('POST', '/api/reports/import', DIRECTOR, upload(REFERENCE_TEXT))).statusCode).toBe(404);
    expect((await call('POST', '/api/reports/import', undefined, upload(REFERENCE_TEXT))).statusCode).toBe(401);
  });
});

describe('PUT /api/agencies/{agencyId}/previous/{year}', () => {
  it('keeps the file as the agency’s imported 2020 report: the 2021 form carries its numbers over, and nothing shows it as published', async () => {
    const response = await call('PUT', '/api/agencies/daxing-kw/previous/2020', OFFICER, upload(CARRYING_THREE));
    expect(response.statusCode, response.body).toBe(200);
    expect(jsonOf(response)).toMatchObject({ agencyId: 'daxing-kw', year: 2020, template: 'beijing-2019', uncertain: [] });
    const stored = await app.deps.store.getImportedReport('daxing-kw', 2020);
    expect(stored).toMatchObject({ fileName: '2020年报.txt', importedBy: OFFICER, template: 'beijing-2019' });

    // the 2021 form starts with 二、上年结转 taken from the imported report's 四、结转下年度继续办理
    const form = parseHtml((await call('GET', '/drafts/daxing-kw/2021', OFFICER)).body);
    const cell = all(form, (element) => element.tag === 'td' && element.attrs['data-path'] === 'applications.carriedOver.naturalPerson')[0];
    expect(cell?.attrs['class']).toBe('prefilled');
    expect(all(cell ?? form, (element) => element.tag === 'input')[0]?.attrs['value']).toBe('3');

    // not a report of the log, not on the site, not on the home page
    expect(await app.deps.store.getHead('daxing-kw-2020')).toBeUndefined();
    expect(await app.deps.store.listPublished()).toEqual([]);
    const home = parseHtml((await call('GET', '/', OFFICER)).body);
    expect(all(home, (element) => element.tag === 'a' && (element.attrs['href'] ?? '').includes('2020'))).toEqual([]);
  });

  it('is refused for a year nianbao published, for a template that does not fit the year, and for another agency', async () => {
    app.s3.on(PutObjectCommand).resolves({});
    const { reportId } = await signedReport(app);
    await createPublishReportHandler(app.deps)({ reportId, version: 1 });
    const published = await call('PUT', '/api/agencies/daxing-kw/previous/2020', OFFICER, upload(REFERENCE_TEXT));
    expect(published.statusCode).toBe(409);
    expect(jsonOf(published)['error']).toMatchObject({ code: 'ALREADY_PUBLISHED', message: '2020 年度的报告已在本系统发布，无需导入。' });

    const wrongYear = await call('PUT', '/api/agencies/daxing-kw/previous/2022', OFFICER, upload(REFERENCE_TEXT));
    expect(wrongYear.statusCode).toBe(400);
    expect(jsonOf(wrongYear)['error']).toMatchObject({ code: 'IMPORT_TEMPLATE_YEAR' });
    expect(await app.deps.store.getImportedReport('daxing-kw', 2022)).toBeUndefined();

    await addAgency(app, 'haidian-x', '海淀区某局');
    expect((await call('PUT', '/api/agencies/haidian-x/previous/2020', OFFICER, upload(REFERENCE_TEXT))).statusCode).toBe(404);
    expect(await app.deps.store.getImportedReport('haidian-x', 2020)).toBeUndefined();
  });
});

describe('GET /previous/import', () => {
  it('gives the officer the upload form, with the import already kept for the year', async () => {
    await call(
      'PUT',
      '/api/agencies/daxing-kw/previous/2020',
      OFFICER,
      upload(REFERENCE_TEXT.replace('\t政府集中采购\n\t9', '\t政府集中采购\n\t')),
    );
    const response = await call('GET', '/previous/import?year=2020', OFFICER);
    expect(response.statusCode).toBe(200);
    const page = parseHtml(response.body);
    expect(byId(page, 'import-form')?.attrs['data-agency']).toBe('daxing-kw');
    expect(plainText(byId(page, 'import-existing') ?? page)).toContain('有 1 项未能确定');
    expect(all(page, (element) => element.tag === 'script').map((script) => script.attrs['src'])).toContain(assetUrl('import.js'));
  });

  it('is not for an auditor', async () => {
    expect((await call('GET', '/previous/import', AUDITOR)).statusCode).toBe(403);
  });
});
