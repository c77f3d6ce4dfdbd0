import type { FunctionName } from './function-needs.js';

/**
 * How large each Lambda bundle (the minified index.mjs, source map not counted) may grow, in KiB: what it measured
 * when the budget was set plus a little room. test/infra/bundles.test.ts fails a bundle that grows past its budget, so
 * a new dependency is a decision, not an accident (at most about 3 % room, in steps of 5 KiB). The goal is 250 KiB for every
 * bundle and 150 KiB for the two a person waits on in a review (decide-review, review-page); BENCHMARKS.md shows how
 * far each is and why (the bundled AWS SDK, zod, and the document libraries of publish-report and import-report).
 */
export const BUNDLE_GOAL_KIB = 250;
export const REVIEW_BUNDLE_GOAL_KIB = 150;
export const REVIEW_BUNDLES: readonly FunctionName[] = ['decide-review', 'review-page'];

export const BUNDLE_BUDGET_KIB: Readonly<Record<FunctionName, number>> = {
  'request-sign-in-code': 530,
  'create-session': 420,
  'end-session': 380,
  'get-me': 380,
  'validate-report': 170,
  'get-draft': 385,
  'save-draft': 385,
  'submit-report': 670,
  'list-reports': 385,
  'get-report': 400,
  'resubmit-report': 675,
  'withdraw-report': 735,
  'report-history': 635,
  'review-page': 530,
  'my-tasks': 590,
  'my-delegation': 620,
  'admin-list-agencies': 390,
  'admin-save-agency': 600,
  'admin-list-people': 395,
  'admin-save-person': 750,
  'admin-remove-person': 750,
  'admin-import-people': 750,
  'admin-progress': 395,
  'admin-send-reminders': 700,
  'admin-summary': 1510,
  'admin-log': 600,
  'send-due-reminders': 695,
  'decide-review': 675,
  'import-report': 940,
  'web-pages': 780,
  'request-review': 765,
  'request-revision': 725,
  'publish-report': 1420,
  'record-execution-failure': 585,
  'rebuild-site-indexes': 560,
};
