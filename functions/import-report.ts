import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody, pathParameter } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { runtimeBaseUrl, runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { ImportFileSchema, PreviewRequestSchema, previewImport, saveImportedReport } from '../shared/workflow/import-previous.js';
import { draftKey } from './get-draft.js';

/**
 * POST /api/reports/import {fileName, contentBase64, template?, year?}: what the file says, cell by cell (nothing is
 * stored). PUT /api/agencies/{agencyId}/previous/{year} {fileName, contentBase64, template?}: the file read again and
 * kept as the agency's imported report for that year.
 */
export function createImportReportHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'baseUrl'>) {
  return httpHandler('import-report', async (request) => {
    const principal = await requirePrincipal(request, deps);
    requireJsonRequest(request, deps.baseUrl);
    if (request.method === 'POST') return json(200, await previewImport(jsonBody(request, PreviewRequestSchema), principal, deps));
    const { agencyId, year } = draftKey(pathParameter(request, 'agencyId'), pathParameter(request, 'year'));
    const saved = await saveImportedReport(agencyId, year, jsonBody(request, ImportFileSchema), principal, deps);
    return json(200, {
      agencyId: saved.agencyId,
      year: saved.year,
      template: saved.template,
      importedAt: saved.importedAt,
      uncertain: saved.uncertain,
    });
  });
}

export const handler = lazyHandler(async () =>
  createImportReportHandler({ store: runtimeStore(), clock: systemClock, baseUrl: runtimeBaseUrl() }),
);
