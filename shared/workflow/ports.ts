import type {
  AdminEvent,
  Delegation,
  Agency,
  District,
  ApproverStage,
  Decision,
  Draft,
  ImportedReport,
  PublishedReport,
  ReportEvent,
  ReportHead,
  ReportVersion,
  Review,
  Revision,
  ReminderRecord,
  RosterEntry,
  Session,
  SignInCode,
} from './model.js';
import type { IndexRequest } from './site-indexes.js';

/**
 * The ports the workflow's use cases are given. Adapters implement them (store/dynamo-store.ts, store/memory-store.ts,
 * store/s3-site.ts, mail/*, sfn/sfn-workflow.ts); tests pass the same adapters pointed at emulators, or fakes.
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

/** A report's log, the commit point, and the projections written after each event (head, versions). */
export interface ReportLogStore {
  /** throws ConflictError when that seq is taken */
  appendEvent(event: ReportEvent): Promise<void>;
  /** in seq order */
  listEvents(reportId: string): Promise<ReportEvent[]>;

  // putHead never moves a head backwards (lastSeq only grows).
  getHead(reportId: string): Promise<ReportHead | undefined>;
  putHead(head: ReportHead): Promise<void>;
  /** the agency's reports, by year */
  listHeads(agencyId: string): Promise<ReportHead[]>;
  /** idempotent: the same version with the same sha is accepted again; a different sha is a ConflictError */
  putVersion(version: ReportVersion): Promise<void>;
  getVersion(reportId: string, version: number): Promise<ReportVersion | undefined>;
}

/** Reviews. The slot (report, version, stage[, seat]) names at most one review, so a retried task finds the same one. */
export interface ReviewStore {
  claimReviewSlot(pointer: ReviewPointer): Promise<ReviewPointer>;
  /** by version, then step */
  listReviewPointers(reportId: string): Promise<ReviewPointer[]>;
  /** ConflictError when a review with that id exists (it is never overwritten: it may hold a decision) */
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
}

/** The officer's turn after a return. */
export interface RevisionStore {
  putRevision(revision: Revision): Promise<void>;
  getRevision(reportId: string, returnedVersion: number): Promise<Revision | undefined>;
  markRevisionEmailed(reportId: string, returnedVersion: number, tokenHash: string): Promise<void>;
  /** ConflictError when already resolved */
  resolveRevision(reportId: string, returnedVersion: number, resubmittedVersion: number): Promise<void>;
}

/** The officer's working copy: ConflictError when `expectedRevision` is given and is not the stored one. */
export interface DraftStore {
  getDraft(agencyId: string, year: number): Promise<Draft | undefined>;
  saveDraft(draft: Draft, expectedRevision: number | undefined): Promise<void>;
}

/** Sign-in: sessions, one-time codes and the limits on asking for them. */
export interface SignInStore {
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
  /**
   * Counts one code request in a limit window (`window` names it: the kind, its start and whose budget) in a single
   * conditional update; false, and nothing counted, when `max` were already counted. The counter expires at `expiresAt`.
   */
  countSignInRequest(email: string, window: string, max: number, expiresAt: string): Promise<boolean>;
}

/** Who is who: agencies, the people of each (emails compared case-blind) and the districts over them. */
export interface RosterStore {
  putAgency(agency: Agency): Promise<void>;
  getAgency(agencyId: string): Promise<Agency | undefined>;
  listAgencies(): Promise<Agency[]>;
  putRosterEntry(entry: RosterEntry): Promise<void>;
  getRosterEntry(email: string): Promise<RosterEntry | undefined>;
  /** by email */
  listRoster(agencyId: string): Promise<RosterEntry[]>;
  /** removes the person; nothing happens when they are not on the roster */
  deleteRosterEntry(email: string): Promise<void>;
  putDistrict(district: District): Promise<void>;
  getDistrict(districtId: string): Promise<District | undefined>;
  listDistricts(): Promise<District[]>;
}

/**
 * Reminders: claimed before the mail goes out, marked sent after, so each goes out once (at most once more after
 * a crash between the two). claimReminder answers false when the key is sent, or claimed less than `leaseMs` ago.
 */
export interface ReminderStore {
  claimReminder(key: string, now: string, leaseMs: number): Promise<boolean>;
  markReminderSent(key: string, sentAt: string): Promise<void>;
  getReminder(key: string): Promise<ReminderRecord | undefined>;
}

/** The administration log, append-only like a report's: ConflictError when that seq is taken. */
export interface AdminLogStore {
  appendAdminEvent(event: AdminEvent): Promise<void>;
  /** in seq order */
  listAdminEvents(): Promise<AdminEvent[]>;
}

/** Delegation (代理): one record per delegator; a put replaces it (ending one is a put with `endedAt`). */
export interface DelegationStore {
  putDelegation(delegation: Delegation): Promise<void>;
  getDelegation(delegator: string): Promise<Delegation | undefined>;
  /** the agency's delegations, ended ones included */
  listDelegations(agencyId: string): Promise<Delegation[]>;
}

/** What is on the public site; the indexes are rebuilt from this list. A later publication of an agency-year replaces it. */
export interface PublishedStore {
  putPublished(report: PublishedReport): Promise<void>;
  /** by agency, then year */
  listPublished(): Promise<PublishedReport[]>;
}

/** A year's report imported from before nianbao: one per agency and year, a new import replaces it. */
export interface ImportedReportStore {
  putImportedReport(imported: ImportedReport): Promise<void>;
  getImportedReport(agencyId: string, year: number): Promise<ImportedReport | undefined>;
}

/**
 * Every aggregate on one store, as the adapters implement it (store/dynamo-store.ts on one DynamoDB table,
 * store/memory-store.ts in memory; test/integration/store/store-contract.ts holds both to the same behaviour).
 * Use cases name only the aggregates they touch.
 */
export interface Store
  extends ReportLogStore,
    ReviewStore,
    RevisionStore,
    DraftStore,
    SignInStore,
    RosterStore,
    ReminderStore,
    AdminLogStore,
    DelegationStore,
    PublishedStore,
    ImportedReportStore {}

export const DOCX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export interface SiteObject {
  readonly key: string;
  /** text is written as UTF-8; the Word and PDF files are bytes */
  readonly body: string | Uint8Array;
  readonly contentType:
    | 'text/html; charset=utf-8'
    | 'application/json'
    | 'application/x-pem-file'
    | 'application/pdf'
    | typeof DOCX_CONTENT_TYPE;
  readonly cacheControl: string;
  /** extra object metadata (S3 `x-amz-meta-*`, which CloudFront passes to readers) */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface Site {
  /** writes the object with its sha256 in metadata; returns the bucket's version id when versioning is on */
  put(object: SiteObject): Promise<{ versionId?: string; sha256: string }>;
}

/**
 * Asks the one site-index writer for a rebuild (an SQS FIFO queue in AWS, an in-process coalescing queue locally).
 * Resolves once the request is durably queued, not when the indexes are written: an index may lag its report.
 */
export interface IndexQueue {
  request(request: IndexRequest): Promise<void>;
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
  /**
   * idempotent on `name` while its execution runs (it is not started twice); throws RoundClosedError when the
   * execution of that name has ended
   */
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
