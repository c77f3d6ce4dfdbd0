import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../../shared/store/document-client.js';
import { DynamoStore, MalformedItemError } from '../../../../shared/store/dynamo-store.js';
import { ConflictError, NotFoundError } from '../../../../shared/workflow/errors.js';
import type { Decision, PublishedReport, ReportEvent, Review } from '../../../../shared/workflow/model.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const ddb = mockClient(DynamoDBDocumentClient);
const raw = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } });
const store = new DynamoStore({ client: createDocumentClient(raw), tableName: 'nianbao-unit' });

const HASH = 'a'.repeat(64);
const event: ReportEvent = {
  reportId: 'r-1',
  seq: 12,
  type: 'submitted',
  at: '2026-01-05T08:00:00.000Z',
  actor: { email: 'officer@kw.example.cn', role: 'officer' },
  version: 1,
  contentSha256: HASH,
  data: {},
  prevHash: '0'.repeat(64),
  hash: HASH,
};
const review: Review = {
  reviewId: 'rv_0123456789abcdefghijkl',
  reportId: 'r-1',
  version: 1,
  stage: 'director',
  approverEmail: 'director@kw.example.cn',
  approverName: '办公室主任',
  createdAt: '2026-01-05T08:00:00.000Z',
  linkExpiresAt: '2026-02-05T08:00:00.000Z',
  tokenSeq: 1,
  emailedTokenSeq: 1,
};
const decision: Decision = {
  outcome: 'approve',
  comment: '同意。',
  approver: 'director@kw.example.cn',
  approverName: '办公室主任',
  stage: 'director',
  confidentialityReviewed: true,
  version: 1,
  decidedAt: '2026-01-05T09:00:00.000Z',
};
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => {
  ddb.reset();
});

afterAll(() => {
  ddb.restore();
  raw.destroy();
});

describe('DynamoStore error mapping', () => {
  it('turns a failed condition on appendEvent into a ConflictError, writing only where the seq is free', async () => {
    ddb.on(PutCommand).rejects(ccf());
    const error = await store.appendEvent(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: 'CONFLICT', details: { reportId: 'r-1', seq: 12 } });

    const [call] = ddb.commandCalls(PutCommand);
    expect(call?.args[0].input).toMatchObject({
      TableName: 'nianbao-unit',
      Item: { ...event, pk: 'REPORT#r-1', sk: 'EVENT#00000012' },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
  });

  it('lets every other error through unchanged', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    ddb.on(PutCommand).rejectsOnce(throttled).rejectsOnce(new Error('socket hang up'));
    await expect(store.appendEvent(event)).rejects.toBe(throttled);
    await expect(store.appendEvent(event)).rejects.toThrow('socket hang up');
    await expect(store.appendEvent(event)).resolves.toBeUndefined();
  });

  it('swallows a failed condition on putHead: a newer head is already there', async () => {
    ddb.on(PutCommand).rejects(ccf());
    await expect(
      store.putHead({
        reportId: 'r-1',
        agencyId: 'daxing-kw',
        agencyName: '北京市大兴区科学技术委员会',
        year: 2025,
        template: 'national-2021',
        status: 'in_review',
        stage: 'director',
        version: 1,
        lastSeq: 2,
        lastHash: HASH,
        createdAt: '2026-01-05T08:00:00.000Z',
        updatedAt: '2026-01-05T08:00:00.000Z',
      }),
    ).resolves.toBeUndefined();
  });

  it('answers a lost decision race with a ConflictError carrying the decision that won (re-read: no ReturnValuesOnConditionCheckFailure)', async () => {
    ddb.on(UpdateCommand).rejects(ccf());
    ddb.on(GetCommand).resolves({ Item: { ...review, decision, pk: 'REVIEW#x', sk: 'REVIEW' } });
    const lost = store.recordDecision(review.reviewId, { ...decision, outcome: 'return' });
    await expect(lost).rejects.toBeInstanceOf(ConflictError);
    await expect(lost).rejects.toMatchObject({ details: { decision } });

    ddb.on(GetCommand).resolves({});
    await expect(store.recordDecision(review.reviewId, decision)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('DynamoStore reads', () => {
  it('returns a review without the layout attributes', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...review, pk: `REVIEW#${review.reviewId}`, sk: 'REVIEW' } });
    expect(await store.getReview(review.reviewId)).toEqual(review);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: `REVIEW#${review.reviewId}`, sk: 'REVIEW' },
      ConsistentRead: true,
    });
  });

  it('throws on a malformed review instead of returning it', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...review, tokenSeq: '1', pk: `REVIEW#${review.reviewId}`, sk: 'REVIEW' } });
    const error = await store.getReview(review.reviewId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedItemError);
    expect(error).toMatchObject({ record: 'review', key: `REVIEW#${review.reviewId} / REVIEW` });
    expect(String(error)).toContain('tokenSeq');
  });

  it('follows LastEvaluatedKey through every page of a listing', async () => {
    const row = (year: number): PublishedReport => ({
      reportId: `r-${year}`,
      agencyId: 'daxing-kw',
      agencyName: '北京市大兴区科学技术委员会',
      year,
      version: 1,
      contentSha256: HASH,
      publishedAt: '2026-01-05T08:00:00.000Z',
    });
    const lastKey = { pk: 'PUBLISHED#daxing-kw#2020', sk: 'PUBLISHED', gsi1pk: 'PUBLISHED', gsi1sk: 'daxing-kw#2020' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [row(2019), row(2020)], LastEvaluatedKey: lastKey })
      .resolvesOnce({ Items: [row(2021)] });
    expect((await store.listPublished()).map((r) => r.year)).toEqual([2019, 2020, 2021]);
    const calls = ddb.commandCalls(QueryCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input.ExclusiveStartKey).toBeUndefined();
    expect(calls[1]?.args[0].input).toMatchObject({ IndexName: 'gsi1', ExclusiveStartKey: lastKey });
  });
});
