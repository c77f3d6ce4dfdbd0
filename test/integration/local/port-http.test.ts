import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulatorThread } from '../../../infra/local/emulator-thread.js';
import { PortHttpHandler, serveOverPort } from '../../../infra/local/port-http.js';
import { ensureTable } from '../../../shared/store/table.js';
import { createTestDynamoClient, EMULATOR_SIGNER, uniqueTableName } from '../../support/dynalite.js';
import { dynamoStoreHarness, storeContract } from '../store/store-contract.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dynaliteThread() {
  const dir = await mkdtemp(join(tmpdir(), 'nianbao-port-http-'));
  dirs.push(dir);
  return startEmulatorThread({ kind: 'dynalite', path: join(dir, 'dynamodb') });
}

// the local stack's store: dynalite on its thread, the SDK's requests over the thread's port
storeContract(
  'dynalite on its thread, reached over a MessagePort (the local stack)',
  async () => {
    const emulator = await dynaliteThread();
    if (!emulator.requestHandler) throw new Error('the dynalite thread offered no port');
    return dynamoStoreHarness(emulator.endpoint, () => emulator.stop(), {
      requestHandler: emulator.requestHandler,
      signer: EMULATOR_SIGNER,
    });
  },
  { startTimeoutMs: 30_000 },
);

describe('an HTTP request carried over a MessagePort', () => {
  it('gives the listener the method, path with its query, headers and body, and the SDK the answer', async () => {
    const channel = new MessageChannel();
    const seen: unknown[] = [];
    serveOverPort(channel.port1, (req, res) => {
      seen.push(req);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.statusCode = 418;
        res.setHeader('X-Amz-Crc32', 12);
        res.end(`got ${Buffer.concat(chunks).toString('utf8')}`);
      });
    });
    const handler = new PortHttpHandler(channel.port2);
    try {
      const { response } = await handler.handle({
        method: 'POST',
        path: '/a b',
        query: { 'x-id': 'GetObject', list: ['1', '2'], flag: null },
        headers: { 'Content-Type': 'application/json' },
        body: '{"年":2020}',
      });
      expect(response.statusCode).toBe(418);
      expect(response.headers).toEqual({ 'x-amz-crc32': '12' });
      expect(Buffer.from(response.body).toString('utf8')).toBe('got {"年":2020}');
      expect(seen[0]).toMatchObject({
        method: 'POST',
        url: '/a b?x-id=GetObject&list=1&list=2&flag',
        headers: { 'content-type': 'application/json' },
      });
    } finally {
      handler.destroy();
      channel.port1.close();
    }
  });

  it('fails a request still waiting when the port closes, rather than leaving it hanging', async () => {
    const channel = new MessageChannel();
    serveOverPort(channel.port1, () => undefined); // never answers
    const handler = new PortHttpHandler(channel.port2);
    const waiting = handler.handle({ method: 'GET', path: '/', headers: {} });
    channel.port1.close();
    await expect(waiting).rejects.toThrow(/closed its port/);
  });

  it('refuses a streamed body, which it cannot carry', async () => {
    const channel = new MessageChannel();
    const handler = new PortHttpHandler(channel.port2);
    try {
      await expect(handler.handle({ method: 'PUT', path: '/', headers: {}, body: { pipe: () => undefined } })).rejects.toThrow(
        /not a stream/,
      );
    } finally {
      handler.destroy();
      channel.port1.close();
    }
  });

  it('carries DynamoDB errors as the SDK expects them: a failed condition is a ConditionalCheckFailedException', async () => {
    const emulator = await dynaliteThread();
    const client = createTestDynamoClient(emulator.endpoint, { requestHandler: emulator.requestHandler, signer: EMULATOR_SIGNER });
    try {
      const TableName = uniqueTableName('port');
      await ensureTable(client, TableName);
      const Item = { pk: { S: 'A#1' }, sk: { S: 'META' }, name: { S: '大兴区科委' } };
      await client.send(new PutItemCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }));
      await expect(
        client.send(new PutItemCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' })),
      ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
      const read = await client.send(new GetItemCommand({ TableName, Key: { pk: Item.pk, sk: Item.sk } }));
      expect(read.Item).toEqual(Item);
    } finally {
      client.destroy();
      await emulator.stop();
    }
  });
});
