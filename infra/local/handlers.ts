import { createCreateSessionHandler } from '../../functions/create-session.js';
import { createDecideReviewHandler } from '../../functions/decide-review.js';
import { createMyTasksHandler } from '../../functions/my-tasks.js';
import { createMyDelegationHandler } from '../../functions/my-delegation.js';
import { createEndSessionHandler } from '../../functions/end-session.js';
import { createGetDraftHandler } from '../../functions/get-draft.js';
import { createGetMeHandler } from '../../functions/get-me.js';
import { createGetReportHandler } from '../../functions/get-report.js';
import { createImportReportHandler } from '../../functions/import-report.js';
import { createListReportsHandler } from '../../functions/list-reports.js';
import { createPublishReportHandler } from '../../functions/publish-report.js';
import { createRecordExecutionFailureHandler } from '../../functions/record-execution-failure.js';
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
import { createAdminImportPeopleHandler } from '../../functions/admin-import-people.js';
import { createAdminListAgenciesHandler } from '../../functions/admin-list-agencies.js';
import { createAdminListPeopleHandler } from '../../functions/admin-list-people.js';
import { createAdminLogHandler } from '../../functions/admin-log.js';
import { createAdminProgressHandler } from '../../functions/admin-progress.js';
import { createAdminRemovePersonHandler } from '../../functions/admin-remove-person.js';
import { createAdminSaveAgencyHandler } from '../../functions/admin-save-agency.js';
import { createAdminSavePersonHandler } from '../../functions/admin-save-person.js';
import { createAdminSendRemindersHandler } from '../../functions/admin-send-reminders.js';
import { createAdminSummaryHandler } from '../../functions/admin-summary.js';
import { createSendDueRemindersHandler } from '../../functions/send-due-reminders.js';
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
    'my-delegation': createMyDelegationHandler(deps),
    'web-pages': createWebPagesHandler(deps),
    'import-report': createImportReportHandler(deps),
    'admin-list-agencies': createAdminListAgenciesHandler(deps),
    'admin-save-agency': createAdminSaveAgencyHandler(deps),
    'admin-list-people': createAdminListPeopleHandler(deps),
    'admin-save-person': createAdminSavePersonHandler(deps),
    'admin-remove-person': createAdminRemovePersonHandler(deps),
    'admin-import-people': createAdminImportPeopleHandler(deps),
    'admin-progress': createAdminProgressHandler(deps),
    'admin-send-reminders': createAdminSendRemindersHandler(deps),
    'admin-summary': createAdminSummaryHandler(deps),
    'admin-log': createAdminLogHandler(deps),
  };
}

export function taskHandlers(deps: AppDeps): Record<TaskFunctionName, (event: unknown) => Promise<unknown>> {
  return {
    'request-review': createRequestReviewHandler(deps),
    'request-revision': createRequestRevisionHandler(deps),
    'publish-report': createPublishReportHandler(deps),
    'record-execution-failure': createRecordExecutionFailureHandler(deps),
    'send-due-reminders': createSendDueRemindersHandler(deps),
  };
}
