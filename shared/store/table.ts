import {
  CreateTableCommand,
  DescribeTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

/**
 * The single DynamoDB table: its shape (shared with the CDK stack, which must build the same table) and its key
 * layout (used by store/dynamo-store.ts and by tests that write raw items).
 *
 * | record          | pk                            | sk                                   | gsi1pk               | gsi1sk                      |
 * |-----------------|-------------------------------|--------------------------------------|----------------------|-----------------------------|
 * | event           | REPORT#{reportId}             | EVENT#{seq:8}                        |                      |                             |
 * | head            | REPORT#{reportId}             | HEAD                                 | AGENCY#{agencyId}    | REPORT#{year}#{reportId}    |
 * | version         | REPORT#{reportId}             | VERSION#{version:8}                  |                      |                             |
 * | review pointer  | REPORT#{reportId}             | REVIEWFOR#{version:8}#{stage}        |                      |                             |
 * | revision        | REPORT#{reportId}             | REVISION#{returnedVersion:8}         |                      |                             |
 * | review          | REVIEW#{reviewId}             | REVIEW                               |                      |                             |
 * | draft           | DRAFT#{agencyId}#{year}       | DRAFT                                |                      |                             |
 * | session         | SESSION#{idHash}              | SESSION                              |                      |                             |
 * | sign-in code    | SIGNIN#{email}                | CODE#{issuedAt:sortable}#{codeId}    |                      |                             |
 * | sign-in counter | SIGNIN#{email}                | BUDGET#{window}                      |                      |                             |
 * | agency          | AGENCY#{agencyId}             | AGENCY                               | AGENCIES             | {agencyId}                  |
 * | roster entry    | ROSTER#{email}                | ROSTER                               | AGENCY#{agencyId}    | ROSTER#{email}              |
 * | published       | PUBLISHED#{agencyId}#{year}   | PUBLISHED                            | PUBLISHED            | {agencyId}#{year}           |
 * | imported report | IMPORTED#{agencyId}#{year}    | IMPORTED                             |                      |                             |
 * | district        | DISTRICT#{districtId}         | DISTRICT                             | DISTRICTS            | {districtId}                |
 * | reminder        | REMINDER#{key}                | REMINDER                             |                      |                             |
 * | admin event     | ADMINLOG                      | EVENT#{seq:8}                        |                      |                             |
 * | delegation      | DELEGATION#{delegatorEmail}   | DELEGATION                           | AGENCY#{agencyId}    | DELEGATION#{delegatorEmail} |
 *
 * `{n:8}` is the number zero-padded to 8 digits, so string order is numeric order (up to 99 999 999).
 * `{issuedAt:sortable}` is the ISO time rewritten with exactly nine fraction digits (`2026-01-05T08:00:00.120000000Z`),
 * so string order is time order whatever precision the caller used. A code is found from (email, codeId) by querying
 * the address's codes newest first and matching `codeId` (codes being checked are the newest, so the first page
 * answers). The event, version, pointer and revision items share the report's partition, so one Query reads a
 * report's log in order.
 *
 * No transactions or PartiQL (dynalite has none): every write is a single conditional Put or Update. Expiring items
 * (sessions, sign-in codes and counters) carry the TTL attribute so DynamoDB removes them, and expiry is still checked
 * by the caller from the record's own times, because DynamoDB deletes expired items only eventually.
 */

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
export const GSI1 = {
  indexName: 'gsi1',
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
  projectionType: 'ALL',
} as const;
export const BILLING_MODE = 'PAY_PER_REQUEST';

/** The attributes that belong to the table's layout, not to the records stored in it. */
export const KEY_ATTRIBUTES: readonly string[] = [PARTITION_KEY, SORT_KEY, GSI1.partitionKey, GSI1.sortKey];

/**
 * DynamoDB's time-to-live attribute: epoch seconds after which DynamoDB deletes the item (within a few days, so reads
 * keep checking the record's own expiry). Written on sessions, sign-in codes and sign-in counters. dynalite has no
 * TTL: the local stack runs infra/local/ttl-sweeper.ts instead.
 */
export const TTL_ATTRIBUTE = 'ttl';

/** The TTL value for an ISO expiry time. */
export const ttlFor = (iso: string): number => Math.ceil(Date.parse(iso) / 1000);

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: BILLING_MODE,
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: SORT_KEY, AttributeType: 'S' },
      { AttributeName: GSI1.partitionKey, AttributeType: 'S' },
      { AttributeName: GSI1.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1.indexName,
        KeySchema: [
          { AttributeName: GSI1.partitionKey, KeyType: 'HASH' },
          { AttributeName: GSI1.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: GSI1.projectionType },
      },
    ],
  };
}

function isActive(table: TableDescription | undefined): boolean {
  return (
    table?.TableStatus === 'ACTIVE' &&
    (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE')
  );
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const res = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return res.Table;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * Creates the table when it is missing and waits until it and its index are ACTIVE. Safe to call concurrently and on
 * every start (the local stack does). It does not reconcile an existing table whose definition differs.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + timeoutMs;

  let table = await describe(client, tableName);
  if (table === undefined) {
    try {
      const res = await client.send(new CreateTableCommand(tableDefinition(tableName)));
      table = res.TableDescription;
    } catch (error) {
      // Somebody else created it between our describe and our create.
      if (errorName(error) !== 'ResourceInUseException') throw error;
    }
  }
  while (!isActive(table)) {
    if (Date.now() > deadline) {
      throw new Error(`DynamoDB table ${tableName} is not ACTIVE after ${timeoutMs} ms (status ${table?.TableStatus ?? 'missing'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    table = await describe(client, tableName);
  }
}

// ---- key layout -------------------------------------------------------------------------------------------------

/** Zero-pads a sequence or version number to 8 digits so that string order is numeric order. */
export function pad8(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > 99_999_999) {
    throw new RangeError(`cannot use ${n} in a sort key: expected an integer in 0..99999999`);
  }
  return String(n).padStart(8, '0');
}

const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/**
 * An ISO UTC time (as IsoTimeSchema accepts it: any number of fraction digits) rewritten with exactly nine fraction
 * digits, so that comparing the strings compares the times. `2026-01-05T08:00:00Z` → `2026-01-05T08:00:00.000000000Z`.
 */
export function sortableTime(iso: string): string {
  const match = ISO_UTC.exec(iso);
  if (match === null || match[1] === undefined) {
    throw new RangeError(`not an ISO UTC time: ${JSON.stringify(iso)}`);
  }
  const fraction = (match[2] ?? '').padEnd(9, '0').slice(0, 9);
  return `${match[1]}.${fraction}Z`;
}

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export interface IndexKey {
  readonly gsi1pk: string;
  readonly gsi1sk: string;
}

/** Sort-key prefixes used by the Queries. */
export const SK_PREFIX = {
  event: 'EVENT#',
  reviewPointer: 'REVIEWFOR#',
  signInCode: 'CODE#',
  // sorts before CODE#, so the codes' range query (sk >= CODE#{since}) never reads a counter
  signInLimit: 'BUDGET#',
} as const;

export const GSI1_PREFIX = {
  report: 'REPORT#',
  roster: 'ROSTER#',
  delegation: 'DELEGATION#',
} as const;

/**
 * The table's partitions by the prefix of their key (the `pk` column above). IAM's `dynamodb:LeadingKeys` condition
 * holds each function to the partitions it names in infra/function-needs.ts, so these are also access boundaries:
 * a new record type gets a prefix of its own here.
 */
export const PARTITIONS = {
  report: 'REPORT#',
  review: 'REVIEW#',
  draft: 'DRAFT#',
  session: 'SESSION#',
  signIn: 'SIGNIN#',
  agency: 'AGENCY#',
  roster: 'ROSTER#',
  published: 'PUBLISHED#',
  imported: 'IMPORTED#',
  district: 'DISTRICT#',
  reminder: 'REMINDER#',
  adminLog: 'ADMINLOG',
  delegation: 'DELEGATION#',
} as const;
export type Partition = keyof typeof PARTITIONS;

/** gsi1's partitions (the `gsi1pk` column): an agency's report heads and roster, the agency list, the published list. */
export const INDEX_PARTITIONS = {
  agency: { prefix: 'AGENCY#' },
  agencies: { exact: 'AGENCIES' },
  published: { exact: 'PUBLISHED' },
  districts: { exact: 'DISTRICTS' },
} as const satisfies Record<string, { prefix: string } | { exact: string }>;
export type IndexPartition = keyof typeof INDEX_PARTITIONS;

export const AGENCIES_PARTITION = INDEX_PARTITIONS.agencies.exact;
export const PUBLISHED_PARTITION = INDEX_PARTITIONS.published.exact;
export const DISTRICTS_PARTITION = INDEX_PARTITIONS.districts.exact;
export const ADMIN_LOG_PARTITION = PARTITIONS.adminLog;

export const reportPk = (reportId: string): string => `REPORT#${reportId}`;
/** gsi1 partition of an agency's report heads and roster */
export const agencyIndexPk = (agencyId: string): string => `AGENCY#${agencyId}`;

export const keys = {
  event: (reportId: string, seq: number): ItemKey => ({ pk: reportPk(reportId), sk: `${SK_PREFIX.event}${pad8(seq)}` }),
  head: (reportId: string): ItemKey => ({ pk: reportPk(reportId), sk: 'HEAD' }),
  headIndex: (agencyId: string, year: number, reportId: string): IndexKey => ({
    gsi1pk: agencyIndexPk(agencyId),
    gsi1sk: `${GSI1_PREFIX.report}${year}#${reportId}`,
  }),
  version: (reportId: string, version: number): ItemKey => ({ pk: reportPk(reportId), sk: `VERSION#${pad8(version)}` }),
  reviewPointer: (reportId: string, version: number, stage: string): ItemKey => ({
    pk: reportPk(reportId),
    sk: `${SK_PREFIX.reviewPointer}${pad8(version)}#${stage}`,
  }),
  revision: (reportId: string, returnedVersion: number): ItemKey => ({
    pk: reportPk(reportId),
    sk: `REVISION#${pad8(returnedVersion)}`,
  }),
  review: (reviewId: string): ItemKey => ({ pk: `REVIEW#${reviewId}`, sk: 'REVIEW' }),
  draft: (agencyId: string, year: number): ItemKey => ({ pk: `DRAFT#${agencyId}#${year}`, sk: 'DRAFT' }),
  session: (idHash: string): ItemKey => ({ pk: `SESSION#${idHash}`, sk: 'SESSION' }),
  signInPk: (email: string): string => `SIGNIN#${email}`,
  signInLimit: (email: string, window: string): ItemKey => ({ pk: `SIGNIN#${email}`, sk: `${SK_PREFIX.signInLimit}${window}` }),
  signInCode: (email: string, issuedAt: string, codeId: string): ItemKey => ({
    pk: `SIGNIN#${email}`,
    sk: `${SK_PREFIX.signInCode}${sortableTime(issuedAt)}#${codeId}`,
  }),
  agency: (agencyId: string): ItemKey => ({ pk: `AGENCY#${agencyId}`, sk: 'AGENCY' }),
  agencyIndex: (agencyId: string): IndexKey => ({ gsi1pk: AGENCIES_PARTITION, gsi1sk: agencyId }),
  roster: (email: string): ItemKey => ({ pk: `ROSTER#${email}`, sk: 'ROSTER' }),
  rosterIndex: (agencyId: string, email: string): IndexKey => ({
    gsi1pk: agencyIndexPk(agencyId),
    gsi1sk: `${GSI1_PREFIX.roster}${email}`,
  }),
  published: (agencyId: string, year: number): ItemKey => ({ pk: `PUBLISHED#${agencyId}#${year}`, sk: 'PUBLISHED' }),
  publishedIndex: (agencyId: string, year: number): IndexKey => ({ gsi1pk: PUBLISHED_PARTITION, gsi1sk: `${agencyId}#${year}` }),
  imported: (agencyId: string, year: number): ItemKey => ({ pk: `IMPORTED#${agencyId}#${year}`, sk: 'IMPORTED' }),
  district: (districtId: string): ItemKey => ({ pk: `DISTRICT#${districtId}`, sk: 'DISTRICT' }),
  districtIndex: (districtId: string): IndexKey => ({ gsi1pk: DISTRICTS_PARTITION, gsi1sk: districtId }),
  reminder: (key: string): ItemKey => ({ pk: `REMINDER#${key}`, sk: 'REMINDER' }),
  adminEvent: (seq: number): ItemKey => ({ pk: ADMIN_LOG_PARTITION, sk: `${SK_PREFIX.event}${pad8(seq)}` }),
  delegation: (delegator: string): ItemKey => ({ pk: `DELEGATION#${delegator}`, sk: 'DELEGATION' }),
  delegationIndex: (agencyId: string, delegator: string): IndexKey => ({
    gsi1pk: agencyIndexPk(agencyId),
    gsi1sk: `${GSI1_PREFIX.delegation}${delegator}`,
  }),
} as const;
