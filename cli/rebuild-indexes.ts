import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '#shared/runtime/env.js';
import { SqsIndexQueue } from '#shared/store/sqs-index-queue.js';
import type { IndexQueue } from '#shared/workflow/ports.js';

/**
 * `nianbao rebuild-indexes`: queues a full rebuild of the public site's indexes with the one writer that makes them
 * (never writes them itself, so it cannot race a rebuild already running). In AWS: a message on the writer's FIFO
 * queue (`--queue-url`, or NIANBAO_INDEX_QUEUE_URL; credentials and region from the usual AWS variables). Locally:
 * `--local http://127.0.0.1:3000` asks the running `npm start`.
 */

export interface RebuildIndexesIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** the queue for a URL (tests pass a fake) */
  readonly queueFor?: (queueUrl: string) => IndexQueue;
  readonly fetch?: typeof fetch;
  readonly env?: NodeJS.ProcessEnv;
}

export class RebuildUsageError extends Error {
  override readonly name = 'RebuildUsageError';
}

const sqsQueue = (queueUrl: string): IndexQueue => new SqsIndexQueue({ client: new SQSClient({}), queueUrl });

export async function rebuildIndexes(args: string[], io: RebuildIndexesIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'queue-url': { type: 'string' }, local: { type: 'string' } },
  });
  if (positionals.length > 0) throw new RebuildUsageError('rebuild-indexes 不接受文件参数。');
  const queueUrl = values['queue-url'] ?? (io.env ?? process.env)[ENV.indexQueueUrl];
  if (values.local !== undefined && values['queue-url'] !== undefined) throw new RebuildUsageError('--local 与 --queue-url 只能选一个。');
  if (values.local !== undefined) {
    let target: URL;
    try {
      target = new URL('/_local/rebuild-indexes', values.local);
    } catch {
      throw new RebuildUsageError(`--local 需要本机服务的地址，如 http://127.0.0.1:3000，而不是 ${values.local}。`);
    }
    const status = await (io.fetch ?? fetch)(target, { method: 'POST' }).then(
      (response) => String(response.status),
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (status !== '202') {
      io.stderr.write(`重建请求未能送达本机服务 ${target.origin}（${status}）。npm start 是否在运行？\n`);
      return 1;
    }
    io.stdout.write(`已请求重建公开网站索引（本机 ${target.origin}）；几秒内完成。\n`);
    return 0;
  }
  if (queueUrl === undefined || queueUrl.trim() === '')
    throw new RebuildUsageError(
      `rebuild-indexes 需要 --queue-url（部署输出 SiteIndexQueueUrl）、环境变量 ${ENV.indexQueueUrl} 或 --local。`,
    );
  try {
    await (io.queueFor ?? sqsQueue)(queueUrl).request({ kind: 'all' });
  } catch (error) {
    const reason = error instanceof Error ? error.name : String(error);
    io.stderr.write(`重建请求未能送入队列 ${queueUrl}：${reason}。请检查 AWS 凭证、区域和队列地址。\n`);
    return 1;
  }
  io.stdout.write('已请求重建公开网站索引；索引写入程序将在几秒内完成。\n');
  return 0;
}
