import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/nianbao.js';
import { FolderAnchors } from '#shared/history/folder-anchors.js';
import { LocalSigner, newSigningKeyPem } from '#shared/history/local-signer.js';
import { GENESIS_HASH } from '#shared/workflow/chain.js';
import { ADMIN_LOG_ID, adminEventHash } from '#shared/workflow/admin/admin-log.js';
import { signEvent } from '#shared/workflow/history-verification.js';
import type { AdminEvent } from '#shared/workflow/model.js';

/**
 * `nianbao verify --admin-log` re-checks the administration log as GET /api/admin/log exports it, with the same key
 * and anchors as a report's history: one edited entry is named and the exit code is 1.
 */

let dir = '';
let keyFile = '';
let anchorDir = '';
let signer: LocalSigner;
let events: AdminEvent[] = [];

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

async function exported(list: readonly AdminEvent[], name: string): Promise<string> {
  const file = join(dir, name);
  // the service's own verdict travels in the file; verify must not read it
  await writeFile(file, JSON.stringify({ events: list, verification: { valid: true } }, null, 2));
  return file;
}

/** Seals and signs entries after `previous`, as the service's store does. */
async function chained(
  bodies: ReadonlyArray<Pick<AdminEvent, 'type' | 'subject' | 'data'>>,
  previous?: AdminEvent,
  key = signer,
): Promise<AdminEvent[]> {
  const out: AdminEvent[] = [];
  let last = previous;
  for (const [index, fields] of bodies.entries()) {
    const seq = (last?.seq ?? 0) + 1;
    const body = {
      seq,
      at: `2026-12-0${index + 1}T02:00:00.000Z`,
      actor: { role: 'admin' as const, email: 'admin@daxing.example.cn', name: '钱管理' },
      ...fields,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const event = await signEvent({ ...body, hash: adminEventHash(body) }, key);
    out.push(event);
    last = event;
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nianbao-verify-admin-'));
  anchorDir = join(dir, 'anchors');
  signer = new LocalSigner(newSigningKeyPem());
  keyFile = join(dir, 'history.pem');
  await writeFile(keyFile, await signer.publicKeyPem());
  events = await chained([
    { type: 'agency_saved', subject: 'daxing-kw', data: { after: { id: 'daxing-kw', name: '北京市大兴区科学技术委员会' } } },
    { type: 'person_saved', subject: 'legal@kw.example.cn', data: { after: { roles: ['legal'] } } },
    { type: 'reminder_sent', subject: 'daxing-jw', data: { year: 2026, to: ['officer@jw.example.cn'] } },
  ]);
  const anchors = new FolderAnchors(anchorDir);
  for (const event of events) await anchors.record({ reportId: ADMIN_LOG_ID, seq: event.seq, hash: event.hash });
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const edited = (seq: number, edit: (event: AdminEvent) => AdminEvent): AdminEvent[] =>
  events.map((event) => (event.seq === seq ? edit(event) : event));

describe('nianbao verify --admin-log', () => {
  it('passes the intact log with the key and the anchors, and says what it checked', async () => {
    const result = await cli(
      'verify',
      '--admin-log',
      await exported(events, 'intact.json'),
      '--public-key',
      keyFile,
      '--anchors',
      anchorDir,
    );
    expect(result.stdout).toContain('签名：3 条有效');
    expect(result.stdout).toContain('锚定：第 3 条与锚定记录相符');
    expect(result.code).toBe(0);
  });

  it('names an entry edited in the stored file and exits 1, even without the key', async () => {
    const file = await exported(
      edited(2, (event) => ({ ...event, subject: 'leader@kw.example.cn' })),
      'edited.json',
    );
    const result = await cli('verify', '--admin-log', file);
    expect(result.stdout).toContain('第 2 条记录的内容与其哈希不符');
    expect(result.code).toBe(1);
  });

  it('names an entry rewritten with recomputed hashes by its signature', async () => {
    const first = events[0];
    if (!first) throw new Error('no entry');
    // a forger with a key of their own: every hash and link is right, the signatures are not the service's
    const forgerKey = new LocalSigner(newSigningKeyPem());
    const later = [
      { type: 'person_saved', subject: 'leader@kw.example.cn', data: {} },
      { type: 'reminder_sent', subject: 'daxing-jw', data: {} },
    ] as const;
    const forged = [first, ...(await chained(later, first, forgerKey))];
    const result = await cli('verify', '--admin-log', await exported(forged, 'forged.json'), '--public-key', keyFile, '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ log: ADMIN_LOG_ID, valid: false, problem: { seq: 2, kind: 'signature' } });
    expect(result.code).toBe(1);
  });

  it('finds the last entry dropped from the export by the anchor beyond the end', async () => {
    const result = await cli(
      'verify',
      '--admin-log',
      await exported(events.slice(0, 2), 'dropped.json'),
      '--public-key',
      keyFile,
      '--anchors',
      anchorDir,
    );
    expect(result.stdout).toContain('末尾的记录被删除了');
    expect(result.stdout).toContain('第 3 条');
    expect(result.code).toBe(1);
  });

  it('refuses a report history given as the administration log, with exit 2', async () => {
    const file = join(dir, 'report.json');
    await writeFile(file, JSON.stringify({ reportId: 'daxing-kw-2020', events: [{ reportId: 'daxing-kw-2020', seq: 1 }] }));
    const result = await cli('verify', '--admin-log', file);
    expect(result.stderr).toContain('不是管理操作记录的导出文件');
    expect(result.code).toBe(2);
  });
});
