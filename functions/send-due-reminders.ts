import * as z from 'zod';
import { sendDueReminders } from '../shared/workflow/admin/reminders.js';
import { runtimeBaseUrl, runtimeMailer, runtimeSigningStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';
import { taskHandler } from '../shared/runtime/task-handler.js';

/** EventBridge Scheduler's daily run (a timer on the local stack): the 14/7/3/1-day reminders that are due, each once. */
export function createSendDueRemindersHandler(deps: Pick<AppDeps, 'store' | 'clock' | 'mailer' | 'baseUrl'>) {
  return taskHandler('send-due-reminders', z.unknown(), async () => ({ sent: (await sendDueReminders(deps)).length }));
}

export const handler = lazyHandler(async () =>
  createSendDueRemindersHandler({
    store: runtimeSigningStore(),
    clock: systemClock,
    mailer: await runtimeMailer(),
    baseUrl: runtimeBaseUrl(),
  }),
);
