import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS_FILE_VARIABLE, type FaultAttempt } from '../../infra/local/faults.js';
import { isPublished, outboxFile, persistently, send, sleep, until, type OutboxEntry, type ReviewLink } from './support/client.js';
import { ReportDriver, reportFor } from './support/driver.js';
import { emailProblems, logProblems, publishedOnceProblems } from './support/invariants.js';
import { seedAgency, seedAuditor, withDataDirStore, type SeededAgency, type SeededPerson } from './support/people.js';
import { freePort, StackProcess } from './support/process-stack.js';

/**
 * `npm start` killed with SIGKILL at each point of the workflow, then started again on the same DATA_DIR. Each point
 * has its own agency, so every report in the directory lives through every later kill as well. After each restart
 * the report is finished and checked: published exactly once, every event once, the chain valid, no email twice, and
 * the links emailed before the kill still open their review.
 */

const POINTS = [
  'between the submitted event and StartExecution',
  'after submit',
  'while DirectorReview waits',
  'right after a decision is POSTed',
  'while LeaderReview waits',
  'during Publish',
  'while OfficerRevision waits',
  'right after a resubmission',
] as const;
type Point = (typeof POINTS)[number];

let dataDir: string;
let stack: StackProcess;
let auditor: SeededPerson;
let agencies: SeededAgency[];
let faultsFile: string;
const observations: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nianbao-faults-steps-'));
  faultsFile = join(dataDir, 'faults.json');
  ({ auditor, agencies } = await withDataDirStore(dataDir, async (store) => ({
    agencies: await Promise.all(POINTS.map((_, i) => seedAgency(store, { id: `kill-step-${i + 1}`, name: `故障测试第${i + 1}局` }))),
    auditor: await seedAuditor(store, 'kill-step-1'),
  })));
  stack = new StackProcess(await freePort(), dataDir, { [FAULTS_FILE_VARIABLE]: faultsFile });
  await stack.start();
}, 180_000);

afterAll(async () => {
  await stack?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (observations.length > 0) console.info(`[faults] sigkill-steps\n  ${observations.join('\n  ')}`);
});

async function faultLog(): Promise<FaultAttempt[]> {
  try {
    return (await readFile(`${faultsFile}.log`, 'utf8'))
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FaultAttempt);
  } catch {
    return [];
  }
}

/** Every review link emailed before the kill still opens its page (anonymously, as a mail scanner or the approver would). */
async function linksStillOpen(links: readonly ReviewLink[]): Promise<void> {
  for (const link of links) {
    const page = await persistently(`GET ${link.path}`, () => send(stack.url, undefined, 'GET', link.path));
    expect(page.status, `${link.path} after the restart`).toBe(200);
  }
}

/**
 * "While X waits" is once the task has finished its work: the email is out *and* recorded as sent. The email shows in
 * the outbox a moment before the task records it (the mail window of RELIABILITY.md); a kill inside that moment sends
 * it again after the restart, which is at-least-once delivery, exercised by sigkill-burst.test.ts. Here the kill waits
 * that moment out.
 */
const SETTLE_MS = 3000;
const settled = () => sleep(SETTLE_MS);

const reviewLinks = (entries: readonly OutboxEntry[]): ReviewLink[] =>
  entries.flatMap((entry) =>
    entry.links
      .filter((link) => link.includes('/reviews/'))
      .map((url) => {
        const parsed = new URL(url);
        return {
          url,
          reviewId: decodeURIComponent(parsed.pathname.split('/')[2] ?? ''),
          sig: parsed.searchParams.get('sig') ?? '',
          path: `${parsed.pathname}${parsed.search}`,
        };
      }),
  );

describe('SIGKILL at each point of the workflow, then a restart on the same DATA_DIR', () => {
  it.each(POINTS.map((point, i) => [point, i] as const))(
    '%s: the report still finishes exactly once',
    async (point: Point, i: number) => {
      const seeded = agencies[i];
      if (!seeded) throw new Error('no agency');
      const report = new ReportDriver(() => stack.url, dataDir, seeded);
      const { director, leader } = seeded;
      const approve = (who: SeededPerson, link: ReviewLink) => report.decide(who, link, 'approve');

      // ---- to the point, then the kill
      if (point === 'between the submitted event and StartExecution') {
        // StartExecution now waits 8 s: the kill lands after the `submitted` event is committed, before the execution exists
        await writeFile(faultsFile, JSON.stringify({ workflow: { startDelayMs: 8000 } }));
        const lost = send(stack.url, seeded.officer, 'POST', '/api/reports', { json: { report: reportFor(seeded.agency) } }).catch(
          (error: unknown) => error,
        );
        await until(
          'the submission to reach StartExecution',
          async () => (await faultLog()).some((attempt) => attempt.op === 'workflow.start' && attempt.key === `${report.reportId}-r1`),
          60_000,
          20,
        );
        await stack.kill();
        await writeFile(faultsFile, '{}');
        expect(await lost).toBeInstanceOf(TypeError); // the officer's browser saw the connection drop
      } else {
        await report.submit();
      }
      if (point === 'between the submitted event and StartExecution') {
        // nothing to do before the restart
      } else if (point === 'after submit') {
        await stack.kill();
      } else {
        const directorLink = await report.reviewLink(director, 1);
        if (point === 'while DirectorReview waits') {
          await settled();
          await stack.kill();
        } else if (point === 'right after a decision is POSTed') {
          await approve(director, directorLink);
          await stack.kill();
        } else if (point === 'while LeaderReview waits' || point === 'during Publish') {
          await approve(director, directorLink);
          const leaderLink = await report.reviewLink(leader, 1);
          if (point === 'while LeaderReview waits') {
            await settled();
            await stack.kill();
          } else {
            // every site write now takes 5 s: the kill lands while Publish is writing the report page
            await writeFile(faultsFile, JSON.stringify({ site: { delayMs: 5000 } }));
            await approve(leader, leaderLink);
            const pageKey = `reports/${seeded.agency.id}/2020/index.html`;
            await until(
              'Publish to start writing',
              async () => (await faultLog()).some((attempt) => attempt.key === pageKey && attempt.outcome === 'started'),
              60_000,
              50,
            );
            await stack.kill();
            await writeFile(faultsFile, '{}');
            const writes = (await faultLog()).filter((attempt) => attempt.key === pageKey);
            expect(writes.map((attempt) => attempt.outcome)).toEqual(['started']);
          }
        } else {
          await report.decide(director, directorLink, 'return', `第${i + 1}局：请核对第三部分。`);
          await report.returnEmail(1);
          if (point === 'while OfficerRevision waits') {
            await settled();
            await stack.kill();
          } else {
            await report.resubmit(reportFor(seeded.agency, 2020, '已按意见核对并修改。'), 2);
            await stack.kill();
          }
        }
      }

      // ---- what was there when the process died
      const emailsBefore = await report.emails();
      const linksBefore = reviewLinks(emailsBefore);
      await stack.start();
      await linksStillOpen(linksBefore);
      if (point === 'between the submitted event and StartExecution') {
        // the gap: the report is in review with no execution behind it, until the officer sends it again (or withdraws)
        const stranded = await report.history(auditor);
        expect(stranded.events.map((event) => event.type)).toEqual(['submitted']);
        expect(stranded.executions).toEqual([]);
        observations.push(
          `${point}: after the restart the report was in review with no execution (events: submitted; executions: none); the officer's retry of the same POST answered ${(await report.submit()).status} and started it`,
        );
      }

      // ---- finish the report from wherever it is
      await report.finish(() => reportFor(seeded.agency, 2020, '已按意见核对并修改。'));

      // ---- exactly once, everything
      const history = await report.finishedHistory(auditor);
      expect([...logProblems(report.reportId, history), ...publishedOnceProblems(report.reportId, history)]).toEqual([]);
      const emails = await report.emails();
      expect(emailProblems(emails)).toEqual([]);
      expect(emails.filter(isPublished).map((entry) => entry.to)).toEqual([seeded.officer.email]);
      // the emails from before the kill are all still there, none of them sent again
      expect(emails.slice(0, emailsBefore.length)).toEqual(emailsBefore);
      await linksStillOpen(linksBefore);
      if (point === 'during Publish') {
        const pageWrites = (await faultLog()).filter(
          (attempt) => attempt.key === `reports/${seeded.agency.id}/2020/index.html` && attempt.outcome === 'started',
        ).length;
        observations.push(`during Publish: the report page was written ${pageWrites} times (the first killed mid-write), published once`);
        expect(pageWrites).toBeGreaterThanOrEqual(2);
        const site = await send(stack.url, undefined, 'GET', `/site/reports/${seeded.agency.id}/2020/index.html`);
        expect(site.status).toBe(200);
      }
      observations.push(`${point}: ${history.events.map((event) => event.type).join(' → ')}`);
    },
    240_000,
  );

  it('leaves every report of the directory whole after all the kills', async () => {
    expect(stack.kills).toBe(POINTS.length);
    const problems: string[] = [];
    for (const seeded of agencies) {
      const report = new ReportDriver(() => stack.url, dataDir, seeded);
      const history = await report.history(auditor);
      problems.push(...logProblems(report.reportId, history), ...publishedOnceProblems(report.reportId, history));
    }
    const all = await outboxFile(dataDir);
    problems.push(...emailProblems(all));
    expect(problems).toEqual([]);
    observations.push(
      `${stack.kills} kills, ${stack.startTimes.length} starts (${stack.startTimes.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s to /healthz), ${all.length} emails, none twice`,
    );
  }, 120_000);
});
