import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { matchRoute } from '#shared/http/routes.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { all, byId, byTag, parseHtml, plainText } from './html.js';
import { AUDITOR, REPORT_ID, cookieOf, requestRevision, resubmit, reviewAndDecide, submit } from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

async function audit(query: string) {
  const path = `/audit/reports/${REPORT_ID}`;
  const response = await createWebPagesHandler(app.deps)(
    httpEvent({
      method: 'GET',
      path,
      pathParameters: matchRoute('GET', path)?.pathParameters ?? {},
      query: Object.fromEntries(new URLSearchParams(query)),
      cookie: await cookieOf(app, AUDITOR),
    }),
  );
  expect(response.statusCode).toBe(200);
  return parseHtml(response.body);
}

describe('versions on the audit page', () => {
  it('opens any version in full and compares any two, cell by cell and inside a paragraph', async () => {
    const v1 = referenceReport();
    await submit(app, v1);
    const { decision } = await reviewAndDecide(
      app,
      { taskToken: 'director-1', version: 1, stage: 'director' },
      { outcome: 'return', comment: '请核对。' },
    );
    await requestRevision(app, { taskToken: 'revision-1', version: 1, decision });
    const v2 = withValue(v1, 'activeDisclosure.procurement.centralizedProcurement.projects', 11);
    expect((await resubmit(app, v2)).statusCode).toBe(200);

    const page = await audit('');
    const links = byTag(byId(page, 'versions') ?? page, 'a').map((a) => [plainText(a), a.attrs['href']]);
    expect(links).toEqual([
      ['查看第1版全文', `/audit/reports/${REPORT_ID}?version=1#shown`],
      ['查看第2版全文', `/audit/reports/${REPORT_ID}?version=2#shown`],
    ]);

    const first = await audit('version=1');
    expect(plainText(byId(first, 'shown-title') ?? first)).toBe('第1版全文');
    const cell = all(
      byId(first, 'shown') ?? first,
      (element) => element.attrs['data-path'] === 'activeDisclosure.procurement.centralizedProcurement.projects',
    )[0];
    expect(plainText(cell ?? first)).toBe('9');

    const compared = await audit('from=1&to=2');
    const section = byId(compared, 'compared');
    expect(plainText(byTag(section ?? compared, 'h3')[0] ?? compared)).toBe('第1版 → 第2版的修改');
    const rows = byTag(section ?? compared, 'tr').filter((row) => row.attrs['data-path'] !== undefined);
    expect(rows.map((row) => byTag(row, 'td').map(plainText).slice(-2))).toEqual([['9', '11']]);

    // a version the log does not have shows nothing rather than failing
    const missing = await audit('version=7&from=1&to=9');
    expect(byId(missing, 'shown')).toBeUndefined();
    expect(byId(missing, 'compared')).toBeUndefined();
  });
});
