import { HTTP_FUNCTIONS, TASK_FUNCTIONS, type HttpFunctionName, type TaskFunctionName } from '../shared/http/routes.js';

/**
 * What each Lambda needs, read from its `handler` wiring in functions/<name>.ts and the getters of
 * shared/runtime/deps.ts it calls (each getter reads only its own variables). The stateless stack turns each line
 * into environment variables and IAM grants through the bind helpers, so a function gets exactly this and nothing
 * else; test/infra checks the synthesized result and that each handler really fails to start without each variable.
 */

export type FunctionName = HttpFunctionName | TaskFunctionName;
export const FUNCTION_NAMES: readonly FunctionName[] = [...HTTP_FUNCTIONS, ...TASK_FUNCTIONS];

/** DynamoDB actions the store adapter (shared/store/dynamo-store.ts) issues: Get, Query, Put, Update, Delete. */
export type TableAction = 'dynamodb:GetItem' | 'dynamodb:Query' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:DeleteItem';
export const TABLE_READ: readonly TableAction[] = ['dynamodb:GetItem', 'dynamodb:Query'];
/** the event log, projections, reviews, drafts, sign-in records: conditional puts and updates, never deletes */
export const TABLE_WRITE: readonly TableAction[] = [...TABLE_READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/** Step Functions actions the workflow adapter (shared/sfn/sfn-workflow.ts) issues. */
export type StateMachineAction =
  | 'states:StartExecution'
  | 'states:StopExecution'
  | 'states:SendTaskSuccess'
  | 'states:SendTaskFailure'
  | 'states:DescribeExecution'
  | 'states:GetExecutionHistory';

export interface FunctionNeeds {
  /** DynamoDB actions on the table and its gsi1; [] = no table variable at all */
  readonly table: readonly TableAction[];
  /** undefined = no state machine variable; [] = the variable only (the handler builds a workflow it never calls) */
  readonly stateMachine?: readonly StateMachineAction[];
  /** the master secret (link signing and sign-in code keys) */
  readonly keys?: true;
  readonly mail?: true;
  readonly baseUrl?: true;
  /** write the public site's objects (PutObject) */
  readonly siteWrite?: true;
  readonly siteBaseUrl?: true;
  /** the browser's scripts (client/), prebuilt into the package */
  readonly clientAssets?: true;
  /** HTTP functions answer within API Gateway's 30 s; tasks may take longer */
  readonly kind: 'http' | 'task';
}

export const FUNCTION_NEEDS: Record<FunctionName, FunctionNeeds> = {
  // sign-in: looks the address up on the roster, stores a code fingerprint, emails the code
  'request-sign-in-code': { kind: 'http', table: TABLE_WRITE, keys: true, mail: true, baseUrl: true },
  // counts attempts, marks the code used, writes the session
  'create-session': { kind: 'http', table: TABLE_WRITE, keys: true, baseUrl: true },
  // deletes the session item and nothing else
  'end-session': { kind: 'http', table: ['dynamodb:DeleteItem'], baseUrl: true },
  'get-me': { kind: 'http', table: TABLE_READ },
  // the checks only: no store, no secrets
  'validate-report': { kind: 'http', table: [] },
  'get-draft': { kind: 'http', table: TABLE_READ },
  'save-draft': { kind: 'http', table: TABLE_WRITE, baseUrl: true },
  'submit-report': { kind: 'http', table: TABLE_WRITE, stateMachine: ['states:StartExecution'], baseUrl: true },
  'list-reports': { kind: 'http', table: TABLE_READ },
  'get-report': { kind: 'http', table: TABLE_READ },
  // the new version, then releases the OfficerRevision task
  'resubmit-report': { kind: 'http', table: TABLE_WRITE, stateMachine: ['states:SendTaskSuccess'], baseUrl: true },
  // stops the execution, then tells whoever held an open review why their link died
  'withdraw-report': { kind: 'http', table: TABLE_WRITE, stateMachine: ['states:StopExecution'], mail: true, baseUrl: true },
  'report-history': { kind: 'http', table: TABLE_READ, stateMachine: ['states:DescribeExecution', 'states:GetExecutionHistory'] },
  // a GET only reads; it builds a workflow port it never calls, so it gets the variable and no Step Functions action
  'review-page': { kind: 'http', table: TABLE_READ, stateMachine: [], keys: true },
  // the decision path: logs the decision first, then SendTaskSuccess (SendTaskFailure: a co-signer's return ends the 会签)
  'decide-review': { kind: 'http', table: TABLE_WRITE, stateMachine: ['states:SendTaskSuccess', 'states:SendTaskFailure'], keys: true, baseUrl: true },
  // the reviews waiting for a person, each with a signed link; resending one emails it (and records when, for the limit)
  'my-tasks': { kind: 'http', table: TABLE_WRITE, stateMachine: [], keys: true, mail: true, baseUrl: true },
  // the pages, the form (reads drafts), the audit timeline and exports, the browser's scripts; links to published reports
  'web-pages': { kind: 'http', table: TABLE_READ, stateMachine: ['states:DescribeExecution', 'states:GetExecutionHistory'], siteBaseUrl: true, clientAssets: true },
  // keeps the token, emails the link; delivers a decision recorded while an older token was live
  'request-review': { kind: 'task', table: TABLE_WRITE, stateMachine: ['states:SendTaskSuccess', 'states:SendTaskFailure'], keys: true, mail: true, baseUrl: true },
  // keeps the token, emails the officers; delivers a resubmission made while an older token was live
  'request-revision': { kind: 'task', table: TABLE_WRITE, stateMachine: ['states:SendTaskSuccess'], mail: true, baseUrl: true },
  'publish-report': { kind: 'task', table: TABLE_WRITE, siteWrite: true, mail: true, siteBaseUrl: true },
  'record-publish-failure': { kind: 'task', table: TABLE_WRITE },
};
