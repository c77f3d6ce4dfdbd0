import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createLocalHttpServer } from '#infra/local/http-server.js';
import { rateLimitFrom, TokenBuckets } from '#infra/local/rate-limit.js';
import { OutboxMailer } from '#shared/mail/outbox-mailer.js';
import type { HttpHandler } from '#shared/http/handler.js';
import type { HttpFunctionName } from '#shared/http/routes.js';

describe('TokenBuckets', () => {
  it('lets exactly `capacity` requests through at once, then one per refill, per client', () => {
    let now = 0;
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 0.5 }, () => now);
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(buckets.take('b').allowed).toBe(true);
    now += 1999;
    expect(buckets.take('a').allowed).toBe(false);
    now += 1;
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('reads its setting from the environment', () => {
    expect(rateLimitFrom(undefined)).toEqual({ capacity: 60, refillPerSecond: 1 });
    expect(rateLimitFrom('10/0.5')).toEqual({ capacity: 10, refillPerSecond: 0.5 });
    expect(rateLimitFrom('off')).toBeUndefined();
    expect(() => rateLimitFrom('lots')).toThrow(/NIANBAO_AUTH_RATE_LIMIT/);
  });
});

describe('the local server', () => {
  it('answers 429 with Retry-After on /api/auth/* and /login/* once a client used its bucket, before any handler runs, and nowhere else', async () => {
    let handled = 0;
    const answer: HttpHandler = async () => {
      handled++;
      return { statusCode: 202, headers: {}, body: '{}' };
    };
    const handlers = new Proxy({} as Record<HttpFunctionName, HttpHandler>, { get: () => answer });
    const server = createLocalHttpServer({
      handlers: () => handlers,
      outbox: new OutboxMailer({ clock: { now: () => new Date() } }),
      s3: new S3Client({ region: 'us-east-1' }),
      bucket: 'x',
      clientFiles: new Map(),
      authRateLimit: { capacity: 2, refillPerSecond: 0.01 },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const post = (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email":"a@b.cn"}',
      });
    try {
      expect((await post('/api/auth/code')).status).toBe(202);
      expect((await post('/login/code')).status).toBe(202);
      const refused = await post('/api/auth/session');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_REQUESTS');
      expect(handled).toBe(2);
      // other routes are not the sign-in's: no limit here
      expect((await post('/api/reports/validate')).status).toBe(202);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
