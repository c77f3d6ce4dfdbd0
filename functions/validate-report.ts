import * as z from 'zod';
import { checkReport } from '../shared/report/checks.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const BodySchema = z.object({ report: z.unknown(), previous: z.unknown().optional() });

/** POST /api/reports/validate: the same checks the form runs, for anyone; stores nothing. */
export function createValidateReportHandler() {
  return httpHandler('validate-report', async (request) => {
    const body = jsonBody(request, BodySchema);
    return json(200, checkReport(body.report, body.previous === undefined ? {} : { previous: body.previous }));
  });
}

export const handler = lazyHandler(async () => createValidateReportHandler());
