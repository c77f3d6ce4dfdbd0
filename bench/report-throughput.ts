import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkAndParseReport, checkReport } from '#shared/report/checks.js';
import { renderReportHtml } from '#shared/report/render.js';
import { parseReport } from '#shared/report/schema.js';
import type { Benchmark, BenchmarkResult, Target } from './run.js';

/**
 * Validate + render throughput on one core: what one API/Lambda instance does for each report it is sent
 * (`checkAndParseReport` on the submitted JSON, then `renderReportHtml` of the report it gives). Single thread, one
 * process.
 */

export const TARGET_PER_SECOND = 5_000;
const WARM_UP_ITERATIONS = 500;
const RUNS = 7;
/** a timed run ends at whichever comes first */
const RUN_MIN_ITERATIONS = 2_000;
const RUN_MAX_MS = 2_000;

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url)), 'utf8'));

interface Case {
  readonly name: string;
  /** the reports the loop cycles through */
  readonly reports: readonly unknown[];
}

const REFERENCE = fixture('daxing-kw-2020.beijing-2019.json');
const NATIONAL_2021 = fixture('daxing-kw-2021.national-2021.json');

const CASES: readonly Case[] = [
  { name: 'reference (beijing-2019, 2020)', reports: [REFERENCE] },
  { name: '2021 fixture (national-2021)', reports: [NATIONAL_2021] },
  { name: 'mixed (alternating the two)', reports: [REFERENCE, NATIONAL_2021] },
];

/** Kept alive so no work can be optimised away; also checked, so the loop measures what it claims to. */
let sink = 0;

interface Operation {
  readonly name: string;
  readonly target: boolean;
  readonly step: (report: unknown) => void;
}

const OPERATIONS: readonly Operation[] = [
  {
    name: 'validate+render',
    target: true,
    step: (report) => {
      const { result, report: parsed } = checkAndParseReport(report);
      if (!result.valid || parsed === undefined) throw new Error('benchmark fixture is not valid');
      sink += renderReportHtml(parsed).length;
    },
  },
  {
    name: 'validate+render, as separate calls (checkReport, then renderReportHtml(parseReport))',
    target: false,
    step: (report) => {
      const result = checkReport(report);
      if (!result.valid) throw new Error('benchmark fixture is not valid');
      sink += renderReportHtml(parseReport(report)).length;
    },
  },
  {
    name: 'validate only (checkReport)',
    target: false,
    step: (report) => {
      sink += checkReport(report).warnings.length + 1;
    },
  },
  {
    name: 'render only (parseReport + renderReportHtml)',
    target: false,
    step: (report) => {
      sink += renderReportHtml(parseReport(report)).length;
    },
  },
];

interface Measurement {
  /** reports per second of each timed run, by the wall clock */
  readonly perSecond: number[];
  /** reports per second of CPU time this process spent in each timed run: per core, whatever else the machine runs */
  readonly perCpuSecond: number[];
  /** every timed iteration, microseconds */
  readonly latencies: Float64Array;
}

function measure(operation: Operation, reports: readonly unknown[]): Measurement {
  const count = reports.length;
  const next = (i: number): unknown => reports[i % count];
  for (let i = 0; i < WARM_UP_ITERATIONS; i++) operation.step(next(i));

  const perSecond: number[] = [];
  const perCpuSecond: number[] = [];
  const latencies: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let before = started;
    let iterations = 0;
    while (iterations < RUN_MIN_ITERATIONS && before - started < RUN_MAX_MS) {
      operation.step(next(iterations));
      const after = performance.now();
      latencies.push((after - before) * 1000);
      before = after;
      iterations++;
    }
    perSecond.push(iterations / ((before - started) / 1000));
    const cpu = process.cpuUsage(cpuBefore);
    perCpuSecond.push(iterations / ((cpu.user + cpu.system) / 1e6));
  }
  return { perSecond, perCpuSecond, latencies: Float64Array.from(latencies) };
}

function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values), 0.5);
}

/** nearest-rank quantile */
function quantile(values: Float64Array, q: number): number {
  const sorted = values.slice().sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
const micros = (value: number): string => value.toFixed(0);
const margin = (measured: number, target: number): string => {
  const percent = (measured / target - 1) * 100;
  return `${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(0)} % (×${(measured / target).toFixed(2)})`;
};

export const reportThroughput: Benchmark = {
  id: 'report-throughput',
  title: 'Validate + render throughput (one core)',
  method: [
    'One process, one thread (= one core); fixtures from test/fixtures, read once before timing.',
    '"validate+render" is `checkAndParseReport(report)` then `renderReportHtml` of the report it gives: every finding of `checkReport` and ' +
      'the report of `parseReport`, with the template schema run once; "as separate calls" is the same work done as ' +
      '`checkReport(report)` then `renderReportHtml(parseReport(report))`; "validate only" and "render only" time the two halves ' +
      'separately so a regression can be attributed.',
    `Per case and operation: ${WARM_UP_ITERATIONS} warm-up iterations, then ${RUNS} timed runs, each ending after ` +
      `${RUN_MIN_ITERATIONS.toLocaleString('en-US')} iterations or ${RUN_MAX_MS / 1000} s, whichever comes first.`,
    'reports/s is the median of the runs by the wall clock; reports/CPU-s is the median of the runs by the CPU time the process ' +
      'used, which is what one core does whatever else the machine runs; p50/p95 are per-report latencies (µs) over every ' +
      'timed iteration of all runs.',
    `Target: ≥ ${TARGET_PER_SECOND.toLocaleString('en-US')} reports/s/core for validate+render, judged on reports/CPU-s.`,
  ],
  run(log): BenchmarkResult {
    const rows: string[][] = [];
    const targets: Target[] = [];
    for (const testCase of CASES) {
      for (const operation of OPERATIONS) {
        const { perSecond, perCpuSecond, latencies } = measure(operation, testCase.reports);
        const wall = median(perSecond);
        const rate = median(perCpuSecond);
        const pass = rate >= TARGET_PER_SECOND;
        const verdict = operation.target ? `${pass ? 'PASS' : 'MISS'} ${margin(rate, TARGET_PER_SECOND)}` : '—';
        const row = [
          testCase.name,
          operation.name,
          integer(wall),
          `${integer(Math.min(...perSecond))}–${integer(Math.max(...perSecond))}`,
          integer(rate),
          micros(quantile(latencies, 0.5)),
          micros(quantile(latencies, 0.95)),
          operation.target ? `≥ ${integer(TARGET_PER_SECOND)}` : '—',
          verdict,
        ];
        rows.push(row);
        const rates = `${row[2]} reports/s, ${row[4]} reports/CPU-s`;
        log(`${testCase.name} · ${operation.name}: ${rates}, p50 ${row[5]} µs, p95 ${row[6]} µs ${operation.target ? verdict : ''}`);
        if (operation.target) {
          targets.push({
            name: `validate+render, ${testCase.name}`,
            target: `≥ ${integer(TARGET_PER_SECOND)} reports/s/core`,
            measured: `${integer(rate)} reports/CPU-s`,
            pass,
            margin: margin(rate, TARGET_PER_SECOND),
          });
        }
      }
    }
    if (sink === 0) throw new Error('the benchmark did no work');
    return {
      columns: ['Case', 'Operation', 'Median reports/s', 'Runs min–max', 'Median reports/CPU-s', 'p50 µs', 'p95 µs', 'Target', 'Result'],
      rows,
      targets,
    };
  },
};
