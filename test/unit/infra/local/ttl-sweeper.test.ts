import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from '#infra/local/ttl-sweeper.js';
import { createDocumentClient } from '#shared/store/document-client.js';
import { DynamoStore } from '#shared/store/dynamo-store.js';
import { ensureTable, keys, TTL_ATTRIBUTE } from '#shared/store/table.js';
import { createTestDynamoClient, startDynalite, uniqueTableName, type Emulator } from '../../../support/dynalite.js';

/**
 * Sessions, sign-in codes and sign-in counters carry DynamoDB's TTL attribute; the local stack's sweeper removes
 * them once it has passed (AWS does the same, later), and leaves everything else.
 */

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startDynalite();
});
afterAll(async () => {
  await emulator.stop();
});

const hash = (c: string) => c.repeat(64);

describe('TTL on expiring items, and the local sweeper', () => {
  it('writes the expiry as epoch seconds, removes items once it has passed (not at it), and keeps the rest', async () => {
    const client = createDocumentClient(createTestDynamoClient(emulator.endpoint));
    const tableName = uniqueTableName('ttl');
    await ensureTable(createTestDynamoClient(emulator.endpoint), tableName);
    const store = new DynamoStore({ client, tableName });
    const expiresAt = '2021-01-20T13:00:00.000Z';
    await store.putSession({
      idHash: hash('a'),
      email: 'officer@kw.example.cn',
      csrfToken: 'c'.repeat(32),
      createdAt: '2021-01-20T01:00:00.000Z',
      expiresAt,
    });
    await store.putSignInCode({
      email: 'officer@kw.example.cn',
      codeId: 'code-1',
      codeHash: hash('b'),
      issuedAt: '2021-01-20T12:50:00.000Z',
      expiresAt,
      attempts: 0,
    });
    await store.countSignInRequest('officer@kw.example.cn', 'HOUR#2021-01-20T12:00:00.000Z#x', 5, expiresAt);
    await store.putAgency({ id: 'daxing-kw', name: '北京市大兴区科学技术委员会' });
    const session = await client.send(new GetCommand({ TableName: tableName, Key: keys.session(hash('a')) }));
    expect(session.Item?.[TTL_ATTRIBUTE]).toBe(Date.parse(expiresAt) / 1000);

    // at the expiry second itself nothing goes; a second later the three expiring items do, the agency stays
    expect(await sweepExpired(client, tableName, new Date(expiresAt))).toBe(0);
    expect(await sweepExpired(client, tableName, new Date(Date.parse(expiresAt) + 1000))).toBe(3);
    expect(await store.getSession(hash('a'))).toBeUndefined();
    expect(await store.listSignInCodes('officer@kw.example.cn', '2021-01-20T00:00:00.000Z')).toEqual([]);
    expect(await store.getAgency('daxing-kw')).toBeDefined();
  });
});
