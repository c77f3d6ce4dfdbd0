import * as z from 'zod';
import { requirePrincipal } from '../shared/http/authenticate.js';
import { requireJsonRequest } from '../shared/http/csrf.js';
import { httpHandler } from '../shared/http/handler.js';
import { jsonBody } from '../shared/http/request.js';
import { json } from '../shared/http/response.js';
import { sendReminders } from '../shared/workflow/admin/reminders.js';
import { AgencyIdSchema } from '../shared/workflow/model.js';
import { runtimeBaseUrl, runtimeMailer, runtimeSigningStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const BodySchema = z.object({ year: z.int().min(2000).max(2100), agencyIds: z.array(AgencyIdSchema).max(1000).optional() });

/** POST /api/admin/reminders {year, agencyIds?} → {sent: [{agencyId, to}]} */
export function createAdminSendRemindersHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'mailer' | 'baseUrl'>) {
  return httpHandler('admin-send-reminders', async (request) => {
    const principal = await requirePrincipal(request, deps);
    requireJsonRequest(request, deps.baseUrl);
    const body = jsonBody(request, BodySchema);
    return json(200, { sent: await sendReminders(principal, body.year, body.agencyIds, deps) });
  });
}

export const handler = lazyHandler(async () =>
  createAdminSendRemindersHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    mailer: await runtimeMailer(),
    baseUrl: runtimeBaseUrl(),
  }),
);
