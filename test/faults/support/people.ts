import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sessionIdHash } from '#shared/auth/sign-in.js';
import { SESSION_COOKIE } from '#shared/http/session-cookie.js';
import { createDocumentClient } from '#shared/store/document-client.js';
import { DynamoStore } from '#shared/store/dynamo-store.js';
import { ensureTable } from '#shared/store/table.js';
import type { Agency, RosterEntry } from '#shared/workflow/model.js';
import type { Store } from '#shared/workflow/ports.js';
import { createTestDynamoClient, startDynalite } from '../../../infra/local/dynalite.js';
import { TABLE_NAME } from '../../../infra/local/stack.js';

/**
 * Agencies, people and their sessions for the fault tests, written straight into the store: signing sixty people in
 * by emailed code would be slow and would meet the five-codes-an-hour limit. A session made here is exactly what
 * POST /api/auth/session makes (a random id in the cookie, its sha256 and a CSRF token in the table).
 */

export interface SeededPerson {
  readonly email: string;
  readonly name: string;
  readonly role: 'officer' | 'director' | 'leader' | 'auditor';
  readonly agencyId: string;
  /** `nianbao_session=…` */
  readonly cookie: string;
  readonly csrfToken: string;
}

export interface SeededAgency {
  readonly agency: Agency;
  readonly officer: SeededPerson;
  readonly director: SeededPerson;
  readonly leader: SeededPerson;
}

export async function openSession(store: Store, email: string, hours = 12): Promise<{ cookie: string; csrfToken: string }> {
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = new Date();
  await store.putSession({
    idHash: sessionIdHash(sessionId),
    email,
    csrfToken,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + hours * 3_600_000).toISOString(),
  });
  return { cookie: `${SESSION_COOKIE}=${sessionId}`, csrfToken };
}

async function person(store: Store, entry: RosterEntry, role: SeededPerson['role']): Promise<SeededPerson> {
  await store.putRosterEntry(entry);
  return { email: entry.email, name: entry.name, role, agencyId: entry.agencyId, ...(await openSession(store, entry.email)) };
}

/** An agency with one officer, one director and one leader, each signed in. */
export async function seedAgency(
  store: Store,
  agency: Agency,
  names: Partial<Record<'officer' | 'director' | 'leader', string>> = {},
): Promise<SeededAgency> {
  await store.putAgency(agency);
  const at = (role: string) => `${role}@${agency.id}.example.cn`;
  return {
    agency,
    officer: await person(
      store,
      { email: at('officer'), name: names.officer ?? `${agency.id} 信息员`, agencyId: agency.id, roles: ['officer'] },
      'officer',
    ),
    director: await person(
      store,
      { email: at('director'), name: names.director ?? `${agency.id} 主任`, agencyId: agency.id, roles: ['director'] },
      'director',
    ),
    leader: await person(
      store,
      { email: at('leader'), name: names.leader ?? `${agency.id} 领导`, agencyId: agency.id, roles: ['leader'] },
      'leader',
    ),
  };
}

/** An auditor of every agency, signed in. */
export async function seedAuditor(store: Store, agencyId: string, email = 'auditor@faults.example.cn'): Promise<SeededPerson> {
  return person(store, { email, name: '故障测试监督', agencyId, roles: ['auditor'], auditScope: '*' }, 'auditor');
}

/**
 * Writes into DATA_DIR's table before `npm start` runs on it (dynalite's LevelDB allows one process at a time), without
 * starting the rest of the stack.
 */
export async function withDataDirStore<T>(dataDir: string, write: (store: Store) => Promise<T>): Promise<T> {
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  const dynalite = await startDynalite({ path: join(dataDir, 'dynamodb') });
  try {
    const client = createTestDynamoClient(dynalite.endpoint);
    await ensureTable(client, TABLE_NAME);
    const store = new DynamoStore({ client: createDocumentClient(client), tableName: TABLE_NAME });
    const result = await write(store);
    client.destroy();
    return result;
  } finally {
    await dynalite.stop();
  }
}
