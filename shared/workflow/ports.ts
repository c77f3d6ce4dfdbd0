import type {
  Agency,
  ApproverStage,
  Decision,
  Draft,
  PublishedReport,
  ReportEvent,
  ReportHead,
  ReportVersion,
  Review,
  Revision,
  RosterEntry,
  Session,
  SignInCode,
} from './model.js';

/**
 * The ports the workflow's use cases are given. Adapters implement them (store/dynamo-store.ts, store/s3-site.ts,
 * mail/*, workflow/sfn-workflow.ts); tests pass the same adapters pointed at emulators, or fakes.
 * Every method that can lose a race throws ConflictError (errors.ts) rather than overwrite.
 */

export interface ReviewPointer {
  readonly reviewId: string;
  readonly reportId: string;
  readonly version: number;
  readonly stage: ApproverStage;
  readonly approverEmail: string;
  /** a 会签 step has one slot per co-signer: their address; absent for a step one person decides */
  readonly seat?: string | undefined;
}

export interface Store {
  // The log: the commit point. Throws ConflictError when that seq is taken.
  appendEvent(event: ReportEvent): Promise<void>;
  listEvents(reportId: string): Promise<ReportEvent[]>;

  // Projections, written after the event. putHead never moves a head backwards (lastSeq only grows).
  getHead(reportId: string): Promise<ReportHead | undefined>;
  putHead(head: ReportHead): Promise<void>;
  listHeads(agencyId: string): Promise<ReportHead[]>;
  /** idempotent: the same version with the same sha is accepted again; a different sha is a ConflictError */
  putVersion(version: ReportVersion): Promise<void>;
  getVersion(reportId: string, version: number): Promise<ReportVersion | undefined>;

  // Reviews. The slot (report, version, stage) names at most one review, so a retried task finds the same one.
  claimReviewSlot(pointer: ReviewPointer): Promise<ReviewPointer>;
  listReviewPointers(reportId: string): Promise<ReviewPointer[]>;
  createReview(review: Review): Promise<void>;
  getReview(reviewId: string): Promise<Review | undefined>;
  /** sets a new token when tokenSeq is still `expectedTokenSeq`; returns the updated review */
  issueReviewToken(reviewId: string, taskToken: string, expectedTokenSeq: number): Promise<Review>;
  markReviewEmailed(reviewId: string, tokenSeq: number): Promise<void>;
  /** first writer wins: ConflictError when a decision is already there */
  recordDecision(reviewId: string, decision: Decision): Promise<Review>;
  markDecisionDelivered(reviewId: string, tokenSeq: number): Promise<void>;
  /** marks a review handed on to another person (no decision on it); ConflictError when decided or already handed on */
  markReviewReplaced(reviewId: string, replacedBy: { reviewId: string; approverEmail: string; approverName: string }): Promise<void>;
  /** replaces the review's resend times when they are still `expected`; ConflictError otherwise */
  setReviewResends(reviewId: string, resentAt: readonly string[], expected: readonly string[] | undefined): Promise<void>;
  markDecisionLogged(reviewId: string, seq: number): Promise<void>;

  // The officer's turn after a return.
  putRevision(revision: Revision): Promise<void>;
  getRevision(reportId: string, returnedVersion: number): Promise<Revision | undefined>;
  markRevisionEmailed(reportId: string, returnedVersion: number, tokenHash: string): Promise<void>;
  /** ConflictError when already resolved */
  resolveRevision(reportId: string, returnedVersion: number, resubmittedVersion: number): Promise<void>;

  // Drafts: ConflictError when `expectedRevision` is given and is not the stored one.
  getDraft(agencyId: string, year: number): Promise<Draft | undefined>;
  saveDraft(draft: Draft, expectedRevision: number | undefined): Promise<void>;

  // Sign-in.
  putSession(session: Session): Promise<void>;
  getSession(idHash: string): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;
  putSignInCode(code: SignInCode): Promise<void>;
  /** the address's codes issued at or after `since`, newest first */
  listSignInCodes(email: string, since: string): Promise<SignInCode[]>;
  /** counts one attempt; ConflictError when `maxAttempts` were already made or the code was used */
  countSignInAttempt(email: string, codeId: string, maxAttempts: number): Promise<SignInCode>;
  /** ConflictError when already used */
  markSignInCodeUsed(email: string, codeId: string, usedAt: string): Promise<void>;

  // Who is who.
  putAgency(agency: Agency): Promise<void>;
  getAgency(agencyId: string): Promise<Agency | undefined>;
  listAgencies(): Promise<Agency[]>;
  putRosterEntry(entry: RosterEntry): Promise<void>;
  getRosterEntry(email: string): Promise<RosterEntry | undefined>;
  listRoster(agencyId: string): Promise<RosterEntry[]>;

  // What is on the public site; the indexes are rebuilt from this list.
  putPublished(report: PublishedReport): Promise<void>;
  listPublished(): Promise<PublishedReport[]>;
}

export interface SiteObject {
  readonly key: string;
  readonly body: string;
  readonly contentType: 'text/html; charset=utf-8' | 'application/json';
  readonly cacheControl: string;
}

export interface Site {
  /** writes the object with its sha256 in metadata; returns the bucket's version id when versioning is on */
  put(object: SiteObject): Promise<{ versionId?: string; sha256: string }>;
}

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
}

export interface ExecutionSummary {
  readonly name: string;
  readonly status: string;
  readonly startDate: string;
  readonly stopDate?: string;
}

export interface ExecutionHistoryEvent {
  readonly id: number;
  readonly type: string;
  readonly timestamp: string;
  readonly stateName?: string;
}

export interface Workflow {
  /** idempotent on `name`: an execution already started under it is not started twice */
  start(name: string, input: Readonly<Record<string, unknown>>): Promise<void>;
  stop(name: string, cause: string): Promise<void>;
  /** throws TaskGoneError when the token timed out, was replaced or is unknown */
  sendTaskSuccess(taskToken: string, output: Readonly<Record<string, unknown>>): Promise<void>;
  /** fails the waiting task with `error` (what the state machine's Catch matches); TaskGoneError as above */
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  /** undefined when no execution of that name exists */
  describe(name: string): Promise<ExecutionSummary | undefined>;
  history(name: string): Promise<ExecutionHistoryEvent[]>;
}

export interface Clock {
  now(): Date;
}
