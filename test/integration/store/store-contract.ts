import { createHash, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/store/document-client.js';
import { DynamoStore, MalformedItemError } from '../../../shared/store/dynamo-store.js';
import { MemoryStore, MemoryTable } from '../../../shared/store/memory-store.js';
import { ensureTable, keys } from '../../../shared/store/table.js';
import { ConflictError } from '../../../shared/workflow/errors.js';
import type {
  Decision,
  Draft,
  ImportedReport,
  PublishedReport,
  ReportEvent,
  ReportHead,
  ReportVersion,
  Review,
  Revision,
  RosterEntry,
  SignInCode,
} from '../../../shared/workflow/model.js';
import type { ReviewPointer, Store } from '../../../shared/workflow/ports.js';
import { createTestDynamoClient, uniqueTableName } from '../../support/dynalite.js';

/**
 * What every Store must do, as the workflow and its users rely on it. Run against each DynamoDB emulator (and
 * against AWS when pointed at it) and against the in-memory store the use cases' unit tests run on, so a unit test
 * on memory means what it would on DynamoDB. Each case uses its own ids, so the cases share one table.
 */

export interface StoreHarness {
  readonly store: Store;
  /**
   * the same table through a store that reads Query pages of `pageSize` items, to prove every listing pages (a store
   * that reads no pages gives itself)
   */
  withPageSize(pageSize: number): Store;
  /** writes an item exactly as given (table.ts layout, which both adapters keep), bypassing the store: to plant malformed items */
  putRawItem(item: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** A harness for DynamoStore on a fresh table of the DynamoDB endpoint `endpoint`. */
export async function dynamoStoreHarness(
  endpoint: string,
  stopEmulator: () => Promise<void>,
  overrides: DynamoDBClientConfig = {},
): Promise<StoreHarness> {
  const client = createTestDynamoClient(endpoint, overrides);
  const tableName = uniqueTableName('store-contract');
  await ensureTable(client, tableName);
  const documentClient = createDocumentClient(client);
  return {
    store: new DynamoStore({ client: documentClient, tableName }),
    withPageSize: (pageSize) => new DynamoStore({ client: documentClient, tableName, queryPageSize: pageSize }),
    async putRawItem(item) {
      await documentClient.send(new PutCommand({ TableName: tableName, Item: item }));
    },
    async stop() {
      client.destroy();
      await stopEmulator();
    },
  };
}

/** A harness for MemoryStore: one table in memory, read whole (it has no pages). */
export async function memoryStoreHarness(): Promise<StoreHarness> {
  const table = new MemoryTable();
  const store = new MemoryStore({ table });
  return {
    store,
    withPageSize: () => store,
    async putRawItem(item) {
      table.put(item);
    },
    async stop() {},
  };
}

// ---- fixtures ------------------------------------------------------------------------------------------------------

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const uid = (): string => randomUUID().replaceAll('-', '');
/** an agency id valid for AGENCY_ID_PATTERN and unique to the case */
const agencyId = (): string => `ag-${uid().slice(0, 12)}`;
const at = (minute: number, second = 0): string =>
  `2026-01-05T08:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;

function event(reportId: string, seq: number, extra: Partial<ReportEvent> = {}): ReportEvent {
  return {
    reportId,
    seq,
    type: seq === 1 ? 'submitted' : 'review_requested',
    at: at(0, seq % 60),
    actor: { email: 'officer@kw.example.cn', name: '信息员', role: 'officer' },
    version: 1,
    contentSha256: sha(`content ${reportId}`),
    data: { note: `第${seq}条` },
    prevHash: seq === 1 ? '0'.repeat(64) : sha(`${reportId}#${seq - 1}`),
    hash: sha(`${reportId}#${seq}`),
    ...extra,
  };
}

function head(reportId: string, agency: string, lastSeq: number, extra: Partial<ReportHead> = {}): ReportHead {
  return {
    reportId,
    agencyId: agency,
    agencyName: '北京市大兴区科学技术委员会',
    year: 2025,
    template: 'national-2021',
    status: 'in_review',
    stage: 'director',
    version: 1,
    lastSeq,
    lastHash: sha(`${reportId}#${lastSeq}`),
    executionName: undefined,
    createdAt: at(0),
    updatedAt: at(lastSeq),
    ...extra,
  };
}

function version(reportId: string, n: number, content: Record<string, unknown>): ReportVersion {
  return {
    reportId,
    version: n,
    content,
    contentSha256: sha(JSON.stringify(content)),
    createdAt: at(1),
    createdBy: 'officer@kw.example.cn',
  };
}

function review(extra: Partial<Review> = {}): Review {
  return {
    reviewId: `rv_${uid()}`,
    reportId: `r-${uid()}`,
    version: 1,
    stage: 'director',
    approverEmail: 'director@kw.example.cn',
    approverName: '办公室主任',
    createdAt: at(2),
    linkExpiresAt: '2026-02-05T08:00:00.000Z',
    tokenSeq: 0,
    emailedTokenSeq: 0,
    ...extra,
  };
}

function decision(outcome: Decision['outcome'], comment: string): Decision {
  return {
    outcome,
    comment,
    approver: 'director@kw.example.cn',
    approverName: '办公室主任',
    stage: 'director',
    confidentialityReviewed: outcome === 'approve',
    version: 1,
    decidedAt: at(10),
  };
}

function revision(reportId: string, extra: Partial<Revision> = {}): Revision {
  return {
    reportId,
    returnedVersion: 1,
    taskToken: 'token-1',
    comment: '第三部分合计数有误，请核对。',
    returnedBy: 'director@kw.example.cn',
    createdAt: at(20),
    ...extra,
  };
}

function imported(agency: string, year: number, report: Record<string, unknown>, uncertain: ImportedReport['uncertain']): ImportedReport {
  const file = { fileName: '2020年报.html', fileSha256: sha('file') };
  return {
    agencyId: agency,
    year,
    report,
    template: 'beijing-2019',
    ...file,
    uncertain,
    importedAt: at(1),
    importedBy: 'officer@kw.example.cn',
  };
}

function draft(agency: string, rev: number, content: unknown): Draft {
  return { agencyId: agency, year: 2025, content, revision: rev, updatedAt: at(rev), updatedBy: 'officer@kw.example.cn' };
}

function signInCode(email: string, issuedAt: string, extra: Partial<SignInCode> = {}): SignInCode {
  return {
    email,
    codeId: uid(),
    codeHash: sha(`code ${issuedAt}`),
    issuedAt,
    expiresAt: '2026-01-05T09:00:00.000Z',
    attempts: 0,
    ...extra,
  };
}

function rosterEntry(email: string, agency: string, extra: Partial<RosterEntry> = {}): RosterEntry {
  return { email, name: '信息员', agencyId: agency, roles: ['officer'], ...extra };
}

function published(agency: string, year: number, n = 1): PublishedReport {
  return {
    reportId: `r-${agency}-${year}`,
    agencyId: agency,
    agencyName: '测试单位',
    year,
    version: n,
    contentSha256: sha(`${agency} ${year} v${n}`),
    publishedAt: at(30),
  };
}

async function appendAll(store: Store, events: readonly ReportEvent[], concurrency = 16): Promise<void> {
  for (let i = 0; i < events.length; i += concurrency) {
    await Promise.all(events.slice(i, i + concurrency).map((e) => store.appendEvent(e)));
  }
}

/** a deterministic shuffle, so that insertion order is not the order the tests expect back */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let state = 42;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    const a = out[i];
    const b = out[j];
    if (a === undefined || b === undefined) throw new Error('shuffle out of range');
    out[i] = b;
    out[j] = a;
  }
  return out;
}

// ---- the contract --------------------------------------------------------------------------------------------------

export function storeContract(name: string, start: () => Promise<StoreHarness>, options: { startTimeoutMs?: number } = {}): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness | undefined;
    const h = (): StoreHarness => {
      if (harness === undefined) throw new Error('the store did not start');
      return harness;
    };

    beforeAll(async () => {
      harness = await start();
    }, options.startTimeoutMs ?? 60_000);

    afterAll(async () => {
      await harness?.stop();
    }, 30_000);

    describe('the event log', () => {
      it('returns appended events in order, and a second write of a taken seq is a ConflictError that changes nothing', async () => {
        const { store } = h();
        const reportId = `r-${uid()}`;
        await appendAll(store, [event(reportId, 1), event(reportId, 2), event(reportId, 3)], 1);

        const intruder = event(reportId, 2, { type: 'withdrawn', hash: sha('intruder'), data: { by: 'someone else' } });
        await expect(store.appendEvent(intruder)).rejects.toBeInstanceOf(ConflictError);

        const events = await store.listEvents(reportId);
        expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
        expect(events[1]).toEqual(event(reportId, 2));
        expect(await store.listEvents(`r-${uid()}`)).toEqual([]);
      });

      it('orders by seq, not by write order or string order, past 10 and 100', async () => {
        const { store } = h();
        const reportId = `r-${uid()}`;
        const all = Array.from({ length: 120 }, (_, i) => event(reportId, i + 1));
        await appendAll(store, shuffled(all));
        const events = await store.listEvents(reportId);
        expect(events.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
        expect(events[99]).toEqual(all[99]);
      }, 60_000);

      it('reads a log longer than one 1 MB Query page whole and in order', async () => {
        const { store } = h();
        const reportId = `r-${uid()}`;
        const all = Array.from({ length: 30 }, (_, i) =>
          event(reportId, i + 1, { data: { content: `${i + 1}:`.padEnd(50_000, 'x'), 总体情况: '本年度' } }),
        );
        await appendAll(store, all, 6);
        const events = await store.listEvents(reportId);
        expect(events).toHaveLength(30);
        expect(events.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
        expect(events[29]).toEqual(all[29]);
      }, 60_000);

      it('refuses to write an event its schema rejects, so the log cannot be poisoned', async () => {
        const { store } = h();
        const reportId = `r-${uid()}`;
        await expect(store.appendEvent({ ...event(reportId, 1), hash: 'not a hash' })).rejects.toBeInstanceOf(MalformedItemError);
        expect(await store.listEvents(reportId)).toEqual([]);
      });
    });

    describe('records are values', () => {
      it('a record changed by its writer after the write, or by a reader after the read, stays as written', async () => {
        const { store } = h();
        const agency = agencyId();
        const content = { overview: '本年度', applications: { newlyReceived: { total: 3 } } };
        const written = draft(agency, 1, content);
        await store.saveDraft(written, undefined);
        content.applications.newlyReceived.total = 99;
        const read = await store.getDraft(agency, 2025);
        expect(read?.content).toEqual({ overview: '本年度', applications: { newlyReceived: { total: 3 } } });
        if (read === undefined || typeof read.content !== 'object' || read.content === null) throw new Error('no draft read back');
        Object.assign(read.content, { overview: '被改动' });

        const reportId = `r-${uid()}`;
        const first = event(reportId, 1, { data: { note: '原文' } });
        await store.appendEvent(first);
        const [listed] = await store.listEvents(reportId);
        if (listed === undefined) throw new Error('no event listed');
        listed.data['note'] = '被改动';

        expect((await store.getDraft(agency, 2025))?.content).toEqual({
          overview: '本年度',
          applications: { newlyReceived: { total: 3 } },
        });
        expect((await store.listEvents(reportId))[0]?.data).toEqual({ note: '原文' });
      });
    });

    describe('report heads', () => {
      it('never move backwards; the same lastSeq may be rewritten; later ones replace', async () => {
        const { store } = h();
        const agency = agencyId();
        const reportId = `r-${uid()}`;
        await store.putHead(head(reportId, agency, 3, { stage: 'leader' }));
        await store.putHead(head(reportId, agency, 2, { stage: 'director' }));
        expect(await store.getHead(reportId)).toMatchObject({ lastSeq: 3, stage: 'leader' });

        await store.putHead(head(reportId, agency, 3, { stage: 'leader', pendingReviewId: 'rv_again' }));
        expect(await store.getHead(reportId)).toMatchObject({ lastSeq: 3, pendingReviewId: 'rv_again' });

        await store.putHead(head(reportId, agency, 5, { status: 'published', stage: 'published', publishedVersion: 1 }));
        const latest = await store.getHead(reportId);
        expect(latest).toEqual(head(reportId, agency, 5, { status: 'published', stage: 'published', publishedVersion: 1 }));
        expect(latest).not.toHaveProperty('executionName');
        expect(await store.getHead(`r-${uid()}`)).toBeUndefined();
      });

      it('are listed per agency', async () => {
        const { store } = h();
        const mine = agencyId();
        const other = agencyId();
        const a = head(`r-${uid()}`, mine, 1, { year: 2024 });
        const b = head(`r-${uid()}`, mine, 1, { year: 2025 });
        await Promise.all([store.putHead(a), store.putHead(b), store.putHead(head(`r-${uid()}`, other, 1))]);
        expect(await store.listHeads(mine)).toEqual([a, b]);
        expect(await store.listHeads(agencyId())).toEqual([]);
      });
    });

    describe('report versions', () => {
      it('are idempotent with the same content and a ConflictError with other content', async () => {
        const { store } = h();
        const reportId = `r-${uid()}`;
        const v1 = version(reportId, 1, { overview: '本年度，我委……', problems: '', nested: { count: 3, amount: '77.0693' } });
        await store.putVersion(v1);
        await store.putVersion(v1);
        await expect(store.putVersion(version(reportId, 1, { overview: '另一版本' }))).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getVersion(reportId, 1)).toEqual(v1);
        expect(await store.getVersion(reportId, 2)).toBeUndefined();
      });
    });

    describe('reviews', () => {
      it('give one review per slot: the second claimant gets the first claimant’s pointer', async () => {
        const { store } = h();
        const reportId = `r-${uid()}`;
        const first: ReviewPointer = {
          reviewId: `rv_${uid()}`,
          reportId,
          version: 1,
          stage: 'director',
          approverEmail: 'director@kw.example.cn',
        };
        const second: ReviewPointer = { ...first, reviewId: `rv_${uid()}` };
        expect(await store.claimReviewSlot(first)).toEqual(first);
        expect(await store.claimReviewSlot(second)).toEqual(first);

        const leaderSlot: ReviewPointer = { ...first, reviewId: `rv_${uid()}`, stage: 'leader', approverEmail: 'leader@kw.example.cn' };
        const racers = [1, 2, 3].map((): ReviewPointer => ({ ...leaderSlot, reviewId: `rv_${uid()}` }));
        const results = await Promise.all(racers.map((p) => store.claimReviewSlot(p)));
        expect(new Set(results.map((p) => p.reviewId)).size).toBe(1);

        const pointers = await store.listReviewPointers(reportId);
        expect(pointers).toEqual([first, results[0]]);
      });

      it('keep a created review: creating it again is a ConflictError', async () => {
        const { store } = h();
        const r = review();
        await store.createReview(r);
        await expect(store.createReview({ ...r, approverName: '别人' })).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getReview(r.reviewId)).toEqual(r);
        expect(await store.getReview(`rv_${uid()}`)).toBeUndefined();
      });

      it('issue a new token only against the expected tokenSeq; a stale one conflicts', async () => {
        const { store } = h();
        const r = review();
        await store.createReview(r);
        const issued = await store.issueReviewToken(r.reviewId, 'token-A', 0);
        expect(issued).toEqual({ ...r, taskToken: 'token-A', tokenSeq: 1 });
        await expect(store.issueReviewToken(r.reviewId, 'token-B', 0)).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getReview(r.reviewId)).toMatchObject({ taskToken: 'token-A', tokenSeq: 1 });
        expect(await store.issueReviewToken(r.reviewId, 'token-C', 1)).toMatchObject({ taskToken: 'token-C', tokenSeq: 2 });
        await expect(store.issueReviewToken(`rv_${uid()}`, 'token-X', 0)).rejects.toBeInstanceOf(ConflictError);
      });

      it('remember the latest emailed token without going back', async () => {
        const { store } = h();
        const r = review({ tokenSeq: 2 });
        await store.createReview(r);
        await store.markReviewEmailed(r.reviewId, 2);
        await store.markReviewEmailed(r.reviewId, 1);
        expect(await store.getReview(r.reviewId)).toMatchObject({ emailedTokenSeq: 2 });
        await store.markReviewEmailed(r.reviewId, 2);
        await store.markReviewEmailed(r.reviewId, 3);
        expect(await store.getReview(r.reviewId)).toMatchObject({ emailedTokenSeq: 3 });
        const ghost = `rv_${uid()}`;
        await store.markReviewEmailed(ghost, 1);
        await store.markDecisionDelivered(ghost, 1);
        await store.markDecisionLogged(ghost, 1);
        expect(await store.getReview(ghost)).toBeUndefined();
      });

      it('record the first decision; a second is a ConflictError and the first is what stays', async () => {
        const { store } = h();
        const r = review();
        await store.createReview(r);
        const first = decision('approve', '同意。');
        const after = await store.recordDecision(r.reviewId, first);
        expect(after).toEqual({ ...r, decision: first });
        const second = store.recordDecision(r.reviewId, decision('return', '请修改。'));
        await expect(second).rejects.toBeInstanceOf(ConflictError);
        await expect(second).rejects.toMatchObject({ details: { decision: first } });
        expect((await store.getReview(r.reviewId))?.decision).toEqual(first);
      });

      it('let exactly one of two simultaneous decisions win', async () => {
        const { store } = h();
        const r = review();
        await store.createReview(r);
        const approve = decision('approve', '同意发布。');
        const reject = decision('return', '数据有误，退回。');
        const results = await Promise.allSettled([store.recordDecision(r.reviewId, approve), store.recordDecision(r.reviewId, reject)]);
        const fulfilled = results.filter((x) => x.status === 'fulfilled');
        const rejected = results.filter((x) => x.status === 'rejected');
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0]?.reason).toBeInstanceOf(ConflictError);
        const stored = await store.getReview(r.reviewId);
        expect(stored?.decision).toEqual(fulfilled[0]?.value.decision);
      });

      it('record delivery and logging of the decision once, never backwards', async () => {
        const { store } = h();
        const r = review();
        await store.createReview(r);
        await store.recordDecision(r.reviewId, decision('approve', ''));
        await store.markDecisionDelivered(r.reviewId, 2);
        await store.markDecisionDelivered(r.reviewId, 1);
        await store.markDecisionLogged(r.reviewId, 7);
        await store.markDecisionLogged(r.reviewId, 9);
        expect(await store.getReview(r.reviewId)).toMatchObject({ deliveredTokenSeq: 2, decisionEventSeq: 7 });
        await store.markDecisionDelivered(r.reviewId, 3);
        expect(await store.getReview(r.reviewId)).toMatchObject({ deliveredTokenSeq: 3 });
      });
    });

    describe('revisions', () => {
      it('take a retried task’s new token, keep the rest, and resolve once', async () => {
        const { store } = h();
        const reportId = `r-${uid()}`;
        const first = revision(reportId);
        await store.putRevision(first);
        await store.putRevision({ ...first, taskToken: 'token-2', comment: '重试时的评论', createdAt: at(25) });
        expect(await store.getRevision(reportId, 1)).toEqual({ ...first, taskToken: 'token-2' });

        await store.resolveRevision(reportId, 1, 2);
        await expect(store.resolveRevision(reportId, 1, 3)).rejects.toBeInstanceOf(ConflictError);
        await store.putRevision({ ...first, taskToken: 'token-3' });
        expect(await store.getRevision(reportId, 1)).toEqual({ ...first, taskToken: 'token-3', resubmittedVersion: 2 });

        await expect(store.resolveRevision(reportId, 5, 6)).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getRevision(reportId, 5)).toBeUndefined();
      });

      it('remember which token’s email went out, and a new token keeps that record', async () => {
        const { store } = h();
        const reportId = `r-${uid()}`;
        await store.putRevision(revision(reportId));
        await store.markRevisionEmailed(reportId, 1, 'a'.repeat(64));
        await store.putRevision({ ...revision(reportId), taskToken: 'token-2' });
        expect(await store.getRevision(reportId, 1)).toMatchObject({ taskToken: 'token-2', emailedTokenHash: 'a'.repeat(64) });
        await store.markRevisionEmailed(reportId, 9, 'b'.repeat(64));
        expect(await store.getRevision(reportId, 9)).toBeUndefined();
      });
    });

    describe('drafts', () => {
      it('are guarded by their revision: a stale save is a ConflictError and loses nothing', async () => {
        const { store } = h();
        const agency = agencyId();
        const blank = { overview: '', applications: { newlyReceived: { total: 0 } }, problems: '', list: [1, 'two', null] };
        await store.saveDraft(draft(agency, 1, blank), undefined);
        expect(await store.getDraft(agency, 2025)).toEqual(draft(agency, 1, blank));
        await expect(store.saveDraft(draft(agency, 1, { overview: '另一个标签页' }), undefined)).rejects.toBeInstanceOf(ConflictError);

        const typed = { ...blank, overview: '本年度，我委认真贯彻落实《条例》。' };
        await store.saveDraft(draft(agency, 2, typed), 1);
        await expect(store.saveDraft(draft(agency, 2, { overview: '旧标签页' }), 1)).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getDraft(agency, 2025)).toEqual(draft(agency, 2, typed));
        await expect(store.saveDraft(draft(agency, 3, typed), 7)).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getDraft(agency, 2024)).toBeUndefined();
      });
    });

    describe('imported reports', () => {
      it('keep one report per agency and year, apart from every other record; a new import replaces the old', async () => {
        const { store } = h();
        const agency = agencyId();
        const report = {
          template: 'beijing-2019',
          agency: { id: agency, name: '某区科委' },
          year: 2020,
          overview: '一是主动公开。',
          applications: { newlyReceived: { naturalPerson: 3, total: 3 } },
          activeDisclosure: { procurement: { centralizedProcurement: { amount: '77.0693', unit: '万元' } } },
        };
        const first = imported(agency, 2020, report, [
          { path: 'applications.carriedOver.total', label: '二、上年结转 总计', reason: '空白' },
        ]);
        await store.putImportedReport(first);
        expect(await store.getImportedReport(agency, 2020)).toEqual(first);
        expect(await store.getImportedReport(agency, 2019)).toBeUndefined();
        expect(await store.getHead(`${agency}-2020`)).toBeUndefined();
        expect((await store.listPublished()).filter((entry) => entry.agencyId === agency)).toEqual([]);

        const again = { ...first, uncertain: [], importedAt: at(9), fileName: '2020年报（修订）.docx' };
        await store.putImportedReport(again);
        expect(await store.getImportedReport(agency, 2020)).toEqual(again);
      });
    });

    describe('sign-in', () => {
      it('keeps sessions until deleted; deleting twice is fine', async () => {
        const { store } = h();
        const session = {
          idHash: sha(uid()),
          email: 'officer@kw.example.cn',
          csrfToken: 'c'.repeat(32),
          createdAt: at(0),
          expiresAt: '2026-01-05T20:00:00.000Z',
        };
        await store.putSession(session);
        expect(await store.getSession(session.idHash)).toEqual(session);
        await store.deleteSession(session.idHash);
        await store.deleteSession(session.idHash);
        expect(await store.getSession(session.idHash)).toBeUndefined();
      });

      it('lists an address’s codes since a time, newest first, whatever the precision of the times', async () => {
        const { store } = h();
        const email = `u${uid().slice(0, 10)}@kw.example.cn`;
        const old = signInCode(email, '2026-01-05T08:00:00Z');
        const a = signInCode(email, '2026-01-05T08:10:00.5Z');
        const b = signInCode(email, '2026-01-05T08:10:00.25Z');
        const c = signInCode(email, '2026-01-05T08:11:00Z');
        await Promise.all([old, a, b, c].map((code) => store.putSignInCode(code)));
        expect(await store.listSignInCodes(email, '2026-01-05T08:10:00Z')).toEqual([c, a, b]);
        expect(await store.listSignInCodes(email, '2026-01-05T08:10:00.250Z')).toEqual([c, a, b]);
        expect(await store.listSignInCodes(email.toUpperCase(), '2026-01-05T08:10:00.3Z')).toEqual([c, a]);
        expect(await store.listSignInCodes(`x${email}`, '2026-01-01T00:00:00Z')).toEqual([]);
      });

      it('counts attempts up to the maximum, then refuses', async () => {
        const { store } = h();
        const email = `u${uid().slice(0, 10)}@kw.example.cn`;
        const code = signInCode(email, at(40));
        await store.putSignInCode(signInCode(email, at(41)));
        await store.putSignInCode(code);
        await expect(store.putSignInCode({ ...code, attempts: 0 })).rejects.toBeInstanceOf(ConflictError);
        const counts: number[] = [];
        for (let i = 0; i < 3; i++) counts.push((await store.countSignInAttempt(email, code.codeId, 3)).attempts);
        expect(counts).toEqual([1, 2, 3]);
        await expect(store.countSignInAttempt(email, code.codeId, 3)).rejects.toBeInstanceOf(ConflictError);
        const [stored] = (await store.listSignInCodes(email, at(40))).filter((x) => x.codeId === code.codeId);
        expect(stored?.attempts).toBe(3);
      });

      it('counts simultaneous attempts exactly', async () => {
        const { store } = h();
        const email = `u${uid().slice(0, 10)}@kw.example.cn`;
        const code = signInCode(email, at(42));
        await store.putSignInCode(code);
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.countSignInAttempt(email, code.codeId, 5)));
        expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(5);
        expect(results.filter((x) => x.status === 'rejected').every((x) => x.reason instanceof ConflictError)).toBe(true);
      });

      it('counts code requests in a window atomically: of twelve at once exactly `max` pass, each window and address apart', async () => {
        const { store } = h();
        const email = `u${uid().slice(0, 10)}@kw.example.cn`;
        const results = await Promise.all(Array.from({ length: 12 }, () => store.countSignInRequest(email, 'HOUR#w1#b', 5, at(50))));
        expect(results.filter(Boolean)).toHaveLength(5);
        expect(await store.countSignInRequest(email, 'HOUR#w1#b', 5, at(50))).toBe(false);
        expect(await store.countSignInRequest(email, 'HOUR#w2#b', 5, at(50))).toBe(true);
        expect(await store.countSignInRequest(`x${email}`, 'HOUR#w1#b', 5, at(50))).toBe(true);
        // the counters are not codes: the address's codes are still none
        expect(await store.listSignInCodes(email, at(0))).toEqual([]);
      });

      it('uses a code once; a used code takes no more attempts', async () => {
        const { store } = h();
        const email = `u${uid().slice(0, 10)}@kw.example.cn`;
        const code = signInCode(email, at(43));
        await store.putSignInCode(code);
        await store.countSignInAttempt(email, code.codeId, 5);
        await store.markSignInCodeUsed(email, code.codeId, at(44));
        await expect(store.markSignInCodeUsed(email, code.codeId, at(45))).rejects.toBeInstanceOf(ConflictError);
        await expect(store.countSignInAttempt(email, code.codeId, 5)).rejects.toBeInstanceOf(ConflictError);
        expect(await store.listSignInCodes(email, at(43))).toEqual([{ ...code, attempts: 1, usedAt: at(44) }]);
      });
    });

    describe('who is who', () => {
      it('lists agencies and each agency’s roster', async () => {
        const { store } = h();
        const kw = { id: agencyId(), name: '北京市大兴区科学技术委员会' };
        const other = { id: agencyId(), name: '北京市大兴区财政局' };
        await Promise.all([store.putAgency(kw), store.putAgency(other)]);
        expect(await store.getAgency(kw.id)).toEqual(kw);
        expect(await store.getAgency(agencyId())).toBeUndefined();
        const agencies = await store.listAgencies();
        expect(agencies).toEqual(expect.arrayContaining([kw, other]));

        const officer = rosterEntry(`officer-${kw.id}@kw.example.cn`, kw.id);
        const director = rosterEntry(`director-${kw.id}@kw.example.cn`, kw.id, { roles: ['director'], name: '办公室主任' });
        const elsewhere = rosterEntry(`officer-${other.id}@kw.example.cn`, other.id);
        const auditor = rosterEntry(`auditor-${kw.id}@audit.example.cn`, kw.id, { roles: ['auditor'], auditScope: '*' });
        await Promise.all([officer, director, elsewhere, auditor].map((e) => store.putRosterEntry(e)));
        expect(await store.getRosterEntry(officer.email.toUpperCase())).toEqual(officer);
        expect(await store.getRosterEntry(auditor.email)).toEqual(auditor);
        expect(new Set((await store.listRoster(kw.id)).map((e) => e.email))).toEqual(
          new Set([officer.email, director.email, auditor.email]),
        );

        // moving someone to another agency moves them in the listings
        await store.putRosterEntry({ ...director, agencyId: other.id });
        expect((await store.listRoster(kw.id)).map((e) => e.email).sort()).toEqual([auditor.email, officer.email].sort());
        expect((await store.listRoster(other.id)).map((e) => e.email).sort()).toEqual([director.email, elsewhere.email].sort());
        expect(await store.listHeads(kw.id)).toEqual([]);
      });
    });

    describe('administration', () => {
      it('removes a person from the roster and its listing; removing an absent person is fine', async () => {
        const { store } = h();
        const agency = agencyId();
        const officer = rosterEntry(`officer-${agency}@kw.example.cn`, agency);
        const admin = rosterEntry(`admin-${agency}@kw.example.cn`, agency, { roles: ['admin'], adminScope: ['daxing'] });
        await Promise.all([store.putRosterEntry(officer), store.putRosterEntry(admin)]);
        expect(await store.getRosterEntry(admin.email)).toEqual(admin);
        await store.deleteRosterEntry(officer.email.toUpperCase());
        expect(await store.getRosterEntry(officer.email)).toBeUndefined();
        expect((await store.listRoster(agency)).map((e) => e.email)).toEqual([admin.email]);
        await store.deleteRosterEntry(officer.email);
      });

      it('keeps districts with their deadlines and lists them', async () => {
        const { store } = h();
        const district = { id: agencyId(), name: '大兴区', deadlines: { '2026': '2027-01-25' } };
        const other = { id: agencyId(), name: '通州区' };
        await Promise.all([store.putDistrict(district), store.putDistrict(other)]);
        expect(await store.getDistrict(district.id)).toEqual(district);
        expect(await store.getDistrict(agencyId())).toBeUndefined();
        expect(await store.listDistricts()).toEqual(expect.arrayContaining([district, other]));
      });

      it('claims a reminder once; an unsent claim is taken over only once the lease has fully passed', async () => {
        const { store } = h();
        const key = `auto#2026#${agencyId()}#d14`;
        const lease = 60_000;
        expect(await store.claimReminder(key, at(0), lease)).toBe(true);
        expect(await store.claimReminder(key, at(0, 59), lease)).toBe(false);
        expect(await store.claimReminder(key, at(1), lease)).toBe(true);
        expect(await store.getReminder(key)).toEqual({ key, claimedAt: at(1), attempts: 2 });
        await store.markReminderSent(key, at(1, 5));
        expect(await store.claimReminder(key, at(30), lease)).toBe(false);
        expect(await store.getReminder(key)).toEqual({ key, claimedAt: at(1), sentAt: at(1, 5), attempts: 2 });
      });

      it('lets one of two simultaneous claims win', async () => {
        const { store } = h();
        const key = `manual#${agencyId()}`;
        const results = await Promise.all([store.claimReminder(key, at(0), 1000), store.claimReminder(key, at(0), 1000)]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('appends the administration log in order across pages and never overwrites an entry', async () => {
        const { store, withPageSize } = h();
        const before = (await store.listAdminEvents()).length;
        const entries = Array.from({ length: 5 }, (_, i) => ({
          seq: before + i + 1,
          type: 'person_saved' as const,
          at: at(2, i),
          actor: { email: 'admin@daxing.example.cn', name: '管理员', role: 'admin' },
          subject: `p${i}@kw.example.cn`,
          data: { roles: ['officer'] },
          prevHash: sha(`admin ${i - 1}`),
          hash: sha(`admin ${i}`),
        }));
        for (const entry of entries) await store.appendAdminEvent(entry);
        const first = entries[0];
        if (first === undefined) throw new Error('no entries');
        await expect(store.appendAdminEvent({ ...first, subject: 'other@kw.example.cn' })).rejects.toBeInstanceOf(ConflictError);
        expect((await withPageSize(2).listAdminEvents()).slice(before)).toEqual(entries);
      });
    });

    describe('delegation', () => {
      const delegation = (delegator: string, deputy: string, agency: string, until = '2027-01-20') => ({
        delegator,
        delegatorName: '王主任',
        deputy,
        deputyName: '张副主任',
        agencyId: agency,
        from: '2027-01-10',
        until,
        setAt: at(0),
      });

      it('keeps one delegation per delegator (a new one replaces it, ending one keeps it with endedAt) and lists an agency’s across pages', async () => {
        const { store, withPageSize } = h();
        const agency = agencyId();
        const other = agencyId();
        const first = delegation(`director-${agency}@kw.example.cn`, `deputy-${agency}@kw.example.cn`, agency);
        expect(await store.getDelegation(first.delegator)).toBeUndefined();
        await store.putDelegation(first);
        expect(await store.getDelegation(first.delegator.toUpperCase())).toEqual(first);
        const replaced = { ...first, deputy: `other-${agency}@kw.example.cn`, until: '2027-01-25' };
        await store.putDelegation(replaced);
        expect(await store.getDelegation(first.delegator)).toEqual(replaced);
        const ended = { ...replaced, endedAt: at(1) };
        await store.putDelegation(ended);
        expect(await store.getDelegation(first.delegator)).toEqual(ended);

        const more = [1, 2, 3, 4].map((i) => delegation(`leader${i}-${agency}@kw.example.cn`, first.deputy, agency));
        await Promise.all([
          ...more.map((d) => store.putDelegation(d)),
          store.putDelegation(delegation(`x-${other}@kw.example.cn`, first.deputy, other)),
        ]);
        const listed = await withPageSize(2).listDelegations(agency);
        expect(listed.map((d) => d.delegator).sort()).toEqual([ended, ...more].map((d) => d.delegator).sort());
        // the agency's report heads and roster share the index partition; neither listing picks up a delegation
        expect(await store.listHeads(agency)).toEqual([]);
        expect(await store.listRoster(agency)).toEqual([]);
      });
    });

    describe('the published list', () => {
      it('lists every published report across many pages, a later version replacing the earlier', async () => {
        const { withPageSize } = h();
        const paged = withPageSize(2);
        const agency = agencyId();
        const reports = [2019, 2020, 2021, 2022, 2023, 2024, 2025].map((year) => published(agency, year));
        await Promise.all(reports.map((r) => paged.putPublished(r)));
        const republished = published(agency, 2024, 2);
        await paged.putPublished(republished);

        const mine = (await paged.listPublished()).filter((r) => r.agencyId === agency);
        expect(mine).toEqual(reports.map((r) => (r.year === 2024 ? republished : r)));
        expect(await h().store.listPublished()).toEqual(await paged.listPublished());
      });
    });

    describe('paging', () => {
      it('every listing follows Query pages to the end', async () => {
        const { withPageSize } = h();
        const paged = withPageSize(2);
        const agency = agencyId();
        const reportId = `r-${uid()}`;
        const events = Array.from({ length: 7 }, (_, i) => event(reportId, i + 1));
        await appendAll(paged, events);
        expect(await paged.listEvents(reportId)).toEqual(events);

        const heads = [2019, 2020, 2021, 2022, 2023].map((year) => head(`r-${year}-${uid()}`, agency, 1, { year }));
        await Promise.all(heads.map((x) => paged.putHead(x)));
        expect(await paged.listHeads(agency)).toEqual(heads);

        const pointers = ([1, 2, 3] as const).flatMap((v) =>
          (['director', 'leader'] as const).map(
            (stage): ReviewPointer => ({
              reviewId: `rv_${uid()}`,
              reportId,
              version: v,
              stage,
              approverEmail: `${stage}@kw.example.cn`,
            }),
          ),
        );
        for (const p of pointers) await paged.claimReviewSlot(p);
        expect(await paged.listReviewPointers(reportId)).toEqual(pointers);

        const email = `u${uid().slice(0, 10)}@kw.example.cn`;
        const codes = Array.from({ length: 5 }, (_, i) => signInCode(email, at(50 + i)));
        await Promise.all(codes.map((c) => paged.putSignInCode(c)));
        expect(await paged.listSignInCodes(email, at(50))).toEqual([...codes].reverse());
        const oldest = codes[0];
        if (oldest === undefined) throw new Error('no codes');
        expect((await paged.countSignInAttempt(email, oldest.codeId, 3)).attempts).toBe(1);

        const roster = Array.from({ length: 5 }, (_, i) => rosterEntry(`p${i}-${agency}@kw.example.cn`, agency));
        await Promise.all(roster.map((r) => paged.putRosterEntry(r)));
        expect(await paged.listRoster(agency)).toEqual(roster);

        const agencies = Array.from({ length: 5 }, () => ({ id: agencyId(), name: '分页单位' }));
        await Promise.all(agencies.map((a) => paged.putAgency(a)));
        expect(await paged.listAgencies()).toEqual(expect.arrayContaining(agencies));
      }, 30_000);
    });

    describe('reading back', () => {
      // Each case plants one malformed item where the store would read it, in a partition no other case lists.
      const reportId = `r-${uid()}`;
      const agency = agencyId();
      const reviewId = `rv_${uid()}`;
      const email = `m${uid().slice(0, 10)}@kw.example.cn`;
      const idHash = sha(uid());
      const cases: { name: string; item: Record<string, unknown>; read: (store: Store) => Promise<unknown> }[] = [
        {
          name: 'an event without its hash (listEvents)',
          item: (({ hash: _hash, ...rest }) => ({ ...rest, ...keys.event(reportId, 1) }))(event(reportId, 1)),
          read: (store) => store.listEvents(reportId),
        },
        {
          name: 'a review whose tokenSeq is not a number (getReview)',
          item: { ...review({ reviewId }), tokenSeq: 'one', ...keys.review(reviewId) },
          read: (store) => store.getReview(reviewId),
        },
        {
          name: 'a head with an unknown status (getHead)',
          item: { ...head(reportId, agency, 1), status: 'lost', ...keys.head(reportId), ...keys.headIndex(agency, 2025, reportId) },
          read: (store) => store.getHead(reportId),
        },
        {
          name: 'the same head through the agency index (listHeads)',
          item: { ...head(reportId, agency, 1), status: 'lost', ...keys.head(reportId), ...keys.headIndex(agency, 2025, reportId) },
          read: (store) => store.listHeads(agency),
        },
        {
          name: 'a version without content (getVersion)',
          item: {
            reportId,
            version: 1,
            contentSha256: sha('x'),
            createdAt: at(0),
            createdBy: 'officer@kw.example.cn',
            ...keys.version(reportId, 1),
          },
          read: (store) => store.getVersion(reportId, 1),
        },
        {
          name: 'a draft with revision 0 (getDraft)',
          item: { ...draft(agency, 1, {}), revision: 0, ...keys.draft(agency, 2025) },
          read: (store) => store.getDraft(agency, 2025),
        },
        {
          name: 'an imported report whose file digest is not a digest (getImportedReport)',
          item: { ...imported(agency, 2020, {}, []), fileSha256: 'abc', ...keys.imported(agency, 2020) },
          read: (store) => store.getImportedReport(agency, 2020),
        },
        {
          name: 'a session whose email is not an address (getSession)',
          item: { idHash, email: 'nobody', csrfToken: 'c'.repeat(32), createdAt: at(0), expiresAt: at(1), ...keys.session(idHash) },
          read: (store) => store.getSession(idHash),
        },
        {
          name: 'a sign-in code with negative attempts (listSignInCodes)',
          item: { ...signInCode(email, at(5)), attempts: -1, ...keys.signInCode(email, at(5), 'bad') },
          read: (store) => store.listSignInCodes(email, at(0)),
        },
        {
          name: 'a roster entry without roles (listRoster)',
          item: { email, name: '某人', agencyId: agency, roles: [], ...keys.roster(email), ...keys.rosterIndex(agency, email) },
          read: (store) => store.listRoster(agency),
        },
        {
          name: 'a review pointer with an empty stage (listReviewPointers)',
          item: { reviewId, reportId, version: 1, stage: '', approverEmail: email, ...keys.reviewPointer(reportId, 1, '') },
          read: (store) => store.listReviewPointers(reportId),
        },
      ];
      for (const c of cases) {
        it(`throws rather than return ${c.name}`, async () => {
          const { store, putRawItem } = h();
          await putRawItem(c.item);
          await expect(c.read(store)).rejects.toBeInstanceOf(MalformedItemError);
        });
      }

      it('does not mistake the layout’s own attributes for record fields', async () => {
        const { store, putRawItem } = h();
        const id = agencyId();
        await putRawItem({ id, name: '单位', extra: 'ignored', ...keys.agency(id), ...keys.agencyIndex(id) });
        expect(await store.getAgency(id)).toEqual({ id, name: '单位' });
      });
    });
  });
}
