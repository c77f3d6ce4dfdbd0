import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { dynamodbClient } from '../../shared/runtime/aws-clients.js';
import { runtimeBaseUrl, runtimeKeys, runtimeMailer, signingStoreOver, systemClock } from '../../shared/runtime/deps.js';
import { ENV } from '../../shared/runtime/env.js';
import { createDocumentClient } from '../../shared/store/document-client.js';
import { DynamoStore } from '../../shared/store/dynamo-store.js';
import {
  AgencySchema,
  DistrictSchema,
  RosterEntrySchema,
  type Agency,
  type District,
  type RosterEntry,
} from '../../shared/workflow/model.js';
import { handOverReviewsOf, strandedWarning, type HandOver } from '../../shared/workflow/hand-over.js';
import type { Store } from '../../shared/workflow/ports.js';
import { chainProblems, DEFAULT_CHAIN, RESERVED_ROLES, unheldRoles } from '../../shared/workflow/review-chain.js';

/**
 * Loads agencies and the people who may sign in (the roster) into a deployed table:
 *
 *   npx tsx infra/scripts/load-roster.ts roster.json --table <TableName output of Nianbao-<stage>-Stateful> [--dry-run]
 *
 * roster.json: `{ "districts": [{ "id": "daxing", "name": "北京市大兴区" }],
 *                 "agencies": [{ "id": "daxing-kw", "name": "北京市大兴区科学技术委员会", "district": "daxing" }],
 *                 "roster": [{ "email": "officer@kw.example.cn", "name": "李信息员", "agencyId": "daxing-kw", "roles": ["officer"] },
 *                            { "email": "admin@daxing.example.cn", "name": "管理员", "agencyId": "daxing-kw", "roles": ["admin"], "adminScope": ["daxing"] }] }`
 * A deployment's first administrator comes from this file; from then on the administration pages manage agencies and
 * people, and the file is needed only to add another administrator or auditor (the pages grant neither role).
 * An agency may carry its review chain (`"chain": {"steps": [...]}`, checked as the workflow checks it; the default
 * chain when absent), and people any step role of it besides officer/auditor/admin. A chain role nobody in the file
 * holds is a warning here and refuses the agency's submissions until someone does.
 * Every record is checked with the schemas of shared/workflow/model.ts before anything is written, and written
 * through the store adapter (the same items the handlers read). Putting the same file twice changes nothing; a
 * changed entry replaces the old one (roles, name, audit scope). Credentials and region come from the usual AWS
 * settings (AWS_PROFILE, AWS_REGION); NIANBAO_DYNAMODB_ENDPOINT points it at the local stack instead.
 */

export const RosterFileSchema = z.object({
  districts: z.array(DistrictSchema).default([]),
  agencies: z.array(AgencySchema).default([]),
  roster: z.array(RosterEntrySchema).default([]),
});
export type RosterFile = z.infer<typeof RosterFileSchema>;

export class RosterFileError extends Error {
  override readonly name = 'RosterFileError';
}

/**
 * Parses and checks the file: schemas, no agency or address twice, every roster entry's agency (and audit scope)
 * either in the file or already in the table.
 */
export async function checkRosterFile(raw: unknown, existing: (agencyId: string) => Promise<Agency | undefined>): Promise<RosterFile> {
  const parsed = RosterFileSchema.safeParse(raw);
  if (!parsed.success) throw new RosterFileError(`the roster file does not match the schema:\n${z.prettifyError(parsed.error)}`);
  const file = parsed.data;
  const problems: string[] = [];
  const agencyIds = new Set<string>();
  for (const agency of file.agencies) {
    if (agencyIds.has(agency.id)) problems.push(`agency ${agency.id} is listed twice`);
    agencyIds.add(agency.id);
    if (agency.chain)
      for (const problem of chainProblems(agency.chain)) problems.push(`agency ${agency.id}: ${problem.code} ${problem.message}`);
  }
  const emails = new Set<string>();
  for (const entry of file.roster) {
    if (emails.has(entry.email)) problems.push(`${entry.email} is listed twice`);
    emails.add(entry.email);
    if (entry.roles.includes('auditor') && entry.auditScope === undefined)
      problems.push(`${entry.email} is an auditor without an auditScope ('*' or a list of agency ids)`);
    if (entry.roles.includes('admin') && entry.adminScope === undefined) {
      problems.push(`${entry.email} is an admin without an adminScope ('*' or a list of district ids)`);
    }
  }
  const referenced = new Set<string>(
    file.roster.flatMap((entry) => [entry.agencyId, ...(Array.isArray(entry.auditScope) ? entry.auditScope : [])]),
  );
  for (const agencyId of referenced) {
    if (!agencyIds.has(agencyId) && (await existing(agencyId)) === undefined)
      problems.push(`agency ${agencyId} is neither in the file nor in the table`);
  }
  if (problems.length > 0)
    throw new RosterFileError(`the roster file has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return file;
}

/** Roles of each agency's chain in the file that nobody in the file holds there: worth a warning, not a refusal. */
export function rosterWarnings(file: RosterFile): string[] {
  return file.agencies.flatMap((agency) => {
    const people = file.roster.filter((entry) => entry.agencyId === agency.id);
    if (people.length === 0) return [];
    return unheldRoles(agency.chain ?? DEFAULT_CHAIN, people).map(
      (step) => `agency ${agency.id}: nobody holds ${step.role} for the step ${step.label}`,
    );
  });
}

/** Roles a person holds that no step of their agency's chain asks for (a typo, usually). */
function strayRoles(file: RosterFile): string[] {
  const chains = new Map(file.agencies.map((agency) => [agency.id, agency.chain ?? DEFAULT_CHAIN]));
  return file.roster.flatMap((entry) => {
    const chain = chains.get(entry.agencyId);
    if (!chain) return [];
    return entry.roles
      .filter((role) => !(RESERVED_ROLES as readonly string[]).includes(role) && !chain.steps.some((step) => step.role === role))
      .map((role) => `${entry.email}: role ${role} is not a step of ${entry.agencyId}'s chain`);
  });
}

/** Hands on the open reviews a changed person can no longer decide (shared/workflow/hand-over.ts), given who they were. */
export type HandOverAfterChange = (before: RosterEntry) => Promise<readonly HandOver[]>;

/**
 * Districts and agencies first, so that a roster entry never names an agency the table does not know. Then, once
 * every entry is written (a successor may come later in the file), the open reviews of each changed person are
 * handed on; without `handOver` they are handed on when the workflow next asks for them (a reminder).
 */
export async function loadRoster(
  file: RosterFile,
  store: Store,
  handOver?: HandOverAfterChange,
): Promise<{ agencies: number; roster: number; handedOver: number; stranded: readonly HandOver[] }> {
  for (const district of file.districts) await store.putDistrict(district satisfies District);
  for (const agency of file.agencies) await store.putAgency(agency);
  const changed: RosterEntry[] = [];
  for (const entry of file.roster) {
    const before = await store.getRosterEntry(entry.email);
    await store.putRosterEntry(entry satisfies RosterEntry);
    if (before !== undefined && (before.agencyId !== entry.agencyId || before.roles.some((role) => !entry.roles.includes(role))))
      changed.push(before);
  }
  const results: HandOver[] = [];
  if (handOver !== undefined) for (const before of changed) results.push(...(await handOver(before)));
  return {
    agencies: file.agencies.length,
    roster: file.roster.length,
    handedOver: results.filter((result) => result.to !== undefined).length,
    stranded: results.filter((result) => result.to === undefined),
  };
}

/**
 * The hand-over as the deployed functions do it: events signed with the history key, the review email through the
 * stage's mail transport. Needs the functions' variables (base URL, mail, master secret, history key); without them
 * the script leaves the hand-over to the next reminder and says so.
 */
async function deployedHandOver(store: Store): Promise<HandOverAfterChange | undefined> {
  if (process.env[ENV.baseUrl] === undefined) return undefined;
  const deps = {
    store: signingStoreOver(store),
    clock: systemClock,
    mailer: await runtimeMailer(),
    linkKey: (await runtimeKeys()).links,
    baseUrl: runtimeBaseUrl(),
  };
  return (before) => handOverReviewsOf(before, deps);
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { table: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  const path = positionals[0];
  const tableName = values.table ?? process.env[ENV.tableName];
  if (values.help === true || path === undefined || tableName === undefined) {
    process.stderr.write('usage: npx tsx infra/scripts/load-roster.ts <roster.json> --table <table name> [--dry-run]\n');
    return values.help === true ? 0 : 2;
  }
  const store = new DynamoStore({ client: createDocumentClient(dynamodbClient()), tableName });
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    process.stderr.write(`cannot read ${path} as JSON: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  try {
    const file = await checkRosterFile(raw, (agencyId) => store.getAgency(agencyId));
    for (const warning of [...rosterWarnings(file), ...strayRoles(file)]) process.stderr.write(`warning: ${warning}\n`);
    if (values['dry-run'] === true) {
      process.stdout.write(
        `${path}: ${file.agencies.length} agencies and ${file.roster.length} roster entries are valid (dry run: nothing written)\n`,
      );
      return 0;
    }
    const handOver = await deployedHandOver(store);
    if (handOver === undefined) {
      process.stderr.write(`warning: ${ENV.baseUrl} is not set: open reviews of changed people are handed on at their next reminder\n`);
    }
    const written = await loadRoster(file, store, handOver);
    for (const stranded of written.stranded) process.stderr.write(`warning: ${strandedWarning(stranded)}\n`);
    process.stdout.write(
      `${tableName}: put ${written.agencies} agencies and ${written.roster} roster entries; ${written.handedOver} open reviews handed on\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof RosterFileError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
