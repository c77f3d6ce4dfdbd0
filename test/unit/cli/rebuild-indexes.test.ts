import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/nianbao.js';
import type { IndexRequest } from '#shared/workflow/site-indexes.js';

/** `nianbao rebuild-indexes`: a full rebuild queued with the one writer, in AWS or on `npm start`. */

async function run(argv: string[], rebuild: NonNullable<Parameters<typeof main>[1]['rebuild']>) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    rebuild,
  });
  return { code, stdout, stderr };
}

describe('nianbao rebuild-indexes', () => {
  it("queues one full rebuild on the writer's queue named by --queue-url", async () => {
    const sent: Array<{ url: string; request: IndexRequest }> = [];
    const queueFor = (url: string) => ({ request: async (request: IndexRequest) => void sent.push({ url, request }) });
    const result = await run(['rebuild-indexes', '--queue-url', 'https://sqs.example/q.fifo'], { queueFor, env: {} });
    expect(result.code).toBe(0);
    expect(sent).toEqual([{ url: 'https://sqs.example/q.fifo', request: { kind: 'all' } }]);
    expect(result.stdout).toContain('已请求重建公开网站索引');
  });

  it('takes the queue from NIANBAO_INDEX_QUEUE_URL when no option names it', async () => {
    const urls: string[] = [];
    const queueFor = (url: string) => ({ request: async () => void urls.push(url) });
    expect((await run(['rebuild-indexes'], { queueFor, env: { NIANBAO_INDEX_QUEUE_URL: 'https://sqs.example/env.fifo' } })).code).toBe(0);
    expect(urls).toEqual(['https://sqs.example/env.fifo']);
  });

  it('without a queue or --local: exit 2 and a Chinese message naming what to give', async () => {
    const result = await run(['rebuild-indexes'], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--queue-url');
    expect(result.stderr).toContain('NIANBAO_INDEX_QUEUE_URL');
  });

  it('a queue that refuses the message: exit 1, the error named, nothing printed as done', async () => {
    const queueFor = () => ({ request: async () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDenied' })) });
    const result = await run(['rebuild-indexes', '--queue-url', 'https://sqs.example/q.fifo'], { queueFor, env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AccessDenied');
    expect(result.stdout).toBe('');
  });

  it('--local posts to the running npm start, and says so when nothing answers', async () => {
    const posted: string[] = [];
    const fetch202 = (async (url: URL | RequestInfo, init?: RequestInit) => {
      posted.push(`${init?.method ?? 'GET'} ${String(url)}`);
      return new Response('{}', { status: 202 });
    }) as typeof fetch;
    expect((await run(['rebuild-indexes', '--local', 'http://127.0.0.1:3000'], { fetch: fetch202 })).code).toBe(0);
    expect(posted).toEqual(['POST http://127.0.0.1:3000/_local/rebuild-indexes']);
    const refused = (async () => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
    const down = await run(['rebuild-indexes', '--local', 'http://127.0.0.1:3000'], { fetch: refused });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('npm start 是否在运行');
  });

  it('--local and --queue-url together, or a --local that is not an address: exit 2', async () => {
    expect((await run(['rebuild-indexes', '--local', 'http://127.0.0.1:3000', '--queue-url', 'https://q'], {})).code).toBe(2);
    expect((await run(['rebuild-indexes', '--local', 'not a url'], {})).code).toBe(2);
  });
});
