import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { administration } from './administration.js';
import { burst } from './burst.js';
import { costPerReport } from './cost-per-report.js';
import { endToEnd } from './end-to-end.js';
import { lambdaBundles } from './lambda-bundles.js';
import { reportThroughput } from './report-throughput.js';

/**
 * `npm run bench`: runs every benchmark module in BENCHMARKS below, one after the other in this one process, prints
 * the tables to stdout and overwrites BENCHMARKS.md at the project root with them.
 *
 * To add a benchmark (Lambda bundle sizes, the local stack's end-to-end time, a burst of 300 reports, cost per
 * report, ...):
 *   1. create `bench/<name>.ts` exporting a `Benchmark` (below): a stable `id` and `title`, the `method` in a few
 *      lines, and `run()` returning the columns and rows of its markdown table plus any `targets` it checks;
 *   2. add it to the BENCHMARKS list, after the existing ones (the order is the order of BENCHMARKS.md's sections,
 *      so appending keeps diffs of the file readable);
 *   3. keep the whole `npm run bench` under ~5 minutes on a 2-core machine: give the module a time budget and say it in
 *      `method`.
 * A module that needs something the machine may not have (a built bundle, a running stack) should return a row
 * saying it was skipped rather than throw; a module that throws is reported as failed and the others still run.
 *
 * `npm run bench -- <id> [<id>...]` runs only those modules and prints their tables without touching BENCHMARKS.md.
 */

/** A target a benchmark is held to: one line of the summary table. */
export interface Target {
  /** what was measured, e.g. "validate+render, reference report" */
  readonly name: string;
  /** the goal as text, e.g. "≥ 5,000 reports/s/core" */
  readonly target: string;
  /** the measurement as text, same unit as the target */
  readonly measured: string;
  /** undefined: a figure worth seeing in the summary that has no target (shown as —) */
  readonly pass: boolean | undefined;
  /** how far above (+) or below (−) the target, e.g. "+12 %" */
  readonly margin: string;
}

export interface BenchmarkResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly targets: readonly Target[];
  /** short findings printed under the table */
  readonly notes?: readonly string[];
}

export interface Benchmark {
  /** stable, kebab-case; also the file name under bench/ */
  readonly id: string;
  /** the section heading in BENCHMARKS.md */
  readonly title: string;
  /** how it is measured, one markdown line per item */
  readonly method: readonly string[];
  run(log: (line: string) => void): Promise<BenchmarkResult> | BenchmarkResult;
}

const BENCHMARKS: readonly Benchmark[] = [reportThroughput, lambdaBundles, endToEnd, burst, costPerReport, administration];

// ---------------------------------------------------------------------------------------------------------------

const COMMAND = 'npm run bench';
const OUTPUT = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function markdownTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map(line)].join('\n');
}

/** the machine's load when the run started: other work on the machine shows in every timing */
const LOAD_AT_START = os.loadavg();

function environment(): [string, string][] {
  const cpus = os.cpus();
  const load = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return [
    ['Date', new Date().toISOString()],
    ['Machine', cpus[0]?.model.trim() ?? 'unknown CPU'],
    ['Cores', String(cpus.length)],
    ['Memory', gib(os.totalmem())],
    ['OS', `${os.platform()} ${os.release()}`],
    ['Node', process.version],
    ['Load average (1/5/15 min)', `${load(LOAD_AT_START)} at the start, ${load(os.loadavg())} at the end`],
    ['Command', `\`${COMMAND}\``],
  ];
}

interface Outcome {
  readonly benchmark: Benchmark;
  readonly result?: BenchmarkResult;
  readonly error?: string;
  readonly seconds: number;
}

function summary(outcomes: readonly Outcome[]): string {
  const rows = outcomes.flatMap(({ benchmark, result, error }) =>
    error !== undefined
      ? [[benchmark.title, '—', '—', 'FAILED', error]]
      : (result?.targets ?? []).map((t) => [t.name, t.target, t.measured, t.pass === undefined ? '—' : t.pass ? 'PASS' : 'MISS', t.margin]),
  );
  return markdownTable(['Benchmark', 'Target', 'Measured', 'Result', 'Margin'], rows);
}

function section({ benchmark, result, error, seconds }: Outcome): string {
  const parts = [`## ${benchmark.title}`, '', 'Method:', '', ...benchmark.method.map((line) => `- ${line}`), ''];
  if (error !== undefined) parts.push(`**Failed:** ${error}`);
  else if (result) {
    parts.push(markdownTable(result.columns, result.rows));
    if (result.notes?.length) parts.push('', ...result.notes.map((note) => `- ${note}`));
  }
  parts.push('', `_Took ${seconds.toFixed(1)} s._`);
  return parts.join('\n');
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const only = process.argv.slice(2);
  const unknown = only.filter((id) => !BENCHMARKS.some((benchmark) => benchmark.id === id));
  if (unknown.length > 0) throw new Error(`no benchmark ${unknown.join(', ')}; there are ${BENCHMARKS.map((b) => b.id).join(', ')}`);
  const selected = only.length === 0 ? BENCHMARKS : BENCHMARKS.filter((benchmark) => only.includes(benchmark.id));
  const outcomes: Outcome[] = [];
  for (const benchmark of selected) {
    log(`▶ ${benchmark.id}`);
    const started = performance.now();
    try {
      const result = await benchmark.run((line) => log(`  ${line}`));
      outcomes.push({ benchmark, result, seconds: (performance.now() - started) / 1000 });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(message);
      outcomes.push({ benchmark, error: message.split('\n')[0] ?? '', seconds: (performance.now() - started) / 1000 });
    }
  }

  const document = [
    '# Benchmarks',
    '',
    `Written by \`${COMMAND}\` (bench/run.ts), which overwrites this file on every run: do not edit it by hand.`,
    '',
    '## Environment',
    '',
    markdownTable(['', ''], environment()),
    '',
    '## Summary',
    '',
    summary(outcomes),
    '',
    ...outcomes.flatMap((outcome) => [section(outcome), '']),
  ].join('\n');

  process.stdout.write(`${document}\n`);
  if (only.length === 0) {
    await writeFile(OUTPUT, document, 'utf8');
    log(`wrote ${OUTPUT}`);
  } else log(`ran ${only.join(', ')} only: ${OUTPUT} left as it was`);
  if (outcomes.some((outcome) => outcome.error !== undefined)) process.exitCode = 1;
}

await main();
