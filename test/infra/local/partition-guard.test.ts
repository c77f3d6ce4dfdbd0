import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { matchesKeyPattern } from '#infra/function-needs.js';
import { AccessDeniedException, partitionGuard } from '#infra/local/partition-guard.js';
import { DynamoStore } from '#shared/store/dynamo-store.js';
import { keys } from '#shared/store/table.js';

/**
 * The local stack holds each handler's store to the partitions its line of infra/function-needs.ts names, as IAM's
 * dynamodb:LeadingKeys conditions do in AWS: a request outside them never reaches the table.
 */

const documentClient = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const table = mockClient(documentClient);
table.onAnyCommand().resolves({});
const storeOf = (name: Parameters<typeof partitionGuard>[1]) =>
  new DynamoStore({ client: partitionGuard(documentClient, name), tableName: 'nianbao' });

afterEach(() => {
  table.resetHistory();
});

describe('the local partition guard', () => {
  it('lets save-draft write its draft, and refuses it the roster and sessions before the table sees the request', async () => {
    const store = storeOf('save-draft');
    await store.saveDraft(
      {
        agencyId: 'daxing-kw',
        year: 2026,
        content: {},
        revision: 1,
        updatedAt: '2026-12-01T08:00:00Z',
        updatedBy: 'officer@kw.example.cn',
      },
      undefined,
    );
    expect(table.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.['pk'])).toEqual([keys.draft('daxing-kw', 2026).pk]);
    table.resetHistory();
    await expect(
      store.putRosterEntry({ email: 'me@kw.example.cn', name: '我', agencyId: 'daxing-kw', roles: ['director'] }),
    ).rejects.toThrow(AccessDeniedException);
    await expect(
      store.putSession({
        idHash: 'a'.repeat(64),
        email: 'me@kw.example.cn',
        csrfToken: 'c'.repeat(24),
        createdAt: '2026-12-01T08:00:00Z',
        expiresAt: '2026-12-02T08:00:00Z',
      }),
    ).rejects.toThrow(/save-draft is not authorized to perform dynamodb:PutItem on partition "SESSION#/);
    expect(table.calls()).toHaveLength(0);
  });

  it('lets a reading function read its partitions and write none', async () => {
    const client = partitionGuard(documentClient, 'get-draft');
    await client.send(new GetCommand({ TableName: 'nianbao', Key: keys.draft('daxing-kw', 2026) }));
    await client.send(new GetCommand({ TableName: 'nianbao', Key: keys.session('a'.repeat(64)) }));
    await expect(client.send(new GetCommand({ TableName: 'nianbao', Key: keys.review('rv_1') }))).rejects.toThrow(AccessDeniedException);
    await expect(client.send(new PutCommand({ TableName: 'nianbao', Item: { ...keys.draft('daxing-kw', 2026) } }))).rejects.toThrow(
      AccessDeniedException,
    );
    expect(table.calls()).toHaveLength(2);
  });

  it('holds index queries to the index partitions the function names', async () => {
    const store = storeOf('list-reports');
    await store.listHeads('daxing-kw');
    await store.listAgencies();
    await expect(store.listPublished()).rejects.toThrow(
      /list-reports is not authorized to perform dynamodb:Query on gsi1 partition "PUBLISHED"/,
    );
    expect(table.commandCalls(QueryCommand).map((call) => call.args[0].input.ExpressionAttributeValues?.[':gpk'])).toEqual([
      'AGENCY#daxing-kw',
      'AGENCIES',
    ]);
  });

  it('refuses what no function is granted: a scan, or a function with no table at all', async () => {
    await expect(partitionGuard(documentClient, 'web-pages').send(new ScanCommand({ TableName: 'nianbao' }))).rejects.toThrow(
      AccessDeniedException,
    );
    await expect(
      partitionGuard(documentClient, 'validate-report').send(new GetCommand({ TableName: 'nianbao', Key: keys.draft('daxing-kw', 2026) })),
    ).rejects.toThrow(AccessDeniedException);
    expect(table.calls()).toHaveLength(0);
  });
});

describe('key patterns, read as IAM reads StringLike', () => {
  it('match a whole partition by its prefix and an exact partition exactly', () => {
    expect(matchesKeyPattern('REPORT#*', 'REPORT#daxing-kw-2026')).toBe(true);
    expect(matchesKeyPattern('REPORT#*', 'REPORT#')).toBe(true);
    expect(matchesKeyPattern('REPORT#*', 'REPORTS')).toBe(false);
    expect(matchesKeyPattern('REPORT#*', 'xREPORT#a')).toBe(false);
    expect(matchesKeyPattern('PUBLISHED', 'PUBLISHED')).toBe(true);
    expect(matchesKeyPattern('PUBLISHED', 'PUBLISHED#daxing-kw#2026')).toBe(false);
    expect(matchesKeyPattern('AGENCY#*', 'AGENCIES')).toBe(false);
    // regular-expression characters in keys are plain characters
    expect(matchesKeyPattern('SIGNIN#*', 'SIGNIN#a.b+c@kw.example.cn')).toBe(true);
    expect(matchesKeyPattern('A.C', 'ABC')).toBe(false);
  });
});
