import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { matchRoute } from '#shared/http/routes.js';
import { checkReport } from '#shared/report/checks.js';
import { findingKey } from '#shared/workflow/acknowledgements.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { all, byId, byTag, parseHtml, plainText, type Element } from './html.js';
import { AUDITOR, DIRECTOR, REPORT_ID, cookieOf, emailedReviewLink, openReviewPage, requestReview, submit } from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

async function auditPage(): Promise<Element> {
  const path = `/audit/reports/${REPORT_ID}`;
  const match = matchRoute('GET', path);
  const response = await createWebPagesHandler(app.deps)(
    httpEvent({ method: 'GET', path, pathParameters: match?.pathParameters ?? {}, cookie: await cookieOf(app, AUDITOR) }),
  );
  expect(response.statusCode).toBe(200);
  return parseHtml(response.body);
}

/** Upper-case codes and identifiers a person should never have to read: R1, N1, SCHEMA_NOT_INTEGER, national-2021, daxing-kw-2020. */
const CODE = /\b(?:[A-Z]{1,2}\d{1,2}|[A-Z]+(?:_[A-Z]+)+|national-20\d\d|beijing-20\d\d|daxing-kw-20\d\d)\b/u;

describe('people read words, programs read codes', () => {
  it('names the report on the audit page and folds the engine’s execution details under a plain heading', async () => {
    await submit(app);
    const page = await auditPage();
    expect(plainText(byTag(page, 'h1')[0] ?? page)).toBe('审计记录：北京市大兴区科学技术委员会2020年年度报告');
    expect(plainText(byTag(page, 'title')[0] ?? page)).toContain('审计记录：北京市大兴区科学技术委员会2020年年度报告');
    const engine = byId(page, 'engine');
    expect(engine?.tag).toBe('details');
    expect(plainText(byTag(engine ?? page, 'summary')[0] ?? page)).toMatch(/^技术记录：/u);
    // the event descriptions carry no template id or execution name
    const descriptions = all(byId(page, 'events') ?? page, (element) => element.tag === 'td' && element.attrs['class'] === 'pre').map(
      plainText,
    );
    expect(descriptions[0]).toBe('第1轮审核，按“中华人民共和国政府信息公开工作年度报告格式（试行）（北京市）”填报');
    for (const text of descriptions) expect(text).not.toMatch(CODE);
  });

  it('shows the approver each warning’s message without its code, quoted one way', async () => {
    const report = withValue(referenceReport(), 'overview', `${String(referenceReport()['overview'])}\n\n全年结转下年度999件。`);
    const { warnings, errors } = checkReport(report);
    expect(errors).toEqual([]);
    expect(warnings.length).toBeGreaterThan(0);
    await submit(app, report, Object.fromEntries(warnings.map((warning) => [findingKey(warning), { checked: true }])));
    await requestReview(app, { taskToken: 'director-1', version: 1, stage: 'director' });
    const page = parseHtml(
      (await openReviewPage(app, await emailedReviewLink(app, DIRECTOR), { cookie: await cookieOf(app, DIRECTOR) })).body,
    );
    const items = byTag(byId(page, 'warnings') ?? page, 'li');
    expect(items.map((item) => item.attrs['data-code'])).toEqual(warnings.map((warning) => warning.code));
    for (const item of items) {
      expect(plainText(item)).not.toMatch(CODE);
      expect(plainText(item)).not.toMatch(/[「」]/u);
    }
  });
});
