import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxFile, sleep } from './support/client.js';
import { ReportDriver, reportFor } from './support/driver.js';
import { logProblems, publishedOnceProblems, unexplainedRepeats } from './support/invariants.js';
import { seedAgency, seedAuditor, withDataDirStore, type SeededAgency, type SeededPerson } from './support/people.js';
import { freePort, StackProcess } from './support/process-stack.js';

/**
 * Twenty agencies' reports walked through the workflow at once while `npm start` is SIGKILLed at random moments and
 * started again on the same DATA_DIR. Every person keeps going as a person would (a request lost with the process is
 * sent again). In the end every report is published exactly once, with every event once and its chain valid.
 *
 * The moments are random (seeded: FAULTS_SEED=<n> repeats the same delays, though not the same interleaving).
 */

const AGENCIES = 20;
const KILLS = 6;
/** how soon after a message was handed to the mailer a kill may make the retried task send it again */
const MAIL_WINDOW_MS = 5000;

const SEED = Number(process.env['FAULTS_SEED'] ?? Date.now() % 1_000_000);
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);

let dataDir: string;
let stack: StackProcess;
let auditor: SeededPerson;
let agencies: SeededAgency[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nianbao-faults-burst-'));
  ({ auditor, agencies } = await withDataDirStore(dataDir, async (store) => ({
    agencies: await Promise.all(
      Array.from({ length: AGENCIES }, (_, i) =>
        seedAgency(store, { id: `burst-${String(i + 1).padStart(2, '0')}`, name: `并发测试第${i + 1}局` }),
      ),
    ),
    auditor: await seedAuditor(store, 'burst-01'),
  })));
  stack = new StackProcess(await freePort(), dataDir);
  await stack.start();
}, 180_000);

afterAll(async () => {
  await stack?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** What each agency's people do: a quarter are returned by the director, a quarter by the leader, the rest go straight through. */
async function walk(seeded: SeededAgency, i: number): Promise<void> {
  const report = new ReportDriver(() => stack.url, dataDir, seeded, 2020, 300_000);
  await sleep(random() * 2000);
  await report.submit();
  if (i % 4 === 0) {
    await report.decide(seeded.director, await report.reviewLink(seeded.director, 1), 'return', '请补充第五部分。');
  } else if (i % 4 === 1) {
    await report.decide(seeded.director, await report.reviewLink(seeded.director, 1), 'approve');
    await report.decide(seeded.leader, await report.reviewLink(seeded.leader, 1), 'return', '请再核对数字。');
  }
  await report.finish(() => reportFor(seeded.agency, 2020, `第${i + 1}局修改后的总体情况。`));
}

describe(`${AGENCIES} reports at once, ${KILLS} SIGKILLs at random moments (seed ${SEED})`, () => {
  it('completes every report exactly once', async () => {
    const killTimes: number[] = [];
    let walking = true;
    const started = Date.now();
    const killer = (async () => {
      for (let k = 0; k < KILLS && walking; k++) {
        await sleep(300 + random() * 3000);
        if (!walking) break;
        killTimes.push(Date.now());
        await stack.kill();
        await stack.start();
      }
    })();
    try {
      await Promise.all(agencies.map((seeded, i) => walk(seeded, i)));
    } finally {
      walking = false;
      await killer;
    }

    const problems: string[] = [];
    const shapes = new Map<string, number>();
    for (const seeded of agencies) {
      const report = new ReportDriver(() => stack.url, dataDir, seeded);
      const history = await report.finishedHistory(auditor);
      problems.push(...logProblems(report.reportId, history), ...publishedOnceProblems(report.reportId, history));
      const shape = history.events.map((event) => event.type).join(' → ');
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    }
    const emails = await outboxFile(dataDir);
    const repeats = unexplainedRepeats(emails, killTimes, MAIL_WINDOW_MS);
    problems.push(...repeats.problems);
    console.info(
      [
        `[faults] sigkill-burst (seed ${SEED}): ${AGENCIES} reports published in ${((Date.now() - started) / 1000).toFixed(1)} s with ${killTimes.length} kills`,
        `  kills at ${killTimes.map((at) => `${((at - started) / 1000).toFixed(1)} s`).join(', ')}; restarts took ${stack.startTimes
          .slice(1)
          .map((ms) => (ms / 1000).toFixed(1))
          .join(', ')} s`,
        `  ${emails.length} emails; repeated by a kill inside the mail window: ${repeats.explained.length === 0 ? 'none' : repeats.explained.join('; ')}`,
        ...[...shapes].map(([shape, count]) => `  ${count} × ${shape}`),
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(killTimes.length).toBeGreaterThanOrEqual(3);
  }, 480_000);
});
