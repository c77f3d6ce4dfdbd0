import type { HttpHandler } from '../../shared/http/handler.js';
import type { HttpFunctionName, TaskFunctionName } from '../../shared/http/routes.js';
import type { AppDeps } from '../../shared/runtime/deps.js';

/**
 * The same handler modules the Lambdas run, built with the local stack's adapters. Each module is imported on its
 * handler's first call, not at start: together they (and the libraries they bring: the Word, PDF, Excel and import
 * code) are over half of what `npm start` loads, and a restart should answer /healthz in a few seconds. The stack
 * loads them all in the background once it is up (preloadHandlers), so a first request rarely waits for one.
 */

/** A handler whose module is imported, and the handler built, when it is first called; a failed import is tried again. */
function lazily<E, R>(build: () => Promise<(event: E) => Promise<R>>): (event: E) => Promise<R> {
  let built: Promise<(event: E) => Promise<R>> | undefined;
  return async (event) => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return (await built)(event);
  };
}

export function httpHandlers(deps: AppDeps): Record<HttpFunctionName, HttpHandler> {
  return {
    'request-sign-in-code': lazily(async () =>
      (await import('../../functions/request-sign-in-code.js')).createRequestSignInCodeHandler(deps),
    ),
    'create-session': lazily(async () => (await import('../../functions/create-session.js')).createCreateSessionHandler(deps)),
    'end-session': lazily(async () => (await import('../../functions/end-session.js')).createEndSessionHandler(deps)),
    'get-me': lazily(async () => (await import('../../functions/get-me.js')).createGetMeHandler(deps)),
    'validate-report': lazily(async () => (await import('../../functions/validate-report.js')).createValidateReportHandler()),
    'get-draft': lazily(async () => (await import('../../functions/get-draft.js')).createGetDraftHandler(deps)),
    'save-draft': lazily(async () => (await import('../../functions/save-draft.js')).createSaveDraftHandler(deps)),
    'submit-report': lazily(async () => (await import('../../functions/submit-report.js')).createSubmitReportHandler(deps)),
    'list-reports': lazily(async () => (await import('../../functions/list-reports.js')).createListReportsHandler(deps)),
    'get-report': lazily(async () => (await import('../../functions/get-report.js')).createGetReportHandler(deps)),
    'resubmit-report': lazily(async () => (await import('../../functions/resubmit-report.js')).createResubmitReportHandler(deps)),
    'withdraw-report': lazily(async () => (await import('../../functions/withdraw-report.js')).createWithdrawReportHandler(deps)),
    'report-history': lazily(async () => (await import('../../functions/report-history.js')).createReportHistoryHandler(deps)),
    'review-page': lazily(async () => (await import('../../functions/review-page.js')).createReviewPageHandler(deps)),
    'decide-review': lazily(async () => (await import('../../functions/decide-review.js')).createDecideReviewHandler(deps)),
    'my-tasks': lazily(async () => (await import('../../functions/my-tasks.js')).createMyTasksHandler(deps)),
    'my-delegation': lazily(async () => (await import('../../functions/my-delegation.js')).createMyDelegationHandler(deps)),
    'web-pages': lazily(async () => (await import('../../functions/web-pages.js')).createWebPagesHandler(deps)),
    'import-report': lazily(async () => (await import('../../functions/import-report.js')).createImportReportHandler(deps)),
    'admin-list-agencies': lazily(async () =>
      (await import('../../functions/admin-list-agencies.js')).createAdminListAgenciesHandler(deps),
    ),
    'admin-save-agency': lazily(async () => (await import('../../functions/admin-save-agency.js')).createAdminSaveAgencyHandler(deps)),
    'admin-list-people': lazily(async () => (await import('../../functions/admin-list-people.js')).createAdminListPeopleHandler(deps)),
    'admin-save-person': lazily(async () => (await import('../../functions/admin-save-person.js')).createAdminSavePersonHandler(deps)),
    'admin-remove-person': lazily(async () =>
      (await import('../../functions/admin-remove-person.js')).createAdminRemovePersonHandler(deps),
    ),
    'admin-import-people': lazily(async () =>
      (await import('../../functions/admin-import-people.js')).createAdminImportPeopleHandler(deps),
    ),
    'admin-progress': lazily(async () => (await import('../../functions/admin-progress.js')).createAdminProgressHandler(deps)),
    'admin-send-reminders': lazily(async () =>
      (await import('../../functions/admin-send-reminders.js')).createAdminSendRemindersHandler(deps),
    ),
    'admin-summary': lazily(async () => (await import('../../functions/admin-summary.js')).createAdminSummaryHandler(deps)),
    'admin-log': lazily(async () => (await import('../../functions/admin-log.js')).createAdminLogHandler(deps)),
  };
}

export function taskHandlers(deps: AppDeps): Record<TaskFunctionName, (event: unknown) => Promise<unknown>> {
  return {
    'request-review': lazily(async () => (await import('../../functions/request-review.js')).createRequestReviewHandler(deps)),
    'request-revision': lazily(async () => (await import('../../functions/request-revision.js')).createRequestRevisionHandler(deps)),
    'publish-report': lazily(async () => (await import('../../functions/publish-report.js')).createPublishReportHandler(deps)),
    'record-execution-failure': lazily(async () =>
      (await import('../../functions/record-execution-failure.js')).createRecordExecutionFailureHandler(deps),
    ),
    'send-due-reminders': lazily(async () => (await import('../../functions/send-due-reminders.js')).createSendDueRemindersHandler(deps)),
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
