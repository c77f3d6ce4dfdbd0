import * as z from 'zod';
import { AGENCY_ID_PATTERN } from '../report/schema.js';
import { ChainSchema, STEP_ROLE_PATTERN } from './review-chain.js';

/**
 * The workflow's records. Each is parsed with its schema on the way out of the store, so the domain never sees an
 * item it did not write itself.
 */

export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254));
export type Email = z.infer<typeof EmailSchema>;

export const AgencyIdSchema = z.string().regex(AGENCY_ID_PATTERN);
export const IsoTimeSchema = z.iso.datetime({ offset: false });
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

export const DistrictIdSchema = z.string().regex(AGENCY_ID_PATTERN);

/** An agency: `chain` is its review chain (the default chain when absent), `template` the format its new reports start from. */
export const AgencySchema = z.object({
  id: AgencyIdSchema,
  name: z.string().min(1).max(100),
  district: DistrictIdSchema.optional(),
  template: z.string().min(1).max(40).optional(),
  chain: ChainSchema.optional(),
});
export type Agency = z.infer<typeof AgencySchema>;

export const IsoDateSchema = z.iso.date();

/** A district (区) groups agencies under one administrator; `deadlines` overrides 31 January per report year. */
export const DistrictSchema = z.object({
  id: DistrictIdSchema,
  name: z.string().min(1).max(100),
  deadlines: z.record(z.string().regex(/^\d{4}$/), IsoDateSchema).optional(),
});
export type District = z.infer<typeof DistrictSchema>;

/** `officer`, `auditor` and `admin` are reserved; any other name of this shape is a step role of some chain. */
export const RoleSchema = z.string().regex(STEP_ROLE_PATTERN);
export type Role = z.infer<typeof RoleSchema>;
/** A step of the round's chain, by its id (`director`, `leader` in the default chain). */
export const ApproverStageSchema = z.string().min(1).max(40);
export type ApproverStage = z.infer<typeof ApproverStageSchema>;

/**
 * A person who may sign in. Officers, directors and leaders act for one agency; an auditor reads the agencies in
 * `auditScope` ('*' for all).
 */
export const RosterEntrySchema = z.object({
  email: EmailSchema,
  name: z.string().min(1).max(100),
  agencyId: AgencyIdSchema,
  roles: z.array(RoleSchema).min(1),
  auditScope: z.union([z.literal('*'), z.array(AgencyIdSchema)]).optional(),
  /** an administrator (role `admin`) manages the agencies of these districts ('*' for all) */
  adminScope: z.union([z.literal('*'), z.array(DistrictIdSchema)]).optional(),
});
export type RosterEntry = z.infer<typeof RosterEntrySchema>;

export const ActorSchema = z.object({
  /** absent for the workflow itself (reminders, publishing) */
  email: EmailSchema.optional(),
  name: z.string().optional(),
  role: z.union([RoleSchema, z.literal('system')]),
});
export type Actor = z.infer<typeof ActorSchema>;

export const EventTypeSchema = z.enum([
  'submitted',
  'review_requested',
  'reminder_sent',
  'decided',
  'revision_requested',
  'resubmitted',
  'withdrawn',
  'published',
  'publish_failed',
  'workflow_failed',
]);
export type EventType = z.infer<typeof EventTypeSchema>;

export const DecisionSchema = z.object({
  outcome: z.enum(['approve', 'return']),
  comment: z.string().max(2000),
  approver: EmailSchema,
  approverName: z.string(),
  stage: ApproverStageSchema,
  /** 保密审查: required when approving a step with `confidentiality` */
  confidentialityReviewed: z.boolean(),
  /** the step's label in the round's chain (absent in logs written before chains were data: the default chain's) */
  stepLabel: z.string().optional(),
  /** set when a deputy (代理) decided for the person who holds the step's role */
  onBehalfOf: z.object({ email: EmailSchema, name: z.string() }).optional(),
  version: z.int().min(1),
  decidedAt: IsoTimeSchema,
});
export type Decision = z.infer<typeof DecisionSchema>;

/**
 * An event's signature: ECDSA P-256 over SHA-256 of the RFC 8785 form of every other field of the event (its hash
 * included), DER-encoded, base64. The key lives in KMS (a file outside the table locally), never in the table.
 */
export const EventSignatureSchema = z.object({
  keyId: z.string().min(1).max(2048),
  algorithm: z.literal('ECDSA_SHA_256'),
  value: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .max(200),
});
export type EventSignature = z.infer<typeof EventSignatureSchema>;

/**
 * One entry of a report's append-only log, the source of truth. `hash` is sha256 of the RFC 8785 form of every
 * other field, and `prevHash` is the hash of the entry before (64 zeros for the first), so any edit, removal or
 * reordering breaks the chain.
 */
export const ReportEventSchema = z.object({
  reportId: z.string().min(1),
  seq: z.int().min(1),
  type: EventTypeSchema,
  at: IsoTimeSchema,
  actor: ActorSchema,
  version: z.int().min(1),
  contentSha256: Sha256Schema,
  /** type-specific facts: the report content on submitted/resubmitted, the decision on decided, object versions on published */
  data: z.record(z.string(), z.unknown()),
  prevHash: Sha256Schema,
  hash: Sha256Schema,
  /** absent only on events written before signing was switched on (history-verification.ts says how they count) */
  signature: EventSignatureSchema.optional(),
});
export type ReportEvent = z.infer<typeof ReportEventSchema>;
export type UnsealedEvent = Omit<ReportEvent, 'prevHash' | 'hash' | 'seq' | 'signature'>;

export const ReportStatusSchema = z.enum(['in_review', 'returned', 'withdrawn', 'published', 'publish_failed']);
export type ReportStatus = z.infer<typeof ReportStatusSchema>;
/** A step id of the round's chain while it waits on an approver, or where the report is otherwise. */
export const StageSchema = z.string().min(1).max(40);
export type Stage = z.infer<typeof StageSchema>;

/** The report's current state: a projection of its events, rewritten after each one. */
export const ReportHeadSchema = z.object({
  reportId: z.string(),
  agencyId: AgencyIdSchema,
  agencyName: z.string(),
  year: z.int(),
  template: z.string(),
  status: ReportStatusSchema,
  stage: StageSchema,
  version: z.int().min(1),
  lastSeq: z.int().min(1),
  lastHash: Sha256Schema,
  /** the Step Functions execution walking the current round */
  executionName: z.string().optional(),
  pendingReviewId: z.string().optional(),
  pendingSince: IsoTimeSchema.optional(),
  /** the label of the step `stage` names, when it is a step of the chain */
  stageLabel: z.string().optional(),
  returnComment: z.string().optional(),
  publishedVersion: z.int().optional(),
  createdAt: IsoTimeSchema,
  updatedAt: IsoTimeSchema,
});
export type ReportHead = z.infer<typeof ReportHeadSchema>;

export const ReportVersionSchema = z.object({
  reportId: z.string(),
  version: z.int().min(1),
  content: z.record(z.string(), z.unknown()),
  contentSha256: Sha256Schema,
  createdAt: IsoTimeSchema,
  createdBy: EmailSchema,
});
export type ReportVersion = z.infer<typeof ReportVersionSchema>;

/** What newReviewId makes (with room to spare); anything else names no review and is not looked up. */
export const REVIEW_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * A review: one approver asked to decide one version. The id is random and goes in emailed links; the task token
 * lives only here and is replaced each time the workflow asks again (reminders), under the same id.
 */
export const ReviewSchema = z.object({
  reviewId: z.string().regex(REVIEW_ID_PATTERN),
  reportId: z.string(),
  version: z.int().min(1),
  stage: ApproverStageSchema,
  approverEmail: EmailSchema,
  approverName: z.string(),
  createdAt: IsoTimeSchema,
  linkExpiresAt: IsoTimeSchema,
  taskToken: z.string().optional(),
  /** increases with every token the workflow issues for this review */
  tokenSeq: z.int().min(0),
  /** the tokenSeq whose email was sent, so a retried task does not email twice */
  emailedTokenSeq: z.int().min(0),
  decision: DecisionSchema.optional(),
  /** the tokenSeq the decision was delivered with */
  deliveredTokenSeq: z.int().optional(),
  /** set once the decided event is in the log */
  decisionEventSeq: z.int().optional(),
  /** the review this one took over (its approver had lost the step's role) */
  takesOverFrom: z.object({ reviewId: z.string(), approverEmail: EmailSchema, approverName: z.string() }).optional(),
  /** when the approver asked for the link again (POST /api/me/tasks/{reviewId}/resend), newest last, the last hour's */
  resentAt: z.array(IsoTimeSchema).optional(),
  /** the review that took this one over when the approver lost the step's role (the old link then answers 409) */
  replacedBy: z.object({ reviewId: z.string(), approverEmail: EmailSchema, approverName: z.string() }).optional(),
});
export type Review = z.infer<typeof ReviewSchema>;

/** The officer's turn after a return: the OfficerRevision task's token, resolved by a resubmission. */
export const RevisionSchema = z.object({
  reportId: z.string(),
  returnedVersion: z.int().min(1),
  taskToken: z.string(),
  comment: z.string(),
  returnedBy: EmailSchema,
  createdAt: IsoTimeSchema,
  resubmittedVersion: z.int().optional(),
  /** sha256 of the token whose email went out, so a retried task does not email the officer twice */
  emailedTokenHash: Sha256Schema.optional(),
});
export type Revision = z.infer<typeof RevisionSchema>;

/** The officer's working copy; any JSON, saved as they type. `revision` guards against lost updates. */
export const DraftSchema = z.object({
  agencyId: AgencyIdSchema,
  year: z.int(),
  content: z.unknown(),
  revision: z.int().min(1),
  updatedAt: IsoTimeSchema,
  updatedBy: EmailSchema,
});
export type Draft = z.infer<typeof DraftSchema>;

export const SessionSchema = z.object({
  /** sha256 of the cookie value: the table never holds a usable session id */
  idHash: Sha256Schema,
  email: EmailSchema,
  csrfToken: z.string().min(22),
  createdAt: IsoTimeSchema,
  expiresAt: IsoTimeSchema,
});
export type Session = z.infer<typeof SessionSchema>;

export const SignInCodeSchema = z.object({
  email: EmailSchema,
  codeId: z.string(),
  /** HMAC of the code: a table read does not reveal it */
  codeHash: Sha256Schema,
  issuedAt: IsoTimeSchema,
  expiresAt: IsoTimeSchema,
  attempts: z.int().min(0),
  usedAt: IsoTimeSchema.optional(),
  /** the browser it was asked from (auth/browser.ts); only that browser may use it. Absent on codes from before. */
  browserHash: Sha256Schema.optional(),
});
export type SignInCode = z.infer<typeof SignInCodeSchema>;

export const PublishedReportSchema = z.object({
  reportId: z.string(),
  agencyId: AgencyIdSchema,
  agencyName: z.string(),
  year: z.int(),
  version: z.int(),
  contentSha256: Sha256Schema,
  publishedAt: IsoTimeSchema,
});
export type PublishedReport = z.infer<typeof PublishedReportSchema>;

/** A cell or part an import could not read with certainty, kept with the imported report so nobody forgets it. */
export const ImportUncertainSchema = z.object({ path: z.string(), label: z.string(), reason: z.string() });

/**
 * The agency's report for a year before it used nianbao, read from what it published then (nianbao import). A record
 * of its own, apart from the report log: it feeds the cross-year checks and the pre-fill, and is never shown or
 * listed as a report nianbao published.
 */
export const ImportedReportSchema = z.object({
  agencyId: AgencyIdSchema,
  year: z.int(),
  /** the report as far as it was read: cells that were uncertain are absent */
  report: z.record(z.string(), z.unknown()),
  template: z.string(),
  fileName: z.string(),
  fileSha256: Sha256Schema,
  uncertain: z.array(ImportUncertainSchema),
  importedAt: IsoTimeSchema,
  importedBy: EmailSchema,
});
export type ImportedReport = z.infer<typeof ImportedReportSchema>;
export const AdminEventTypeSchema = z.enum([
  'agency_saved',
  'person_saved',
  'person_removed',
  'people_imported',
  'reminder_sent',
  'delegation_set',
  'delegation_ended',
]);
export type AdminEventType = z.infer<typeof AdminEventTypeSchema>;

/**
 * One entry of the administration log: every change to agencies, chains, people, delegations and every reminder,
 * hash-chained like a report's log (`hash` over every other field but the signature, `prevHash` the entry before) and
 * signed and anchored with the same key and anchors as the reports' histories.
 */
export const AdminEventSchema = z.object({
  seq: z.int().min(1),
  type: AdminEventTypeSchema,
  at: IsoTimeSchema,
  actor: ActorSchema,
  /** the agency, person or district the change is about */
  subject: z.string().min(1).max(300),
  data: z.record(z.string(), z.unknown()),
  prevHash: Sha256Schema,
  hash: Sha256Schema,
  /** absent only on entries written before the administration log was signed */
  signature: EventSignatureSchema.optional(),
});
export type AdminEvent = z.infer<typeof AdminEventSchema>;

/**
 * A delegation (代理): while today (Beijing date) is within [from, until], both inclusive, the deputy may decide the
 * delegator's open reviews and receives their new review emails. One per delegator; a new one replaces it, and ending
 * it keeps the record with `endedAt` (the administration log holds the history).
 */
export const DelegationSchema = z.object({
  delegator: EmailSchema,
  delegatorName: z.string(),
  deputy: EmailSchema,
  deputyName: z.string(),
  agencyId: AgencyIdSchema,
  from: IsoDateSchema,
  until: IsoDateSchema,
  setAt: IsoTimeSchema,
  endedAt: IsoTimeSchema.optional(),
});
export type Delegation = z.infer<typeof DelegationSchema>;

/**
 * A reminder slot claimed before its mail goes out and marked sent after: a claim without `sentAt` older than the
 * lease was interrupted (a crash between send and mark) and may be claimed once more.
 */
export const ReminderRecordSchema = z.object({
  key: z.string().min(1).max(200),
  claimedAt: IsoTimeSchema,
  sentAt: IsoTimeSchema.optional(),
  attempts: z.int().min(1),
});
export type ReminderRecord = z.infer<typeof ReminderRecordSchema>;
