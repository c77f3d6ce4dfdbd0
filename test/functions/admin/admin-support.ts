import iconv from 'iconv-lite';
import { createAdminImportPeopleHandler } from '#functions/admin-import-people.js';
import { createAdminListAgenciesHandler } from '#functions/admin-list-agencies.js';
import { createAdminListPeopleHandler } from '#functions/admin-list-people.js';
import { createAdminLogHandler } from '#functions/admin-log.js';
import { createAdminProgressHandler } from '#functions/admin-progress.js';
import { createAdminRemovePersonHandler } from '#functions/admin-remove-person.js';
import { createAdminSaveAgencyHandler } from '#functions/admin-save-agency.js';
import { createAdminSavePersonHandler } from '#functions/admin-save-person.js';
import { createAdminSendRemindersHandler } from '#functions/admin-send-reminders.js';
import { createAdminSummaryHandler } from '#functions/admin-summary.js';
import type { HttpResponse } from '#shared/http/response.js';
import { contentSha256 } from '#shared/workflow/digest.js';
import { httpEvent, type TestApp } from '../../support/app.js';

export const ADMIN = 'admin@daxing.example.cn';

/** One call per administration route, as API Gateway delivers it. */
export function adminRoutes(app: TestApp) {
  const d = app.deps;
  return {
    listAgencies: (cookie?: string) => createAdminListAgenciesHandler(d)(httpEvent({ method: 'GET', path: '/api/admin/agencies', cookie })),
    saveAgency: (cookie: string | undefined, agencyId: string, body: unknown) =>
      createAdminSaveAgencyHandler(d)(
        httpEvent({ method: 'PUT', path: `/api/admin/agencies/${agencyId}`, pathParameters: { agencyId }, body, cookie }),
      ),
    listPeople: (cookie: string | undefined, agencyId?: string) =>
      createAdminListPeopleHandler(d)(
        httpEvent({ method: 'GET', path: '/api/admin/people', query: agencyId === undefined ? {} : { agencyId }, cookie }),
      ),
    savePerson: (cookie: string | undefined, email: string, body: unknown, preview = false) =>
      createAdminSavePersonHandler(d)(
        httpEvent({
          method: 'PUT',
          path: `/api/admin/people/${email}`,
          pathParameters: { email },
          body,
          cookie,
          query: preview ? { preview: '1' } : {},
        }),
      ),
    removePerson: (cookie: string | undefined, email: string, preview = false) =>
      createAdminRemovePersonHandler(d)(
        httpEvent({
          method: 'DELETE',
          path: `/api/admin/people/${email}`,
          pathParameters: { email },
          cookie,
          query: preview ? { preview: '1' } : {},
        }),
      ),
    importPeople: (cookie: string | undefined, bytes: Uint8Array) =>
      createAdminImportPeopleHandler(d)({
        ...httpEvent({ method: 'POST', path: '/api/admin/people/import', cookie, headers: { 'content-type': 'text/csv' } }),
        body: Buffer.from(bytes).toString('base64'),
        isBase64Encoded: true,
      }),
    progress: (cookie: string | undefined, year: number, district?: string) =>
      createAdminProgressHandler(d)(
        httpEvent({
          method: 'GET',
          path: '/api/admin/progress',
          query: { year: String(year), ...(district === undefined ? {} : { district }) },
          cookie,
        }),
      ),
    remind: (cookie: string | undefined, body: unknown) =>
      createAdminSendRemindersHandler(d)(httpEvent({ method: 'POST', path: '/api/admin/reminders', body, cookie })),
    summary: (cookie: string | undefined, query: Record<string, string>, headers: Record<string, string> = {}) =>
      createAdminSummaryHandler(d)(httpEvent({ method: 'GET', path: '/api/admin/summary', query, cookie, headers })),
    log: (cookie: string | undefined) => createAdminLogHandler(d)(httpEvent({ method: 'GET', path: '/api/admin/log', cookie })),
  } satisfies Record<string, (...args: never[]) => Promise<HttpResponse>>;
}

export const gbk = (text: string): Uint8Array => iconv.encode(text, 'gbk');

/** A report put on the published list exactly as the Publish task leaves it: the version, the published record, the head. */
export async function markPublished(
  app: TestApp,
  report: Record<string, unknown>,
  agency: { id: string; name: string },
  year: number,
): Promise<void> {
  const reportId = `${agency.id}-${year}`;
  const at = app.clock.now().toISOString();
  const sha = contentSha256(report);
  await app.deps.store.putVersion({
    reportId,
    version: 1,
    content: report,
    contentSha256: sha,
    createdAt: at,
    createdBy: 'officer@kw.example.cn',
  });
  await app.deps.store.putPublished({
    reportId,
    agencyId: agency.id,
    agencyName: agency.name,
    year,
    version: 1,
    contentSha256: sha,
    publishedAt: at,
  });
}

/** A head in the given state, as the workflow's projection writes it. */
export async function putHeadAs(
  app: TestApp,
  agency: { id: string; name: string },
  year: number,
  status: 'published' | 'returned' | 'withdrawn',
  updatedAt: string,
): Promise<void> {
  await app.deps.store.putHead({
    reportId: `${agency.id}-${year}`,
    agencyId: agency.id,
    agencyName: agency.name,
    year,
    template: 'beijing-2019',
    status,
    stage: status === 'published' ? 'published' : 'officer',
    version: 1,
    lastSeq: 5,
    lastHash: 'a'.repeat(64),
    createdAt: updatedAt,
    updatedAt,
  });
}
