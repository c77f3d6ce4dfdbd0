import { DeleteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../../shared/store/table.js';

/**
 * DynamoDB's TTL for the local stack, which dynalite lacks: every so often, delete the items whose TTL attribute
 * (epoch seconds) has passed. Each delete is conditional on the TTL still being past, so an item rewritten meanwhile
 * with a later expiry stays. Reads never rely on this (they check each record's own expiry), as on AWS, where
 * deletion also comes late.
 */
export async function sweepExpired(client: DynamoDBDocumentClient, tableName: string, now: Date): Promise<number> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let removed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#ttl < :now',
        ProjectionExpression: 'pk, sk',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': nowSeconds },
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        await client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: item['pk'], sk: item['sk'] },
            ConditionExpression: '#ttl < :now',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
        removed++;
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return removed;
}

/** Sweeps now and then every `intervalMs` until stopped; a failed sweep is reported and the next one tries again. */
export function startTtlSweeper(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  intervalMs: number;
  onError: (error: unknown) => void;
}): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = sweepExpired(options.client, options.tableName, new Date()).catch(options.onError);
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
