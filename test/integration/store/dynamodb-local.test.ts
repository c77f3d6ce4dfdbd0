import { describe, expect, it } from 'vitest';
import { javaAvailable, startDynamoDBLocal } from '../../support/dynamodb-local.js';
import { dynamoStoreHarness, storeContract } from './store-contract.js';

// The same contract on AWS's own emulator, which is stricter than dynalite in places (expression validation,
// reserved words, item size accounting). It needs java; CI machines have it, so only a developer's machine may lack it.
if (javaAvailable()) {
  storeContract(
    'DynamoDB Local',
    async () => {
      const emulator = await startDynamoDBLocal();
      return dynamoStoreHarness(emulator.endpoint, () => emulator.stop());
    },
    // first run downloads the jar (~56 MB) once; a JVM start takes 1.5–5 s
    { startTimeoutMs: 120_000 },
  );
} else {
  describe('Store contract: DynamoDB Local', () => {
    it('runs wherever java is on PATH; without java it is only allowed off CI', () => {
      expect(process.env['CI']).not.toBe('true');
      expect(javaAvailable()).toBe(false);
    });
  });
}
