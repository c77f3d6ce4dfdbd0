import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPublishReportHandler } from '#functions/publish-report.js';
import { createWebPagesHandler } from '#functions/web-pages.js';
import type { HttpResponse } from '#shared/http/response.js';
import { matchRoute } from '#shared/http/routes.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { all, byId, byTag, parseHtml, plainText, type Element } from './html.js';
import {
  AUDITOR,
  LEADER,
  OFFICER,
  REPORT_ID,
  addAgency,
  cookieOf,
  personOf,
  emailedReviewLink,
  openReviewPage,
  requestReview,
  requestRevision,
  resubmit,
  reviewAndDecide,
  submit,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

const RETURN_REASON = '采购项目数有误，请核对后重报。';
const DIRECTOR_OPINION = '已核对第二版，同意报主管领导签发。';

/** v1 returned by the director, v2 approved by the director with the 保密审查: the sheet the leader signs on. */
async function returnedThenApproved(): Promise<void> {
  await submit(app);
  const { decision } = await reviewAndDecide(
    app,
    { taskToken: 'director-1', version: 1, stage: 'director' },
    { outcome: 'return', comment: RETURN_REASON },
  );
  await requestRevision(app, { taskToken: 'revision-1', version: 1, decision });
  const v2 = withValue(referenceReport(), 'activeDisclosure.procurement.centralizedProcurement.projects', 11);
  expect((await resubmit(app, v2)).statusCode).toBe(200);
  await reviewAndDecide(
    app,
    { taskToken: 'director-2', version: 2, stage: 'director' },
    { outcome: 'approve', comment: DIRECTOR_OPINION, confidentialityReviewed: true },
  );
  await requestReview(app, { taskToken: 'leader-2', version: 2, stage: 'leader' });
}

interface Row {
  readonly step: string | undefined;
  readonly outcome: string | undefined;
  readonly cells: readonly string[];
}

/** The sheet as a screen reader meets it: each version's heading, then its rows in order. */
function sheetOf(page: Element): Array<{ heading: string; round: string | undefined; version: string | undefined; rows: Row[] }> {
  const sheet = byId(page, 'sign-off');
  if (!sheet) throw new Error('no 签发单 on the page');
  expect(plainText(byId(sheet, 'sign-off-title') ?? sheet)).toBe('签发单');
  return byTag(sheet, 'tbody').map((group) => ({
    heading: plainText(byTag(group, 'th')[0] ?? group),
    round: group.attrs['data-round'],
    version: group.attrs['data-version'],
    rows: byTag(group, 'tr')
      .filter((row) => row.attrs['data-sheet-step'] !== undefined)
      .map((row) => ({ step: row.attrs['data-sheet-step'], outcome: row.attrs['data-outcome'], cells: byTag(row, 'td').map(plainText) })),
  }));
}

function expectFullSheet(page: Element): void {
  const [v1, v2, ...rest] = sheetOf(page);
  expect(rest).toEqual([]);
  expect(v1?.round).toBe('1');
  expect(v1?.version).toBe('1');
  expect(v1?.heading).toMatch(/^第1轮 · 第1版，.+于 .+ 提交$/u);
  expect(v1?.rows).toHaveLength(1);
  expect(v1?.rows[0]?.step).toBe('director');
  expect(v1?.rows[0]?.outcome).toBe('return');
  expect(v1?.rows[0]?.cells.slice(0, 5)).toEqual(['办公室主任审核', '王主任', '退回修改', RETURN_REASON, '—']);
  expect(v1?.rows[0]?.cells[5]).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/u);

  expect(v2?.version).toBe('2');
  expect(v2?.rows.map((row) => [row.step, row.outcome])).toEqual([
    ['director', 'approve'],
    ['leader', 'pending'],
  ]);
  expect(v2?.rows[0]?.cells.slice(0, 5)).toEqual(['办公室主任审核', '王主任', '同意', DIRECTOR_OPINION, '已确认']);
  expect(v2?.rows[1]?.cells.slice(0, 3)).toEqual(['主管领导签发', '张副主任', '待签发']);
}

async function getPage(path: string, email: string): Promise<Element> {
  const match = matchRoute('GET', path);
  if (match?.route.function !== 'web-pages') throw new Error(`${path} is not a web page route`);
  const response = await createWebPagesHandler({ ...app.deps, siteBaseUrl: 'https://nianbao.example.gov.cn/site/' })(
    httpEvent({ method: 'GET', path, pathParameters: match.pathParameters, cookie: await cookieOf(app, email) }),
  );
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  return parseHtml(response.body);
}

describe('the 签发单', () => {
  it('shows the leader, before signing, the director’s opinion, the 保密审查 confirmed, and that v1 was returned and why', async () => {
    await returnedThenApproved();
    const link = await emailedReviewLink(app, LEADER);
    const response = await openReviewPage(app, link, { cookie: await cookieOf(app, LEADER) });
    expect(response.statusCode).toBe(200);
    const page = parseHtml(response.body);
    expectFullSheet(page);
    // the sheet comes before the decision form, so it is read first
    const order = all(page, (element) => element.attrs['id'] === 'sign-off' || element.attrs['id'] === 'decision-form').map(
      (element) => element.attrs['id'],
    );
    expect(order).toEqual(['sign-off', 'decision-form']);
  });

  it('is the same sheet on the status page and on the auditor’s page', async () => {
    await returnedThenApproved();
    expectFullSheet(await getPage(`/reports/${REPORT_ID}`, OFFICER));
    expectFullSheet(await getPage(`/audit/reports/${REPORT_ID}`, AUDITOR));
  });

  it('is downloadable as a file beside the signed version once published, by those who may read the report', async () => {
    await returnedThenApproved();
    const fetchSheet = async (email: string): Promise<HttpResponse> => {
      const path = `/reports/${REPORT_ID}/sign-off`;
      const match = matchRoute('GET', path);
      return createWebPagesHandler({ ...app.deps, siteBaseUrl: 'https://nianbao.example.gov.cn/site/' })(
        httpEvent({ method: 'GET', path, pathParameters: match?.pathParameters ?? {}, cookie: await cookieOf(app, email) }),
      );
    };
    // before the leader signs there is no signed version to file it with
    expect((await fetchSheet(OFFICER)).statusCode).toBe(404);

    await reviewAndDecide(app, { taskToken: 'leader-2', version: 2, stage: 'leader' }, { outcome: 'approve', comment: '同意发布。' });
    await createPublishReportHandler(app.deps)({ reportId: REPORT_ID, version: 2 });
    await app.indexes.idle();
    for (const [path, email] of [
      [`/reports/${REPORT_ID}`, OFFICER],
      [`/audit/reports/${REPORT_ID}`, AUDITOR],
    ] as const) {
      const links = byTag(await getPage(path, email), 'a').filter((anchor) => plainText(anchor) === '下载签发单');
      expect(
        links.map((anchor) => anchor.attrs['href']),
        path,
      ).toEqual([`/reports/${REPORT_ID}/sign-off`]);
    }

    for (const email of [OFFICER, AUDITOR]) {
      const response = await fetchSheet(email);
      expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="${REPORT_ID}-sign-off.html"`);
      const document = parseHtml(response.body);
      expect(plainText(byTag(document, 'h1')[0] ?? document)).toBe('签发单：北京市大兴区科学技术委员会2020年政府信息公开工作年度报告');
      expect(plainText(document)).toContain('发布版本：第2版');
      // self-contained: nothing it would fetch or run when opened from a folder
      expect(byTag(document, 'script')).toEqual([]);
      expect(byTag(document, 'link')).toEqual([]);
      const [v1, v2] = sheetOf(document);
      expect(v1?.rows[0]?.cells.slice(0, 4)).toEqual(['办公室主任审核', '王主任', '退回修改', RETURN_REASON]);
      expect(v2?.heading).toMatch(/已发布$/u);
      expect(v2?.rows.map((row) => row.cells.slice(0, 4))).toEqual([
        ['办公室主任审核', '王主任', '同意', DIRECTOR_OPINION],
        ['主管领导签发', '张副主任', '同意（已签发）', '同意发布。'],
      ]);
    }

    // another agency's officer reads nothing of it
    await addAgency(app, 'chaoyang-fgw', '北京市朝阳区发展和改革委员会');
    const stranger = await fetchSheet(personOf('chaoyang-fgw', 'officer'));
    expect([403, 404]).toContain(stranger.statusCode);
    expect(stranger.body).not.toContain(RETURN_REASON);
  });
});
