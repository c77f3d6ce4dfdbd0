import { describe, expect, it } from 'vitest';
import { MemoryStore } from '#shared/store/memory-store.js';
import { newReviewId, reviewLinkExpiry } from '#shared/workflow/links.js';
import type { Review } from '#shared/workflow/model.js';
import { storeNewReview } from '#shared/workflow/review-delivery.js';

// Every way a review comes to be (the step's task, a hand-over to a new holder of the role) stores it through one
// function: two calls racing for the same review must both answer the one that was stored, token and all.

const now = new Date('2021-01-20T01:00:00.000Z');
const review = (fields: Partial<Review> = {}): Review => ({
  reviewId: 'r-fixed',
  reportId: 'daxing-kw-2020',
  version: 1,
  stage: 'director',
  approverEmail: 'director@kw.example.cn',
  approverName: '王主任',
  createdAt: now.toISOString(),
  linkExpiresAt: reviewLinkExpiry(now).toISOString(),
  tokenSeq: 0,
  emailedTokenSeq: 0,
  ...fields,
});

describe('storing a new review', () => {
  it('stores it and answers it', async () => {
    const store = new MemoryStore();
    const reviewId = newReviewId();
    expect(await storeNewReview(review({ reviewId }), store)).toEqual(review({ reviewId }));
    expect(await store.getReview(reviewId)).toEqual(review({ reviewId }));
  });

  it('answers the review already stored when another call stored it first, not its own copy', async () => {
    const store = new MemoryStore();
    const reviewId = newReviewId();
    const first = review({ reviewId, taskToken: 'token-of-the-first', tokenSeq: 1 });
    await storeNewReview(first, store);
    const second = await storeNewReview(review({ reviewId, approverName: '另一份' }), store);
    expect(second).toEqual(first);
    expect(await store.getReview(reviewId)).toEqual(first);
  });
});

describe('a review link made now', () => {
  it('stops working exactly thirty days later', () => {
    expect(reviewLinkExpiry(now).toISOString()).toBe('2021-02-19T01:00:00.000Z');
  });
});
