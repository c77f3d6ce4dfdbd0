import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPublishReportHandler } from '#functions/publish-report.js';
import { createLocalS3Client, getObjectText } from '#shared/store/s3-client.js';
import { S3Site } from '#shared/store/s3-site.js';
import { CoalescingIndexQueue } from '#infra/local/coalescing-index-queue.js';
import { canonicalJson } from '#shared/workflow/digest.js';
import { rebuildSiteIndexes } from '#shared/workflow/site-indexes.js';
import type { Site, SiteObject, Store } from '#shared/workflow/ports.js';
import { createTestApp, startEmulator, stopEmulator, type TestApp } from '../../support/app.js';
import { referenceReport, withValue } from '../../support/report-builders.js';
import { startS3rver, type S3rverEmulator } from '../../support/s3rver.js';
import { addAgency, signedReport } from '../../functions/workflow-helpers.js';
import { all, byTag, parseHtml, plainText } from '../../functions/html.js';

/** The Publish task against s3rver (the S3 API, on disk) and dynalite: what a reader of the site gets back. */

let s3rver: S3rverEmulator;
let client: S3Client;
beforeAll(async () => {
  await startEmulator();
  s3rver = await startS3rver({ bucket: 'nianbao-site-publisher' });
  client = createLocalS3Client(s3rver.endpoint);
});
afterAll(async () => {
  client?.destroy();
  await s3rver?.stop();
  await stopEmulator();
});

const sha256 = (text: string): string => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

let app: TestApp;
let site: S3Site;
let indexes: CoalescingIndexQueue;
let prefix: string;
beforeEach(async () => {
  app = await createTestApp();
  site = new S3Site({ client, bucket: s3rver.bucket });
  indexes = new CoalescingIndexQueue({ rebuild: (requests) => rebuildSiteIndexes(requests, { store: app.deps.store, site }), retryMs: 10 });
  // one bucket for the file: each test writes under agencies of its own
  prefix = `t${Math.random().toString(36).slice(2, 8)}`;
});

const read = async (key: string): Promise<string> => {
  const text = await getObjectText(client, s3rver.bucket, key);
  if (text === undefined) throw new Error(`no object ${key}`);
  return text;
};

/** The Publish task on the bucket, then the site-index writer caught up. */
function publisher(deps: { site?: Site; store?: Store } = {}) {
  const publish = createPublishReportHandler({ ...app.deps, site, indexes, ...deps });
  return async (input: { reportId: string; version: number }) => {
    const outcome = await publish(input);
    await indexes.idle();
    return outcome;
  };
}

async function agencyReport(id: string, name: string): Promise<{ reportId: string; report: Record<string, unknown> }> {
  await addAgency(app, id, name);
  const report = withValue(withValue(referenceReport(), 'agency.id', id), 'agency.name', name);
  const { reportId } = await signedReport(app, report);
  return { reportId, report };
}

describe('publishing to the site bucket', () => {
  it('writes the page with the sign-off block, canonical report.json matching its digest, the metadata, and both indexes', async () => {
    const agencyId = `${prefix}-kw`;
    const name = '北京市大兴区测试科学技术委员会';
    const { reportId } = await agencyReport(agencyId, name);
    await publisher()({ reportId, version: 1 });

    const pageKey = `reports/${agencyId}/2020/index.html`;
    const jsonKey = `reports/${agencyId}/2020/report.json`;
    const page = await read(pageKey);
    const json = await read(jsonKey);

    // report.json is RFC 8785 canonical JSON; its sha256 is the digest the page and the log carry
    expect(canonicalJson(JSON.parse(json))).toBe(json);
    const digest = sha256(json);
    const events = await app.deps.store.listEvents(reportId);
    const submitted = events.find((event) => event.type === 'submitted');
    expect(submitted?.contentSha256).toBe(digest);
    expect(JSON.parse(json)).toMatchObject({ agency: { id: agencyId, name }, year: 2020 });

    const document = parseHtml(page);
    const text = plainText(document);
    expect(text).toContain('签发信息');
    expect(text).toContain('孙局长');
    expect(text).toContain(digest);
    expect(text).toContain(`${name}2020年政府信息公开工作年度报告`);

    // what S3 says about each object
    const signedAt = (await app.deps.store.listEvents(reportId)).filter((event) => event.type === 'decided').at(-1);
    for (const [key, body, contentType, cacheControl] of [
      [pageKey, page, 'text/html; charset=utf-8', 'public, max-age=300'],
      [jsonKey, json, 'application/json', 'public, max-age=300'],
      [`reports/${agencyId}/index.html`, await read(`reports/${agencyId}/index.html`), 'text/html; charset=utf-8', 'public, max-age=60'],
      ['index.html', await read('index.html'), 'text/html; charset=utf-8', 'public, max-age=60'],
    ] as const) {
      const head = await client.send(new HeadObjectCommand({ Bucket: s3rver.bucket, Key: key }));
      expect(head.ContentType, key).toBe(contentType);
      expect(head.CacheControl, key).toBe(cacheControl);
      // report.json carries the chain head the leader signed at: the seq and hash of the leader's decided event
      const chainHead =
        key === jsonKey ? { 'chain-report': reportId, 'chain-seq': String(signedAt?.seq), 'chain-hash': signedAt?.hash } : {};
      expect(head.Metadata, key).toEqual({ sha256: sha256(body), ...chainHead });
      expect(head.ContentLength, key).toBe(Buffer.byteLength(body, 'utf8'));
    }
    // the history key's public half, for auditors (AUDIT.md)
    expect(await read('keys/history.pem')).toBe(await app.deps.history.publicKeyPem());

    // the Word and PDF files beside them, whole, with their own digests
    const files: { key: string; sha256: string }[] = [];
    for (const [name, contentType, magic] of [
      ['report.pdf', 'application/pdf', '%PDF-'],
      ['report.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'PK'],
    ] as const) {
      const key = `reports/${agencyId}/2020/${name}`;
      const object = await client.send(new GetObjectCommand({ Bucket: s3rver.bucket, Key: key }));
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
      expect(object.ContentType, key).toBe(contentType);
      expect(bytes.subarray(0, magic.length).toString('latin1'), key).toBe(magic);
      const bytesSha256 = createHash('sha256').update(bytes).digest('hex');
      expect(object.Metadata, key).toEqual({ sha256: bytesSha256 });
      files.push({ key, sha256: bytesSha256 });
    }

    // the published event names exactly these bytes
    const published =
      events.length === 0 ? undefined : (await app.deps.store.listEvents(reportId)).find((event) => event.type === 'published');
    expect(published?.data['objects']).toEqual([{ key: pageKey, sha256: sha256(page) }, { key: jsonKey, sha256: digest }, ...files]);

    // the agency's index lists the year, linking to the page and the data
    const agencyIndex = parseHtml(await read(`reports/${agencyId}/index.html`));
    const years = all(agencyIndex, (element) => element.attrs['data-year'] !== undefined);
    expect(years.map((element) => element.attrs['data-year'])).toEqual(['2020']);
    const links = byTag(years[0] ?? agencyIndex, 'a').map((anchor) => anchor.attrs['href']);
    expect(links).toEqual(expect.arrayContaining(['2020/index.html', '2020/report.json']));
    expect(plainText(years[0] ?? agencyIndex)).toContain(digest);

    // the root index lists the agency and its year
    const root = parseHtml(await read('index.html'));
    const entry = all(root, (element) => element.attrs['data-agency'] === agencyId)[0];
    expect(entry).toBeDefined();
    expect(plainText(entry ?? root)).toContain(name);
    expect(byTag(entry ?? root, 'a').map((anchor) => anchor.attrs['href'])).toEqual([
      `reports/${agencyId}/index.html`,
      `reports/${agencyId}/2020/index.html`,
    ]);
  });

  it('titles, dates and signs the page with the roster’s name for the agency, whatever name the report JSON carries', async () => {
    const agencyId = `${prefix}-name`;
    const registered = '北京市测试区登记名称委员会';
    await addAgency(app, agencyId, registered);
    const report = withValue(withValue(referenceReport(), 'agency.id', agencyId), 'agency.name', '冒用的其他机关');
    const { reportId } = await signedReport(app, report);
    await publisher()({ reportId, version: 1 });

    const page = await read(`reports/${agencyId}/2020/index.html`);
    const document = parseHtml(page);
    expect(plainText(byTag(document, 'title')[0] ?? document)).toBe(`${registered}2020年政府信息公开工作年度报告`);
    expect(plainText(byTag(document, 'h1')[0] ?? document)).toBe(`${registered}2020年政府信息公开工作年度报告`);
    const masthead = all(document, (element) => element.attrs['class'] === 'masthead')[0];
    expect(plainText(masthead ?? document)).toContain(`来源：${registered}`);
    const closing = all(document, (element) => element.attrs['class'] === 'closing')[0];
    expect(byTag(closing ?? document, 'p').map((p) => plainText(p))[0]).toBe(registered);
    expect(page).not.toContain('冒用');
  });

  it('writes the same bytes when published again', async () => {
    const agencyId = `${prefix}-same`;
    const { reportId } = await agencyReport(agencyId, '重复发布测试委员会');
    await publisher()({ reportId, version: 1 });
    const keys = [`reports/${agencyId}/2020/index.html`, `reports/${agencyId}/2020/report.json`, `reports/${agencyId}/index.html`];
    const first = await Promise.all(keys.map(read));
    app.clock.advance(86_400_000);
    await publisher()({ reportId, version: 1 });
    expect(await Promise.all(keys.map(read))).toEqual(first);
    expect((await app.deps.store.listEvents(reportId)).filter((event) => event.type === 'published')).toHaveLength(1);
  });

  it('lists both agencies in the root index when two are published at once', async () => {
    const a = await agencyReport(`${prefix}-a`, '甲市测试局');
    const b = await agencyReport(`${prefix}-b`, '乙市测试局');
    await Promise.all([publisher()({ reportId: a.reportId, version: 1 }), publisher()({ reportId: b.reportId, version: 1 })]);
    const root = parseHtml(await read('index.html'));
    for (const id of [`${prefix}-a`, `${prefix}-b`]) {
      expect(
        all(root, (element) => element.attrs['data-agency'] === id),
        id,
      ).toHaveLength(1);
      expect(await read(`reports/${id}/index.html`)).toContain('2020/index.html');
    }
  });

  it('lists a report published while a rebuild is writing, with one more rebuild, never one per report', async () => {
    const first = await agencyReport(`${prefix}-first`, '丙市测试局');
    const others = await Promise.all([1, 2, 3].map((n) => agencyReport(`${prefix}-later${n}`, `丁市测试局${n}`)));

    // the rebuild for the first report is held at its root write until the three others are published
    let releaseRoot!: () => void;
    const rootHeld = new Promise<void>((resolve) => (releaseRoot = resolve));
    let rootWrites = 0;
    const holdingSite: Site = {
      put: async (object: SiteObject) => {
        if (object.key === 'index.html' && ++rootWrites === 1) await rootHeld;
        return site.put(object);
      },
    };
    let rebuilds = 0;
    indexes = new CoalescingIndexQueue({
      rebuild: (requests) => {
        rebuilds += 1;
        return rebuildSiteIndexes(requests, { store: app.deps.store, site: holdingSite });
      },
    });
    const publish = createPublishReportHandler({ ...app.deps, site, indexes });
    await publish({ reportId: first.reportId, version: 1 });
    for (const other of others) await publish({ reportId: other.reportId, version: 1 });
    releaseRoot();
    await indexes.idle();

    expect(rebuilds).toBe(2);
    expect(rootWrites).toBe(2);
    const root = parseHtml(await read('index.html'));
    for (const id of [`${prefix}-first`, `${prefix}-later1`, `${prefix}-later2`, `${prefix}-later3`]) {
      expect(
        all(root, (element) => element.attrs['data-agency'] === id),
        id,
      ).toHaveLength(1);
      expect(await read(`reports/${id}/index.html`), id).toContain('2020/index.html');
    }
  });

  it('an index never links to a page that is not in the bucket: the writer hears of a report only after its page is written', async () => {
    const { reportId } = await agencyReport(`${prefix}-order`, '戊市测试局');
    const seen: string[] = [];
    const watching = new CoalescingIndexQueue({
      rebuild: async (requests) => {
        for (const request of requests) {
          if (request.kind === 'published') seen.push(await read(`reports/${request.report.agencyId}/${request.report.year}/index.html`));
        }
        return rebuildSiteIndexes(requests, { store: app.deps.store, site });
      },
    });
    await createPublishReportHandler({ ...app.deps, site, indexes: watching })({ reportId, version: 1 });
    await watching.idle();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('签发信息');
  });
});
