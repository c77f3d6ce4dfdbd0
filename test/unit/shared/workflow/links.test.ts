import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, GoneError } from '#shared/workflow/errors.js';
import { newReviewId, REVIEW_LINK_DAYS, reviewLinkPath, signReviewLink, verifyReviewLink } from '#shared/workflow/links.js';
import { deriveKeys } from '#shared/workflow/secrets.js';

const key = deriveKeys(randomBytes(32)).links;
const reviewId = newReviewId();
const approver = 'director@kw.example.cn';
const issuedAt = new Date('2021-01-20T01:00:00.000Z');
const expiresAt = new Date(issuedAt.getTime() + REVIEW_LINK_DAYS * 86_400_000);
const sig = signReviewLink(key, reviewId, approver, expiresAt);
const CHINESE = /[\u4e00-\u9fff]/u;

function failure(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the link to be refused');
}

function expectInvalid(run: () => void): void {
  const error = failure(run);
  expect(error).toBeInstanceOf(ForbiddenError);
  expect(error).toMatchObject({ status: 403, code: 'LINK_INVALID' });
  expect((error as Error).message).toMatch(CHINESE);
}

function expectGone(run: () => void): void {
  const error = failure(run);
  expect(error).toBeInstanceOf(GoneError);
  expect(error).toMatchObject({ status: 410, code: 'LINK_EXPIRED' });
  expect((error as Error).message).toMatch(CHINESE);
}

const [expiry = '', mac = ''] = sig.split('.');

/** `mac` with one character changed to another of the base64url alphabet. */
function flipped(text: string, index: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const current = text[index] ?? 'A';
  const replacement = alphabet[(alphabet.indexOf(current) + 1) % alphabet.length] ?? 'A';
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

describe('review links', () => {
  it('are random, URL-safe review ids that the review schema accepts', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newReviewId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22,64}$/);
  });

  it('carry only the review id and the signature: expiry in seconds, then the MAC', () => {
    expect(sig).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(Number(expiry)).toBe(Math.floor(expiresAt.getTime() / 1000));
    const path = reviewLinkPath(reviewId, sig);
    expect(path).toBe(`/reviews/${reviewId}?sig=${sig}`);
    expect(path).not.toContain(approver);
  });

  it('verify for their review and approver at any time before the expiry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: REVIEW_LINK_DAYS * 86_400_000 - 1 }), (elapsed) => {
        expect(() => verifyReviewLink(key, reviewId, approver, sig, new Date(issuedAt.getTime() + elapsed))).not.toThrow();
      }),
    );
  });

  it('are gone (410) from the second of their expiry on', () => {
    expectGone(() => verifyReviewLink(key, reviewId, approver, sig, expiresAt));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }), (late) => {
        expectGone(() => verifyReviewLink(key, reviewId, approver, sig, new Date(expiresAt.getTime() + late)));
      }),
    );
  });

  it('are refused (403 LINK_INVALID) for another review id', () => {
    expectInvalid(() => verifyReviewLink(key, newReviewId(), approver, sig, issuedAt));
    expectInvalid(() => verifyReviewLink(key, `${reviewId}x`, approver, sig, issuedAt));
  });

  it('are refused for another approver, even one differing only in case or spacing', () => {
    expectInvalid(() => verifyReviewLink(key, reviewId, 'leader@kw.example.cn', sig, issuedAt));
    expectInvalid(() => verifyReviewLink(key, reviewId, 'Director@kw.example.cn', sig, issuedAt));
    expectInvalid(() => verifyReviewLink(key, reviewId, ` ${approver}`, sig, issuedAt));
  });

  it('are refused when signed with another key', () => {
    const otherKey = deriveKeys(randomBytes(32)).links;
    expectInvalid(() => verifyReviewLink(otherKey, reviewId, approver, sig, issuedAt));
  });

  it('are refused with any character of the MAC changed', () => {
    fc.assert(
      fc.property(fc.nat({ max: mac.length - 1 }), (index) => {
        expectInvalid(() => verifyReviewLink(key, reviewId, approver, `${expiry}.${flipped(mac, index)}`, issuedAt));
      }),
    );
  });

  it('are refused with the expiry moved, later or earlier, even when the new expiry is already past (403, not 410)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number(expiry), max: 10 ** 11 }).filter((delta) => delta !== 0),
        (delta) => {
          expectInvalid(() => verifyReviewLink(key, reviewId, approver, `${Number(expiry) + delta}.${mac}`, issuedAt));
        },
      ),
    );
    // past its expiry a tampered link is still a forgery, not an expired link
    expectInvalid(() =>
      verifyReviewLink(key, reviewId, approver, `${Number(expiry) + 86_400}.${mac}`, new Date(expiresAt.getTime() + 1000)),
    );
  });

  it('are refused without a signature or with garbage in its place', () => {
    expectInvalid(() => verifyReviewLink(key, reviewId, approver, undefined, issuedAt));
    for (const garbage of [
      '',
      '.',
      expiry,
      mac,
      `${expiry}.`,
      `.${mac}`,
      `${expiry}.${mac}=`,
      `${expiry}.${mac}.`,
      `${expiry} .${mac}`,
      `-${expiry}.${mac}`,
      `${expiry}.${mac.slice(1)}`,
      `${expiry}.${mac}A`,
      `1e9.${mac}`,
      `0x1.${mac}`,
      `${expiry}.${'A'.repeat(43)}`,
      '%00',
      '１２３.abc',
    ]) {
      expectInvalid(() => verifyReviewLink(key, reviewId, approver, garbage, issuedAt));
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (garbage) => {
        fc.pre(garbage !== sig);
        expectInvalid(() => verifyReviewLink(key, reviewId, approver, garbage, issuedAt));
      }),
    );
  });

  it('sign the approver and review together: the same expiry for another review or person gives another MAC', () => {
    const other = signReviewLink(key, newReviewId(), approver, expiresAt);
    const otherApprover = signReviewLink(key, reviewId, 'leader@kw.example.cn', expiresAt);
    expect(new Set([sig, other, otherApprover]).size).toBe(3);
    expect(signReviewLink(key, reviewId, approver, expiresAt)).toBe(sig);
  });
});
