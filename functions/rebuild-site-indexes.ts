import * as z from 'zod';
import { runtimeSite, runtimeStore, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { logger } from '../shared/runtime/logger.js';
import { IndexRequestSchema, rebuildSiteIndexes } from '../shared/workflow/site-indexes.js';

/**
 * The site-index writer: the only function that writes `index.html` and `reports/{agencyId}/index.html`. It reads
 * the FIFO queue the Publish task feeds, with reserved concurrency 1 and one message group, so two rebuilds never
 * overlap; a batch (up to ten requests) is one rebuild. Any failure fails the whole batch, which SQS delivers again
 * (after the visibility timeout) and, after its receive limit, moves to the dead-letter queue, which is alarmed.
 */

const SqsEventSchema = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })).min(1) });

export function createRebuildSiteIndexesHandler(deps: Pick<AppDeps, 'store' | 'site'>) {
  return async (event: unknown): Promise<void> => {
    const { Records } = SqsEventSchema.parse(event);
    const requests = Records.map((record) => IndexRequestSchema.parse(JSON.parse(record.body)));
    const outcome = await rebuildSiteIndexes(requests, deps);
    logger.info('site indexes rebuilt', { requests: requests.length, pages: outcome.keys.length, listed: outcome.listed });
  };
}

export const handler = lazyHandler(async () => createRebuildSiteIndexesHandler({ store: runtimeStore(), site: runtimeSite() }));
