import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { expect } from 'vitest';
import { createDecideReviewHandler } from '#functions/decide-review.js';
import { createGetMeHandler } from '#functions/get-me.js';
import { createRequestReviewHandler } from '#functions/request-review.js';
import { createRequestRevisionHandler } from '#functions/request-revision.js';
import { createResubmitReportHandler } from '#functions/resubmit-report.js';
import { createReviewPageHandler } from '#functions/review-page.js';
import { createSubmitReportHandler } from '#functions/submit-report.js';
import type { HttpResponse } from '#shared/http/response.js';
import type { AppDeps } from '#shared/runtime/deps.js';
import type { ApproverStage, Decision, Review } from '#shared/workflow/model.js';
import { BASE_URL, httpEvent, jsonOf, type TestApp } from '../support/app.js';
import { referenceReport } from '../support/report-builders.js';
import { signIn } from '../support/sign-in.js';

/**
 * Step Functions played by hand: the task handlers called with the payloads of shared/workflow/contracts.ts, the
 * HTTP handlers with API Gateway events, and the emails read back from the outbox.
 */

export const REPORT_ID = 'daxing-kw-2020';
export const OFFICER = 'officer@kw.example.cn';
export const DIRECTOR = 'director@kw.example.cn';
export const LEADER = 'leader@kw.example.cn';
export const AUDITOR = 'auditor@audit.example.cn';

export const APPROVER: Readonly<Record<ApproverStage, string>> = { director: DIRECTOR, leader: LEADER };

export interface ReviewLink {
  readonly link: string;
  readonly reviewId: string;
  readonly sig: string;
}

export function parseReviewLink(link: string): ReviewLink {
  const url = new URL(link);
  return { link, reviewId: decodeURIComponent(url.pathname.split('/')[2] ?? ''), sig: url.searchParams.get('sig') ?? '' };
}

/** The newest review link emailed to `to` (outbox.list() is newest first). */
export async function emailedReviewLink(app: TestApp, to: string): Promise<ReviewLink> {
  const message = (await app.outbox.list()).find((entry) => entry.to === to && /请(审核|会签|签发)：/.test(entry.subject));
  const link = message?.links.find((url) => url.includes('/reviews/'));
  if (!link) throw new Error(`no review link emailed to ${to}`);
  return parseReviewLink(link);
}

export async function reviewEmails(app: TestApp, to?: string) {
  return (await app.outbox.list()).filter((entry) => /请(审核|会签|签发)：/.test(entry.subject) && (to === undefined || entry.to === to));
}

/** Every email but the sign-in codes, oldest first. */
export async function workflowEmails(app: TestApp) {
  return (await app.outbox.list()).filter((entry) => !entry.subject.includes('验证码')).reverse();
}

export function tokensSent(app: TestApp): Array<{ token: string; output: Record<string, unknown> }> {
  return app.sfn.commandCalls(SendTaskSuccessCommand).map((call) => ({
    token: call.args[0].input.taskToken ?? '',
    output: JSON.parse(call.args[0].input.output ?? '{}') as Record<string, unknown>,
  }));
}

export async function eventTypes(app: TestApp, reportId = REPORT_ID): Promise<string[]> {
  return (await app.deps.store.listEvents(reportId)).map((event) => event.type);
}

/** Cookies per person, signed in once per app (sign-in codes are rate-limited per address). */
const cookies = new WeakMap<TestApp, Map<string, string>>();
export async function cookieOf(app: TestApp, email: string): Promise<string> {
  const jar = cookies.get(app) ?? new Map<string, string>();
  cookies.set(app, jar);
  const known = jar.get(email);
  if (known !== undefined) return known;
  const cookie = await signIn(app, email);
  jar.set(email, cookie);
  return cookie;
}
/** Forgets the cookies of an app (after the clock passed their 12 hours). */
export function forgetCookies(app: TestApp): void {
  cookies.delete(app);
}

export async function csrfOf(app: TestApp, cookie: string): Promise<string> {
  const me = await createGetMeHandler(app.deps)(httpEvent({ method: 'GET', path: '/api/me', cookie }));
  return String((jsonOf(me) as { csrfToken: string }).csrfToken);
}

/** The officer submits; `acknowledgements` answers the checks' warnings (a report with a warning is refused without). */
export async function submit(
  app: TestApp,
  report: Record<string, unknown> = referenceReport(),
  acknowledgements?: Record<string, unknown>,
): Promise<HttpResponse> {
  const officer = await cookieOf(app, officerOf(report));
  const body = acknowledgements === undefined ? { report } : { report, acknowledgements };
  const response = await createSubmitReportHandler(app.deps)(httpEvent({ method: 'POST', path: '/api/reports', body, cookie: officer }));
  expect(response.statusCode, response.body).toBe(201);
  return response;
}

/** The officer of the report's agency: the demo one, or `officer@{agencyId}.example.cn` for agencies a test adds. */
export function officerOf(report: Record<string, unknown>): string {
  const agency = report['agency'] as { id?: string } | undefined;
  return personOf(agency?.id ?? 'daxing-kw', 'officer');
}

/** Who holds a role at an agency: the demo roster, or `{role}@{agencyId}.example.cn` (see addAgency). */
export function personOf(agencyId: string, role: 'officer' | ApproverStage): string {
  return agencyId === 'daxing-kw' ? `${role}@kw.example.cn` : `${role}@${agencyId}.example.cn`;
}

const agencyOfReport = (reportId: string): string => reportId.replace(/-\d{4}$/, '');

/** Another agency with an officer, a director and a leader, named as personOf expects. */
export async function addAgency(app: TestApp, id: string, name: string): Promise<void> {
  await app.deps.store.putAgency({ id, name });
  for (const [role, person] of [
    ['officer', '陈信息员'],
    ['director', '刘主任'],
    ['leader', '孙局长'],
  ] as const) {
    await app.deps.store.putRosterEntry({ email: personOf(id, role), name: person, agencyId: id, roles: [role] });
  }
}

export async function resubmit(
  app: TestApp,
  report: Record<string, unknown>,
  reportId = REPORT_ID,
  officer = OFFICER,
): Promise<HttpResponse> {
  return createResubmitReportHandler(app.deps)(
    httpEvent({
      method: 'PUT',
      path: `/api/reports/${reportId}`,
      pathParameters: { id: reportId },
      body: { report },
      cookie: await cookieOf(app, officer),
    }),
  );
}

export interface ReviewInput {
  readonly taskToken: string;
  readonly version: number;
  readonly stage: ApproverStage;
  readonly reportId?: string;
}

export function requestReview(app: TestApp, input: ReviewInput, deps: Partial<AppDeps> = {}): Promise<unknown> {
  return createRequestReviewHandler({ ...app.deps, ...deps })({ reportId: REPORT_ID, ...input });
}

export function requestRevision(
  app: TestApp,
  input: { taskToken: string; version: number; decision: Decision; reportId?: string },
): Promise<unknown> {
  return createRequestRevisionHandler(app.deps)({ reportId: REPORT_ID, ...input });
}

export function openReviewPage(
  app: TestApp,
  link: ReviewLink,
  options: { cookie?: string; error?: string; sig?: string } = {},
): Promise<HttpResponse> {
  const sig = options.sig ?? link.sig;
  return createReviewPageHandler(app.deps)(
    httpEvent({
      method: 'GET',
      path: `/reviews/${link.reviewId}`,
      pathParameters: { reviewId: link.reviewId },
      query: { sig, ...(options.error === undefined ? {} : { error: options.error }) },
      ...(options.cookie === undefined ? {} : { cookie: options.cookie }),
    }),
  );
}

export interface DecisionBody {
  readonly outcome: 'approve' | 'return';
  readonly comment?: string;
  readonly confidentialityReviewed?: boolean;
  readonly sig?: string;
}

/** POST /api/reviews/{id}/decision as the browser's script would send it. */
export function decideJson(
  app: TestApp,
  link: ReviewLink,
  cookie: string | undefined,
  body: DecisionBody,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return createDecideReviewHandler(app.deps)(
    httpEvent({
      method: 'POST',
      path: `/api/reviews/${link.reviewId}/decision`,
      pathParameters: { reviewId: link.reviewId },
      ...(cookie === undefined ? {} : { cookie }),
      headers,
      body: { sig: link.sig, comment: '', ...body },
    }),
  );
}

/** POST /reviews/{id}/decision, the review page's form. */
export function decideForm(
  app: TestApp,
  link: ReviewLink,
  cookie: string | undefined,
  form: Record<string, string>,
): Promise<HttpResponse> {
  return createDecideReviewHandler(app.deps)(
    httpEvent({
      method: 'POST',
      path: `/reviews/${link.reviewId}/decision`,
      pathParameters: { reviewId: link.reviewId },
      headers: { origin: new URL(BASE_URL).origin },
      ...(cookie === undefined ? {} : { cookie }),
      form: { sig: link.sig, ...form },
    }),
  );
}

/** The review task for a stage, then the approver's decision through the JSON twin; returns the link and the decision. */
export async function reviewAndDecide(
  app: TestApp,
  input: ReviewInput,
  body: DecisionBody,
): Promise<{ link: ReviewLink; decision: Decision }> {
  await requestReview(app, input);
  const approver = personOf(agencyOfReport(input.reportId ?? REPORT_ID), input.stage);
  const link = await emailedReviewLink(app, approver);
  const response = await decideJson(app, link, await cookieOf(app, approver), {
    ...(input.stage === 'director' && body.outcome === 'approve' ? { confidentialityReviewed: true } : {}),
    ...body,
  });
  expect(response.statusCode, response.body).toBe(200);
  return { link, decision: (jsonOf(response) as { decision: Decision }).decision };
}

/** Submitted, approved by the director and signed by the leader: ready for the Publish task. */
export async function signedReport(app: TestApp, report: Record<string, unknown> = referenceReport()): Promise<{ reportId: string }> {
  const submitted = jsonOf(await submit(app, report)) as { id: string };
  const reportId = submitted.id;
  await reviewAndDecide(app, { reportId, taskToken: `${reportId}-director-1`, version: 1, stage: 'director' }, { outcome: 'approve' });
  await reviewAndDecide(
    app,
    { reportId, taskToken: `${reportId}-leader-1`, version: 1, stage: 'leader' },
    { outcome: 'approve', comment: '同意发布' },
  );
  return { reportId };
}

export async function reviewOf(app: TestApp, reviewId: string): Promise<Review> {
  const review = await app.deps.store.getReview(reviewId);
  if (!review) throw new Error(`no review ${reviewId}`);
  return review;
}
