import { createCreateSessionHandler } from '../../functions/create-session.js';
import { createDecideReviewHandler } from '../../functions/decide-review.js';
import { createMyTasksHandler } from '../../functions/my-tasks.js';
import { createEndSessionHandler } from '../../functions/end-session.js';
import { createGetDraftHandler } from '../../functions/get-draft.js';
import { createGetMeHandler } from '../../functions/get-me.js';
import { createGetReportHandler } from '../../functions/get-report.js';
import { createListReportsHandler } from '../../functions/list-reports.js';
import { createPublishReportHandler } from '../../functions/publish-report.js';
import { createRecordPublishFailureHandler } from '../../functions/record-publish-failure.js';
import { createReportHistoryHandler } from '../../functions/report-history.js';
import { createRequestReviewHandler } from '../../functions/request-review.js';
import { createRequestRevisionHandler } from '../../functions/request-revision.js';
import { createRequestSignInCodeHandler } from '../../functions/request-sign-in-code.js';
import { createResubmitReportHandler } from '../../functions/resubmit-report.js';
import { createReviewPageHandler } from '../../functions/review-page.js';
import { createSaveDraftHandler } from '../../functions/save-draft.js';
import { createSubmitReportHandler } from '../../functions/submit-report.js';
import { createValidateReportHandler } from '../../functions/validate-report.js';
import { createWithdrawReportHandler } from '../../functions/withdraw-report.js';
import { createWebPagesHandler } from '../../functions/web-pages.js';
import type { HttpHandler } from '../../shared/http/handler.js';
import type { HttpFunctionName, TaskFunctionName } from '../../shared/http/routes.js';
import type { AppDeps } from '../../shared/runtime/deps.js';

/** The same handler modules the Lambdas run, built once with the local stack's adapters. */

export function httpHandlers(deps: AppDeps): Record<HttpFunctionName, HttpHandler> {
  return {
    'request-sign-in-code': createRequestSignInCodeHandler(deps),
    'create-session': createCreateSessionHandler(deps),
    'end-session': createEndSessionHandler(deps),
    'get-me': createGetMeHandler(deps),
    'validate-report': createValidateReportHandler(),
    'get-draft': createGetDraftHandler(deps),
    'save-draft': createSaveDraftHandler(deps),
    'submit-report': createSubmitReportHandler(deps),
    'list-reports': createListReportsHandler(deps),
    'get-report': createGetReportHandler(deps),
    'resubmit-report': createResubmitReportHandler(deps),
    'withdraw-report': createWithdrawReportHandler(deps),
    'report-history': createReportHistoryHandler(deps),
    'review-page': createReviewPageHandler(deps),
    'decide-review': createDecideReviewHandler(deps),
    'my-tasks': createMyTasksHandler(deps),
    'web-pages': createWebPagesHandler(deps),
  };
}

export function taskHandlers(deps: AppDeps): Record<TaskFunctionName, (event: unknown) => Promise<unknown>> {
  return {
    'request-review': createRequestReviewHandler(deps),
    'request-revision': createRequestRevisionHandler(deps),
    'publish-report': createPublishReportHandler(deps),
    'record-publish-failure': createRecordPublishFailureHandler(deps),
  };
}
