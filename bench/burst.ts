import os from 'node:os';
import { performance as hooks } from 'node:perf_hooks';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { LOCAL_STATE_MACHINE_ARN } from '#infra/local/definition.js';
import { verifyChain } from '#shared/workflow/chain.js';
import type { Benchmark, BenchmarkResult, Target } from './run.js';
import { autoDecide, benchAgencies, reportIdOf, reportOf, seedAgencies, signIn, startBenchStack, type Client } from './support/stack.js';
import { integer, mapLimit, marginUnder, ms, quantile, seconds, sleep, sum } from './support/stats.js';

/**
 * A burst: 300 agencies submit at the same moment, every review is decided by script as soon as it is emailed, and
 * the time until the last report is published is measured; then nothing may be lost or done twice.
 */

const REPORTS = 300;
const TARGET_MS = 60_000;
/** sign-ins before the clock: this many people at a time */
const SIGN_IN_CONCURRENCY = 16;
/** give up waiting for the burst after this long */
const GIVE_UP_MS = 180_000;
const EXPECTED_EVENTS = ['submitted', 'review_requested', 'decided', 'review_requested', 'decided', 'published'];

const latencies = (values: readonly number[]) => `p50 ${ms(quantile(values, 0.5))}, p95 ${ms(quantile(values, 0.95))}, max ${ms(Math.max(...values))}`;
const statuses = (values: readonly number[]) =>
  [...values.reduce((counts, status) => counts.set(status, (counts.get(status) ?? 0) + 1), new Map<number, number>())]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status} × ${count}`)
    .join(', ');

export const burst: Benchmark = {
  id: 'burst',
  title: `Burst: ${REPORTS} reports from ${REPORTS} agencies at once (local stack)`,
  method: [
    `A fresh local stack (as in the end-to-end benchmark). Before the clock: ${REPORTS} agencies, each with an officer, a director and a ` +
      `leader, written straight to the store (putAgency, putRosterEntry), and all ${REPORTS * 3} people signed in over the API (code request, ` +
      `code from the email, session), ${SIGN_IN_CONCURRENCY} at a time.`,
    `Clock starts: the ${REPORTS} officers POST /api/reports all at once (one Promise.all; the reference report as each agency's own 2020 report). ` +
      'Every review email is answered as soon as it is sent (the outbox watched in-process) by its approver\'s POST /api/reviews/{id}/decision (approve). ' +
      'A report counts as published when its `published` event is committed (the store\'s appendEvent watched in-process); the clock stops at the last one.',
    'Submissions/s = 300 ÷ the time until the last of the 300 POSTs answered. Decision latency = from the review email to the decision POST\'s answer.',
    'Then, off the clock: every report\'s event log read back — exactly one `published`, the hash chain valid, the events exactly submitted, review_requested, ' +
      'decided, review_requested, decided, published; every execution SUCCEEDED and its history searched for failed or timed-out tasks (retries); emails ' +
      'counted per recipient (officer: code + 已公开; director and leader: code + 请审核, nothing else); the public root index read for all 300 agencies.',
    `Task retries use the definition's own intervals (5 s, ×2). Target: all ${REPORTS} published within ${TARGET_MS / 1000} s of the first POST, ` +
      'none lost or duplicated.',
  ],
  async run(log): Promise<BenchmarkResult> {
    const stackStarted = performance.now();
    const stack = await startBenchStack();
    log(`stack up in ${seconds(performance.now() - stackStarted, 1)}`);
    try {
      const agencies = benchAgencies('bench-burst', REPORTS);
      let started = performance.now();
      await seedAgencies(stack, agencies);
      const seedMs = performance.now() - started;
      log(`seeded ${REPORTS} agencies in ${seconds(seedMs, 1)}`);

      started = performance.now();
      const people = agencies.flatMap((agency) => [agency.officer, agency.director, agency.leader]);
      const clients = await mapLimit(people, SIGN_IN_CONCURRENCY, (email) => signIn(stack, email));
      const byEmail = new Map<string, Client>(clients.map((client) => [client.email, client]));
      const signInMs = performance.now() - started;
      log(`signed in ${people.length} people in ${seconds(signInMs, 1)}`);
      const approvers = new Map([...byEmail].filter(([email]) => !email.startsWith('officer@')));
      const decider = autoDecide(stack, approvers);
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
        if (object.key.endsWith('/report.json') || /\/\d{4}\/index\.html$/.test(object.key)) reportPuts += 1;
        else indexPuts += 1;
        return put(object);
      };
      const store = stack.deps.store;
      const listPublished = store.listPublished.bind(store);
      store.listPublished = () => {
        listings += 1;
        return listPublished();
      };

      // ---- the clock
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
      await Promise.race([done, new Promise<void>((resolve) => (giveUp = setTimeout(() => ((timedOut = true), resolve()), GIVE_UP_MS)))]);
      clearTimeout(giveUp);
      const clockMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpuBefore);
      const loop = hooks.eventLoopUtilization(loopBefore);
      const publishedTimes = [...published.values()].map((at) => at - t0).sort((a, b) => a - b);
      const allMs = timedOut ? Number.NaN : Math.max(...publishedTimes);
      log(timedOut ? `gave up after ${GIVE_UP_MS / 1000} s: ${published.size} of ${REPORTS} published` : `all ${REPORTS} published after ${seconds(allMs)}`);
      // ---- off the clock

      await decider.settled();
      const decisionLatency = decider.decisions.map((decision) => decision.answeredAt - decision.emailedAt);
      let onePublished = 0;
      let chainsValid = 0;
      let sequencesExact = 0;
      let executionsSucceeded = 0;
      const failures = new Map<string, number>();
      const problems: string[] = [];
      const sfn = new SFNClient({ endpoint: stack.sfnEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      await mapLimit(agencies, 8, async (agency) => {
        const reportId = reportIdOf(agency);
        const events = await stack.deps.store.listEvents(reportId);
        const types = events.map((event) => event.type);
        if (types.filter((type) => type === 'published').length === 1) onePublished += 1;
        else problems.push(`${reportId}: ${types.filter((type) => type === 'published').length} published events`);
        if (verifyChain(reportId, events).valid) chainsValid += 1;
        else problems.push(`${reportId}: chain invalid`);
        if (types.join() === EXPECTED_EVENTS.join()) sequencesExact += 1;
        else problems.push(`${reportId}: events ${types.join(', ')}`);
        const execution = `${reportId}-r1`;
        // the `published` event comes a moment before the task returns and the execution ends: wait for that (off the clock)
        let description = await stack.deps.workflow.describe(execution);
        for (const deadline = Date.now() + 60_000; description?.status === 'RUNNING' && Date.now() < deadline; ) {
          await sleep(100);
          description = await stack.deps.workflow.describe(execution);
        }
        if (description?.status === 'SUCCEEDED') executionsSucceeded += 1;
        else problems.push(`${execution}: ${description?.status ?? 'missing'}`);
        const history: HistoryEvent[] = [];
        let nextToken: string | undefined;
        do {
          const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${execution}`, maxResults: 1000, nextToken }));
          history.push(...(page.events ?? []));
          nextToken = page.nextToken;
        } while (nextToken !== undefined);
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
      for (const agency of agencies) {
        const subjects = (to: string) => allMail.filter((mail) => mail.to === to).map((mail) => mail.subject);
        const kinds = (to: string) =>
          subjects(to)
            .map((subject) => (subject.includes('验证码') ? 'code' : /^请(审核|会签|签发)：/.test(subject) ? 'review' : subject.startsWith('已公开') ? 'published' : subject))
            .sort()
            .join();
        const expected = [
          [agency.officer, 'code,published'],
          [agency.director, 'code,review'],
          [agency.leader, 'code,review'],
        ] as const;
        for (const [to, want] of expected) {
          if (kinds(to) === want) recipientsExact += 1;
          else problems.push(`${to}: emails ${kinds(to)}`);
        }
      }
      const rootIndex = await (await fetch(new URL('/site/index.html', stack.url))).text();
      const listed = agencies.filter((agency) => rootIndex.includes(`reports/${agency.id}/index.html`)).length;
      if (listed !== REPORTS) problems.push(`the root index lists ${listed} of ${REPORTS} agencies`);
      const logProblems = stack.logs.filter((line) => line.level === 'warn' || line.level === 'error');

      const intact = !timedOut && onePublished === REPORTS && chainsValid === REPORTS && sequencesExact === REPORTS && executionsSucceeded === REPORTS && recipientsExact === REPORTS * 3 && listed === REPORTS;
      const rows: string[][] = [
        ['setup: agencies and roster written (off the clock)', `${REPORTS} agencies, ${REPORTS * 3} roster entries in ${seconds(seedMs, 1)}`],
        ['setup: sign-ins over the API (off the clock)', `${people.length} in ${seconds(signInMs, 1)} = ${integer(people.length / (signInMs / 1000))} sign-ins/s (${SIGN_IN_CONCURRENCY} at a time)`],
        ['submissions: the 300 POSTs answered within', seconds(submitWindow)],
        ['submissions/s', integer(REPORTS / (submitWindow / 1000))],
        ['submission answers', statuses(submissions.map((s) => s.status))],
        ['submission latency', latencies(submissions.map((s) => s.latency))],
        ['decisions (600 POSTs, each as its email was sent)', `${statuses(decider.decisions.map((d) => d.status))}; email → answer ${latencies(decisionLatency)}`],
        ['first report published after', seconds(publishedTimes[0] ?? Number.NaN)],
        ['half published after', seconds(quantile(publishedTimes, 0.5))],
        ['all published after', timedOut ? `not within ${GIVE_UP_MS / 1000} s (${published.size} of ${REPORTS})` : seconds(allMs)],
        ['reports with exactly one `published` event', `${onePublished} / ${REPORTS}`],
        ['hash chains valid', `${chainsValid} / ${REPORTS}`],
        ['event logs exactly as expected (no repeats, nothing missing)', `${sequencesExact} / ${REPORTS}`],
        ['executions SUCCEEDED', `${executionsSucceeded} / ${REPORTS}`],
        ['failed or timed-out task attempts (retried) in the histories', String([...failures.values()].reduce((a, b) => a + b, 0))],
        ['recipients with exactly the expected emails', `${recipientsExact} / ${REPORTS * 3}`],
        ['emails sent during the burst', `${burstMail.length} (expected ${REPORTS * 3}: 2 reviews and 1 已公开 per report)`],
        ['agencies on the public root index', `${listed} / ${REPORTS}`],
        ['handler log lines at warn/error', String(logProblems.length)],
        [
          'the process during the burst (every service in it)',
          `main thread busy ${(loop.utilization * 100).toFixed(0)} % of ${seconds(clockMs, 1)}; CPU ${seconds((cpu.user + cpu.system) / 1000, 1)} ` +
            `(${(((cpu.user + cpu.system) / 1000 / clockMs) * 100).toFixed(0)} % of one core) = ${ms((cpu.user + cpu.system) / 1000 / REPORTS)} per report`,
        ],
        ['site index rebuilds: published-list reads, index PUTs', `${integer(listings)} reads (${(listings / REPORTS).toFixed(1)} per report), ${integer(indexPuts)} index PUTs (${(indexPuts / REPORTS).toFixed(1)} per report); ${integer(reportPuts)} report page/JSON PUTs`],
      ];
      const targets: Target[] = [
        {
          name: `burst: all ${REPORTS} published`,
          target: `≤ ${TARGET_MS / 1000} s`,
          measured: timedOut ? `> ${GIVE_UP_MS / 1000} s` : seconds(allMs),
          pass: !timedOut && allMs <= TARGET_MS,
          margin: timedOut ? `over by > ${(GIVE_UP_MS - TARGET_MS) / 1000} s` : marginUnder(allMs, TARGET_MS),
        },
        {
          name: `burst: nothing lost or duplicated (${REPORTS} reports)`,
          target: '0 lost, 0 duplicated',
          measured: intact ? '0 lost, 0 duplicated' : `${REPORTS - onePublished} reports without exactly one published event; ${problems.length} problems`,
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
          `${(((cpuMs / clockMs) * 100)).toFixed(0)} % of one core (load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} on ${os.cpus().length} cores at the end).`,
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
        ...(logProblems.length > 0 ? [`Log lines at warn/error: ${[...new Set(logProblems.map((line) => `${line.message} ${JSON.stringify(line.details).slice(0, 200)}`))].slice(0, 5).join('; ')}`] : []),
      ];
      return { columns: ['Measure', 'Value'], rows, targets, notes };
    } finally {
      await stack.dispose();
    }
  },
};
