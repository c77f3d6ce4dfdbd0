import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';

/**
 * Where a cold import's time goes, from a V8 CPU profile of the importing process (`node --cpu-prof`): V8 parsing and
 * compiling the module, the bundle's own code running (its modules' top-level statements and what they call),
 * garbage collection, and the rest (Node starting and loading). The bundle's share is split by the package each
 * sampled function came from, found through the bundle's source map.
 */

const CpuProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number(), columnNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface ImportTime {
  readonly compileMs: number;
  readonly gcMs: number;
  /** the bundle's own code, by package ('project' for the repository's files; TOP_LEVEL for the module's own statements) */
  readonly bundleMs: ReadonlyMap<string, number>;
  readonly otherMs: number;
}

/** the bundle's top-level statements, which no one package owns */
export const TOP_LEVEL = 'top-level statements';

const COMPILE_FUNCTIONS = new Set(['compileSourceTextModule', 'compileFunction', 'wrapSafe']);

/** 'zod', '@smithy/core', or 'project' for a source outside node_modules */
export function packageOfSource(source: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  return match?.[1] ?? 'project';
}

export function importTimeOf(profileFile: string, bundleFile: string): ImportTime {
  const profile = CpuProfileSchema.parse(JSON.parse(readFileSync(profileFile, 'utf8')));
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
  const bundleUrl = pathToFileURL(bundleFile).href;
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  let compileMs = 0;
  let gcMs = 0;
  let otherMs = 0;
  const bundleMs = new Map<string, number>();
  for (const node of profile.nodes) {
    const spent = selfMs.get(node.id) ?? 0;
    if (spent === 0) continue;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') continue;
    if (COMPILE_FUNCTIONS.has(frame.functionName)) compileMs += spent;
    else if (frame.functionName === '(garbage collector)') gcMs += spent;
    else if (frame.url === bundleUrl && frame.lineNumber === 0 && frame.columnNumber === 0) {
      // the module itself: a bundle runs every package's top-level statements in this one function
      bundleMs.set(TOP_LEVEL, (bundleMs.get(TOP_LEVEL) ?? 0) + spent);
    } else if (frame.url === bundleUrl) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
      const source = 'originalSource' in entry ? entry.originalSource : '';
      const owner = source === '' ? 'project' : packageOfSource(source);
      bundleMs.set(owner, (bundleMs.get(owner) ?? 0) + spent);
    } else otherMs += spent;
  }
  return { compileMs, gcMs, bundleMs, otherMs };
}

/** The mean of several imports' times, part by part. */
export function meanImportTime(times: readonly ImportTime[]): ImportTime {
  const n = Math.max(1, times.length);
  const sum = (pick: (time: ImportTime) => number) => times.reduce((total, time) => total + pick(time), 0) / n;
  const bundleMs = new Map<string, number>();
  for (const time of times) for (const [owner, spent] of time.bundleMs) bundleMs.set(owner, (bundleMs.get(owner) ?? 0) + spent / n);
  return { compileMs: sum((t) => t.compileMs), gcMs: sum((t) => t.gcMs), bundleMs, otherMs: sum((t) => t.otherMs) };
}
