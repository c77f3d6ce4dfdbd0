import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { json } from '../shared/http/response.js';
import { readAdminLog } from '../shared/workflow/admin/admin-log.js';
import { runtimeHistory, runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

/** GET /api/admin/log: every administrative change with its verification (chain, signatures, anchors); administrators and auditors. */
export function createAdminLogHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'history'>) {
  return httpHandler('admin-log', async (request) => {
    const principal = await requirePrincipal(request, deps);
    return json(200, await readAdminLog(principal, deps));
  });
}

export const handler = lazyHandler(async () =>
  createAdminLogHandler({ store: runtimeStore(), clock: systemClock, history: runtimeHistory() }),
);
