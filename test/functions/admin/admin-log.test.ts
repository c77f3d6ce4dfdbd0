import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { keys } from '#shared/store/table.js';
import { adminEventHash } from '#shared/workflow/admin/admin-log.js';
import type { AdminEvent } from '#shared/workflow/model.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../../support/app.js';
import { byId, parseHtml, plainText } from '../html.js';
import { AUDITOR, OFFICER, cookieOf } from '../workflow-helpers.js';
import { ADMIN, adminRoutes } from './admin-support.js';

/**
 * The administration log is signed and anchored like a report's history: an attacker who can write the table (not
 * the signing key, not the anchors) rewrites an entry with recomputed hashes, or drops the last one, and the auditor's
 * answer says which check failed at which entry.
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
let r: ReturnType<typeof adminRoutes>;
beforeEach(async () => {
  app = await createTestApp();
  r = adminRoutes(app);
  const admin = await cookieOf(app, ADMIN);
  for (const name of ['北京市大兴区科学技术委员会（一）', '北京市大兴区科学技术委员会（二）', '北京市大兴区科学技术委员会']) {
    const saved = await r.saveAgency(admin, 'daxing-kw', { name, district: 'daxing' });
    expect(saved.statusCode, saved.body).toBe(200);
  }
});

type Verification = { valid: boolean; signed: number; anchoredSeq?: number; problem?: { seq: number; kind: string; message: string } };

async function verification(): Promise<Verification> {
  const response = await r.log(await cookieOf(app, AUDITOR));
  expect(response.statusCode, response.body).toBe(200);
  return (jsonOf(response) as { verification: Verification }).verification;
}

function table() {
  if (!app.table) throw new Error('the test app has no raw table');
  return app.table;
}

async function rawEntry(seq: number): Promise<Record<string, unknown>> {
  const { client, name } = table();
  const out = await client.send(new GetCommand({ TableName: name, Key: keys.adminEvent(seq) }));
  if (!out.Item) throw new Error(`no admin event ${seq}`);
  return out.Item;
}

/** Rewrites entries from `fromSeq` on, the first one edited, every hash recomputed: the chain alone would accept it. */
async function rechainFrom(fromSeq: number, edit: (event: AdminEvent) => AdminEvent): Promise<void> {
  const events = await app.deps.store.listAdminEvents();
  let previous = events[fromSeq - 2]?.hash ?? '0'.repeat(64);
  for (const stored of events.slice(fromSeq - 1)) {
    const edited = stored.seq === fromSeq ? edit(stored) : stored;
    const { hash: _hash, ...body } = { ...edited, prevHash: previous };
    const hash = adminEventHash(body);
    // the stored signature goes unless the edit kept it
    const { signature: _signature, ...raw } = await rawEntry(stored.seq);
    await table().client.send(new PutCommand({ TableName: table().name, Item: { ...raw, ...body, hash } }));
    previous = hash;
  }
}

describe('the signed administration log', () => {
  it('signs every entry and anchors the head: all three entries hold, the third is anchored', async () => {
    const events = await app.deps.store.listAdminEvents();
    expect(events.map((event) => event.signature?.algorithm)).toEqual(['ECDSA_SHA_256', 'ECDSA_SHA_256', 'ECDSA_SHA_256']);
    expect(await verification()).toMatchObject({ valid: true, signed: 3, anchoredSeq: 3 });
  });

  it('finds an entry rewritten with recomputed hashes by its signature, and names the entry', async () => {
    await rechainFrom(2, (event) => ({ ...event, actor: { ...event.actor, email: 'someone-else@daxing.example.cn' } }));
    expect(await verification()).toMatchObject({ valid: false, problem: { seq: 2, kind: 'signature' } });
  });

  it('finds an entry edited in place by its hash', async () => {
    await table().client.send(new PutCommand({ TableName: table().name, Item: { ...(await rawEntry(1)), subject: 'daxing-jw' } }));
    expect(await verification()).toMatchObject({ valid: false, problem: { seq: 1, kind: 'hash' } });
  });

  it('finds the last entry deleted by the anchor beyond the end', async () => {
    await table().client.send(new DeleteCommand({ TableName: table().name, Key: keys.adminEvent(3) }));
    expect(await verification()).toMatchObject({ valid: false, problem: { seq: 3, kind: 'anchor' } });
  });

  it('finds an unsigned entry slipped in after signed ones', async () => {
    await rechainFrom(3, (event) => {
      const { signature: _signature, ...unsigned } = event;
      return { ...unsigned, subject: 'daxing-jw' };
    });
    expect(await verification()).toMatchObject({ valid: false, problem: { seq: 3, kind: 'unsigned' } });
  });

  it('shows auditors the log and its verification on a page, and the failed check after tampering', async () => {
    const page = async () =>
      createWebPagesHandler(app.deps)(httpEvent({ method: 'GET', path: '/admin/log', cookie: await cookieOf(app, AUDITOR) }));
    const intact = await page();
    expect(intact.statusCode).toBe(200);
    const root = parseHtml(intact.body);
    expect(plainText(byId(root, 'chain') ?? root)).toContain('签名：3 条记录由系统签名密钥签名且签名有效');
    expect(plainText(byId(root, 'events') ?? root)).toContain('保存单位与审批链');
    await rechainFrom(2, (event) => ({ ...event, subject: 'daxing-jw' }));
    const tampered = parseHtml((await page()).body);
    expect(plainText(byId(tampered, 'chain') ?? tampered)).toContain('签名校验未通过（第 2 条记录）');
  });

  it('is linked from the home page of an auditor', async () => {
    const home = await createWebPagesHandler(app.deps)(httpEvent({ method: 'GET', path: '/', cookie: await cookieOf(app, AUDITOR) }));
    expect(home.body).toContain('<a href="/admin/log">管理操作记录</a>');
  });

  it('keeps the page from people who are neither administrators nor auditors', async () => {
    const response = await createWebPagesHandler(app.deps)(
      httpEvent({ method: 'GET', path: '/admin/log', cookie: await cookieOf(app, OFFICER) }),
    );
    expect(response.statusCode).toBe(403);
  });
});
