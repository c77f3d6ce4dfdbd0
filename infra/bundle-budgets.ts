import type { FunctionName } from './function-needs.js';

/**
 * How large each Lambda bundle (the minified index.mjs, source map not counted) may grow, in KiB: what it measured
 * when the budget was set plus a little room. test/infra/bundles.test.ts fails a bundle that grows past its budget, so
 * a new dependency is a decision, not an accident. The goal is 250 KiB for every bundle and 150 KiB for the two a
 * person waits on in a review (decide-review, review-page); BENCHMARKS.md shows how far each is and why.
 */
export const BUNDLE_GOAL_KIB = 250;
export const REVIEW_BUNDLE_GOAL_KIB = 150;
export const REVIEW_BUNDLES: readonly FunctionName[] = ['decide-review', 'review-page'];

export const BUNDLE_BUDGET_KIB: Readonly<Record<FunctionName, number>> = {
  'request-sign-in-code': 510,
  'create-session': 420,
  'end-session': 380,
  'get-me': 380,
  'validate-report': 170,
  'get-draft': 385,
  'save-draft': 385,
  'submit-report': 450,
  'list-reports': 385,
  'get-report': 385,
  'resubmit-report': 450,
  'withdraw-report': 420,
  'report-history': 415,
  'review-page': 500,
  'decide-review': 455,
  'import-report': 700,
  'web-pages': 495,
  'request-review': 560,
  'request-revision': 530,
  'publish-report': 690,
  'record-execution-failure': 420,
  'rebuild-site-indexes': 560,
};
