import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../workflow/errors.js';
import {
  AdminEventSchema,
  AgencySchema,
  DistrictSchema,
  ReminderRecordSchema,
  DecisionSchema,
  DelegationSchema,
  DraftSchema,
  ImportedReportSchema,
  IsoTimeSchema,
  PublishedReportSchema,
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
  type District,
  type ReminderRecord,
  type Decision,
  type Draft,
  type ImportedReport,
  type PublishedReport,
  type ReportEvent,
  type ReportHead,
  type ReportVersion,
  type Review,
  type Revision,
  type RosterEntry,
  type Delegation,
  type Session,
  type SignInCode,
} from '../workflow/model.js';
import type { ReviewPointer, Store } from '../workflow/ports.js';
import {
  ADMIN_LOG_PARTITION,
  AGENCIES_PARTITION,
  DISTRICTS_PARTITION,
  GSI1,
  GSI1_PREFIX,
  PUBLISHED_PARTITION,
  SK_PREFIX,
  agencyIndexPk,
  keys,
  reportPk,
  sortableTime,
  TTL_ATTRIBUTE,
  ttlFor,
  type ItemKey,
} from './table.js';

import { assertCount, checked, emailKey, fromItem, keyText, MalformedItemError, ReviewPointerSchema, type Item } from './records.js';

export { MalformedItemError, ReviewPointerSchema } from './records.js';

export interface DynamoStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * `Limit` of every Query page. Absent in production (DynamoDB's 1 MB pages); tests set a small one to prove that
   * every listing follows LastEvaluatedKey.
   */
  readonly queryPageSize?: number;
}

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The Store port on one DynamoDB table (layout in table.ts). Every write is a single conditional Put or Update;
 * a lost condition becomes ConflictError where the caller must know, and is swallowed where it only means
 * "a newer value is already there" (heads, emailed/delivered/logged markers).
 */
export class DynamoStore implements Store {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly queryPageSize: number | undefined;

  constructor(options: DynamoStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.queryPageSize = options.queryPageSize;
  }

  // ---- plumbing --------------------------------------------------------------------------------------------------

  private async get(key: ItemKey): Promise<Item | undefined> {
    const res = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return res.Item;
  }

  /** Every page of a Query, following LastEvaluatedKey until DynamoDB has no more. */
  private async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const res = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ...(this.queryPageSize === undefined ? {} : { Limit: this.queryPageSize }),
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      items.push(...(res.Items ?? []));
      startKey = res.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  /** A conditional Put; returns false when the condition failed. */
  private async putIf(item: Item, condition: string, names: Record<string, string>, values?: Item): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** A conditional Update returning the new item; undefined when the condition failed. */
  private async updateIf(
    key: ItemKey,
    update: string,
    condition: string | undefined,
    names: Record<string, string>,
    values: Item,
  ): Promise<Item | undefined> {
    try {
      const res = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: update,
          ...(condition === undefined ? {} : { ConditionExpression: condition }),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ?? {};
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  // ---- the log ---------------------------------------------------------------------------------------------------

  async appendEvent(event: ReportEvent): Promise<void> {
    const key = keys.event(event.reportId, event.seq);
    const record = checked(ReportEventSchema, 'event', key, event);
    const written = await this.putIf({ ...record, ...key }, 'attribute_not_exists(#pk)', { '#pk': 'pk' });
    if (!written) {
      throw new ConflictError('该报告已有更新的记录，请刷新后重试。', 'CONFLICT', { reportId: event.reportId, seq: event.seq });
    }
  }

  async listEvents(reportId: string): Promise<ReportEvent[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': reportPk(reportId), ':prefix': SK_PREFIX.event },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem(ReportEventSchema, 'event', item));
  }

  // ---- projections -----------------------------------------------------------------------------------------------

  async getHead(reportId: string): Promise<ReportHead | undefined> {
    const item = await this.get(keys.head(reportId));
    return item === undefined ? undefined : fromItem(ReportHeadSchema, 'head', item);
  }

  async putHead(head: ReportHead): Promise<void> {
    const key = keys.head(head.reportId);
    const record = checked(ReportHeadSchema, 'head', key, head);
    // A failed condition means a head with a later lastSeq is already there: never go backwards.
    await this.putIf(
      { ...record, ...key, ...keys.headIndex(record.agencyId, record.year, record.reportId) },
      'attribute_not_exists(#pk) OR #lastSeq < :seq OR #lastSeq = :seq',
      { '#pk': 'pk', '#lastSeq': 'lastSeq' },
      { ':seq': record.lastSeq },
    );
  }

  async listHeads(agencyId: string): Promise<ReportHead[]> {
    const items = await this.queryAll({
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#gpk = :gpk AND begins_with(#gsk, :prefix)',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey },
      ExpressionAttributeValues: { ':gpk': agencyIndexPk(agencyId), ':prefix': GSI1_PREFIX.report },
    });
    return items.map((item) => fromItem(ReportHeadSchema, 'head', item));
  }

  async putVersion(version: ReportVersion): Promise<void> {
    const key = keys.version(version.reportId, version.version);
    const record = checked(ReportVersionSchema, 'version', key, version);
    if (await this.putIf({ ...record, ...key }, 'attribute_not_exists(#pk)', { '#pk': 'pk' })) return;
    const existing = await this.getVersion(version.reportId, version.version);
    if (existing?.contentSha256 === record.contentSha256) return;
    throw new ConflictError('该版本已存在且内容不同。', 'CONFLICT', {
      reportId: version.reportId,
      version: version.version,
      storedSha256: existing?.contentSha256,
    });
  }

  async getVersion(reportId: string, version: number): Promise<ReportVersion | undefined> {
    const item = await this.get(keys.version(reportId, version));
    return item === undefined ? undefined : fromItem(ReportVersionSchema, 'version', item);
  }

  // ---- reviews ---------------------------------------------------------------------------------------------------

  async claimReviewSlot(pointer: ReviewPointer): Promise<ReviewPointer> {
    const key = keys.reviewPointer(
      pointer.reportId,
      pointer.version,
      pointer.seat === undefined ? pointer.stage : `${pointer.stage}#${pointer.seat}`,
    );
    const record = checked(ReviewPointerSchema, 'review pointer', key, pointer);
    if (await this.putIf({ ...record, ...key }, 'attribute_not_exists(#pk)', { '#pk': 'pk' })) return record;
    const existing = await this.get(key);
    if (existing === undefined) {
      throw new Error(`review slot ${keyText(key)} was taken and then vanished`);
    }
    return fromItem(ReviewPointerSchema, 'review pointer', existing);
  }

  async listReviewPointers(reportId: string): Promise<ReviewPointer[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': reportPk(reportId), ':prefix': SK_PREFIX.reviewPointer },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem(ReviewPointerSchema, 'review pointer', item));
  }

  /** ConflictError when a review with that id exists (it is never overwritten: it may hold a decision). */
  async createReview(review: Review): Promise<void> {
    const key = keys.review(review.reviewId);
    const record = checked(ReviewSchema, 'review', key, review);
    if (!(await this.putIf({ ...record, ...key }, 'attribute_not_exists(#pk)', { '#pk': 'pk' }))) {
      throw new ConflictError('该审核已存在。', 'CONFLICT', { reviewId: review.reviewId });
    }
  }

  async getReview(reviewId: string): Promise<Review | undefined> {
    const item = await this.get(keys.review(reviewId));
    return item === undefined ? undefined : fromItem(ReviewSchema, 'review', item);
  }

  async issueReviewToken(reviewId: string, taskToken: string, expectedTokenSeq: number): Promise<Review> {
    assertCount(expectedTokenSeq, 'expectedTokenSeq');
    const item = await this.updateIf(
      keys.review(reviewId),
      'SET #taskToken = :token, #tokenSeq = :next',
      '#tokenSeq = :expected',
      { '#taskToken': 'taskToken', '#tokenSeq': 'tokenSeq' },
      { ':token': taskToken, ':next': expectedTokenSeq + 1, ':expected': expectedTokenSeq },
    );
    if (item === undefined) {
      throw new ConflictError('审核任务已被更新，请刷新后重试。', 'CONFLICT', { reviewId, expectedTokenSeq });
    }
    return fromItem(ReviewSchema, 'review', item);
  }

  async markReviewEmailed(reviewId: string, tokenSeq: number): Promise<void> {
    assertCount(tokenSeq, 'tokenSeq');
    // Only moves forward; a failed condition means that email (or a later one) is already recorded.
    await this.updateIf(
      keys.review(reviewId),
      'SET #emailed = :seq',
      'attribute_exists(#pk) AND #emailed < :seq',
      { '#pk': 'pk', '#emailed': 'emailedTokenSeq' },
      { ':seq': tokenSeq },
    );
  }

  async markReviewReplaced(reviewId: string, replacedBy: { reviewId: string; approverEmail: string; approverName: string }): Promise<void> {
    const item = await this.updateIf(
      keys.review(reviewId),
      'SET #replaced = :by',
      'attribute_exists(#pk) AND attribute_not_exists(#decision) AND attribute_not_exists(#replaced)',
      { '#pk': 'pk', '#replaced': 'replacedBy', '#decision': 'decision' },
      { ':by': { ...replacedBy } },
    );
    if (item === undefined) throw new ConflictError('该审核已有结果或已转交。', 'CONFLICT', { reviewId });
  }

  async setReviewResends(reviewId: string, resentAt: readonly string[], expected: readonly string[] | undefined): Promise<void> {
    // compared by the newest time (a list is not comparable in a condition on every DynamoDB this runs on)
    const last = expected?.at(-1);
    const item = await this.updateIf(
      keys.review(reviewId),
      'SET #resent = :next, #last = :last',
      last === undefined ? 'attribute_exists(#pk) AND attribute_not_exists(#last)' : 'attribute_exists(#pk) AND #last = :expected',
      { '#pk': 'pk', '#resent': 'resentAt', '#last': 'lastResentAt' },
      { ':next': [...resentAt], ':last': resentAt.at(-1) ?? '', ...(last === undefined ? {} : { ':expected': last }) },
    );
    if (item === undefined) throw new ConflictError('该审核的提醒记录已被其他操作更新，请重试。', 'CONFLICT', { reviewId });
  }

  async recordDecision(reviewId: string, decision: Decision): Promise<Review> {
    const key = keys.review(reviewId);
    const parsed = DecisionSchema.safeParse(decision);
    if (!parsed.success) throw new MalformedItemError('write', 'decision', keyText(key), parsed.error);
    // ReturnValuesOnConditionCheckFailure would give the winner in the same call, but dynalite ignores it: re-read.
    const item = await this.updateIf(
      key,
      'SET #decision = :decision',
      'attribute_exists(#pk) AND attribute_not_exists(#decision)',
      { '#pk': 'pk', '#decision': 'decision' },
      { ':decision': parsed.data },
    );
    if (item !== undefined) return fromItem(ReviewSchema, 'review', item);
    const existing = await this.getReview(reviewId);
    if (existing === undefined) throw new NotFoundError('找不到该审核。');
    throw new ConflictError('该审核已有决定。', 'CONFLICT', { reviewId, decision: existing.decision });
  }

  async markDecisionDelivered(reviewId: string, tokenSeq: number): Promise<void> {
    assertCount(tokenSeq, 'tokenSeq');
    await this.updateIf(
      keys.review(reviewId),
      'SET #delivered = :seq',
      'attribute_exists(#pk) AND (attribute_not_exists(#delivered) OR #delivered < :seq)',
      { '#pk': 'pk', '#delivered': 'deliveredTokenSeq' },
      { ':seq': tokenSeq },
    );
  }

  async markDecisionLogged(reviewId: string, seq: number): Promise<void> {
    assertCount(seq, 'seq');
    await this.updateIf(
      keys.review(reviewId),
      'SET #logged = :seq',
      'attribute_exists(#pk) AND attribute_not_exists(#logged)',
      { '#pk': 'pk', '#logged': 'decisionEventSeq' },
      { ':seq': seq },
    );
  }

  // ---- revisions -------------------------------------------------------------------------------------------------

  /**
   * Upsert: the first call writes the revision; a retried task replaces only the task token (the comment, author and
   * time of the return stay as first written) and a resolution (resubmittedVersion) is never cleared.
   */
  async putRevision(revision: Revision): Promise<void> {
    const key = keys.revision(revision.reportId, revision.returnedVersion);
    const record = checked(RevisionSchema, 'revision', key, revision);
    const names: Record<string, string> = {
      '#taskToken': 'taskToken',
      '#reportId': 'reportId',
      '#returnedVersion': 'returnedVersion',
      '#comment': 'comment',
      '#returnedBy': 'returnedBy',
      '#createdAt': 'createdAt',
    };
    const values: Item = {
      ':taskToken': record.taskToken,
      ':reportId': record.reportId,
      ':returnedVersion': record.returnedVersion,
      ':comment': record.comment,
      ':returnedBy': record.returnedBy,
      ':createdAt': record.createdAt,
    };
    const sets = [
      '#taskToken = :taskToken',
      '#reportId = if_not_exists(#reportId, :reportId)',
      '#returnedVersion = if_not_exists(#returnedVersion, :returnedVersion)',
      '#comment = if_not_exists(#comment, :comment)',
      '#returnedBy = if_not_exists(#returnedBy, :returnedBy)',
      '#createdAt = if_not_exists(#createdAt, :createdAt)',
    ];
    if (record.resubmittedVersion !== undefined) {
      names['#resubmitted'] = 'resubmittedVersion';
      values[':resubmitted'] = record.resubmittedVersion;
      sets.push('#resubmitted = if_not_exists(#resubmitted, :resubmitted)');
    }
    await this.updateIf(key, `SET ${sets.join(', ')}`, undefined, names, values);
  }

  async getRevision(reportId: string, returnedVersion: number): Promise<Revision | undefined> {
    const item = await this.get(keys.revision(reportId, returnedVersion));
    return item === undefined ? undefined : fromItem(RevisionSchema, 'revision', item);
  }

  async markRevisionEmailed(reportId: string, returnedVersion: number, tokenHash: string): Promise<void> {
    await this.updateIf(
      keys.revision(reportId, returnedVersion),
      'SET #emailed = :hash',
      'attribute_exists(#pk)',
      { '#pk': 'pk', '#emailed': 'emailedTokenHash' },
      { ':hash': tokenHash },
    );
  }

  async resolveRevision(reportId: string, returnedVersion: number, resubmittedVersion: number): Promise<void> {
    assertCount(resubmittedVersion, 'resubmittedVersion');
    const item = await this.updateIf(
      keys.revision(reportId, returnedVersion),
      'SET #resubmitted = :version',
      'attribute_exists(#pk) AND attribute_not_exists(#resubmitted)',
      { '#pk': 'pk', '#resubmitted': 'resubmittedVersion' },
      { ':version': resubmittedVersion },
    );
    if (item === undefined) {
      throw new ConflictError('该退回已处理。', 'CONFLICT', { reportId, returnedVersion });
    }
  }

  // ---- drafts ----------------------------------------------------------------------------------------------------

  async getDraft(agencyId: string, year: number): Promise<Draft | undefined> {
    const item = await this.get(keys.draft(agencyId, year));
    return item === undefined ? undefined : fromItem(DraftSchema, 'draft', item);
  }

  async saveDraft(draft: Draft, expectedRevision: number | undefined): Promise<void> {
    const key = keys.draft(draft.agencyId, draft.year);
    const record = checked(DraftSchema, 'draft', key, draft);
    const written =
      expectedRevision === undefined
        ? await this.putIf({ ...record, ...key }, 'attribute_not_exists(#pk)', { '#pk': 'pk' })
        : await this.putIf({ ...record, ...key }, '#revision = :expected', { '#revision': 'revision' }, { ':expected': expectedRevision });
    if (!written) {
      throw new ConflictError('草稿已在别处更新，请刷新后重试。', 'CONFLICT', {
        agencyId: draft.agencyId,
        year: draft.year,
        expectedRevision,
      });
    }
  }

  // ---- sign-in ---------------------------------------------------------------------------------------------------

  async putSession(session: Session): Promise<void> {
    const key = keys.session(session.idHash);
    const record = checked(SessionSchema, 'session', key, session);
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...record, ...key, [TTL_ATTRIBUTE]: ttlFor(record.expiresAt) } }),
    );
  }

  async getSession(idHash: string): Promise<Session | undefined> {
    const item = await this.get(keys.session(idHash));
    return item === undefined ? undefined : fromItem(SessionSchema, 'session', item);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.session(idHash) }));
  }

  /** ConflictError if a code with the same email, issuedAt and codeId is already there (it is never reset). */
  async putSignInCode(code: SignInCode): Promise<void> {
    const parsed = SignInCodeSchema.safeParse(code);
    if (!parsed.success) throw new MalformedItemError('write', 'sign-in code', `SIGNIN#${code.email}`, parsed.error);
    const record = parsed.data;
    const key = keys.signInCode(record.email, record.issuedAt, record.codeId);
    if (
      !(await this.putIf({ ...record, ...key, [TTL_ATTRIBUTE]: ttlFor(record.expiresAt) }, 'attribute_not_exists(#pk)', { '#pk': 'pk' }))
    ) {
      throw new ConflictError('该验证码已存在。', 'CONFLICT', { codeId: code.codeId });
    }
  }

  async listSignInCodes(email: string, since: string): Promise<SignInCode[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND #sk >= :from',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': keys.signInPk(emailKey(email)), ':from': `${SK_PREFIX.signInCode}${sortableTime(since)}` },
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    return items.map((item) => fromItem(SignInCodeSchema, 'sign-in code', item));
  }

  /** The code's key, found by reading the address's codes newest first (the one being checked is among the newest). */
  private async findSignInCode(email: string, codeId: string): Promise<ItemKey | undefined> {
    const pk = keys.signInPk(emailKey(email));
    let startKey: Item | undefined;
    do {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          FilterExpression: '#codeId = :codeId',
          ProjectionExpression: '#pk, #sk',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#codeId': 'codeId' },
          ExpressionAttributeValues: { ':pk': pk, ':prefix': SK_PREFIX.signInCode, ':codeId': codeId },
          ScanIndexForward: false,
          ConsistentRead: true,
          ...(this.queryPageSize === undefined ? {} : { Limit: this.queryPageSize }),
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      const sk = res.Items?.[0]?.['sk'];
      if (typeof sk === 'string') return { pk, sk };
      startKey = res.LastEvaluatedKey;
    } while (startKey !== undefined);
    return undefined;
  }

  async countSignInAttempt(email: string, codeId: string, maxAttempts: number): Promise<SignInCode> {
    assertCount(maxAttempts, 'maxAttempts');
    const key = await this.findSignInCode(email, codeId);
    if (key === undefined) throw new NotFoundError('找不到该验证码。');
    const item = await this.updateIf(
      key,
      'ADD #attempts :one',
      'attribute_exists(#pk) AND #attempts < :max AND attribute_not_exists(#usedAt)',
      { '#pk': 'pk', '#attempts': 'attempts', '#usedAt': 'usedAt' },
      { ':one': 1, ':max': maxAttempts },
    );
    if (item === undefined) {
      throw new ConflictError('验证码已失效，请重新获取。', 'CONFLICT', { codeId });
    }
    return fromItem(SignInCodeSchema, 'sign-in code', item);
  }

  async markSignInCodeUsed(email: string, codeId: string, usedAt: string): Promise<void> {
    const usedAtParsed = IsoTimeSchema.safeParse(usedAt);
    if (!usedAtParsed.success) throw new MalformedItemError('write', 'sign-in code', `SIGNIN#${email}`, usedAtParsed.error);
    const key = await this.findSignInCode(email, codeId);
    if (key === undefined) throw new NotFoundError('找不到该验证码。');
    const item = await this.updateIf(
      key,
      'SET #usedAt = :usedAt',
      'attribute_exists(#pk) AND attribute_not_exists(#usedAt)',
      { '#pk': 'pk', '#usedAt': 'usedAt' },
      { ':usedAt': usedAtParsed.data },
    );
    if (item === undefined) {
      throw new ConflictError('验证码已使用，请重新获取。', 'CONFLICT', { codeId });
    }
  }

  async countSignInRequest(email: string, window: string, max: number, expiresAt: string): Promise<boolean> {
    assertCount(max, 'max');
    const expiry = IsoTimeSchema.safeParse(expiresAt);
    if (!expiry.success) throw new MalformedItemError('write', 'sign-in counter', `SIGNIN#${email}`, expiry.error);
    // one conditional ADD: twenty requests at once count twenty times and at most `max` of them pass
    const item = await this.updateIf(
      keys.signInLimit(emailKey(email), window),
      'ADD #count :one SET #ttl = :ttl',
      'attribute_not_exists(#count) OR #count < :max',
      { '#count': 'count', '#ttl': TTL_ATTRIBUTE },
      { ':one': 1, ':max': max, ':ttl': ttlFor(expiry.data) },
    );
    return item !== undefined;
  }

  // ---- who is who ------------------------------------------------------------------------------------------------

  async putAgency(agency: Agency): Promise<void> {
    const key = keys.agency(agency.id);
    const record = checked(AgencySchema, 'agency', key, agency);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...record, ...key, ...keys.agencyIndex(record.id) } }));
  }

  async getAgency(agencyId: string): Promise<Agency | undefined> {
    const item = await this.get(keys.agency(agencyId));
    return item === undefined ? undefined : fromItem(AgencySchema, 'agency', item);
  }

  async listAgencies(): Promise<Agency[]> {
    const items = await this.queryAll({
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#gpk = :gpk',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey },
      ExpressionAttributeValues: { ':gpk': AGENCIES_PARTITION },
    });
    return items.map((item) => fromItem(AgencySchema, 'agency', item));
  }

  async putRosterEntry(entry: RosterEntry): Promise<void> {
    const parsed = RosterEntrySchema.safeParse(entry);
    if (!parsed.success) throw new MalformedItemError('write', 'roster entry', `ROSTER#${entry.email}`, parsed.error);
    const record = parsed.data;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...record, ...keys.roster(record.email), ...keys.rosterIndex(record.agencyId, record.email) },
      }),
    );
  }

  async getRosterEntry(email: string): Promise<RosterEntry | undefined> {
    const item = await this.get(keys.roster(emailKey(email)));
    return item === undefined ? undefined : fromItem(RosterEntrySchema, 'roster entry', item);
  }

  async listRoster(agencyId: string): Promise<RosterEntry[]> {
    const items = await this.queryAll({
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#gpk = :gpk AND begins_with(#gsk, :prefix)',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey },
      ExpressionAttributeValues: { ':gpk': agencyIndexPk(agencyId), ':prefix': GSI1_PREFIX.roster },
    });
    return items.map((item) => fromItem(RosterEntrySchema, 'roster entry', item));
  }

  async deleteRosterEntry(email: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.roster(emailKey(email)) }));
  }

  async putDistrict(district: District): Promise<void> {
    const key = keys.district(district.id);
    const record = checked(DistrictSchema, 'district', key, district);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...record, ...key, ...keys.districtIndex(record.id) } }));
  }

  async getDistrict(districtId: string): Promise<District | undefined> {
    const item = await this.get(keys.district(districtId));
    return item === undefined ? undefined : fromItem(DistrictSchema, 'district', item);
  }

  async listDistricts(): Promise<District[]> {
    const items = await this.queryAll({
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#gpk = :gpk',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey },
      ExpressionAttributeValues: { ':gpk': DISTRICTS_PARTITION },
    });
    return items.map((item) => fromItem(DistrictSchema, 'district', item));
  }

  // ---- reminders -------------------------------------------------------------------------------------------------

  async claimReminder(key: string, now: string, leaseMs: number): Promise<boolean> {
    assertCount(leaseMs, 'leaseMs');
    const itemKey = keys.reminder(key);
    const record = checked(ReminderRecordSchema, 'reminder', itemKey, { key, claimedAt: now, attempts: 1 });
    if (await this.putIf({ ...record, ...itemKey }, 'attribute_not_exists(#pk)', { '#pk': 'pk' })) return true;
    // an unsent claim older than the lease was cut short between claim and mark: take it over, once per lease
    const staleBefore = new Date(Date.parse(now) - leaseMs).toISOString();
    const item = await this.updateIf(
      itemKey,
      'SET #claimedAt = :now ADD #attempts :one',
      'attribute_not_exists(#sentAt) AND #claimedAt <= :stale',
      { '#claimedAt': 'claimedAt', '#sentAt': 'sentAt', '#attempts': 'attempts' },
      { ':now': record.claimedAt, ':stale': staleBefore, ':one': 1 },
    );
    return item !== undefined;
  }

  async markReminderSent(key: string, sentAt: string): Promise<void> {
    const at = IsoTimeSchema.parse(sentAt);
    await this.updateIf(
      keys.reminder(key),
      'SET #sentAt = :at',
      'attribute_exists(#pk) AND attribute_not_exists(#sentAt)',
      { '#sentAt': 'sentAt', '#pk': 'pk' },
      { ':at': at },
    );
  }

  async getReminder(key: string): Promise<ReminderRecord | undefined> {
    const item = await this.get(keys.reminder(key));
    return item === undefined ? undefined : fromItem(ReminderRecordSchema, 'reminder', item);
  }

  // ---- the administration log ------------------------------------------------------------------------------------

  async appendAdminEvent(event: AdminEvent): Promise<void> {
    const key = keys.adminEvent(event.seq);
    const record = checked(AdminEventSchema, 'admin event', key, event);
    if (!(await this.putIf({ ...record, ...key }, 'attribute_not_exists(#pk)', { '#pk': 'pk' }))) {
      throw new ConflictError('管理记录已有更新，请重试。', 'CONFLICT', { seq: event.seq });
    }
  }

  async listAdminEvents(): Promise<AdminEvent[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': ADMIN_LOG_PARTITION, ':prefix': SK_PREFIX.event },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem(AdminEventSchema, 'admin event', item));
  }

  // ---- delegation (代理): one record per delegator, listed per agency on gsi1 -------------------------------------

  async putDelegation(delegation: Delegation): Promise<void> {
    const key = keys.delegation(emailKey(delegation.delegator));
    const record = checked(DelegationSchema, 'delegation', key, delegation);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...record, ...key, ...keys.delegationIndex(record.agencyId, record.delegator) },
      }),
    );
  }

  async getDelegation(delegator: string): Promise<Delegation | undefined> {
    const item = await this.get(keys.delegation(emailKey(delegator)));
    return item === undefined ? undefined : fromItem(DelegationSchema, 'delegation', item);
  }

  async listDelegations(agencyId: string): Promise<Delegation[]> {
    const items = await this.queryAll({
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#gpk = :gpk AND begins_with(#gsk, :prefix)',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey },
      ExpressionAttributeValues: { ':gpk': agencyIndexPk(agencyId), ':prefix': GSI1_PREFIX.delegation },
    });
    return items.map((item) => fromItem(DelegationSchema, 'delegation', item));
  }

  // ---- the public site -------------------------------------------------------------------------------------------

  /** Overwrites: a later publication of the agency-year replaces the earlier one. */
  async putPublished(report: PublishedReport): Promise<void> {
    const key = keys.published(report.agencyId, report.year);
    const record = checked(PublishedReportSchema, 'published report', key, report);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...record, ...key, ...keys.publishedIndex(record.agencyId, record.year) },
      }),
    );
  }

  async listPublished(): Promise<PublishedReport[]> {
    const items = await this.queryAll({
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#gpk = :gpk',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey },
      ExpressionAttributeValues: { ':gpk': PUBLISHED_PARTITION },
    });
    return items.map((item) => fromItem(PublishedReportSchema, 'published report', item));
  }

  // ---- imported reports ----------------------------------------------------------------------------------------------

  async putImportedReport(imported: ImportedReport): Promise<void> {
    const key = keys.imported(imported.agencyId, imported.year);
    const record = checked(ImportedReportSchema, 'imported report', key, imported);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...record, ...key } }));
  }

  async getImportedReport(agencyId: string, year: number): Promise<ImportedReport | undefined> {
    const item = await this.get(keys.imported(agencyId, year));
    return item === undefined ? undefined : fromItem(ImportedReportSchema, 'imported report', item);
  }
}
