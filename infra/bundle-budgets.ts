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
  'request-sign-in-code': 540,
  'create-session': 420,
  'end-session': 380,
  'get-me': 380,
  'validate-report': 170,
  'get-draft': 385,
  'save-draft': 385,
  'submit-report': 670,
  'list-reports': 385,
  'get-report': 415,
  'resubmit-report': 675,
  'withdraw-report': 740,
  'report-history': 635,
  'review-page': 530,
  'my-tasks': 700,
  'my-delegation': 420,
  'admin-list-agencies': 700,
  'admin-save-agency': 700,
  'admin-list-people': 700,
  'admin-save-person': 700,
  'admin-remove-person': 700,
  'admin-import-people': 700,
  'admin-progress': 700,
  'admin-send-reminders': 700,
  'admin-summary': 1505,
  'admin-log': 700,
  'send-due-reminders': 700,
  'decide-review': 675,
  'import-report': 940,
  'web-pages': 765,
  'request-review': 765,
  'request-revision': 725,
  'publish-report': 1420,
  'record-execution-failure': 590,
  'rebuild-site-indexes': 560,
};
