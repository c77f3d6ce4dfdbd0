import { HTTP_FUNCTIONS, TASK_FUNCTIONS, type HttpFunctionName, type TaskFunctionName } from '../shared/http/routes.js';
import { INDEX_PARTITIONS, PARTITIONS, type IndexPartition, type Partition } from '../shared/store/table.js';

/**
 * What each Lambda needs, read from its `handler` wiring in functions/<name>.ts and the getters of
 * shared/runtime/deps.ts it calls (each getter reads only its own variables). The stateless stack turns each line
 * into environment variables and IAM grants through the bind helpers, so a function gets exactly this and nothing
 * else; test/infra checks the synthesized result and that each handler really fails to start without each variable.
 */

/** the site-index writer: fed by its FIFO queue, not by a route or the state machine (infra/site-index-writer.ts) */
export const INDEX_WRITER_FUNCTION = 'rebuild-site-indexes';
export type FunctionName = HttpFunctionName | TaskFunctionName | typeof INDEX_WRITER_FUNCTION;
export const FUNCTION_NAMES: readonly FunctionName[] = [...HTTP_FUNCTIONS, ...TASK_FUNCTIONS, INDEX_WRITER_FUNCTION];

/** DynamoDB actions the store adapter (shared/store/dynamo-store.ts) issues: Get, Query, Put, Update, Delete. */
export type TableAction = 'dynamodb:GetItem' | 'dynamodb:Query' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:DeleteItem';
export const TABLE_READ: readonly TableAction[] = ['dynamodb:GetItem', 'dynamodb:Query'];
/** the event log, projections, reviews, drafts, sign-in records: conditional puts and updates, never deletes */
export const TABLE_WRITE: readonly TableAction[] = [...TABLE_READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** removing a person from the roster: the one administrative delete */
export const TABLE_WRITE_DELETE: readonly TableAction[] = [...TABLE_WRITE, 'dynamodb:DeleteItem'];

/** Step Functions actions the workflow adapter (shared/sfn/sfn-workflow.ts) issues. */
export type StateMachineAction =
  | 'states:StartExecution'
  | 'states:StopExecution'
  | 'states:SendTaskSuccess'
  | 'states:SendTaskFailure'
  | 'states:DescribeExecution'
  | 'states:GetExecutionHistory';

/**
 * The partitions (key prefixes, shared/store/table.ts) a function's table actions may reach: `dynamodb:LeadingKeys`
 * holds Get/Query to `read`, Put/Update/Delete to `write`, and Query on gsi1 to `index`.
 */
export interface ItemNeeds {
  readonly read?: readonly Partition[];
  readonly write?: readonly Partition[];
  readonly index?: readonly IndexPartition[];
}

/** `REPORT#*`: every key of those partitions, as IAM's StringLike reads it (no partition prefix is a prefix of another's). */
export const leadingKeyPatterns = (partitions: readonly Partition[]): string[] =>
  [...new Set(partitions)].map((partition) => `${PARTITIONS[partition]}*`);

/** gsi1's partitions: `AGENCY#*`, or the one partition `AGENCIES` / `PUBLISHED`. */
export const indexKeyPatterns = (partitions: readonly IndexPartition[]): string[] =>
  [...new Set(partitions)].map((partition) => {
    const shape: { prefix: string } | { exact: string } = INDEX_PARTITIONS[partition];
    return 'prefix' in shape ? `${shape.prefix}*` : shape.exact;
  });

/** Each pattern compiled once: they are the few this file declares. */
const COMPILED_PATTERNS = new Map<string, RegExp>();

/** IAM's StringLike: `*` any run of characters, `?` any one, everything else itself. */
export function matchesKeyPattern(pattern: string, key: string): boolean {
  // the local stack asks this for every DynamoDB request of every handler: each pattern is compiled once
  let compiled = COMPILED_PATTERNS.get(pattern);
  if (compiled === undefined) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    compiled = new RegExp(`^${source}$`, 's');
    COMPILED_PATTERNS.set(pattern, compiled);
  }
  return compiled.test(key);
}

/** What resolving the session cookie reads (shared/auth/sign-in.ts, resolveSession): the session, then the roster entry. */
const SIGNED_IN: readonly Partition[] = ['session', 'roster'];

export interface FunctionNeeds {
  /** DynamoDB actions on the table and its gsi1; [] = no table variable at all */
  readonly table: readonly TableAction[];
  /** where those actions may reach (required with any table action: the stack refuses a table grant without it) */
  readonly items?: ItemNeeds;
  /** undefined = no state machine variable; [] = the variable only (the handler builds a workflow it never calls) */
  readonly stateMachine?: readonly StateMachineAction[];
  /** the master secret (link signing and sign-in code keys) */
  readonly keys?: true;
  readonly mail?: true;
  readonly baseUrl?: true;
  /** write the public site's objects (PutObject) */
  readonly siteWrite?: true;
  /** queue site-index rebuilds (SendMessage on the writer's FIFO queue) */
  readonly indexQueue?: true;
  readonly siteBaseUrl?: true;
  /**
   * the report histories: `sign` appends events (kms:Sign with the history key, anchors written once), `verify` checks
   * them (the public key, anchors read)
   */
  readonly history?: 'sign' | 'verify';
  /** the CJK fonts the PDF embeds, copied beside the bundle (only the function that writes PDFs carries them) */
  readonly pdfFonts?: true;
  /** HTTP functions answer within API Gateway's 30 s; tasks may take longer; `queue`: the site-index writer */
  readonly kind: 'http' | 'task' | 'queue';
}

/**
 * What the three people routes (change, remove, import) share: a person's new post hands their open reviews on, so
 * each writes the report's log and the new review and emails its link, besides the roster and the administration log.
 */
const ROSTER_CHANGE = {
  items: {
    read: [...SIGNED_IN, 'agency', 'district', 'report', 'review', 'imported', 'adminLog'],
    write: ['roster', 'adminLog', 'report', 'review'],
    index: ['agency', 'agencies', 'districts'],
  },
  keys: true,
  mail: true,
  baseUrl: true,
  history: 'sign',
} as const satisfies Omit<FunctionNeeds, 'kind' | 'table'>;

export const FUNCTION_NEEDS: Record<FunctionName, FunctionNeeds> = {
  // sign-in: looks the address up on the roster, stores a code fingerprint, emails the code
  'request-sign-in-code': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: ['roster', 'signIn'], write: ['signIn'] },
    keys: true,
    mail: true,
    baseUrl: true,
  },
  // counts attempts, marks the code used, writes the session
  'create-session': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: ['signIn', 'roster'], write: ['signIn', 'session'] },
    keys: true,
    baseUrl: true,
  },
  // deletes the session item and nothing else
  'end-session': { kind: 'http', table: ['dynamodb:DeleteItem'], items: { write: ['session'] }, baseUrl: true },
  'get-me': { kind: 'http', table: TABLE_READ, items: { read: [...SIGNED_IN, 'agency'] } },
  // the checks only: no store, no secrets
  'validate-report': { kind: 'http', table: [] },
  'get-draft': { kind: 'http', table: TABLE_READ, items: { read: [...SIGNED_IN, 'draft'] } },
  'save-draft': { kind: 'http', table: TABLE_WRITE, items: { read: [...SIGNED_IN, 'draft'], write: ['draft'] }, baseUrl: true },
  'submit-report': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: [...SIGNED_IN, 'agency', 'report', 'imported'], write: ['report'], index: ['agency'] },
    stateMachine: ['states:StartExecution'],
    baseUrl: true,
    history: 'sign',
  },
  'list-reports': { kind: 'http', table: TABLE_READ, items: { read: SIGNED_IN, index: ['agency', 'agencies'] } },
  'get-report': { kind: 'http', table: TABLE_READ, items: { read: [...SIGNED_IN, 'report'] } },
  // the new version, then releases the OfficerRevision task
  'resubmit-report': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: [...SIGNED_IN, 'agency', 'report', 'imported'], write: ['report'], index: ['agency'] },
    stateMachine: ['states:SendTaskSuccess'],
    baseUrl: true,
    history: 'sign',
  },
  // stops the execution, then tells whoever held an open review why their link died
  'withdraw-report': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: [...SIGNED_IN, 'report', 'review'], write: ['report'] },
    stateMachine: ['states:StopExecution'],
    mail: true,
    baseUrl: true,
    history: 'sign',
  },
  'report-history': {
    kind: 'http',
    table: TABLE_READ,
    items: { read: [...SIGNED_IN, 'report'] },
    stateMachine: ['states:DescribeExecution', 'states:GetExecutionHistory'],
    history: 'verify',
  },
  // a GET only reads; it builds a workflow port it never calls, so it gets the variable and no Step Functions action
  'review-page': {
    kind: 'http',
    table: TABLE_READ,
    items: { read: [...SIGNED_IN, 'review', 'report', 'imported', 'delegation'] },
    stateMachine: [],
    keys: true,
  },
  // the decision path: logs the decision first, then SendTaskSuccess (SendTaskFailure: a co-signer's return ends the 会签)
  'decide-review': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: [...SIGNED_IN, 'review', 'report', 'delegation'], write: ['review', 'report'], index: ['agency'] },
    stateMachine: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
    keys: true,
    baseUrl: true,
    history: 'sign',
  },
  // reads an uploaded report (no store write for the preview); saves the agency's imported report for a year
  'import-report': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: [...SIGNED_IN, 'agency', 'report', 'imported'], write: ['imported'] },
    baseUrl: true,
  },
  // the reviews waiting for a person, each with a signed link; resending one emails it (and records when, for the limit)
  'my-tasks': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: [...SIGNED_IN, 'agency', 'report', 'review', 'imported', 'delegation'], write: ['review'], index: ['agency'] },
    stateMachine: [],
    keys: true,
    mail: true,
    baseUrl: true,
  },
  // the person's delegation (代理): checks the deputy on the roster, writes the delegation and the administration log
  'my-delegation': {
    kind: 'http',
    table: TABLE_WRITE,
    items: { read: [...SIGNED_IN, 'delegation', 'adminLog'], write: ['delegation', 'adminLog'] },
    baseUrl: true,
    // a delegation set or ended is an entry of the administration log, signed like every other
    history: 'sign',
  },
  // the pages, the form (reads drafts), the audit timeline and exports, the browser's scripts; links to published reports
  'web-pages': {
    kind: 'http',
    table: TABLE_READ,
    items: {
      // the administration log page reads the log, as GET /api/admin/log does
      read: [...SIGNED_IN, 'agency', 'district', 'draft', 'report', 'review', 'imported', 'delegation', 'adminLog'],
      index: ['agency', 'agencies', 'districts'],
    },
    stateMachine: ['states:DescribeExecution', 'states:GetExecutionHistory'],
    siteBaseUrl: true,
    history: 'verify',
  },
  // keeps the token, emails the link; delivers a decision recorded while an older token was live
  'request-review': {
    kind: 'task',
    table: TABLE_WRITE,
    items: { read: ['report', 'review', 'imported', 'delegation'], write: ['report', 'review'], index: ['agency'] },
    stateMachine: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
    keys: true,
    mail: true,
    baseUrl: true,
    history: 'sign',
  },
  // keeps the token, emails the officers; delivers a resubmission made while an older token was live
  'request-revision': {
    kind: 'task',
    table: TABLE_WRITE,
    items: { read: ['report'], write: ['report'], index: ['agency'] },
    stateMachine: ['states:SendTaskSuccess'],
    mail: true,
    baseUrl: true,
    history: 'sign',
  },
  // the report's own page and JSON, the publication recorded, a rebuild of the indexes queued
  'publish-report': {
    kind: 'task',
    table: TABLE_WRITE,
    items: { read: ['report'], write: ['report', 'published'], index: ['agency', 'published'] },
    siteWrite: true,
    indexQueue: true,
    mail: true,
    siteBaseUrl: true,
    pdfFonts: true,
    history: 'sign',
  },
  // the target of the execution status change rule: publish_failed or workflow_failed into the report's log
  'record-execution-failure': { kind: 'task', table: TABLE_WRITE, items: { read: ['report'], write: ['report'] }, history: 'sign' },
  // lists the published reports (gsi1) and writes the index pages: nothing else
  'rebuild-site-indexes': {
    kind: 'queue',
    table: ['dynamodb:Query'],
    items: { read: ['published'], index: ['published'] },
    siteWrite: true,
  },
  // administration (the district's 政务公开办): every admin function reads the caller's session and roster entry, the
  // agencies and districts in scope; each writes only what it changes, and the administration log (signed and anchored
  // like a report's history, hence `history: 'sign'`)
  'admin-list-agencies': {
    kind: 'http',
    table: TABLE_READ,
    items: { read: [...SIGNED_IN, 'agency', 'district'], index: ['agencies', 'districts'] },
  },
  'admin-save-agency': {
    kind: 'http',
    table: TABLE_WRITE,
    items: {
      read: [...SIGNED_IN, 'agency', 'district', 'adminLog'],
      write: ['agency', 'adminLog'],
      index: ['agency', 'agencies', 'districts'],
    },
    baseUrl: true,
    history: 'sign',
  },
  'admin-list-people': {
    kind: 'http',
    table: TABLE_READ,
    items: { read: [...SIGNED_IN, 'agency', 'district'], index: ['agency', 'agencies', 'districts'] },
  },
  'admin-save-person': {
    kind: 'http',
    table: TABLE_WRITE,
    ...ROSTER_CHANGE,
  },
  'admin-remove-person': {
    kind: 'http',
    table: TABLE_WRITE_DELETE,
    ...ROSTER_CHANGE,
  },
  'admin-import-people': {
    kind: 'http',
    table: TABLE_WRITE,
    ...ROSTER_CHANGE,
  },
  'admin-progress': {
    kind: 'http',
    table: TABLE_READ,
    items: { read: [...SIGNED_IN, 'agency', 'district', 'report', 'draft', 'review'], index: ['agency', 'agencies', 'districts'] },
  },
  // mails the officers or reviewers, logs each reminder
  'admin-send-reminders': {
    kind: 'http',
    table: TABLE_WRITE,
    items: {
      read: [...SIGNED_IN, 'agency', 'district', 'report', 'draft', 'review', 'adminLog'],
      write: ['adminLog'],
      index: ['agency', 'agencies', 'districts'],
    },
    mail: true,
    baseUrl: true,
    history: 'sign',
  },
  'admin-summary': {
    kind: 'http',
    table: TABLE_READ,
    items: { read: [...SIGNED_IN, 'agency', 'district', 'report'], index: ['agencies', 'districts', 'published'] },
  },
  'admin-log': { kind: 'http', table: TABLE_READ, items: { read: [...SIGNED_IN, 'adminLog'] }, history: 'verify' },
  // EventBridge Scheduler's daily run: claims each due reminder, mails, marks it sent, logs it
  'send-due-reminders': {
    kind: 'task',
    table: TABLE_WRITE,
    items: {
      read: ['agency', 'district', 'report', 'draft', 'review', 'roster', 'reminder', 'adminLog'],
      write: ['reminder', 'adminLog'],
      index: ['agency', 'agencies', 'districts'],
    },
    mail: true,
    baseUrl: true,
    history: 'sign',
  },
};
