import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { COMMITTED_DEFINITION, definitionKey, loadReviewDefinition, synthesizeDefinition } from '#infra/local/cached-definition.js';

/**
 * `npm start` reads the review definition from the committed file instead of running CDK. If this fails, the construct
 * or the synthesis changed: run `node --import tsx infra/local/cached-definition.ts` and commit the file.
 */
describe('the committed review definition', () => {
  it('is the one CDK synthesizes from the sources as they are now, stored under their key', async () => {
    const committed = JSON.parse(await readFile(COMMITTED_DEFINITION, 'utf8')) as { key: string; definition: unknown };
    expect(committed.key).toBe(await definitionKey());
    expect(committed.definition).toEqual(await synthesizeDefinition());
  }, 120_000);

  it('is what the local stack loads for the default options, without CDK', async () => {
    const loaded = await loadReviewDefinition();
    expect(loaded.source).toBe('committed');
  });

  it('other options have their own key, so a definition with other timeouts is never taken for the default one', async () => {
    const keys = new Set([
      await definitionKey(),
      await definitionKey({ reviewTimeoutSeconds: 60 }),
      await definitionKey({ revisionTimeoutSeconds: 60 }),
    ]);
    expect(keys.size).toBe(3);
    const loaded = await loadReviewDefinition({ reviewTimeoutSeconds: 61 });
    expect(loaded.source).not.toBe('committed');
    expect(JSON.stringify(loaded.definition)).toContain('"TimeoutSeconds":61');
  }, 120_000);
});
