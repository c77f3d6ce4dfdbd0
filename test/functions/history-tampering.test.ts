import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReportHistoryHandler } from '#functions/report-history.js';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { createWithdrawReportHandler } from '#functions/withdraw-report.js';
import { eventHash } from '#shared/workflow/chain.js';
import type { ReportEvent } from '#shared/workflow/model.js';
import { keys } from '#shared/store/table.js';
import { createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { referenceReport } from '../support/report-builders.js';
import { byId, parseHtml, plainText } from './html.js';
import { AUDITOR, OFFICER, REPORT_ID, cookieOf, eventTypes, reviewAndDecide, submit } from './workflow-helpers.js';

/**
 * An attacker with write access to the table (not to the signing key, not to the anchors) edits the stored events
 * directly. Each edit is one the hash chain alone would accept; the signatures or the anchors must catch it, and the
 * auditor's page must say which check failed and at which record.
 */

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  await submit(app);
  await reviewAndDecide(app, { taskToken: 't-1', version: 1, stage: 'director' }, { outcome: 'approve', comment: '同意' });
  const cookie = await cookieOf(app, OFFICER);
  const withdrawn = await createWithdrawReportHandler(app.deps)(
    httpEvent({
      method: 'POST',
      path: `/api/reports/${REPORT_ID}/withdraw`,
      pathParameters: { id: REPORT_ID },
      body: { reason: '发现数据有误，撤回修改。' },
      cookie,
    }),
  );
  expect(withdrawn.statusCode, withdrawn.body).toBe(200);
  expect(await eventTypes(app)).toEqual(['submitted', 'review_requested', 'decided', 'withdrawn']);
});

function table() {
  if (!app.table) throw new Error('the test app has no raw table');
  return app.table;
}

async function rawEvent(seq: number, reportId = REPORT_ID): Promise<Record<string, unknown>> {
  const { client, name } = table();
  const out = await client.send(new GetCommand({ TableName: name, Key: keys.event(reportId, seq) }));
  if (!out.Item) throw new Error(`no event ${seq}`);
  return out.Item;
}

async function putRaw(item: Record<string, unknown>): Promise<void> {
  const { client, name } = table();
  await client.send(new PutCommand({ TableName: name, Item: item }));
}

/** Rewrites events from `fromSeq` on with recomputed hashes, keeping each item's key: what a careful attacker does. */
async function rechainFrom(fromSeq: number, edit: (event: ReportEvent) => ReportEvent = (event) => event): Promise<void> {
  const events = await app.deps.store.listEvents(REPORT_ID);
  let previous = events[fromSeq - 2]?.hash ?? '0'.repeat(64);
  for (const stored of events.slice(fromSeq - 1)) {
    const { hash: _hash, ...body } = { ...edit(stored), prevHash: previous };
    const hash = eventHash(body);
    await putRaw({ ...(await rawEvent(stored.seq)), ...body, hash });
    previous = hash;
  }
}

async function history() {
  const response = await createReportHistoryHandler(app.deps)(
    httpEvent({
      method: 'GET',
      path: `/api/reports/${REPORT_ID}/history`,
      pathParameters: { id: REPORT_ID },
      cookie: await cookieOf(app, AUDITOR),
    }),
  );
  expect(response.statusCode, response.body).toBe(200);
  return jsonOf(response) as {
    chain: { valid: boolean; problem?: { seq: number; kind: string; message: string }; signed: number; anchoredSeq?: number };
  };
}

async function auditPageStatus() {
  const response = await createWebPagesHandler(app.deps)(
    httpEvent({
      method: 'GET',
      path: `/audit/reports/${REPORT_ID}`,
      pathParameters: { id: REPORT_ID },
      cookie: await cookieOf(app, AUDITOR),
    }),
  );
  const status = byId(parseHtml(response.body), 'chain');
  if (!status) throw new Error('no chain status on the audit page');
  return plainText(status);
}

describe('a history nobody can rewrite unnoticed', () => {
  it('holds as written: every event signed, the head anchored', async () => {
    const { chain } = await history();
    expect(chain).toMatchObject({ valid: true, signed: 4, anchoredSeq: 4 });
    expect(await auditPageStatus()).toContain('4 条记录由系统签名密钥签名且签名有效');
  });

  it('catches an edited comment and name with every later hash recomputed (signature of that event)', async () => {
    await rechainFrom(3, (event) => ({
      ...event,
      actor: { ...event.actor, name: '李四' },
      data: { ...event.data, decision: { ...(event.data['decision'] as object), comment: '不同意', approverName: '李四' } },
    }));
    const { chain } = await history();
    expect(chain.valid).toBe(false);
    expect(chain.problem).toMatchObject({ seq: 3, kind: 'signature' });
    const page = await auditPageStatus();
    expect(page).toContain('签名校验未通过');
    expect(page).toContain('第 3 条记录');
  });

  it('catches the last event deleted (a withdrawal undone) by its anchor', async () => {
    const { client, name } = table();
    await client.send(new DeleteCommand({ TableName: name, Key: keys.event(REPORT_ID, 4) }));
    const { chain } = await history();
    expect(chain.valid).toBe(false);
    expect(chain.problem).toMatchObject({ seq: 4, kind: 'anchor' });
    expect(await auditPageStatus()).toContain('锚定校验未通过');
  });

  it('catches two events swapped with seq, prevHash and hashes rewritten', async () => {
    const events = await app.deps.store.listEvents(REPORT_ID);
    const [third, fourth] = [events[2], events[3]];
    if (!third || !fourth) throw new Error('missing events');
    await putRaw({ ...(await rawEvent(3)), ...fourth, seq: 3 });
    await putRaw({ ...(await rawEvent(4)), ...third, seq: 4 });
    await rechainFrom(3);
    const { chain } = await history();
    expect(chain.valid).toBe(false);
    expect(chain.problem).toMatchObject({ seq: 3, kind: 'signature' });
  });

  it('catches a signed event moved in from another report', async () => {
    const other = { ...referenceReport(), year: 2019 };
    // a second report of the same agency: its events are signed with the same key
    await submit(app, other);
    const foreignReport = 'daxing-kw-2019';
    const [foreign] = await app.deps.store.listEvents(foreignReport);
    const events = await app.deps.store.listEvents(REPORT_ID);
    if (!foreign?.signature) throw new Error('the other report has no signed event');
    // relabelled and re-hashed to fit as the fifth event of this report, its own signature kept: it no longer fits
    const { hash: _hash, ...body } = { ...foreign, reportId: REPORT_ID, seq: 5, prevHash: events.at(-1)?.hash ?? '' };
    await putRaw({ ...body, ...keys.event(REPORT_ID, 5), hash: eventHash(body) });
    const { chain } = await history();
    expect(chain.valid).toBe(false);
    expect(chain.problem).toMatchObject({ seq: 5, kind: 'signature' });
  });

  it('catches a signature stripped from the last event and the event rewritten', async () => {
    const { client, name } = table();
    await client.send(
      new UpdateCommand({
        TableName: name,
        Key: keys.event(REPORT_ID, 4),
        UpdateExpression: 'REMOVE #s',
        ExpressionAttributeNames: { '#s': 'signature' },
      }),
    );
    const { chain } = await history();
    expect(chain.problem).toMatchObject({ seq: 4, kind: 'unsigned' });
  });

  it('catches a whole history replaced by unsigned events (an attacker cannot sign, so drops every signature)', async () => {
    const { client, name } = table();
    for (let seq = 1; seq <= 4; seq++) {
      await client.send(
        new UpdateCommand({
          TableName: name,
          Key: keys.event(REPORT_ID, seq),
          UpdateExpression: 'REMOVE #s',
          ExpressionAttributeNames: { '#s': 'signature' },
        }),
      );
    }
    await rechainFrom(3, (event) => ({ ...event, actor: { ...event.actor, name: '李四' } }));
    const { chain } = await history();
    expect(chain.problem).toMatchObject({ seq: 1, kind: 'unsigned' });
  });
});
