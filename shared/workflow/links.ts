import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, GoneError } from './errors.js';

/**
 * Review links: `/reviews/{reviewId}?sig={expiry}.{mac}`. The review id is random; the MAC binds it to the approver
 * and the expiry, so a link cannot be pointed at another review or person or kept alive past its time. The link
 * grants nothing on its own: deciding still needs the named approver signed in.
 */

export const REVIEW_LINK_DAYS = 30;

/** When a review link made at `now` stops working. */
export const reviewLinkExpiry = (now: Date): Date => new Date(now.getTime() + REVIEW_LINK_DAYS * 86_400_000);

export function newReviewId(): string {
  return randomBytes(18).toString('base64url');
}

function mac(key: Buffer, reviewId: string, approverEmail: string, expiresAtSeconds: number): string {
  return createHmac('sha256', key).update(`review-link v1\n${reviewId}\n${approverEmail}\n${expiresAtSeconds}`).digest('base64url');
}

export function signReviewLink(key: Buffer, reviewId: string, approverEmail: string, expiresAt: Date): string {
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  return `${seconds}.${mac(key, reviewId, approverEmail, seconds)}`;
}

export function reviewLinkPath(reviewId: string, sig: string): string {
  return `/reviews/${encodeURIComponent(reviewId)}?sig=${encodeURIComponent(sig)}`;
}

/** Throws ForbiddenError for a forged or altered link and GoneError for one past its expiry. */
export function verifyReviewLink(key: Buffer, reviewId: string, approverEmail: string, sig: string | undefined, now: Date): void {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(sig ?? '');
  const seconds = Number(match?.[1]);
  const given = Buffer.from(match?.[2] ?? '', 'utf8');
  const expected = Buffer.from(mac(key, reviewId, approverEmail, seconds), 'utf8');
  if (!match || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ForbiddenError('审核链接无效，请使用邮件中的完整链接。', 'LINK_INVALID');
  }
  if (now.getTime() >= seconds * 1000) throw new GoneError('审核链接已过期，请联系信息员重新发送。');
}
