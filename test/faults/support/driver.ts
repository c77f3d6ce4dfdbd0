import { referenceReport, withValue } from '../../support/report-builders.js';
import {
  isReturn,
  isReviewRequest,
  isReminder,
  outboxFile,
  persistently,
  reviewLinkOf,
  send,
  sleep,
  until,
  type Caller,
  type OutboxEntry,
  type Reply,
  type ReviewLink,
} from './client.js';
import type { History } from './invariants.js';
import type { SeededAgency, SeededPerson } from './people.js';

/**
 * One agency's report walked through the workflow over HTTP against a stack that may be killed at any moment: every
 * call is repeated while the stack is down, and an answer that says the work was already done (the response to the
 * first try was lost with the process) counts as done.
 */

export const reportFor = (agency: SeededAgency['agency'], year = 2020, overview?: string): Record<string, unknown> => {
  let report = withValue(withValue(referenceReport(), 'agency', { id: agency.id, name: agency.name }), 'year', year);
  if (overview !== undefined) report = withValue(report, 'overview', overview);
  return report;
};

export interface Status {
  readonly status: string;
  readonly stage: string;
  readonly version: number;
}

export class ReportDriver {
  readonly reportId: string;

  constructor(
    private readonly url: () => string,
    private readonly dataDir: string,
    readonly seeded: SeededAgency,
    readonly year = 2020,
    private readonly timeoutMs = 120_000,
  ) {
    this.reportId = `${seeded.agency.id}-${year}`;
  }

  private call(who: Caller | undefined, method: string, path: string, json?: unknown): Promise<Reply> {
    return persistently(`${method} ${path}`, () => send(this.url(), who, method, path, json === undefined ? {} : { json }), this.timeoutMs);
  }

  async submit(report = reportFor(this.seeded.agency, this.year)): Promise<Reply> {
    const reply = await this.call(this.seeded.officer, 'POST', '/api/reports', { report });
    if (reply.status === 201) return reply;
    // an earlier try went through and the review was already requested
    const code = (reply.body as { error?: { code?: string } } | undefined)?.error?.code;
    if (reply.status === 409 && code === 'REPORT_EXISTS') return reply;
    throw new Error(`submitting ${this.reportId} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  }

  async resubmit(report: Record<string, unknown>, expectVersion: number): Promise<Reply> {
    const reply = await this.call(this.seeded.officer, 'PUT', `/api/reports/${this.reportId}`, { report });
    if (reply.status === 200) return reply;
    if (reply.status === 409 && (await this.status()).version >= expectVersion) return reply;
    throw new Error(`resubmitting ${this.reportId} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  }

  async decide(who: SeededPerson, link: ReviewLink, outcome: 'approve' | 'return', comment = ''): Promise<Reply> {
    const reply = await this.call(who, 'POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
      sig: link.sig,
      outcome,
      comment,
      confidentialityReviewed: true,
    });
    if (reply.status === 200) return reply;
    const recorded = (reply.body as { decision?: { outcome?: string; approver?: string } } | undefined)?.decision;
    if (reply.status === 409 && recorded?.outcome === outcome && recorded.approver === who.email) return reply;
    throw new Error(`deciding ${link.reviewId} (${outcome}) answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  }

  async status(): Promise<Status> {
    const reply = await this.call(this.seeded.officer, 'GET', `/api/reports/${this.reportId}`);
    if (reply.status !== 200) throw new Error(`GET ${this.reportId} answered ${reply.status}`);
    return reply.body as Status;
  }

  async history(auditor: Caller): Promise<History> {
    const reply = await this.call(auditor, 'GET', `/api/reports/${this.reportId}/history`);
    if (reply.status !== 200) throw new Error(`the history of ${this.reportId} answered ${reply.status}`);
    return reply.body as History;
  }

  /**
   * The history once no execution of the report is still running: the `published` event is committed by the Publish
   * task, and its execution ends a moment later (longer on a loaded machine).
   */
  async finishedHistory(auditor: Caller): Promise<History> {
    return until(
      `the executions of ${this.reportId} to end`,
      async () => {
        const history = await this.history(auditor);
        return history.executions.every((execution) => execution.status !== 'RUNNING') ? history : undefined;
      },
      this.timeoutMs,
    );
  }

  /** This report's emails so far (from DATA_DIR: readable while the stack is down), oldest first. */
  async emails(): Promise<OutboxEntry[]> {
    // everyone seeded for the agency: officer, director and leader, and the people of a longer chain beside them
    const people = new Set(
      Object.values(this.seeded)
        .flat()
        .flatMap((value: unknown) =>
          typeof value === 'object' && value !== null && 'email' in value && typeof value.email === 'string' ? [value.email] : [],
        ),
    );
    const title = `${this.seeded.agency.name}${this.year}年`;
    return (await outboxFile(this.dataDir)).filter((entry) => people.has(entry.to) && entry.subject.includes(title));
  }

  /** The first request (not a reminder) to review `version`, sent to `who`, waiting for it. */
  async reviewLink(who: SeededPerson, version: number): Promise<ReviewLink> {
    return until(
      `the review email of ${this.reportId} v${version} to ${who.email}`,
      async () => {
        const entry = (await this.emails()).find(
          (candidate) =>
            candidate.to === who.email &&
            isReviewRequest(candidate) &&
            !isReminder(candidate) &&
            candidate.subject.includes(`（第${version}版）`),
        );
        return entry && reviewLinkOf(entry);
      },
      this.timeoutMs,
    );
  }

  async returnEmail(version: number): Promise<OutboxEntry> {
    return until(
      `the return email of ${this.reportId} v${version}`,
      async () => (await this.emails()).find((entry) => isReturn(entry) && entry.subject.includes(`（第${version}版）`)),
      this.timeoutMs,
    );
  }

  /**
   * Approves, resubmits (with `revised`) and waits from wherever the report is until it is published: what the people
   * would go on doing after the stack came back.
   */
  async finish(revised: () => Record<string, unknown>): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (Date.now() < deadline) {
      const now = await this.status();
      if (now.status === 'published') return;
      const moved = (current: Status) => current.status !== now.status || current.stage !== now.stage || current.version !== now.version;
      if (now.status === 'in_review' && (now.stage === 'director' || now.stage === 'leader')) {
        const who = now.stage === 'director' ? this.seeded.director : this.seeded.leader;
        await this.decide(who, await this.reviewLink(who, now.version), 'approve');
        await this.waitFor(`to move on from ${now.stage} v${now.version}`, moved);
      } else if (now.status === 'returned') {
        await this.resubmit(revised(), now.version + 1);
        await this.waitFor(`to move on from the return of v${now.version}`, moved);
      } else {
        await sleep(200);
      }
    }
    throw new Error(`${this.reportId} was not published within ${this.timeoutMs} ms`);
  }

  async waitFor(what: string, test: (status: Status) => boolean): Promise<Status> {
    return until(
      `${this.reportId} ${what}`,
      async () => {
        const status = await this.status();
        return test(status) ? status : undefined;
      },
      this.timeoutMs,
    );
  }
}
