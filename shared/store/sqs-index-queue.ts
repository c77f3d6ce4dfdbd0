import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { IndexQueue } from '../workflow/ports.js';
import type { IndexRequest } from '../workflow/site-indexes.js';

export interface SqsIndexQueueOptions {
  readonly client: SQSClient;
  /** a FIFO queue (`….fifo`) */
  readonly queueUrl: string;
}

/** Every request in one message group: SQS FIFO hands the group to one consumer at a time, in order. */
export const INDEX_MESSAGE_GROUP = 'site-indexes';

/**
 * The site-index writer's queue in AWS. The deduplication id is the request itself for a publication (a retried
 * Publish within SQS's five-minute window adds nothing), and the moment for a forced full rebuild (each is wanted).
 */
export class SqsIndexQueue implements IndexQueue {
  constructor(private readonly options: SqsIndexQueueOptions) {}

  async request(request: IndexRequest): Promise<void> {
    const body = JSON.stringify(request);
    const dedup = request.kind === 'all' ? `all-${Date.now()}` : body;
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: body,
        MessageGroupId: INDEX_MESSAGE_GROUP,
        MessageDeduplicationId: createHash('sha256').update(dedup).digest('hex'),
      }),
    );
  }
}
