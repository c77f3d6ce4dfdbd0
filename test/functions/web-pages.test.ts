import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createPublishReportHandler } from '#functions/publish-report.js';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { matchRoute } from '#shared/http/routes.js';
import type { HttpResponse } from '#shared/http/response.js';
import type { FormContext } from '#shared/http/pages/form-model.js';
import { templateCells } from '#shared/report/cells.js';
import { NATIONAL_2021 } from '#shared/report/templates/national-2021.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { report2021 } from '../support/report-builders.js';
import { all, byId, byTag, parseHtml, plainText } from './html.js';
import {
  AUDITOR,
  DIRECTOR,
  OFFICER,
  REPORT_ID,
  addAgency,
  cookieOf,
  requestRevision,
  reviewAndDecide,
  signedReport,
  submit,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

/** A GET as the local server and API Gateway deliver it: routed by the table, path parameters filled in. */
async function get(path: string, options: { cookie?: string; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
  const [pathname = '', query = ''] = path.split('?');
  const match = matchRoute('GET', pathname);
  if (match?.route.function !== 'web-pages') throw new Error(`${pathname} is not a web page route`);
  return createWebPagesHandler({ ...app.deps, siteBaseUrl: 'https://nianbao.example.gov.cn/site/' })(
    httpEvent({
      method: 'GET',
      path: pathname,
      pathParameters: match.pathParameters,
      query: Object.fromEntries(new URLSearchParams(query)),
      ...options,
    }),
  );
}

const as = async (email: string) => ({ cookie: await cookieOf(app, email) });

function expectPage(response: HttpResponse, status = 200) {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  const page = parseHtml(response.body);
  expect(page.children[0]?.attrs['lang']).toBe('zh-CN');
  // no inline script: the policy allows only this origin's files
  for (const script of byTag(page, 'script')) {
    expect(script.attrs['src']).toMatch(/^\/assets\/[a-z]+\.[A-Z0-9]{8,}\.js$/u);
    expect(script.text).toBe('');
  }
  return page;
}

describe('GET pages when not signed in', () => {
  it('sends every page to sign in and back, query included', async () => {
    for (const path of [
      '/',
      '/reports/new?year=2021',
      '/drafts/daxing-kw/2021',
      `/reports/${REPORT_ID}`,
      `/audit/reports/${REPORT_ID}.csv`,
    ]) {
      const response = await get(path);
      expect(response.statusCode).toBe(303);
      expect(response.headers['location']).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('shows the sign-in page, and sends someone signed in straight on', async () => {
    const page = expectPage(await get('/login?next=%2Freports%2Fx'));
    expect(byId(page, 'email')?.attrs['autofocus']).toBeDefined();
    expect(all(page, (element) => element.attrs['name'] === 'next').map((input) => input.attrs['value'])).toEqual(['/reports/x']);
    const signedIn = await get('/login?next=%2Freports%2Fx', await as(OFFICER));
    expect(signedIn.headers['location']).toBe('/reports/x');
    expect((await get('/login?next=https%3A%2F%2Fevil.example', await as(OFFICER))).headers['location']).toBe('/');
  });
});

describe('the officer’s pages', () => {
  it('lists the reports and offers to start a year, the one due now first', async () => {
    const page = expectPage(await get('/', await as(OFFICER)));
    const years = byTag(byId(page, 'start-year') ?? page, 'option');
    expect(years.length).toBeGreaterThan(1);
    expect(years.find((option) => option.attrs['selected'] !== undefined)?.attrs['value']).toBe(
      String(app.clock.now().getUTCFullYear() - 1),
    );
  });

  it('leads /reports/new?year= to the year’s draft, keeping a chosen template', async () => {
    expect((await get('/reports/new?year=2021', await as(OFFICER))).headers['location']).toBe('/drafts/daxing-kw/2021');
    expect((await get('/reports/new?year=2020&template=beijing-2019', await as(OFFICER))).headers['location']).toBe(
      '/drafts/daxing-kw/2020?template=beijing-2019',
    );
    expect((await get('/reports/new?year=1999', await as(OFFICER))).statusCode).toBe(400);
    expect((await get('/reports/new?year=2021', await as(DIRECTOR))).statusCode).toBe(403);
  });

  it('renders the form from the template: every cell a labelled numeric input, blank until typed, laid out in the official order', async () => {
    const page = expectPage(await get('/drafts/daxing-kw/2021', await as(OFFICER)));
    const inputs = all(page, (element) => element.tag === 'input' && element.attrs['data-path'] !== undefined);
    expect(inputs.map((input) => input.attrs['data-path'])).toEqual(templateCells(NATIONAL_2021).map((cell) => cell.id));
    for (const input of inputs) {
      const cell = templateCells(NATIONAL_2021).find((candidate) => candidate.id === input.attrs['data-path']);
      expect(input.attrs['aria-label']).toBe([cell?.rowLabel, cell?.columnLabel].filter((part) => part !== '').join(' '));
      expect(['numeric', 'decimal']).toContain(input.attrs['inputmode']);
      expect(input.attrs['value'] ?? '').toBe('');
      expect(input.attrs['aria-describedby']?.split(' ')).toContain(`msg-${input.attrs['data-path']}`);
      expect(byId(page, `msg-${input.attrs['data-path']}`)).toBeDefined();
    }
    expect(new Set(all(page, (element) => element.attrs['id'] !== undefined).map((element) => element.attrs['id'])).size).toBe(
      all(page, (element) => element.attrs['id'] !== undefined).length,
    );
    expect(
      byTag(page, 'h2')
        .map(plainText)
        .filter((heading) => /^[一二三四五六]、/u.test(heading)),
    ).toEqual([
      '一、总体情况',
      '二、主动公开政府信息情况',
      '三、收到和处理政府信息公开申请情况',
      '四、政府信息公开行政复议、行政诉讼情况',
      '五、存在的主要问题及改进情况',
      '六、其他需要报告的事项',
    ]);
    expect(plainText(byId(page, 'count-overview') ?? page)).toContain('原则上不超过 1000 字');
    const context = JSON.parse(byId(page, 'report-form')?.attrs['data-context'] ?? '{}') as FormContext;
    expect(context).toMatchObject({
      mode: 'draft',
      reportId: null,
      year: 2021,
      template: 'national-2021',
      draftRevision: null,
      previous: null,
    });
    expect(byId(page, 'submit-report')?.attrs['disabled']).toBeDefined();
  });

  it('offers the title formats agencies publish, each shown with the agency’s name and year, the usual one chosen', async () => {
    const page = expectPage(await get('/drafts/daxing-kw/2021', await as(OFFICER)));
    const select = byId(page, 'field-title');
    expect(select?.tag).toBe('select');
    expect(select?.attrs['data-path']).toBe('title');
    const options = byTag(select ?? page, 'option');
    expect(options).toHaveLength(8);
    const agency = '北京市大兴区科学技术委员会';
    expect(options.map(plainText)).toEqual(
      expect.arrayContaining([`${agency}2021年政府信息公开工作年度报告`, `2021年${agency} ／ 政府信息公开工作年度报告`]),
    );
    expect(options.filter((option) => option.attrs['selected'] !== undefined).map((option) => option.attrs['value'])).toEqual([
      'name-year:1',
    ]);
  });

  it('lets the report choose the unit where the template leaves it open (national-2019: 元 or 万元)', async () => {
    const page = expectPage(await get('/drafts/daxing-kw/2019', await as(OFFICER)));
    const unit = all(page, (element) => element.attrs['id'] === 'cell-activeDisclosure.procurement.centralizedProcurement.unit')[0];
    expect(unit?.tag).toBe('select');
    expect(unit?.attrs['aria-label']).toBe('政府集中采购 采购总金额 单位');
    expect(byTag(unit ?? page, 'option').map(plainText)).toEqual(['元', '万元']);
    const context = JSON.parse(byId(page, 'report-form')?.attrs['data-context'] ?? '{}') as FormContext;
    expect(context.template).toBe('national-2019');
  });

  it('offers the Beijing variant when starting a 2019 or 2020 report, though last year’s was not in it, and opens it when chosen', async () => {
    for (const year of [2019, 2020]) {
      const page = expectPage(await get(`/drafts/daxing-kw/${year}`, await as(OFFICER)));
      const choice = byId(page, 'template-choice');
      expect(byTag(choice ?? page, 'option').map((option) => option.attrs['value'])).toEqual(['national-2019', 'beijing-2019']);
      const chosen = expectPage(await get(`/drafts/daxing-kw/${year}?template=beijing-2019`, await as(OFFICER)));
      expect((JSON.parse(byId(chosen, 'report-form')?.attrs['data-context'] ?? '{}') as FormContext).template).toBe('beijing-2019');
    }
    // 2021 on has one national format and nothing to choose
    expect(byId(expectPage(await get('/drafts/daxing-kw/2021', await as(OFFICER))), 'template-choice')).toBeUndefined();
  });

  it('takes only four plain digits as the year of a draft page or a new report', async () => {
    for (const year of ['0x7e4', '2.02e3', ' 2030', '2020.0', '2018']) {
      expect((await get(`/drafts/daxing-kw/${encodeURIComponent(year)}`, await as(OFFICER))).statusCode, year).toBe(404);
      const refused = await get(`/reports/new?year=${encodeURIComponent(year)}`, await as(OFFICER));
      expect(refused.statusCode, year).toBe(400);
      expect(plainText(parseHtml(refused.body))).toContain('四位数字');
    }
    expect((await get('/reports/new?year=2020', await as(OFFICER))).headers['location']).toBe('/drafts/daxing-kw/2020');
  });

  it('starts a new draft in the format the administrator set for the agency when there is no earlier report', async () => {
    await app.deps.store.putAgency({ id: 'daxing-kw', name: '北京市大兴区科学技术委员会', district: 'daxing', template: 'beijing-2019' });
    const page = expectPage(await get('/drafts/daxing-kw/2020', await as(OFFICER)));
    const context = JSON.parse(byId(page, 'report-form')?.attrs['data-context'] ?? '{}') as FormContext;
    expect(context.template).toBe('beijing-2019');
  });

  it('opens a saved draft with its values, and escapes what was typed', async () => {
    const report = { ...report2021(), overview: '</textarea><script>alert(1)</script>' };
    await app.deps.store.saveDraft(
      { agencyId: 'daxing-kw', year: 2021, content: report, revision: 1, updatedAt: app.clock.now().toISOString(), updatedBy: OFFICER },
      undefined,
    );
    const response = await get('/drafts/daxing-kw/2021', await as(OFFICER));
    const page = expectPage(response);
    expect(response.body).not.toContain('<script>alert');
    expect(byId(page, 'field-overview')?.text).toBe('</textarea><script>alert(1)</script>');
    expect(all(page, (element) => element.attrs['id'] === 'cell-applications.newlyReceived.naturalPerson')[0]?.attrs['value']).toBe('20');
    expect((JSON.parse(byId(page, 'report-form')?.attrs['data-context'] ?? '{}') as FormContext).draftRevision).toBe(1);
  });

  it('sends a year already in review to its status page, and a returned one to its revision form', async () => {
    await submit(app);
    expect((await get('/drafts/daxing-kw/2020', await as(OFFICER))).headers['location']).toBe(`/reports/${REPORT_ID}`);
    expect((await get(`/reports/${REPORT_ID}/edit`, await as(OFFICER))).headers['location']).toBe(`/reports/${REPORT_ID}`);
    const { decision } = await reviewAndDecide(
      app,
      { taskToken: 't-1', version: 1, stage: 'director' },
      { outcome: 'return', comment: '<b>请核对</b>采购数' },
    );
    await requestRevision(app, { taskToken: 't-revision', version: 1, decision });
    expect((await get('/drafts/daxing-kw/2020', await as(OFFICER))).headers['location']).toBe(`/reports/${REPORT_ID}/edit`);

    const status = expectPage(await get(`/reports/${REPORT_ID}`, await as(OFFICER)));
    expect(plainText(byId(status, 'return-comment') ?? status)).toContain('<b>请核对</b>采购数');
    expect(byTag(status, 'b')).toEqual([]);
    const edit = expectPage(await get(`/reports/${REPORT_ID}/edit`, await as(OFFICER)));
    const context = JSON.parse(byId(edit, 'report-form')?.attrs['data-context'] ?? '{}') as FormContext;
    expect(context).toMatchObject({ mode: 'resubmit', reportId: REPORT_ID, template: 'beijing-2019' });
    expect(
      all(edit, (element) => element.attrs['id'] === 'cell-activeDisclosure.procurement.centralizedProcurement.amount')[0]?.attrs['value'],
    ).toBe('77.0693');
    expect(plainText(byId(edit, 'submit-report') ?? edit)).toBe('重新提交');
  });

  it('keeps the form to the officers of the agency', async () => {
    expect((await get('/drafts/daxing-kw/2021', await as(DIRECTOR))).statusCode).toBe(404);
    await addAgency(app, 'haidian-x', '海淀区某局');
    expect((await get('/drafts/haidian-x/2021', await as(OFFICER))).statusCode).toBe(404);
    expect((await get('/drafts/daxing-kw/1990', await as(OFFICER))).statusCode).toBe(404);
  });
});

describe('the status and audit pages', () => {
  it('shows where the report is, step by step, with who is pending since when', async () => {
    await submit(app);
    await reviewAndDecide(app, { taskToken: 't-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    const page = expectPage(await get(`/reports/${REPORT_ID}`, await as(OFFICER)));
    const steps = all(page, (element) => element.attrs['data-step'] !== undefined);
    expect(steps.map((step) => step.attrs['data-step'])).toEqual(['officer', 'director', 'leader', 'published']);
    expect(plainText(steps[1] ?? page)).toContain('王主任于');
    expect(plainText(steps[1] ?? page)).toContain('已完成保密审查');
    expect(byId(page, 'withdraw-start')).toBeDefined();
    // an approver sees the status, not the officer's actions
    const director = expectPage(await get(`/reports/${REPORT_ID}`, await as(DIRECTOR)));
    expect(byId(director, 'withdraw-start')).toBeUndefined();
  });

  it('shows the auditor the events, the verified chain, and exports CSV (BOM, quoted) and JSON', async () => {
    await submit(app);
    const page = expectPage(await get(`/audit/reports/${REPORT_ID}`, await as(AUDITOR)));
    expect(plainText(byId(page, 'chain') ?? page)).toContain('哈希链校验通过');
    expect(all(page, (element) => element.attrs['data-seq'] !== undefined)).toHaveLength(1);

    const csv = await get(`/audit/reports/${REPORT_ID}.csv`, await as(AUDITOR));
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="${REPORT_ID}-audit.csv"`);
    expect(csv.body.startsWith('\uFEFF"序号",')).toBe(true);
    const json = await get(`/audit/reports/${REPORT_ID}?format=json`, await as(AUDITOR));
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((JSON.parse(json.body) as { chain: { valid: boolean } }).chain.valid).toBe(true);
  });

  it('links the published Word and PDF files from the status and audit pages once, and only once, they are published', async () => {
    app.s3.on(PutObjectCommand).resolves({});
    const { reportId } = await signedReport(app);
    const links = (page: ReturnType<typeof expectPage>) =>
      all(page, (element) => element.tag === 'a' && /report\.(pdf|docx)$/u.test(element.attrs['href'] ?? '')).map((a) => [
        a.attrs['href'],
        plainText(a),
      ]);
    expect(links(expectPage(await get(`/reports/${reportId}`, await as(OFFICER))))).toEqual([]);
    expect(links(expectPage(await get(`/audit/reports/${reportId}`, await as(AUDITOR))))).toEqual([]);

    await createPublishReportHandler(app.deps)({ reportId, version: 1 });
    const expected = [
      ['https://nianbao.example.gov.cn/site/reports/daxing-kw/2020/report.pdf', '下载 PDF（签发版）'],
      ['https://nianbao.example.gov.cn/site/reports/daxing-kw/2020/report.docx', '下载 Word（签发版）'],
    ];
    expect(links(expectPage(await get(`/reports/${reportId}`, await as(OFFICER))))).toEqual(expected);
    expect(links(expectPage(await get(`/audit/reports/${reportId}`, await as(AUDITOR))))).toEqual(expected);
  });

  it('answers another agency’s report with a 404 page, not its existence', async () => {
    await addAgency(app, 'haidian-x', '海淀区某局');
    await submit(app, { ...report2021(), agency: { id: 'haidian-x', name: '海淀区某局' } });
    for (const path of [
      '/reports/haidian-x-2021',
      '/audit/reports/haidian-x-2021',
      '/audit/reports/haidian-x-2021.csv',
      '/reports/haidian-x-2021/edit',
    ]) {
      const response = await get(path, await as(OFFICER));
      expect(response.statusCode, path).toBe(404);
      expect(response.body).not.toContain('海淀区某局');
    }
  });
});
