import { ConflictError, NotFoundError } from '../workflow/errors.js';
import {
  AdminEventSchema,
  AgencySchema,
  DecisionSchema,
  DelegationSchema,
  DistrictSchema,
  DraftSchema,
  ImportedReportSchema,
  IsoTimeSchema,
  PublishedReportSchema,
  ReminderRecordSchema,
  ReportEventSchema,
  ReportHeadSchema,
  ReportVersionSchema,
  ReviewSchema,
  RevisionSchema,
  RosterEntrySchema,
  SessionSchema,
  SignInCodeSchema,
  type AdminEvent,
  type Agency,
  type Decision,
  type Delegation,
  type District,
  type Draft,
  type ImportedReport,
  type PublishedReport,
  type ReminderRecord,
  type ReportEvent,
  type ReportHead,
  type ReportVersion,
  type Review,
  type Revision,
  type RosterEntry,
  type Session,
  type SignInCode,
} from '../workflow/model.js';
import type { ReviewPointer, Store } from '../workflow/ports.js';
import { assertCount, checked, emailKey, fromItem, keyText, MalformedItemError, ReviewPointerSchema, type Item } from './records.js';
import {
  ADMIN_LOG_PARTITION,
  AGENCIES_PARTITION,
  DISTRICTS_PARTITION,
  GSI1_PREFIX,
  PUBLISHED_PARTITION,
  SK_PREFIX,
  agencyIndexPk,
  keys,
  reportPk,
  sortableTime,
  type ItemKey,
} from './table.js';

/**
 * A copy as DynamoDB would store it: fields that are undefined are left out (the document client's
 * removeUndefinedValues), and nothing is shared with the caller, so neither side can change the other's record.
 */
function storedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((x) => x !== undefined).map(storedValue);
  if (value !== null && typeof value === 'object') return copyOf(Object.fromEntries(Object.entries(value)));
  return value;
}

function copyOf(item: Item): Item {
  const out: Item = {};
  for (const [field, value] of Object.entries(item)) if (value !== undefined) out[field] = storedValue(value);
  return out;
}

const isNumber = (x: unknown): x is number => typeof x === 'number';

/**
 * The items of the table layout (table.ts) in memory: partitions of sort-key-ordered items and the one global index.
 * Each operation below runs to the end without awaiting, so a check and its write are one step, as a conditional
 * write is on DynamoDB.
 */
export class MemoryTable {
  private readonly partitions = new Map<string, Map<string, Item>>();

  get(key: ItemKey): Item | undefined {
    const item = this.partitions.get(key.pk)?.get(key.sk);
    return item === undefined ? undefined : copyOf(item);
  }

  /** writes the item whole (pk and sk are in it), replacing any item under that key */
  put(item: Item): void {
    const { pk, sk } = item;
    if (typeof pk !== 'string' || typeof sk !== 'string') throw new Error(`an item needs string pk and sk: ${keyText(item)}`);
    let partition = this.partitions.get(pk);
    if (partition === undefined) {
      partition = new Map();
      this.partitions.set(pk, partition);
    }
    partition.set(sk, copyOf(item));
  }

  delete(key: ItemKey): void {
    this.partitions.get(key.pk)?.delete(key.sk);
  }

  /** a partition's items whose sort key starts with `prefix` (and is at least `from`), in sort-key order */
  query(pk: string, options: { prefix?: string; from?: string; newestFirst?: boolean }): Item[] {
    const items = [...(this.partitions.get(pk) ?? new Map<string, Item>()).entries()]
      .filter(
        ([sk]) => (options.prefix === undefined || sk.startsWith(options.prefix)) && (options.from === undefined || sk >= options.from),
      )
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([, item]) => copyOf(item));
    return options.newestFirst === true ? items.reverse() : items;
  }

  /** the index partition `gsi1pk`'s items whose index sort key starts with `prefix`, in index-sort-key order */
  queryIndex(gsi1pk: string, prefix = ''): Item[] {
    const found: Item[] = [];
    for (const partition of this.partitions.values()) {
      for (const item of partition.values()) {
        const sk = item['gsi1sk'];
        if (item['gsi1pk'] === gsi1pk && typeof sk === 'string' && sk.startsWith(prefix)) found.push(item);
      }
    }
    return found.sort((a, b) => compareKeys(String(a['gsi1sk']), String(b['gsi1sk']))).map(copyOf);
  }
}

/** DynamoDB orders string keys by their UTF-8 bytes; comparing code points gives the same order. */
function compareKeys(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const cx = x[i]?.codePointAt(0) ?? 0;
    const cy = y[i]?.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
  return x.length - y.length;
}

export interface MemoryStoreOptions {
  /** the items behind the store; a fresh empty table when absent */
  readonly table?: MemoryTable;
}

/**
 * The Store port in memory, for fast tests of the use cases. It keeps DynamoStore's item layout and mirrors each of
 * its conditional writes, so it answers as DynamoStore does (same records, same order, the same ConflictError and
 * NotFoundError); the one store contract holds both to that. Nothing expires: TTL is DynamoDB's clean-up, never
 * something a read depends on.
 */
export class MemoryStore implements Store {
  private readonly table: MemoryTable;

  constructor(options: MemoryStoreOptions = {}) {
    this.table = options.table ?? new MemoryTable();
  }

  private read<S extends Parameters<typeof fromItem>[0]>(schema: S, record: string, key: ItemKey) {
    const item = this.table.get(key);
    return item === undefined ? undefined : fromItem(schema, record, item);
  }

  /** an update of an existing item's fields when `when` holds for it; the new item, or undefined when it did not */
  private updateIf(key: ItemKey, when: (item: Item | undefined) => boolean, change: (item: Item) => Item): Item | undefined {
    const current = this.table.get(key);
    if (!when(current)) return undefined;
    const next = { ...change(current ?? {}), ...key };
    this.table.put(next);
    return this.table.get(key);
  }

  // ---- the log ---------------------------------------------------------------------------------------------------

  async appendEvent(event: ReportEvent): Promise<void> {
    const key = keys.event(event.reportId, event.seq);
    const record = checked(ReportEventSchema, 'event', key, event);
    if (this.table.get(key) !== undefined) {
      throw new ConflictError('该报告已有更新的记录，请刷新后重试。', 'CONFLICT', { reportId: event.reportId, seq: event.seq });
    }
    this.table.put({ ...record, ...key });
  }

  async listEvents(reportId: string): Promise<ReportEvent[]> {
    return this.table.query(reportPk(reportId), { prefix: SK_PREFIX.event }).map((item) => fromItem(ReportEventSchema, 'event', item));
  }

  // ---- projections -----------------------------------------------------------------------------------------------

  async getHead(reportId: string): Promise<ReportHead | undefined> {
    return this.read(ReportHeadSchema, 'head', keys.head(reportId));
  }

  async putHead(head: ReportHead): Promise<void> {
    const key = keys.head(head.reportId);
    const record = checked(ReportHeadSchema, 'head', key, head);
    const current = this.table.get(key);
    // never backwards: a head with a later lastSeq stays
    if (current !== undefined && !(isNumber(current['lastSeq']) && current['lastSeq'] <= record.lastSeq)) return;
    this.table.put({ ...record, ...key, ...keys.headIndex(record.agencyId, record.year, record.reportId) });
  }

  async listHeads(agencyId: string): Promise<ReportHead[]> {
    return this.table.queryIndex(agencyIndexPk(agencyId), GSI1_PREFIX.report).map((item) => fromItem(ReportHeadSchema, 'head', item));
  }

  async putVersion(version: ReportVersion): Promise<void> {
    const key = keys.version(version.reportId, version.version);
    const record = checked(ReportVersionSchema, 'version', key, version);
    const existing = this.table.get(key);
    if (existing === undefined) {
      this.table.put({ ...record, ...key });
      return;
    }
    const stored = fromItem(ReportVersionSchema, 'version', existing);
    if (stored.contentSha256 === record.contentSha256) return;
    throw new ConflictError('该版本已存在且内容不同。', 'CONFLICT', {
      reportId: version.reportId,
      version: version.version,
      storedSha256: stored.contentSha256,
    });
  }

  async getVersion(reportId: string, version: number): Promise<ReportVersion | undefined> {
    return this.read(ReportVersionSchema, 'version', keys.version(reportId, version));
  }

  // ---- reviews ---------------------------------------------------------------------------------------------------

  async claimReviewSlot(pointer: ReviewPointer): Promise<ReviewPointer> {
    const key = keys.reviewPointer(
      pointer.reportId,
      pointer.version,
      pointer.seat === undefined ? pointer.stage : `${pointer.stage}#${pointer.seat}`,
    );
    const record = checked(ReviewPointerSchema, 'review pointer', key, pointer);
    const existing = this.table.get(key);
    if (existing !== undefined) return fromItem(ReviewPointerSchema, 'review pointer', existing);
    this.table.put({ ...record, ...key });
    return fromItem(ReviewPointerSchema, 'review pointer', { ...record });
  }

  async listReviewPointers(reportId: string): Promise<ReviewPointer[]> {
    return this.table
      .query(reportPk(reportId), { prefix: SK_PREFIX.reviewPointer })
      .map((item) => fromItem(ReviewPointerSchema, 'review pointer', item));
  }

  async createReview(review: Review): Promise<void> {
    const key = keys.review(review.reviewId);
    const record = checked(ReviewSchema, 'review', key, review);
    if (this.table.get(key) !== undefined) throw new ConflictError('该审核已存在。', 'CONFLICT', { reviewId: review.reviewId });
    this.table.put({ ...record, ...key });
  }

  async getReview(reviewId: string): Promise<Review | undefined> {
    return this.read(ReviewSchema, 'review', keys.review(reviewId));
  }

  async issueReviewToken(reviewId: string, taskToken: string, expectedTokenSeq: number): Promise<Review> {
    assertCount(expectedTokenSeq, 'expectedTokenSeq');
    const item = this.updateIf(
      keys.review(reviewId),
      (current) => current?.['tokenSeq'] === expectedTokenSeq,
      (current) => ({ ...current, taskToken, tokenSeq: expectedTokenSeq + 1 }),
    );
    if (item === undefined) throw new ConflictError('审核任务已被更新，请刷新后重试。', 'CONFLICT', { reviewId, expectedTokenSeq });
    return fromItem(ReviewSchema, 'review', item);
  }

  async markReviewEmailed(reviewId: string, tokenSeq: number): Promise<void> {
    assertCount(tokenSeq, 'tokenSeq');
    this.updateIf(
      keys.review(reviewId),
      (current) => isNumber(current?.['emailedTokenSeq']) && current['emailedTokenSeq'] < tokenSeq,
      (current) => ({ ...current, emailedTokenSeq: tokenSeq }),
    );
  }

  async markReviewReplaced(reviewId: string, replacedBy: { reviewId: string; approverEmail: string; approverName: string }): Promise<void> {
    const item = this.updateIf(
      keys.review(reviewId),
      (current) => current !== undefined && current['decision'] === undefined && current['replacedBy'] === undefined,
      (current) => ({ ...current, replacedBy: { ...replacedBy } }),
    );
    if (item === undefined) throw new ConflictError('该审核已有结果或已转交。', 'CONFLICT', { reviewId });
  }

  async setReviewResends(reviewId: string, resentAt: readonly string[], expected: readonly string[] | undefined): Promise<void> {
    // compared by the newest time, as DynamoStore compares them
    const last = expected?.at(-1);
    const item = this.updateIf(
      keys.review(reviewId),
      (current) => current !== undefined && (last === undefined ? current['lastResentAt'] === undefined : current['lastResentAt'] === last),
      (current) => ({ ...current, resentAt: [...resentAt], lastResentAt: resentAt.at(-1) ?? '' }),
    );
    if (item === undefined) throw new ConflictError('该审核的提醒记录已被其他操作更新，请重试。', 'CONFLICT', { reviewId });
  }

  async recordDecision(reviewId: string, decision: Decision): Promise<Review> {
    const key = keys.review(reviewId);
    const parsed = DecisionSchema.safeParse(decision);
    if (!parsed.success) throw new MalformedItemError('write', 'decision', keyText(key), parsed.error);
    const item = this.updateIf(
      key,
      (current) => current !== undefined && current['decision'] === undefined,
      (current) => ({ ...current, decision: parsed.data }),
    );
    if (item !== undefined) return fromItem(ReviewSchema, 'review', item);
    const existing = await this.getReview(reviewId);
    if (existing === undefined) throw new NotFoundError('找不到该审核。');
    throw new ConflictError('该审核已有决定。', 'CONFLICT', { reviewId, decision: existing.decision });
  }

  async markDecisionDelivered(reviewId: string, tokenSeq: number): Promise<void> {
    assertCount(tokenSeq, 'tokenSeq');
    this.updateIf(
      keys.review(reviewId),
      (current) => {
        const delivered = current?.['deliveredTokenSeq'];
        return current !== undefined && (delivered === undefined || (isNumber(delivered) && delivered < tokenSeq));
      },
      (current) => ({ ...current, deliveredTokenSeq: tokenSeq }),
    );
  }

  async markDecisionLogged(reviewId: string, seq: number): Promise<void> {
    assertCount(seq, 'seq');
    this.updateIf(
      keys.review(reviewId),
      (current) => current !== undefined && current['decisionEventSeq'] === undefined,
      (current) => ({ ...current, decisionEventSeq: seq }),
    );
  }

  // ---- revisions -------------------------------------------------------------------------------------------------

  /** Upsert: a retried task replaces only the task token; the rest stays as first written, a resolution is kept. */
  async putRevision(revision: Revision): Promise<void> {
    const key = keys.revision(revision.reportId, revision.returnedVersion);
    const record = checked(RevisionSchema, 'revision', key, revision);
    this.updateIf(
      key,
      () => true,
      (current) => ({
        ...current,
        taskToken: record.taskToken,
        reportId: current['reportId'] ?? record.reportId,
        returnedVersion: current['returnedVersion'] ?? record.returnedVersion,
        comment: current['comment'] ?? record.comment,
        returnedBy: current['returnedBy'] ?? record.returnedBy,
        createdAt: current['createdAt'] ?? record.createdAt,
        ...(record.resubmittedVersion === undefined
          ? {}
          : { resubmittedVersion: current['resubmittedVersion'] ?? record.resubmittedVersion }),
      }),
    );
  }

  async getRevision(reportId: string, returnedVersion: number): Promise<Revision | undefined> {
    return this.read(RevisionSchema, 'revision', keys.revision(reportId, returnedVersion));
  }

  async markRevisionEmailed(reportId: string, returnedVersion: number, tokenHash: string): Promise<void> {
    this.updateIf(
      keys.revision(reportId, returnedVersion),
      (current) => current !== undefined,
      (current) => ({ ...current, emailedTokenHash: tokenHash }),
    );
  }

  async resolveRevision(reportId: string, returnedVersion: number, resubmittedVersion: number): Promise<void> {
    assertCount(resubmittedVersion, 'resubmittedVersion');
    const item = this.updateIf(
      keys.revision(reportId, returnedVersion),
      (current) => current !== undefined && current['resubmittedVersion'] === undefined,
      (current) => ({ ...current, resubmittedVersion }),
    );
    if (item === undefined) throw new ConflictError('该退回已处理。', 'CONFLICT', { reportId, returnedVersion });
  }

  // ---- drafts ----------------------------------------------------------------------------------------------------

  async getDraft(agencyId: string, year: number): Promise<Draft | undefined> {
    return this.read(DraftSchema, 'draft', keys.draft(agencyId, year));
  }

  async saveDraft(draft: Draft, expectedRevision: number | undefined): Promise<void> {
    const key = keys.draft(draft.agencyId, draft.year);
    const record = checked(DraftSchema, 'draft', key, draft);
    const current = this.table.get(key);
    const allowed = expectedRevision === undefined ? current === undefined : current?.['revision'] === expectedRevision;
    if (!allowed) {
      throw new ConflictError('草稿已在别处更新，请刷新后重试。', 'CONFLICT', {
        agencyId: draft.agencyId,
        year: draft.year,
        expectedRevision,
      });
    }
    this.table.put({ ...record, ...key });
  }

  // ---- sign-in ---------------------------------------------------------------------------------------------------

  async putSession(session: Session): Promise<void> {
    const key = keys.session(session.idHash);
    this.table.put({ ...checked(SessionSchema, 'session', key, session), ...key });
  }

  async getSession(idHash: string): Promise<Session | undefined> {
    return this.read(SessionSchema, 'session', keys.session(idHash));
  }

  async deleteSession(idHash: string): Promise<void> {
    this.table.delete(keys.session(idHash));
  }

  async putSignInCode(code: SignInCode): Promise<void> {
    const parsed = SignInCodeSchema.safeParse(code);
    if (!parsed.success) throw new MalformedItemError('write', 'sign-in code', `SIGNIN#${code.email}`, parsed.error);
    const record = parsed.data;
    const key = keys.signInCode(record.email, record.issuedAt, record.codeId);
    if (this.table.get(key) !== undefined) throw new ConflictError('该验证码已存在。', 'CONFLICT', { codeId: code.codeId });
    this.table.put({ ...record, ...key });
  }

  async listSignInCodes(email: string, since: string): Promise<SignInCode[]> {
    return this.table
      .query(keys.signInPk(emailKey(email)), { from: `${SK_PREFIX.signInCode}${sortableTime(since)}`, newestFirst: true })
      .map((item) => fromItem(SignInCodeSchema, 'sign-in code', item));
  }

  /** the code's key: the newest of the address's codes with that id */
  private findSignInCode(email: string, codeId: string): ItemKey | undefined {
    const pk = keys.signInPk(emailKey(email));
    const sk = this.table.query(pk, { prefix: SK_PREFIX.signInCode, newestFirst: true }).find((item) => item['codeId'] === codeId)?.['sk'];
    return typeof sk === 'string' ? { pk, sk } : undefined;
  }

  async countSignInAttempt(email: string, codeId: string, maxAttempts: number): Promise<SignInCode> {
    assertCount(maxAttempts, 'maxAttempts');
    const key = this.findSignInCode(email, codeId);
    if (key === undefined) throw new NotFoundError('找不到该验证码。');
    const item = this.updateIf(
      key,
      (current) =>
        current !== undefined && isNumber(current['attempts']) && current['attempts'] < maxAttempts && current['usedAt'] === undefined,
      (current) => ({ ...current, attempts: Number(current['attempts']) + 1 }),
    );
    if (item === undefined) throw new ConflictError('验证码已失效，请重新获取。', 'CONFLICT', { codeId });
    return fromItem(SignInCodeSchema, 'sign-in code', item);
  }

  async markSignInCodeUsed(email: string, codeId: string, usedAt: string): Promise<void> {
    const usedAtParsed = IsoTimeSchema.safeParse(usedAt);
    if (!usedAtParsed.success) throw new MalformedItemError('write', 'sign-in code', `SIGNIN#${email}`, usedAtParsed.error);
    const key = this.findSignInCode(email, codeId);
    if (key === undefined) throw new NotFoundError('找不到该验证码。');
    const item = this.updateIf(
      key,
      (current) => current !== undefined && current['usedAt'] === undefined,
      (current) => ({ ...current, usedAt: usedAtParsed.data }),
    );
    if (item === undefined) throw new ConflictError('验证码已使用，请重新获取。', 'CONFLICT', { codeId });
  }

  async countSignInRequest(email: string, window: string, max: number, expiresAt: string): Promise<boolean> {
    assertCount(max, 'max');
    const expiry = IsoTimeSchema.safeParse(expiresAt);
    if (!expiry.success) throw new MalformedItemError('write', 'sign-in counter', `SIGNIN#${email}`, expiry.error);
    const item = this.updateIf(
      keys.signInLimit(emailKey(email), window),
      (current) => current?.['count'] === undefined || (isNumber(current['count']) && current['count'] < max),
      (current) => ({ ...current, count: (isNumber(current['count']) ? current['count'] : 0) + 1 }),
    );
    return item !== undefined;
  }

  // ---- who is who ------------------------------------------------------------------------------------------------

  async putAgency(agency: Agency): Promise<void> {
    const key = keys.agency(agency.id);
    const record = checked(AgencySchema, 'agency', key, agency);
    this.table.put({ ...record, ...key, ...keys.agencyIndex(record.id) });
  }

  async getAgency(agencyId: string): Promise<Agency | undefined> {
    return this.read(AgencySchema, 'agency', keys.agency(agencyId));
  }

  async listAgencies(): Promise<Agency[]> {
    return this.table.queryIndex(AGENCIES_PARTITION).map((item) => fromItem(AgencySchema, 'agency', item));
  }

  async putRosterEntry(entry: RosterEntry): Promise<void> {
    const parsed = RosterEntrySchema.safeParse(entry);
    if (!parsed.success) throw new MalformedItemError('write', 'roster entry', `ROSTER#${entry.email}`, parsed.error);
    const record = parsed.data;
    this.table.put({ ...record, ...keys.roster(record.email), ...keys.rosterIndex(record.agencyId, record.email) });
  }

  async getRosterEntry(email: string): Promise<RosterEntry | undefined> {
    return this.read(RosterEntrySchema, 'roster entry', keys.roster(emailKey(email)));
  }

  async listRoster(agencyId: string): Promise<RosterEntry[]> {
    return this.table
      .queryIndex(agencyIndexPk(agencyId), GSI1_PREFIX.roster)
      .map((item) => fromItem(RosterEntrySchema, 'roster entry', item));
  }

  async deleteRosterEntry(email: string): Promise<void> {
    this.table.delete(keys.roster(emailKey(email)));
  }

  async putDistrict(district: District): Promise<void> {
    const key = keys.district(district.id);
    const record = checked(DistrictSchema, 'district', key, district);
    this.table.put({ ...record, ...key, ...keys.districtIndex(record.id) });
  }

  async getDistrict(districtId: string): Promise<District | undefined> {
    return this.read(DistrictSchema, 'district', keys.district(districtId));
  }

  async listDistricts(): Promise<District[]> {
    return this.table.queryIndex(DISTRICTS_PARTITION).map((item) => fromItem(DistrictSchema, 'district', item));
  }

  // ---- reminders -------------------------------------------------------------------------------------------------

  async claimReminder(key: string, now: string, leaseMs: number): Promise<boolean> {
    assertCount(leaseMs, 'leaseMs');
    const itemKey = keys.reminder(key);
    const record = checked(ReminderRecordSchema, 'reminder', itemKey, { key, claimedAt: now, attempts: 1 });
    if (this.table.get(itemKey) === undefined) {
      this.table.put({ ...record, ...itemKey });
      return true;
    }
    // an unsent claim older than the lease was cut short between claim and mark: take it over, once per lease
    const staleBefore = new Date(Date.parse(now) - leaseMs).toISOString();
    const item = this.updateIf(
      itemKey,
      (current) => current?.['sentAt'] === undefined && typeof current?.['claimedAt'] === 'string' && current['claimedAt'] <= staleBefore,
      (current) => ({ ...current, claimedAt: record.claimedAt, attempts: (isNumber(current['attempts']) ? current['attempts'] : 0) + 1 }),
    );
    return item !== undefined;
  }

  async markReminderSent(key: string, sentAt: string): Promise<void> {
    const at = IsoTimeSchema.parse(sentAt);
    this.updateIf(
      keys.reminder(key),
      (current) => current !== undefined && current['sentAt'] === undefined,
      (current) => ({ ...current, sentAt: at }),
    );
  }

  async getReminder(key: string): Promise<ReminderRecord | undefined> {
    return this.read(ReminderRecordSchema, 'reminder', keys.reminder(key));
  }

  // ---- the administration log ------------------------------------------------------------------------------------

  async appendAdminEvent(event: AdminEvent): Promise<void> {
    const key = keys.adminEvent(event.seq);
    const record = checked(AdminEventSchema, 'admin event', key, event);
    if (this.table.get(key) !== undefined) throw new ConflictError('管理记录已有更新，请重试。', 'CONFLICT', { seq: event.seq });
    this.table.put({ ...record, ...key });
  }

  async listAdminEvents(): Promise<AdminEvent[]> {
    return this.table
      .query(ADMIN_LOG_PARTITION, { prefix: SK_PREFIX.event })
      .map((item) => fromItem(AdminEventSchema, 'admin event', item));
  }

  // ---- delegation (代理): one record per delegator, listed per agency on gsi1 -------------------------------------

  async putDelegation(delegation: Delegation): Promise<void> {
    const key = keys.delegation(emailKey(delegation.delegator));
    const record = checked(DelegationSchema, 'delegation', key, delegation);
    this.table.put({ ...record, ...key, ...keys.delegationIndex(record.agencyId, record.delegator) });
  }

  async getDelegation(delegator: string): Promise<Delegation | undefined> {
    return this.read(DelegationSchema, 'delegation', keys.delegation(emailKey(delegator)));
  }

  async listDelegations(agencyId: string): Promise<Delegation[]> {
    return this.table
      .queryIndex(agencyIndexPk(agencyId), GSI1_PREFIX.delegation)
      .map((item) => fromItem(DelegationSchema, 'delegation', item));
  }

  // ---- the public site -------------------------------------------------------------------------------------------

  async putPublished(report: PublishedReport): Promise<void> {
    const key = keys.published(report.agencyId, report.year);
    const record = checked(PublishedReportSchema, 'published report', key, report);
    this.table.put({ ...record, ...key, ...keys.publishedIndex(record.agencyId, record.year) });
  }

  async listPublished(): Promise<PublishedReport[]> {
    return this.table.queryIndex(PUBLISHED_PARTITION).map((item) => fromItem(PublishedReportSchema, 'published report', item));
  }

  // ---- imported reports ------------------------------------------------------------------------------------------

  async putImportedReport(imported: ImportedReport): Promise<void> {
    const key = keys.imported(imported.agencyId, imported.year);
    this.table.put({ ...checked(ImportedReportSchema, 'imported report', key, imported), ...key });
  }

  async getImportedReport(agencyId: string, year: number): Promise<ImportedReport | undefined> {
    return this.read(ImportedReportSchema, 'imported report', keys.imported(agencyId, year));
  }
}
