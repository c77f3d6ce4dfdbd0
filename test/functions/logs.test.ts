import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCreateSessionHandler } from '#functions/create-session.js';
import { createDecideReviewHandler } from '#functions/decide-review.js';
import { createEndSessionHandler } from '#functions/end-session.js';
import { createGetMeHandler } from '#functions/get-me.js';
import { createPublishReportHandler } from '#functions/publish-report.js';
import { createReportHistoryHandler } from '#functions/report-history.js';
import { createRequestReviewHandler } from '#functions/request-review.js';
import { createRequestRevisionHandler } from '#functions/request-revision.js';
import { createRequestSignInCodeHandler } from '#functions/request-sign-in-code.js';
import { createResubmitReportHandler } from '#functions/resubmit-report.js';
import { createReviewPageHandler } from '#functions/review-page.js';
import { createSubmitReportHandler } from '#functions/submit-report.js';
import type { Decision } from '#shared/workflow/model.js';
import { BASE_URL, createTestApp, httpEvent, jsonOf, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { referenceReport, withValue } from '../support/report-builders.js';
import { signIn } from '../support/sign-in.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

const OFFICER = 'officer@kw.example.cn';
const DIRECTOR = 'director@kw.example.cn';
const LEADER = 'leader@kw.example.cn';
const AUDITOR = 'auditor@audit.example.cn';
const REPORT_ID = 'daxing-kw-2020';

/** Everything the process writes while a test runs: the logger's own stdout stream, stderr, and the console. */
let written: string[];
beforeEach(() => {
  written = [];
  const keep = (chunk: unknown): true => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      written.push(args.map(String).join(' '));
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

const logLines = (): string[] =>
  written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '');

function parsedLogLines(): Array<Record<string, unknown>> {
  return logLines().flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

interface Secrets {
  readonly taskTokens: string[];
  readonly sessions: string[];
  readonly codes: string[];
  readonly signatures: string[];
  readonly csrfTokens: string[];
}

async function sentCodes(app: TestApp): Promise<string[]> {
  return (await app.outbox.list())
    .filter((entry) => entry.subject.includes('验证码'))
    .flatMap((entry) => /\b(\d{6})\b/.exec(entry.text)?.[1] ?? []);
}

async function sentSignatures(app: TestApp): Promise<string[]> {
  return (await app.outbox.list()).flatMap((entry) => entry.links).flatMap((link) => new URL(link).searchParams.get('sig') ?? []);
}

async function emailedReview(app: TestApp, to: string) {
  const message = (await app.outbox.list()).find((entry) => entry.to === to && /请(审核|会签|签发)：/.test(entry.subject));
  const link = message?.links.find((url) => url.includes('/reviews/'));
  if (!link) throw new Error(`no review link emailed to ${to}`);
  const url = new URL(link);
  return { reviewId: decodeURIComponent(url.pathname.split('/')[2] ?? ''), sig: url.searchParams.get('sig') ?? '' };
}

async function csrfOf(app: TestApp, cookie: string): Promise<string> {
  const me = await createGetMeHandler(app.deps)(httpEvent({ method: 'GET', path: '/api/me', cookie }));
  return String((jsonOf(me) as { csrfToken: string }).csrfToken);
}

/** Which of the secrets appear in which lines (a short code only as a number of its own, not inside a longer one). */
function leaks(lines: readonly string[], secrets: Secrets): Array<{ kind: string; secret: string; line: string }> {
  const found: Array<{ kind: string; secret: string; line: string }> = [];
  for (const [kind, values] of Object.entries(secrets) as Array<[string, string[]]>) {
    for (const secret of values) {
      const pattern = kind === 'codes' ? new RegExp(`(?<!\\d)${secret}(?!\\d)`) : undefined;
      for (const line of lines) {
        if (pattern ? pattern.test(line) : line.includes(secret) || line.includes(encodeURIComponent(secret)))
          found.push({ kind, secret, line });
      }
    }
  }
  return found;
}

describe('logs', () => {
  it('never contain a task token, session cookie, sign-in code, link signature or CSRF token across a whole review', async () => {
    const app = await createTestApp();
    app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
    const taskTokens = [
      'TT-director-v1-9f3c2e81d7b64a05aa1e',
      'TT-revision-v1-4b7d19c0e2f8a365bc2d',
      'TT-director-v2-0c81e4f2a9d37b56cd3e',
      'TT-director-v2-reminder-7e2a9c4d18b3f0',
      'TT-leader-v2-5d92f1a07c4e8b36de4f',
    ];
    const [directorV1, revisionV1, directorV2, directorV2Reminder, leaderV2] = taskTokens as [string, string, string, string, string];
    const sessions: string[] = [];
    const csrfTokens: string[] = [];
    const session = async (email: string) => {
      const cookie = await signIn(app, email);
      sessions.push(cookie.slice(cookie.indexOf('=') + 1));
      csrfTokens.push(await csrfOf(app, cookie));
      return cookie;
    };
    const requestReview = createRequestReviewHandler(app.deps);
    const decide = createDecideReviewHandler(app.deps);
    const page = createReviewPageHandler(app.deps);

    // the officer signs in, then a mistyped code (its log line must not carry the code either), and submits
    const officer = await session(OFFICER);
    await createRequestSignInCodeHandler(app.deps)(httpEvent({ method: 'POST', path: '/api/auth/code', body: { email: OFFICER } }));
    const [firstCode] = await sentCodes(app);
    const wrong = String((Number(firstCode) + 1) % 1_000_000).padStart(6, '0');
    expect(
      (
        await createCreateSessionHandler(app.deps)(
          httpEvent({ method: 'POST', path: '/api/auth/session', body: { email: OFFICER, code: wrong } }),
        )
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await createSubmitReportHandler(app.deps)(
          httpEvent({ method: 'POST', path: '/api/reports', body: { report: referenceReport() }, cookie: officer }),
        )
      ).statusCode,
    ).toBe(201);

    // the director opens the link (a mail scanner too, without a session), and returns the report
    expect(await requestReview({ taskToken: directorV1, reportId: REPORT_ID, version: 1, stage: 'director' })).toBe('emailed');
    const first = await emailedReview(app, DIRECTOR);
    await page(
      httpEvent({
        method: 'GET',
        path: `/reviews/${first.reviewId}`,
        pathParameters: { reviewId: first.reviewId },
        query: { sig: first.sig },
      }),
    );
    await page(
      httpEvent({
        method: 'GET',
        path: `/reviews/${first.reviewId}`,
        pathParameters: { reviewId: first.reviewId },
        query: { sig: `${first.sig}x` },
      }),
    );
    const director = await session(DIRECTOR);
    const returned = await decide(
      httpEvent({
        method: 'POST',
        path: `/api/reviews/${first.reviewId}/decision`,
        pathParameters: { reviewId: first.reviewId },
        cookie: director,
        body: { sig: first.sig, outcome: 'return', comment: '请补充第五部分。' },
      }),
    );
    expect(returned.statusCode).toBe(200);
    const returnDecision = (jsonOf(returned) as { decision: Decision }).decision;
    // a second click, which finds the decision already recorded
    expect(
      (
        await decide(
          httpEvent({
            method: 'POST',
            path: `/api/reviews/${first.reviewId}/decision`,
            pathParameters: { reviewId: first.reviewId },
            cookie: director,
            body: { sig: first.sig, outcome: 'approve', confidentialityReviewed: true },
          }),
        )
      ).statusCode,
    ).toBe(409);

    // the officer is asked to revise, and resubmits
    expect(
      await createRequestRevisionHandler(app.deps)({ taskToken: revisionV1, reportId: REPORT_ID, version: 1, decision: returnDecision }),
    ).toBe('emailed');
    const revised = withValue(referenceReport(), 'problems', '已补充存在的主要问题及改进情况。');
    const resubmitted = await createResubmitReportHandler(app.deps)(
      httpEvent({
        method: 'PUT',
        path: `/api/reports/${REPORT_ID}`,
        pathParameters: { id: REPORT_ID },
        body: { report: revised },
        cookie: officer,
      }),
    );
    expect(resubmitted.statusCode).toBe(200);

    // version 2: a timeout and reminder, then the director approves (with the service failing once), then the leader signs
    expect(await requestReview({ taskToken: directorV2, reportId: REPORT_ID, version: 2, stage: 'director' })).toBe('emailed');
    expect(await requestReview({ taskToken: directorV2Reminder, reportId: REPORT_ID, version: 2, stage: 'director' })).toBe('emailed');
    const second = await emailedReview(app, DIRECTOR);
    let outage = true;
    app.sfn.on(SendTaskSuccessCommand).callsFake(() => {
      if (!outage) return {};
      outage = false;
      throw new Error('Step Functions is unavailable');
    });
    const failed = await decide(
      httpEvent({
        method: 'POST',
        path: `/api/reviews/${second.reviewId}/decision`,
        pathParameters: { reviewId: second.reviewId },
        cookie: director,
        body: { sig: second.sig, outcome: 'approve', comment: '', confidentialityReviewed: true },
      }),
    );
    expect(failed.statusCode).toBe(500);
    // the decision stood; the next review task delivers it
    expect(await requestReview({ taskToken: `${directorV2Reminder}-2`, reportId: REPORT_ID, version: 2, stage: 'director' })).toBe(
      'delivered-recorded-decision',
    );
    taskTokens.push(`${directorV2Reminder}-2`);

    expect(await requestReview({ taskToken: leaderV2, reportId: REPORT_ID, version: 2, stage: 'leader' })).toBe('emailed');
    const leaderReview = await emailedReview(app, LEADER);
    const leader = await session(LEADER);
    await page(
      httpEvent({
        method: 'GET',
        path: `/reviews/${leaderReview.reviewId}`,
        pathParameters: { reviewId: leaderReview.reviewId },
        query: { sig: leaderReview.sig },
        cookie: leader,
      }),
    );
    const signed = await decide(
      httpEvent({
        method: 'POST',
        path: `/reviews/${leaderReview.reviewId}/decision`,
        pathParameters: { reviewId: leaderReview.reviewId },
        cookie: leader,
        headers: { origin: BASE_URL },
        form: { sig: leaderReview.sig, outcome: 'approve', comment: '同意发布', csrf: csrfTokens.at(-1) ?? '' },
      }),
    );
    expect(signed.statusCode).toBe(303);

    await createPublishReportHandler(app.deps)({ reportId: REPORT_ID, version: 2 });
    const auditor = await session(AUDITOR);
    const audited = await createReportHistoryHandler(app.deps)(
      httpEvent({ method: 'GET', path: `/api/reports/${REPORT_ID}/history`, pathParameters: { id: REPORT_ID }, cookie: auditor }),
    );
    expect((jsonOf(audited) as { chain: { valid: boolean } }).chain.valid).toBe(true);
    await createEndSessionHandler(app.deps)(
      httpEvent({ method: 'POST', path: '/api/auth/logout', cookie: officer, headers: { origin: BASE_URL } }),
    );

    // the capture saw the run: a line per route and task, the unhandled error among them
    const parsed = parsedLogLines();
    const routes = new Set(parsed.filter((line) => line['message'] === 'http').map((line) => line['route']));
    const tasks = new Set(parsed.filter((line) => line['message'] === 'task').map((line) => line['task']));
    expect(routes).toEqual(
      new Set([
        'request-sign-in-code',
        'create-session',
        'get-me',
        'submit-report',
        'review-page',
        'decide-review',
        'resubmit-report',
        'report-history',
        'end-session',
      ]),
    );
    expect(tasks).toEqual(new Set(['request-review', 'request-revision', 'publish-report']));
    expect(parsed.some((line) => line['message'] === 'unhandled error')).toBe(true);

    const secrets: Secrets = { taskTokens, sessions, codes: await sentCodes(app), signatures: await sentSignatures(app), csrfTokens };
    expect(secrets.codes.length).toBeGreaterThanOrEqual(5);
    expect(new Set(secrets.signatures).size).toBeGreaterThanOrEqual(3);
    expect(leaks(logLines(), secrets)).toEqual([]);
  });
});
