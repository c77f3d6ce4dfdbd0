import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceReport, report2021, withValue } from '../support/report-builders.js';
import { outbox, Person, reviewLink, seenIds, waitFor, type OutboxEntry } from './http-client.js';

/**
 * `npm start` killed with SIGKILL while three reports wait at the three waiting steps, then started again on the same
 * DATA_DIR: every report finishes, each published once, with no event or email done twice.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
let dataDir: string | undefined;

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function start(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
      } catch {
        return false;
      }
    },
    60_000,
    'the stack to start',
  );
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const emailKey = (entry: OutboxEntry) => `${entry.to}|${entry.subject}|${entry.links.join(',')}`;

describe('a restart in the middle of the workflow', () => {
  it('finishes every waiting report exactly once after SIGKILL', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'nianbao-restart-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let child = await start(port, dataDir);

    const officer = new Person(url, 'officer@kw.example.cn');
    const director = new Person(url, 'director@kw.example.cn');
    const leader = new Person(url, 'leader@kw.example.cn');
    const auditor = new Person(url, 'auditor@audit.example.cn');
    await Promise.all([officer.signIn(), director.signIn(), leader.signIn(), auditor.signIn()]);
    const decide = (person: Person, link: { reviewId: string; sig: string }, outcome: 'approve' | 'return', comment = '') =>
      person.json('POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
        sig: link.sig,
        outcome,
        comment,
        confidentialityReviewed: true,
      });

    // 2020 waits at DirectorReview
    let seen = await seenIds(url);
    expect((await officer.json('POST', '/api/reports', { report: referenceReport() })).status).toBe(201);
    const director2020 = await reviewLink(url, 'director@kw.example.cn', seen);
    // 2021 waits at LeaderReview
    seen = await seenIds(url);
    expect((await officer.json('POST', '/api/reports', { report: report2021() })).status).toBe(201);
    const director2021 = await reviewLink(url, 'director@kw.example.cn', seen);
    seen = await seenIds(url);
    expect((await decide(director, director2021, 'approve')).status).toBe(200);
    const leader2021 = await reviewLink(url, 'leader@kw.example.cn', seen);
    // 2019 waits at OfficerRevision
    seen = await seenIds(url);
    const report2019 = withValue(withValue(referenceReport(), 'year', 2019), 'preamble', undefined);
    expect((await officer.json('POST', '/api/reports', { report: report2019 })).status).toBe(201);
    const director2019 = await reviewLink(url, 'director@kw.example.cn', seen);
    seen = await seenIds(url);
    expect((await decide(director, director2019, 'return', '请核对第三部分。')).status).toBe(200);
    await waitFor(
      async () => (await outbox(url)).find((entry) => !seen.has(entry.id) && entry.subject.includes('退回')),
      20_000,
      'the return email',
    );

    const eventsBefore = await allEvents(auditor);
    const emailsBefore = (await outbox(url)).map(emailKey).sort();
    await killHard(child);

    child = await start(port, dataDir);
    // the resumed executions re-ask their tasks with the tokens they had: give them a moment, then check nothing repeated
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await outbox(url)).map(emailKey).sort()).toEqual(emailsBefore);
    expect(await allEvents(auditor)).toEqual(eventsBefore);

    // the links emailed before the kill still work, and everything finishes
    seen = await seenIds(url);
    expect((await decide(director, director2020, 'approve')).status).toBe(200);
    const leader2020 = await reviewLink(url, 'leader@kw.example.cn', seen);
    expect((await decide(leader, leader2020, 'approve')).status).toBe(200);
    expect((await decide(leader, leader2021, 'approve')).status).toBe(200);
    seen = await seenIds(url);
    expect(
      (await officer.json('PUT', '/api/reports/daxing-kw-2019', { report: withValue(report2019, 'problems', '已核对并修改。') })).status,
    ).toBe(200);
    const director2019v2 = await reviewLink(url, 'director@kw.example.cn', seen);
    seen = await seenIds(url);
    expect((await decide(director, director2019v2, 'approve')).status).toBe(200);
    const leader2019 = await reviewLink(url, 'leader@kw.example.cn', seen);
    expect((await decide(leader, leader2019, 'approve')).status).toBe(200);

    for (const id of ['daxing-kw-2019', 'daxing-kw-2020', 'daxing-kw-2021']) {
      await waitFor(
        async () => ((await officer.json('GET', `/api/reports/${id}`)).body as { status: string }).status === 'published',
        20_000,
        `${id} published`,
      );
    }
    const events = await allEvents(auditor);
    for (const [id, list] of Object.entries(events)) {
      expect(
        list.filter((type) => type === 'published'),
        id,
      ).toHaveLength(1);
    }
    const emails = (await outbox(url)).map(emailKey);
    expect(new Set(emails).size).toBe(emails.length);
    await killHard(child);
  }, 180_000);
});

async function allEvents(auditor: Person): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const id of ['daxing-kw-2019', 'daxing-kw-2020', 'daxing-kw-2021']) {
    const body = (await auditor.json('GET', `/api/reports/${id}/history`)).body as {
      events: Array<{ seq: number; type: string }>;
      chain: { valid: boolean };
    };
    expect(body.chain.valid).toBe(true);
    result[id] = body.events.map((event) => event.type);
  }
  return result;
}
