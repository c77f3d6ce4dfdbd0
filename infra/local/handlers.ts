import type { HttpHandler } from '../../shared/http/handler.js';
import type { HttpFunctionName, TaskFunctionName } from '../../shared/http/routes.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { lazyHandler } from '../../shared/runtime/lambda.js';

/**
 * The same handler modules the Lambdas run, built with the local stack's adapters. Each module is imported on its
 * handler's first call, not at start: together they (and the libraries they bring: the Word, PDF, Excel and import
 * code) are over half of what `npm start` loads, and a restart should answer /healthz in a few seconds. The stack
 * loads them all in the background once it is up (preloadHandlers), so a first request rarely waits for one.
 */

export function httpHandlers(deps: AppDeps): Record<HttpFunctionName, HttpHandler> {
  return {
    'request-sign-in-code': lazyHandler(async () =>
      (await import('../../functions/request-sign-in-code.js')).createRequestSignInCodeHandler(deps),
    ),
    'create-session': lazyHandler(async () => (await import('../../functions/create-session.js')).createCreateSessionHandler(deps)),
    'end-session': lazyHandler(async () => (await import('../../functions/end-session.js')).createEndSessionHandler(deps)),
    'get-me': lazyHandler(async () => (await import('../../functions/get-me.js')).createGetMeHandler(deps)),
    'validate-report': lazyHandler(async () => (await import('../../functions/validate-report.js')).createValidateReportHandler()),
    'get-draft': lazyHandler(async () => (await import('../../functions/get-draft.js')).createGetDraftHandler(deps)),
    'save-draft': lazyHandler(async () => (await import('../../functions/save-draft.js')).createSaveDraftHandler(deps)),
    'submit-report': lazyHandler(async () => (await import('../../functions/submit-report.js')).createSubmitReportHandler(deps)),
    'list-reports': lazyHandler(async () => (await import('../../functions/list-reports.js')).createListReportsHandler(deps)),
    'get-report': lazyHandler(async () => (await import('../../functions/get-report.js')).createGetReportHandler(deps)),
    'resubmit-report': lazyHandler(async () => (await import('../../functions/resubmit-report.js')).createResubmitReportHandler(deps)),
    'withdraw-report': lazyHandler(async () => (await import('../../functions/withdraw-report.js')).createWithdrawReportHandler(deps)),
    'report-history': lazyHandler(async () => (await import('../../functions/report-history.js')).createReportHistoryHandler(deps)),
    'review-page': lazyHandler(async () => (await import('../../functions/review-page.js')).createReviewPageHandler(deps)),
    'decide-review': lazyHandler(async () => (await import('../../functions/decide-review.js')).createDecideReviewHandler(deps)),
    'my-tasks': lazyHandler(async () => (await import('../../functions/my-tasks.js')).createMyTasksHandler(deps)),
    'my-delegation': lazyHandler(async () => (await import('../../functions/my-delegation.js')).createMyDelegationHandler(deps)),
    'web-pages': lazyHandler(async () => (await import('../../functions/web-pages.js')).createWebPagesHandler(deps)),
    'import-report': lazyHandler(async () => (await import('../../functions/import-report.js')).createImportReportHandler(deps)),
    'admin-list-agencies': lazyHandler(async () =>
      (await import('../../functions/admin-list-agencies.js')).createAdminListAgenciesHandler(deps),
    ),
    'admin-save-agency': lazyHandler(async () => (await import('../../functions/admin-save-agency.js')).createAdminSaveAgencyHandler(deps)),
    'admin-list-people': lazyHandler(async () => (await import('../../functions/admin-list-people.js')).createAdminListPeopleHandler(deps)),
    'admin-save-person': lazyHandler(async () => (await import('../../functions/admin-save-person.js')).createAdminSavePersonHandler(deps)),
    'admin-remove-person': lazyHandler(async () =>
      (await import('../../functions/admin-remove-person.js')).createAdminRemovePersonHandler(deps),
    ),
    'admin-import-people': lazyHandler(async () =>
      (await import('../../functions/admin-import-people.js')).createAdminImportPeopleHandler(deps),
    ),
    'admin-progress': lazyHandler(async () => (await import('../../functions/admin-progress.js')).createAdminProgressHandler(deps)),
    'admin-send-reminders': lazyHandler(async () =>
      (await import('../../functions/admin-send-reminders.js')).createAdminSendRemindersHandler(deps),
    ),
    'admin-summary': lazyHandler(async () => (await import('../../functions/admin-summary.js')).createAdminSummaryHandler(deps)),
    'admin-log': lazyHandler(async () => (await import('../../functions/admin-log.js')).createAdminLogHandler(deps)),
  };
}

export function taskHandlers(deps: AppDeps): Record<TaskFunctionName, (event: unknown) => Promise<unknown>> {
  return {
    'request-review': lazyHandler(async () => (await import('../../functions/request-review.js')).createRequestReviewHandler(deps)),
    'request-revision': lazyHandler(async () => (await import('../../functions/request-revision.js')).createRequestRevisionHandler(deps)),
    'publish-report': lazyHandler(async () => (await import('../../functions/publish-report.js')).createPublishReportHandler(deps)),
    'record-execution-failure': lazyHandler(async () =>
      (await import('../../functions/record-execution-failure.js')).createRecordExecutionFailureHandler(deps),
    ),
    'send-due-reminders': lazyHandler(async () =>
      (await import('../../functions/send-due-reminders.js')).createSendDueRemindersHandler(deps),
    ),
  };
}

/** Imports every handler module (what the handlers' first calls would), so none is loaded while a request waits. */
export async function preloadHandlers(): Promise<void> {
  await Promise.all([
    import('../../functions/create-session.js'),
    import('../../functions/decide-review.js'),
    import('../../functions/my-tasks.js'),
    import('../../functions/end-session.js'),
    import('../../functions/get-draft.js'),
    import('../../functions/get-me.js'),
    import('../../functions/get-report.js'),
    import('../../functions/import-report.js'),
    import('../../functions/list-reports.js'),
    import('../../functions/publish-report.js'),
    import('../../functions/record-execution-failure.js'),
    import('../../functions/report-history.js'),
    import('../../functions/request-review.js'),
    import('../../functions/request-revision.js'),
    import('../../functions/request-sign-in-code.js'),
    import('../../functions/resubmit-report.js'),
    import('../../functions/review-page.js'),
    import('../../functions/save-draft.js'),
    import('../../functions/submit-report.js'),
    import('../../functions/validate-report.js'),
    import('../../functions/withdraw-report.js'),
    import('../../functions/web-pages.js'),
    import('../../functions/admin-import-people.js'),
    import('../../functions/admin-list-agencies.js'),
    import('../../functions/admin-list-people.js'),
    import('../../functions/admin-log.js'),
    import('../../functions/admin-progress.js'),
    import('../../functions/admin-remove-person.js'),
    import('../../functions/admin-save-agency.js'),
    import('../../functions/admin-save-person.js'),
    import('../../functions/admin-send-reminders.js'),
    import('../../functions/admin-summary.js'),
    import('../../functions/send-due-reminders.js'),
  ]);
}
