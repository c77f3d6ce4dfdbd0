/**
 * Per-client limits in the local server, the stand-in for the rate-based rules AWS WAF applies in front of the API:
 * a token bucket per client address on the sign-in routes (/api/auth/*, /login/*). A bucket holds `capacity` requests
 * and refills `refillPerSecond`; an empty bucket is answered 429 with Retry-After, before any handler runs.
 */

export interface RateLimit {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/** 60 at once, then one a second: a person signing in never meets it; a script guessing or flooding does. */
export const DEFAULT_AUTH_RATE_LIMIT: RateLimit = { capacity: 60, refillPerSecond: 1 };

export const isRateLimitedPath = (path: string): boolean => path.startsWith('/api/auth/') || path.startsWith('/login/');

/** `60/1` (capacity/refill per second) or `off`, from NIANBAO_AUTH_RATE_LIMIT. */
export function rateLimitFrom(raw: string | undefined): RateLimit | undefined {
  if (raw === undefined || raw === '') return DEFAULT_AUTH_RATE_LIMIT;
  if (raw === 'off') return undefined;
  const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(raw);
  const capacity = Number(match?.[1]);
  const refillPerSecond = Number(match?.[2]);
  if (!match || capacity < 1 || refillPerSecond <= 0)
    throw new Error(`NIANBAO_AUTH_RATE_LIMIT must be "capacity/perSecond" or "off", not "${raw}"`);
  return { capacity, refillPerSecond };
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes one token for `client`; the seconds to wait when there is none. */
  take(client: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: this.limit.capacity, at: now };
    bucket.tokens = Math.min(this.limit.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.refillPerSecond);
    bucket.at = now;
    this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.buckets.size > 10_000) this.forgetFull(now);
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / this.limit.refillPerSecond) };
  }

  /** Full buckets carry no information: dropping them keeps memory bounded under many clients. */
  private forgetFull(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.refillPerSecond >= this.limit.capacity) this.buckets.delete(client);
    }
  }
}
