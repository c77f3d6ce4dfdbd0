import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import os from 'node:os';
import { performance as hooks } from 'node:perf_hooks';
import { verifyChain } from '#shared/workflow/chain.js';
import { DEFAULT_CHAIN, type Chain } from '#shared/workflow/review-chain.js';
import { FOUR_STEP_CHAIN } from '../test/support/chains.js';
import type { Benchmark, BenchmarkResult, Target } from './run.js';
import { describeEventSequence, emailProblem, eventSequenceProblem, expectedEmails, seatsOf } from './support/chain-expectations.js';
import {
  autoDecide,
  BENCH_COSIGNERS,
  benchAgencies,
  executionHistory,
  confidentialityConfirmers,
  reportIdOf,
  reportOf,
  seedAgencies,
  sessionFor,
  startBenchStack,
  type Client,
} from './support/stack.js';
import { integer, mapLimit, marginUnder, ms, quantile, seconds, sleep, sum } from './support/stats.js';

/**
 * A burst: N agencies submit at the same moment, every review is decided by script as soon as it is emailed, and
 * the time until the last report is published is measured; then nothing may be lost or done twice. Run at 300
 * (`burst`, target 45 s) and 1,000 agencies (`burst-1000`, target 150 s); `npm run bench -- burst --agencies N` runs
 * another size (its target scaled from the 1,000's: 150 ms per agency). `--chain four-step` runs it with every agency
 * on the four-step chain (`burst-four-step`); what each report must leave behind is derived from the chain.
 */

/** sessions written before the clock: this many people at a time */
const SIGN_IN_CONCURRENCY = 16;
/** index PUTs per published report */
const INDEX_WRITES_TARGET = 1.2;

/** The chains a burst can run, by the name `--chain` takes. */
export const BURST_CHAINS = { default: DEFAULT_CHAIN, 'four-step': FOUR_STEP_CHAIN } as const satisfies Record<string, Chain>;
export type BurstChain = keyof typeof BURST_CHAINS;
export const isBurstChain = (name: string): name is BurstChain => Object.hasOwn(BURST_CHAINS, name);

/** The 1,000-agency burst's time per agency, the rate every other size and chain is held to. */
const MS_PER_AGENCY = 150;
/** The tasks a report runs, each with its own work: one Publish and one review (email, decision) per approver. */
const tasksPerReport = (chain: Chain) => 1 + seatsOf(chain, BENCH_COSIGNERS).length;

const latencies = (values: readonly number[]) =>
  `p50 ${ms(quantile(values, 0.5))}, p95 ${ms(quantile(values, 0.95))}, max ${ms(Math.max(...values))}`;
const statuses = (values: readonly number[]) =>
  [...values.reduce((counts, status) => counts.set(status, (counts.get(status) ?? 0) + 1), new Map<number, number>())]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status} × ${count}`)
    .join(', ');

/**
 * NIANBAO_BURST_CPU_PROFILE=<file>: a V8 CPU profile of the clock's window only (setup and checks left out), written
 * as a .cpuprofile (Chrome DevTools, or bench/support/profile-summary.ts for self time by package and function).
 */
async function startProfile(file: string | undefined): Promise<{ stop(): Promise<void> }> {
  if (file === undefined || file === '') return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return {
    async stop() {
      const result = await post('Profiler.stop');
      await writeFile(file, JSON.stringify(Reflect.get(Object(result), 'profile')));
      session.disconnect();
    },
  };
}

/**
 * Where the one process's CPU went, from a profile of the burst's clock window (NIANBAO_BURST_CPU_PROFILE), and what
 * was cut: kept with the table so the next run's figure can be read against them.
 */
const CPU_FINDINGS = [
  "Where the CPU goes (V8 profile of the main thread over a 300-agency burst's clock window, 2026-12-03 16:35 UTC, the profiler's own cost " +
    "included, so that run took 45 s; share of the busy time): the AWS SDK's per-request work 27 % (@smithy/core 20 %, @aws-sdk/core 3 %, " +
    "the document client and its codec 3 %, the signer 1 %); the local engine writing each execution's file whole, synchronously, and " +
    'renaming it at every state 10 %; posting the requests to the dynalite thread 6 %; garbage collection 6 %; zod 4 %. On their own threads: ' +
    "Publish's Word file (the docx library building its XML) and PDF (fontkit subsetting the fonts, pdfkit, zlib), dynalite's LevelDB.",
  'What bounds it now: the main thread (93 % busy in that profile) and the machine with it: the process used about 180 % of one core ' +
    '(user + system time over the run, setup and checks included: 77 s in 43 s at 300 agencies, 216 s in 119 s at 1,000), so moving work ' +
    "between threads no longer helps: the engine's file writes moved to the thread pool (tried on 2026-12-03) gave 36.3 s at 300 and " +
    "112.8 s at 1,000, the same as without, and were left out. Left to cut is CPU itself: the SDK's work per command (about 80 DynamoDB " +
    'commands a report, counted over a 30-agency burst with its setup and checks: Get 23, Put 26, Query 22, Update 10 a report) and ' +
    "Publish's Word file.",
  'Cut on 2026-12-03: (1) the PDF fonts parsed once per process (175 → 64 ms of CPU per PDF), the Word tables styled once (66 → 42 ms); ' +
    "(2) Publish's rendering, dynalite and s3rver moved to worker threads (infra/local/print-worker.ts, emulator-thread.ts): the main thread " +
    'had been the limit with the second core mostly idle; 300 agencies 92.9 s → ~51 s, 1,000 agencies 503 s → 166 s; (3) the local index ' +
    "writer starts a rebuild at most once a second (a burst shares one), as AWS's batches of ten do: index writes per report 1.30 → 1.10; " +
    "(4) the handlers' DynamoDB client reaches dynalite's thread over a MessagePort instead of a local TCP socket (infra/local/port-http.ts; " +
    'the SDK still builds, signs and parses every request): no HTTP client or server work, a third of the kernel time (system time 19.0 → ' +
    '6.4 s at 300 agencies); 300 agencies 47.7 → 37.0 s, 1,000 agencies 189.5 → 108.0 s, the four-step chain 107.4 → 55.2 s.',
];

export function burstBenchmark(id: string, REPORTS: number, TARGET_MS: number, chainName: BurstChain = 'default'): Benchmark {
  const chain = BURST_CHAINS[chainName];
  const [sample] = benchAgencies('bench-burst', 1, chain);
  if (!sample) throw new Error('no agency');
  const emails = expectedEmails(chain, BENCH_COSIGNERS);
  /** the approvers (and their decisions, and their review emails) per report; people = them and the officer */
  const DECIDERS = sample.approvers.length;
  const PEOPLE = DECIDERS + 1;
  const onChain = chainName === 'default' ? '' : ` (${chainName} chain)`;
  const roster =
    chainName === 'default'
      ? 'an officer, a director and a leader'
      : `the ${chainName} chain on the agency (${chain.steps.map((step) => step.label).join(' → ')}, ${BENCH_COSIGNERS} co-signers per 会签), ` +
        `an officer and a person for each of its ${DECIDERS} seats (${sample.approvers.map((a) => a.title).join(', ')})`;
  const inParallel = chain.steps.some((step) => step.kind === 'cosign')
    ? '; the co-signers of a 会签 are emailed together and answer in parallel'
    : '';
  const mailText = [...emails].map(([local, prefix]) => `${local}: ${prefix.replace('：', '')}`).join('; ');
  /** give up waiting for the burst after this long */
  const GIVE_UP_MS = Math.max(600_000, TARGET_MS * 4);
  return {
    id,
    title: `Burst: ${REPORTS} reports from ${REPORTS} agencies at once${chainName === 'default' ? '' : `, ${chainName} chain`} (local stack)`,
    method: [
      `A fresh local stack (as in the end-to-end benchmark). Before the clock: ${REPORTS} agencies, each with ${roster}, ` +
        `written straight to the store (putAgency, putRosterEntry), and a session for each of the ${REPORTS * PEOPLE} people written to the store ` +
        `as the sign-in would (${SIGN_IN_CONCURRENCY} at a time; signing in over the API is measured by the cost benchmark, and would add minutes here).`,
      `Clock starts: the ${REPORTS} officers POST /api/reports all at once (one Promise.all; the reference report as each agency's own 2020 report). ` +
        "Every review email is answered as soon as it is sent (the outbox watched in-process) by its approver's POST /api/reviews/{id}/decision " +
        `(approve${inParallel}). ` +
        "A report counts as published when its `published` event is committed (the store's appendEvent watched in-process); the clock stops at the last one.",
      `Submissions/s = ${REPORTS} ÷ the time until the last of the ${REPORTS} POSTs answered. ` +
        "Decision latency = from the review email to the decision POST's answer.",
      "Then, off the clock: every report's event log read back — exactly one `published`, the hash chain valid, the events exactly " +
        `${describeEventSequence(chain, BENCH_COSIGNERS)}; every execution SUCCEEDED and its history searched for failed or timed-out tasks (retries); emails ` +
        `counted per recipient (${mailText}, nothing else); ` +
        `the public root index read for all ${REPORTS} agencies, after the ` +
        'site-index writer caught up. Index writes = the index PUTs (root and agency pages, all by the one writer) during the burst ÷ reports.',
      `Task retries use the definition's own intervals (5 s, ×2). Targets: all ${REPORTS} published within ${TARGET_MS / 1000} s of the first POST, ` +
        `≤ ${INDEX_WRITES_TARGET} index writes per report, no failed Publish attempt, none lost or duplicated.`,
      ...(chainName === 'default'
        ? []
        : [
            `Run by \`npm run bench -- burst --chain ${chainName}\` (\`--agencies N\` for another size; \`${id}\` names the same run). ` +
              `The time target is the default chain's ${MS_PER_AGENCY} ms per agency scaled by the tasks a report runs, one Publish and one ` +
              `review per approver: ${MS_PER_AGENCY} × ${tasksPerReport(chain)} ÷ ${tasksPerReport(DEFAULT_CHAIN)} = ` +
              `${(TARGET_MS / REPORTS).toFixed(0)} ms per agency.`,
          ]),
    ],
    async run(log): Promise<BenchmarkResult> {
      const stackStarted = performance.now();
      const stack = await startBenchStack();
      log(`stack up in ${seconds(performance.now() - stackStarted, 1)}`);
      try {
        const agencies = benchAgencies('bench-burst', REPORTS, chain);
        let started = performance.now();
        await seedAgencies(stack, agencies);
        const seedMs = performance.now() - started;
        log(`seeded ${REPORTS} agencies in ${seconds(seedMs, 1)}`);

        started = performance.now();
        const people = agencies.flatMap((agency) => [agency.officer, ...agency.approvers.map((approver) => approver.email)]);
        const clients = await mapLimit(people, SIGN_IN_CONCURRENCY, (email) => sessionFor(stack, email));
        const byEmail = new Map<string, Client>(clients.map((client) => [client.email, client]));
        const signInMs = performance.now() - started;
        log(`sessions for ${people.length} people in ${seconds(signInMs, 1)}`);
        const officers = new Set(agencies.map((agency) => agency.officer));
        const approvers = new Map([...byEmail].filter(([email]) => !officers.has(email)));
        const decider = autoDecide(stack, approvers, confidentialityConfirmers(agencies));
        const mailBefore = stack.mail.items.length;

        const published = new Map<string, number>();
        let allPublished: () => void = () => undefined;
        const done = new Promise<void>((resolve) => {
          allPublished = resolve;
        });
        stack.commits.on(({ value: event, at }) => {
          if (event.type !== 'published' || published.has(event.reportId)) return;
          published.set(event.reportId, at);
          if (published.size === REPORTS) allPublished();
        });

        // what the burst costs the one process that plays every service
        let indexPuts = 0;
        let reportPuts = 0;
        let listings = 0;
        const site = stack.deps.site;
        const put = site.put.bind(site);
        site.put = (object) => {
          // the index pages are the root and one page per agency; everything else (the report's page, JSON, PDF and Word
          // files) is the report's own
          if (object.key === 'index.html' || /^reports\/[^/]+\/index\.html$/.test(object.key)) indexPuts += 1;
          else reportPuts += 1;
          return put(object);
        };
        const store = stack.deps.store;
        const listPublished = store.listPublished.bind(store);
        store.listPublished = () => {
          listings += 1;
          return listPublished();
        };

        await stack.indexes.idle();
        indexPuts = 0;
        const rebuildsBefore = stack.indexes.stats.rebuilds;
        // ---- the clock
        const profile = await startProfile(process.env['NIANBAO_BURST_CPU_PROFILE']);
        const cpuBefore = process.cpuUsage();
        const loopBefore = hooks.eventLoopUtilization();
        const t0 = performance.now();
        const submissions = await Promise.all(
          agencies.map(async (agency) => {
            const officer = byEmail.get(agency.officer);
            if (!officer) throw new Error(`${agency.officer} is not signed in`);
            const sent = performance.now();
            const answer = await officer.json('POST', '/api/reports', { report: reportOf(agency) });
            const answered = performance.now();
            return { status: answer.status, latency: answered - sent, answered: answered - t0 };
          }),
        );
        const submitWindow = Math.max(...submissions.map((submission) => submission.answered));
        log(`${REPORTS} submissions answered within ${seconds(submitWindow)} (${statuses(submissions.map((s) => s.status))})`);
        let timedOut = false;
        let giveUp: NodeJS.Timeout | undefined;
        await Promise.race([
          done,
          new Promise<void>((resolve) => {
            giveUp = setTimeout(() => {
              timedOut = true;
              resolve();
            }, GIVE_UP_MS);
          }),
        ]);
        clearTimeout(giveUp);
        const clockMs = performance.now() - t0;
        const cpu = process.cpuUsage(cpuBefore);
        const loop = hooks.eventLoopUtilization(loopBefore);
        await profile.stop();
        const publishedTimes = [...published.values()].map((at) => at - t0).sort((a, b) => a - b);
        const allMs = timedOut ? Number.NaN : Math.max(...publishedTimes);
        log(
          timedOut
            ? `gave up after ${GIVE_UP_MS / 1000} s: ${published.size} of ${REPORTS} published`
            : `all ${REPORTS} published after ${seconds(allMs)}`,
        );
        // ---- off the clock

        await decider.settled();
        const decisionLatency = decider.decisions.map((decision) => decision.answeredAt - decision.emailedAt);
        let onePublished = 0;
        let chainsValid = 0;
        let sequencesExact = 0;
        let executionsSucceeded = 0;
        const failures = new Map<string, number>();
        const problems: string[] = [];
        await mapLimit(agencies, 8, async (agency) => {
          const reportId = reportIdOf(agency);
          const events = await stack.deps.store.listEvents(reportId);
          const types = events.map((event) => event.type);
          if (types.filter((type) => type === 'published').length === 1) onePublished += 1;
          else problems.push(`${reportId}: ${types.filter((type) => type === 'published').length} published events`);
          if (verifyChain(reportId, events).valid) chainsValid += 1;
          else problems.push(`${reportId}: chain invalid`);
          const sequenceProblem = eventSequenceProblem(chain, BENCH_COSIGNERS, events);
          if (sequenceProblem === undefined) sequencesExact += 1;
          else problems.push(`${reportId}: ${sequenceProblem}`);
          const execution = `${reportId}-r1`;
          // the `published` event comes a moment before the task returns and the execution ends: wait for that (off the clock)
          let description = await stack.deps.workflow.describe(execution);
          for (const deadline = Date.now() + 60_000; description?.status === 'RUNNING' && Date.now() < deadline; ) {
            await sleep(100);
            description = await stack.deps.workflow.describe(execution);
          }
          if (description?.status === 'SUCCEEDED') executionsSucceeded += 1;
          else problems.push(`${execution}: ${description?.status ?? 'missing'}`);
          const history = await executionHistory(stack, execution);
          let state = '?';
          for (const event of history) {
            state = event.stateEnteredEventDetails?.name ?? state;
            const failed = event.taskFailedEventDetails ?? event.taskTimedOutEventDetails;
            if (failed === undefined) continue;
            let message = failed.cause ?? '';
            try {
              message = String((JSON.parse(message) as { errorMessage?: unknown }).errorMessage ?? message);
            } catch {
              // not JSON: the cause as it is
            }
            const key = `${state}: ${failed.error ?? '?'} (${message.replace(/bench-burst-\d+/g, '…').slice(0, 120)})`;
            failures.set(key, (failures.get(key) ?? 0) + 1);
          }
        });

        const burstMail = stack.mail.items.slice(mailBefore).map((entry) => entry.value);
        const allMail = stack.mail.items.map((entry) => entry.value);
        let recipientsExact = 0;
        const subjectsTo = new Map<string, string[]>();
        for (const mail of allMail) subjectsTo.set(mail.to, [...(subjectsTo.get(mail.to) ?? []), mail.subject]);
        for (const agency of agencies) {
          for (const [local, prefix] of emails) {
            const to = `${local}@${agency.id}.example.cn`;
            const problem = emailProblem(subjectsTo.get(to) ?? [], prefix);
            if (problem === undefined) recipientsExact += 1;
            else problems.push(`${to}: ${problem}`);
          }
        }
        // every index write the burst caused: the writer may still be finishing its last rebuild when the clock stops
        const idleFrom = performance.now();
        await stack.indexes.idle();
        const indexLagMs = performance.now() - idleFrom;
        const rebuildsInBurst = stack.indexes.stats.rebuilds - rebuildsBefore;
        const indexPutsInBurst = indexPuts;
        const rootIndex = await (await fetch(new URL('/site/index.html', stack.url))).text();
        const listed = agencies.filter((agency) => rootIndex.includes(`reports/${agency.id}/index.html`)).length;
        if (listed !== REPORTS) problems.push(`the root index lists ${listed} of ${REPORTS} agencies`);
        const logProblems = stack.logs.filter((line) => line.level === 'warn' || line.level === 'error');

        const intact =
          !timedOut &&
          onePublished === REPORTS &&
          chainsValid === REPORTS &&
          sequencesExact === REPORTS &&
          executionsSucceeded === REPORTS &&
          recipientsExact === REPORTS * PEOPLE &&
          listed === REPORTS;
        const rows: string[][] = [
          [
            'setup: agencies and roster written (off the clock)',
            `${REPORTS} agencies, ${REPORTS * PEOPLE} roster entries in ${seconds(seedMs, 1)}`,
          ],
          ['setup: sessions written to the store (off the clock)', `${people.length} in ${seconds(signInMs, 1)}`],
          [`submissions: the ${REPORTS} POSTs answered within`, seconds(submitWindow)],
          ['submissions/s', integer(REPORTS / (submitWindow / 1000))],
          ['submission answers', statuses(submissions.map((s) => s.status))],
          ['submission latency', latencies(submissions.map((s) => s.latency))],
          [
            `decisions (${REPORTS * DECIDERS} POSTs, each as its email was sent)`,
            `${statuses(decider.decisions.map((d) => d.status))}; email → answer ${latencies(decisionLatency)}`,
          ],
          ['first report published after', seconds(publishedTimes[0] ?? Number.NaN)],
          ['half published after', seconds(quantile(publishedTimes, 0.5))],
          ['all published after', timedOut ? `not within ${GIVE_UP_MS / 1000} s (${published.size} of ${REPORTS})` : seconds(allMs)],
          ['reports with exactly one `published` event', `${onePublished} / ${REPORTS}`],
          ['hash chains valid', `${chainsValid} / ${REPORTS}`],
          ['event logs exactly as expected (no repeats, nothing missing)', `${sequencesExact} / ${REPORTS}`],
          ['executions SUCCEEDED', `${executionsSucceeded} / ${REPORTS}`],
          ['failed or timed-out task attempts (retried) in the histories', String([...failures.values()].reduce((a, b) => a + b, 0))],
          ['recipients with exactly the expected emails', `${recipientsExact} / ${REPORTS * PEOPLE}`],
          [
            'emails sent during the burst',
            `${burstMail.length} (expected ${REPORTS * PEOPLE}: ${DECIDERS} reviews and 1 已公开 per report)`,
          ],
          ['agencies on the public root index', `${listed} / ${REPORTS}`],
          ['handler log lines at warn/error', String(logProblems.length)],
          [
            'the process during the burst (every service in it)',
            `main thread busy ${(loop.utilization * 100).toFixed(0)} % of ${seconds(clockMs, 1)}; CPU ${seconds((cpu.user + cpu.system) / 1000, 1)} ` +
              `(${(((cpu.user + cpu.system) / 1000 / clockMs) * 100).toFixed(0)} % of one core) = ${ms((cpu.user + cpu.system) / 1000 / REPORTS)} per report`,
          ],
          [
            'site indexes (one writer): rebuilds, published-list reads, index PUTs',
            `${integer(rebuildsInBurst)} rebuilds, ${integer(listings)} list reads, ${integer(indexPutsInBurst)} index PUTs ` +
              `(${(indexPutsInBurst / REPORTS).toFixed(2)} per report); ${integer(reportPuts)} report file PUTs (page, JSON, PDF, Word); ` +
              `the writer finished ${seconds(indexLagMs)} after the last publication`,
          ],
        ];
        // Publish attempts that failed (the old design's index contention among them); a timeout of a starved process is listed apart
        const publishFailures = sum(
          [...failures].filter(([what]) => what.startsWith('Publish:') && !what.includes('States.Timeout')).map(([, count]) => count),
        );
        const targets: Target[] = [
          {
            name: `burst${onChain}: all ${REPORTS} published`,
            target: `≤ ${TARGET_MS / 1000} s`,
            measured: timedOut ? `> ${GIVE_UP_MS / 1000} s` : seconds(allMs),
            pass: !timedOut && allMs <= TARGET_MS,
            margin: timedOut ? `over by > ${(GIVE_UP_MS - TARGET_MS) / 1000} s` : marginUnder(allMs, TARGET_MS),
          },
          {
            name: `burst${onChain}: site index writes per report (${REPORTS} reports)`,
            target: `≤ ${INDEX_WRITES_TARGET}`,
            measured: (indexPutsInBurst / REPORTS).toFixed(2),
            pass: indexPutsInBurst / REPORTS <= INDEX_WRITES_TARGET,
            margin: marginUnder(indexPutsInBurst / REPORTS, INDEX_WRITES_TARGET),
          },
          {
            name: `burst${onChain}: Publish attempts failed, timeouts apart (${REPORTS} reports)`,
            target: '0',
            measured: String(publishFailures),
            pass: publishFailures === 0,
            margin: publishFailures === 0 ? 'exact' : `${publishFailures} failed`,
          },
          {
            name: `burst${onChain}: nothing lost or duplicated (${REPORTS} reports)`,
            target: '0 lost, 0 duplicated',
            measured: intact
              ? '0 lost, 0 duplicated'
              : `${REPORTS - onePublished} reports without exactly one published event; ${problems.length} problems`,
            pass: intact,
            margin: intact ? 'exact' : `${problems.length} problems`,
          },
        ];
        const cpuMs = (cpu.user + cpu.system) / 1000;
        const indexFailures = sum([...failures].filter(([what]) => what.includes('indexes kept changing')).map(([, count]) => count));
        const timeouts = sum([...failures].filter(([what]) => what.includes('States.Timeout')).map(([, count]) => count));
        const notes = [
          `Submissions: ${integer(REPORTS / (submitWindow / 1000))}/s (${REPORTS} in ${seconds(submitWindow)}).`,
          `Capacity: every emulated service runs in this one Node process, whose main thread was busy ${(loop.utilization * 100).toFixed(0)} % of the burst; it used ` +
            `${ms(cpuMs / REPORTS)} of CPU per report, so ${REPORTS} reports need ${seconds(cpuMs, 0)} of CPU, and the machine gave the process ` +
            `${((cpuMs / clockMs) * 100).toFixed(0)} % of one core (load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} on ${os.cpus().length} cores at the end).`,
          // they were found on the default chain's burst, and its table is the one they explain
          ...(chainName === 'default' ? CPU_FINDINGS : []),
          ...(indexFailures > 0
            ? [
                `Index rebuilds: a Publish finishes only when no other report is published between its index write and its re-read of the list; while ` +
                  `reports keep being published, none finishes (first one after ${seconds(publishedTimes[0] ?? Number.NaN, 1)}). ${indexFailures} Publish attempts gave up after ` +
                  `5 rewrites and were retried by Step Functions 5–20 s later; ${listings} list reads and ${indexPuts} index PUTs for ${REPORTS} reports.`,
              ]
            : []),
          ...(timeouts > 0
            ? [
                `${timeouts} Publish attempts ran past the local engine's default task timeout (60 s; the definition sets none for Publish, so in AWS the ` +
                  'Lambda timeout applies) and were started again while still running.',
              ]
            : []),
          ...[...failures].map(([what, count]) => `Failed task attempts, ${what}: ${count}`),
          ...(problems.length > 0 ? [`Problems (first 10): ${problems.slice(0, 10).join('; ')}`] : []),
          ...(logProblems.length > 0
            ? [
                `Log lines at warn/error: ${[...new Set(logProblems.map((line) => `${line.message} ${JSON.stringify(line.details).slice(0, 200)}`))].slice(0, 5).join('; ')}`,
              ]
            : []),
        ];
        return { columns: ['Measure', 'Value'], rows, targets, notes };
      } finally {
        await stack.dispose();
      }
    },
  };
}

/** The time per agency the burst on a chain is held to: the default chain's, scaled by the tasks a report runs. */
export const targetMsPerAgency = (chainName: BurstChain): number =>
  (MS_PER_AGENCY * tasksPerReport(BURST_CHAINS[chainName])) / tasksPerReport(DEFAULT_CHAIN);

/** `npm run bench -- burst [--agencies N] [--chain NAME]`: the burst at N agencies (300 unless given) on that chain. */
export const burstOf = (agencies: number, chainName: BurstChain = 'default'): Benchmark =>
  burstBenchmark(chainName === 'default' ? 'burst' : `burst-${chainName}`, agencies, agencies * targetMsPerAgency(chainName), chainName);

export const burst = burstBenchmark('burst', 300, 45_000);
export const burst1000 = burstBenchmark('burst-1000', 1000, 1000 * MS_PER_AGENCY);
export const burstFourStep = burstOf(300, 'four-step');
