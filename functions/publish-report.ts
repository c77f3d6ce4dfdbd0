import { printFilesWith } from '../shared/report/print/print-files.js';
import { PublishInputSchema } from '../shared/workflow/contracts.js';
import { publishReport } from '../shared/workflow/publish-report.js';
import {
  runtimeHistory,
  runtimeIndexQueue,
  runtimeMailer,
  runtimeSite,
  runtimeSiteBaseUrl,
  runtimeSigningStore,
  systemClock,
  type AppDeps,
} from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { loadPdfFonts } from '../shared/runtime/pdf-fonts.js';
import { taskHandler } from '../shared/runtime/task-handler.js';

/** The Publish task: renders the signed version to the site bucket and asks for the indexes; safe to retry. */
export function createPublishReportHandler(
  deps: Pick<AppDeps, 'store' | 'clock' | 'site' | 'mailer' | 'indexes' | 'siteBaseUrl' | 'history' | 'printFiles'>,
) {
  const withRenderer = { ...deps, printFiles: deps.printFiles ?? printFilesWith(loadPdfFonts) };
  return taskHandler('publish-report', PublishInputSchema, (input) => publishReport(input, withRenderer));
}

export const handler = lazyHandler(async () =>
  createPublishReportHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    site: runtimeSite(),
    mailer: await runtimeMailer(),
    indexes: runtimeIndexQueue(),
    siteBaseUrl: runtimeSiteBaseUrl(),
    history: runtimeHistory(),
  }),
);
