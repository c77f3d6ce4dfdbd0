import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPublishReportHandler } from '#functions/publish-report.js';
import { createRecordExecutionFailureHandler } from '#functions/record-execution-failure.js';
import { createWithdrawReportHandler } from '#functions/withdraw-report.js';
import { MailDeliveryError } from '#shared/mail/errors.js';
import type { MailMessage } from '#shared/workflow/ports.js';
import type { IndexRequest } from '#shared/workflow/site-indexes.js';
import { NotSignedError } from '#shared/workflow/publish-report.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { byTag, parseHtml, plainText } from './html.js';
import {
  OFFICER,
  REPORT_ID,
  cookieOf,
  eventTypes,
  requestRevision,
  resubmit,
  reviewAndDecide,
  signedReport,
  submit,
} from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

const KEYS = [
  'reports/daxing-kw/2020/report.pdf',
  'reports/daxing-kw/2020/report.docx',
  'reports/daxing-kw/2020/index.html',
  'reports/daxing-kw/2020/report.json',
  'keys/history.pem',
  'reports/daxing-kw/index.html',
  'index.html',
];

/** The task, then the site-index writer caught up (it rebuilds in the background, as the queue's consumer does). */
const publish = async (version = 1) => {
  const outcome = await createPublishReportHandler(app.deps)({ reportId: REPORT_ID, version });
  await app.indexes.idle();
  return outcome;
};
/** The execution's status change after Publish ran out of retries, as EventBridge delivers it (at least once). */
const recordFailure = () =>
  createRecordExecutionFailureHandler(app.deps)({
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: {
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:nianbao-review:${REPORT_ID}-r1`,
      name: `${REPORT_ID}-r1`,
      status: 'FAILED',
      input: JSON.stringify({ reportId: REPORT_ID, version: 1 }),
      error: 'S3.SlowDown',
      cause: '{"errorMessage":"Please reduce your request rate."}',
      redriveCount: 0,
    },
  });

/** The PutObject calls so far, as key → body text. */
function puts(): Array<{
  key: string;
  body: string;
  contentType: string | undefined;
  cacheControl: string | undefined;
  sha256: string | undefined;
}> {
  return app.s3.commandCalls(PutObjectCommand).map((call) => {
    const input = call.args[0].input;
    return {
      key: input.Key ?? '',
      body: Buffer.isBuffer(input.Body) ? input.Body.toString('utf8') : String(input.Body),
      contentType: input.ContentType,
      cacheControl: input.CacheControl,
      sha256: input.Metadata?.['sha256'],
    };
  });
}

function publishedEmails() {
  return app.outbox.list().filter((entry) => entry.subject.startsWith('已公开'));
}

function slowDown(): S3ServiceException {
  return new S3ServiceException({
    name: 'SlowDown',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
    message: 'Please reduce your request rate.',
  });
}

describe('the Publish task', () => {
  it('refuses a version the leader has not approved, and writes nothing', async () => {
    await submit(app);
    await expect(publish()).rejects.toBeInstanceOf(NotSignedError);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    const before = await app.deps.store.listEvents(REPORT_ID);
    await expect(publish()).rejects.toBeInstanceOf(NotSignedError);
    // the leader returns v1: still not signed
    const { decision } = await reviewAndDecide(
      app,
      { taskToken: 'token-leader-1', version: 1, stage: 'leader' },
      { outcome: 'return', comment: '请补充。' },
    );
    await expect(publish()).rejects.toBeInstanceOf(NotSignedError);
    await requestRevision(app, { taskToken: 'token-revision-1', version: 1, decision });
    expect((await resubmit(app, withValue(referenceReport(), 'otherMatters', '本年度无其他需要报告的事项。'))).statusCode).toBe(200);
    await reviewAndDecide(app, { taskToken: 'token-director-2', version: 2, stage: 'director' }, { outcome: 'approve' });
    // v2 approved by the director only, and v1 returned: neither may be published
    await expect(publish(2)).rejects.toBeInstanceOf(NotSignedError);
    await expect(publish(1)).rejects.toBeInstanceOf(NotSignedError);
    await expect(publish(3)).rejects.toThrow();
    expect(app.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(await eventTypes(app)).not.toContain('published');
    expect(await app.deps.store.listPublished()).toEqual([]);
    expect(publishedEmails()).toHaveLength(0);
    expect((await app.deps.store.listEvents(REPORT_ID)).length).toBeGreaterThan(before.length);

    // signed: v2 only
    await reviewAndDecide(app, { taskToken: 'token-leader-2', version: 2, stage: 'leader' }, { outcome: 'approve' });
    await expect(publish(1)).rejects.toBeInstanceOf(NotSignedError);
    expect(app.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    await publish(2);
    expect(puts().map((put) => put.key)).toEqual(KEYS);
    expect(puts()[3]?.body).toContain('本年度无其他需要报告的事项。');
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'published', stage: 'published', publishedVersion: 2 });
  });

  it("writes only the report's own objects and asks the index writer for the rest, after the page is in the bucket", async () => {
    await signedReport(app);
    const requests: IndexRequest[] = [];
    const keysWhenAsked: string[][] = [];
    const indexes = {
      request: async (request: IndexRequest) => {
        keysWhenAsked.push(puts().map((put) => put.key));
        requests.push(request);
      },
    };
    await createPublishReportHandler({ ...app.deps, indexes })({ reportId: REPORT_ID, version: 1 });
    // the report's own files and the public key, nothing of the indexes
    expect(puts().map((put) => put.key)).toEqual(KEYS.slice(0, 5));
    expect(keysWhenAsked).toEqual([KEYS.slice(0, 5)]);
    expect(requests).toEqual([
      { kind: 'published', report: expect.objectContaining({ reportId: REPORT_ID, agencyId: 'daxing-kw', year: 2020, version: 1 }) },
    ]);
    expect(await app.deps.store.listPublished()).toEqual([expect.objectContaining({ reportId: REPORT_ID, version: 1 })]);
  });

  it("links the public page to the site, its agency's index and its JSON, with an inline icon, and hides the links in print", async () => {
    await signedReport(app);
    await publish();
    const written = puts();
    const page = written.find((put) => put.key === 'reports/daxing-kw/2020/index.html');
    if (!page) throw new Error('no page written');
    const nav = byTag(parseHtml(page.body), 'nav').find((element) => element.attrs['class'] === 'site-links');
    if (!nav) throw new Error('no site links on the page');
    // resolved against the page's own address, wherever the site is served from, each link reaches an object written
    const site = 'https://example.gov.cn/site/';
    const targets = byTag(nav, 'a').map((anchor) => [
      plainText(anchor),
      new URL(anchor.attrs['href'] ?? '', `${site}${page.key}`).href.slice(site.length),
    ]);
    expect(targets).toEqual([
      ['全部年度报告', 'index.html'],
      ['本机关历年年度报告', 'reports/daxing-kw/index.html'],
      ['本报告数据（JSON）', 'reports/daxing-kw/2020/report.json'],
    ]);
    for (const [, key] of targets) expect(written.map((put) => put.key)).toContain(key);
    const icons = byTag(parseHtml(page.body), 'link').filter((link) => link.attrs['rel'] === 'icon');
    expect(icons.map((link) => link.attrs['href'])).toEqual([expect.stringMatching(/^data:image\/svg\+xml,/u)]);
    // the index pages carry the same icon
    for (const key of ['index.html', 'reports/daxing-kw/index.html']) {
      const index = written.find((put) => put.key === key);
      expect(byTag(parseHtml(index?.body ?? ''), 'link').find((link) => link.attrs['rel'] === 'icon')?.attrs['href']).toBe(
        icons[0]?.attrs['href'],
      );
    }
    const printRules = page.body.slice(page.body.indexOf('@media print'));
    expect(printRules).toMatch(/\.site-links\s*\{\s*display:\s*none;?\s*\}/u);
  });

  it('publishes the same bytes again on a retry, with one published event and one email to the officer', async () => {
    await signedReport(app);
    await publish();
    const first = puts();
    expect(first.map((put) => put.key)).toEqual(KEYS);
    expect(first.map((put) => [put.contentType, put.cacheControl])).toEqual([
      ['application/pdf', 'public, max-age=300'],
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'public, max-age=300'],
      ['text/html; charset=utf-8', 'public, max-age=300'],
      ['application/json', 'public, max-age=300'],
      ['application/x-pem-file', 'public, max-age=3600'],
      ['text/html; charset=utf-8', 'public, max-age=60'],
      ['text/html; charset=utf-8', 'public, max-age=60'],
    ]);
    expect(first[2]?.body).toContain('签发信息');
    expect(first[2]?.body).toContain('张副主任');

    app.clock.advance(3_600_000);
    await publish();
    app.clock.advance(86_400_000);
    await publish();
    const all = puts();
    expect(all).toHaveLength(KEYS.length * 3);
    for (let attempt = 1; attempt < 3; attempt++) expect(all.slice(attempt * KEYS.length, (attempt + 1) * KEYS.length)).toEqual(first);

    const events = await app.deps.store.listEvents(REPORT_ID);
    const published = events.filter((event) => event.type === 'published');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ version: 1, actor: { role: 'system' } });
    expect(published[0]?.data['objects']).toEqual([
      { key: KEYS[2], sha256: first[2]?.sha256, versionId: 'v1' },
      { key: KEYS[3], sha256: first[3]?.sha256, versionId: 'v1' },
      { key: KEYS[0], sha256: first[0]?.sha256, versionId: 'v1' },
      { key: KEYS[1], sha256: first[1]?.sha256, versionId: 'v1' },
    ]);
    const emails = publishedEmails();
    expect(emails.map((email) => email.to)).toEqual([OFFICER]);
    expect(emails[0]?.links).toContain('https://nianbao.example.gov.cn/site/reports/daxing-kw/2020/index.html');
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'published', stage: 'published', publishedVersion: 1 });
  });

  it('prints in the PDF a 签发单 with each approval of the signed version: step, person, opinion and time', async () => {
    await signedReport(app);
    await publish();
    const pdf = app.s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === 'reports/daxing-kw/2020/report.pdf')
      ?.args[0].input.Body;
    if (!(pdf instanceof Uint8Array)) throw new Error('no PDF was written');
    const dir = mkdtempSync(path.join(tmpdir(), 'nianbao-publish-'));
    try {
      writeFileSync(path.join(dir, 'report.pdf'), pdf);
      const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', path.join(dir, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(
        /\s+/gu,
        '',
      );
      const decisions = (await app.deps.store.listEvents(REPORT_ID)).filter((event) => event.type === 'decided');
      expect(decisions).toHaveLength(2);
      expect(text).toMatch(/办公室主任审核\S+办公室主任同意（已完成保密审查）/u);
      expect(text).toMatch(/主管领导签发\S+主管领导同意同意发布/u);
      expect(text).toContain(`内容摘要（SHA-256）：${decisions[0]?.contentSha256 ?? 'missing'}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the task when S3 fails, with no published event and no email', async () => {
    await signedReport(app);
    app.s3.on(PutObjectCommand).rejects(slowDown());
    await expect(publish()).rejects.toThrow('Please reduce your request rate.');
    expect(await eventTypes(app)).not.toContain('published');
    expect(publishedEmails()).toHaveLength(0);

    // S3 failing half way (the page written, the JSON not)
    app.s3.reset();
    app.s3.on(PutObjectCommand).resolvesOnce({ VersionId: 'v1' }).rejects(slowDown());
    await expect(publish()).rejects.toThrow();
    expect(await eventTypes(app)).not.toContain('published');
    expect(publishedEmails()).toHaveLength(0);
    expect((await app.deps.store.getHead(REPORT_ID))?.status).toBe('in_review');
  });

  it('records publish_failed once however often the status change is delivered, shows it on the head, and a redrive publishes exactly once', async () => {
    await signedReport(app);
    app.s3.on(PutObjectCommand).rejects(slowDown());
    for (let attempt = 0; attempt < 3; attempt++) await expect(publish()).rejects.toThrow();

    await recordFailure();
    app.clock.advance(1000);
    await recordFailure();
    const failed = (await app.deps.store.listEvents(REPORT_ID)).filter((event) => event.type === 'publish_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      version: 1,
      actor: { role: 'system' },
      data: { error: 'S3.SlowDown', cause: '{"errorMessage":"Please reduce your request rate."}' },
    });
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'publish_failed', stage: 'publishing' });

    // the redrive, after S3 recovered
    app.s3.reset();
    app.s3.on(PutObjectCommand).resolves({ VersionId: 'v2' });
    app.clock.advance(3_600_000);
    await publish();
    await publish();
    const types = await eventTypes(app);
    expect(types.filter((type) => type === 'published')).toHaveLength(1);
    expect(types.slice(-2)).toEqual(['publish_failed', 'published']);
    expect(publishedEmails()).toHaveLength(1);
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'published', stage: 'published', publishedVersion: 1 });
    expect(puts().slice(0, KEYS.length)).toEqual(puts().slice(KEYS.length));
  });

  it('still emails the officer exactly once when the mail service fails on the first attempt', async () => {
    await signedReport(app);
    let failures = 1;
    const mailer = {
      send: async (message: MailMessage) => {
        if (failures > 0) {
          failures--;
          throw new MailDeliveryError({ provider: 'ses', errorName: 'ServiceUnavailable', retryable: true, statusCode: 503 });
        }
        return app.outbox.send(message);
      },
    };
    const flakyPublish = () => createPublishReportHandler({ ...app.deps, mailer })({ reportId: REPORT_ID, version: 1 });
    await expect(flakyPublish()).rejects.toBeInstanceOf(MailDeliveryError);
    // Step Functions retries the task
    await flakyPublish();
    await flakyPublish();
    expect(publishedEmails().map((email) => email.to)).toEqual([OFFICER]);
    expect((await eventTypes(app)).filter((type) => type === 'published')).toHaveLength(1);
    expect(await app.deps.store.getHead(REPORT_ID)).toMatchObject({ status: 'published' });
  });

  it('does not publish a withdrawn report', async () => {
    await submit(app);
    await reviewAndDecide(app, { taskToken: 'token-director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
    app.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const response = await createWithdrawReportHandler(app.deps)(
      httpEvent({
        method: 'POST',
        path: `/api/reports/${REPORT_ID}/withdraw`,
        pathParameters: { id: REPORT_ID },
        body: { reason: '信息员发现数据有误，撤回修改。' },
        cookie: await cookieOf(app, OFFICER),
      }),
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(await publish()).toEqual({ published: false });
    expect(app.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(await eventTypes(app)).not.toContain('published');
    expect(publishedEmails()).toHaveLength(0);
  });
});
