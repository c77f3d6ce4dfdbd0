import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/store/document-client.js';
import { DynamoStore } from '../../../shared/store/dynamo-store.js';
import { ensureTable } from '../../../shared/store/table.js';
import { createTestDynamoClient, startDynalite } from '../../support/dynalite.js';
import { dynamoStoreHarness, storeContract } from './store-contract.js';

storeContract('dynalite (in memory)', async () => {
  const emulator = await startDynalite();
  return dynamoStoreHarness(emulator.endpoint, () => emulator.stop());
});

describe('dynalite on disk (the local stack’s .data/)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps the table and its items across a restart, and ensureTable leaves them alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nianbao-dynalite-'));
    dirs.push(dir);
    const agency = { id: 'daxing-kw', name: '北京市大兴区科学技术委员会' };

    const first = await startDynalite({ path: dir });
    const client1 = createTestDynamoClient(first.endpoint);
    await ensureTable(client1, 'nianbao');
    await new DynamoStore({ client: createDocumentClient(client1), tableName: 'nianbao' }).putAgency(agency);
    client1.destroy();
    await first.stop();

    const second = await startDynalite({ path: dir });
    const client2 = createTestDynamoClient(second.endpoint);
    try {
      await ensureTable(client2, 'nianbao');
      const store = new DynamoStore({ client: createDocumentClient(client2), tableName: 'nianbao' });
      expect(await store.getAgency(agency.id)).toEqual(agency);
      expect(await store.listAgencies()).toEqual([agency]);
    } finally {
      client2.destroy();
      await second.stop();
    }
  });
});
