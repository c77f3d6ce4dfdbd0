import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { administration } from './administration.js';
import { BURST_CHAINS, burst, burst1000, burstFourStep, burstOf, isBurstChain } from './burst.js';
import { costPerReport, idleCost } from './cost-per-report.js';
import { documents } from './documents.js';
import { endToEnd } from './end-to-end.js';
import { lambdaBundles } from './lambda-bundles.js';
import { localStart } from './local-start.js';
import { reportThroughput } from './report-throughput.js';
import { signInTiming } from './sign-in-timing.js';

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
 * With `--update` it also replaces their sections and summary rows in BENCHMARKS.md (the run is listed in its
 * environment table); `--agencies N` runs the burst at N agencies, `--chain four-step` runs it on the four-step chain
 * (its own section, `burst-four-step`).
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

const BENCHMARKS: readonly Benchmark[] = [
  reportThroughput,
  lambdaBundles,
  endToEnd,
  burst,
  burst1000,
  costPerReport,
  idleCost,
  localStart,
  signInTiming,
  documents,
  administration,
  burstFourStep,
];

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

/** Summary rows of earlier runs whose names carry their figures: replaced by a benchmark's new rows as a group. */
const SUMMARY_PREFIXES: Readonly<Record<string, readonly string[]>> = { 'lambda-bundles': ['bundle size, ', 'cold import, '] };

/**
 * `npm run bench -- <id>... --update`: the document with only those benchmarks' sections and summary rows replaced
 * (or added), and the run listed in the environment table; everything else stays as the last full run wrote it.
 */
function updatedDocument(previous: string, outcomes: readonly Outcome[], command: string): string {
  const parts = previous.split(/\n(?=## )/);
  const summaryIndex = parts.findIndex((part) => part.startsWith('## Summary'));
  const environmentIndex = parts.findIndex((part) => part.startsWith('## Environment'));
  for (const outcome of outcomes) {
    const fresh = section(outcome);
    const at = parts.findIndex((part) => part.startsWith(`## ${outcome.benchmark.title}\n`));
    if (at === -1) parts.push(`${fresh}\n`);
    else parts[at] = `${fresh}\n`;
    if (summaryIndex === -1) continue;
    const newRows = summary([outcome]).split('\n').slice(2);
    const names = new Set((outcome.result?.targets ?? []).map((target) => `| ${cell(target.name)} |`));
    const prefixes = (SUMMARY_PREFIXES[outcome.benchmark.id] ?? []).map((prefix) => `| ${prefix}`);
    const lines = (parts[summaryIndex] ?? '').split('\n');
    const stale = (line: string) => [...names].some((name) => line.startsWith(name)) || prefixes.some((prefix) => line.startsWith(prefix));
    const first = lines.findIndex(stale);
    const kept = lines.filter((line) => !stale(line));
    const tableEnd = kept.findLastIndex((line) => line.startsWith('|'));
    kept.splice(first === -1 ? tableEnd + 1 : first, 0, ...newRows);
    parts[summaryIndex] = kept.join('\n');
  }
  if (environmentIndex !== -1) {
    const load = os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' / ');
    const ids = outcomes.map((outcome) => outcome.benchmark.id).join(', ');
    const row = `| Updated | ${new Date().toISOString()}: \`${cell(command)}\` (${ids}; load average ${load} at the end) |`;
    const lines = (parts[environmentIndex] ?? '').split('\n');
    lines.splice(lines.findLastIndex((line) => line.startsWith('|')) + 1, 0, row);
    parts[environmentIndex] = lines.join('\n');
  }
  return parts.join('\n');
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const update = process.argv.includes('--update');
  const args = process.argv.slice(2).filter((arg) => arg !== '--update');
  // `--agencies N` and `--chain NAME`: the burst at N agencies instead of 300, on that chain
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : (args[at + 1] ?? '');
  };
  const agenciesText = option('--agencies');
  const agencies = agenciesText === undefined ? undefined : Number(agenciesText);
  if (agencies !== undefined && !(Number.isInteger(agencies) && agencies > 0))
    throw new Error(`--agencies needs a whole number, not ${agenciesText}`);
  const chain = option('--chain');
  if (chain !== undefined && !isBurstChain(chain))
    throw new Error(`--chain takes one of ${Object.keys(BURST_CHAINS).join(', ')}, not ${chain === '' ? '(nothing)' : chain}`);
  const only = args.filter(
    (arg, index) => !['--agencies', '--chain'].includes(arg) && !['--agencies', '--chain'].includes(args[index - 1] ?? ''),
  );
  const unknown = only.filter((id) => !BENCHMARKS.some((benchmark) => benchmark.id === id));
  if (unknown.length > 0) throw new Error(`no benchmark ${unknown.join(', ')}; there are ${BENCHMARKS.map((b) => b.id).join(', ')}`);
  // `burst` takes both options; `burst-four-step` (the same burst on its chain) takes the size
  const sized = (benchmark: Benchmark): Benchmark => {
    if (benchmark.id === 'burst' && (agencies !== undefined || chain !== undefined)) return burstOf(agencies ?? 300, chain ?? 'default');
    if (benchmark.id === burstFourStep.id && agencies !== undefined) return burstOf(agencies, 'four-step');
    return benchmark;
  };
  const selected = (only.length === 0 ? BENCHMARKS : BENCHMARKS.filter((benchmark) => only.includes(benchmark.id))).map(sized);
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
  if (update && only.length > 0) {
    await writeFile(OUTPUT, updatedDocument(await readFile(OUTPUT, 'utf8'), outcomes, `npm run bench -- ${args.join(' ')}`), 'utf8');
    log(`updated the sections of ${only.join(', ')} in ${OUTPUT}`);
  } else if (only.length === 0) {
    await writeFile(OUTPUT, document, 'utf8');
    log(`wrote ${OUTPUT}`);
  } else log(`ran ${only.join(', ')} only: ${OUTPUT} left as it was`);
  if (outcomes.some((outcome) => outcome.error !== undefined)) process.exitCode = 1;
}

await main();
