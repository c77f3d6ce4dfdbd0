import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * `npx tsx bench/support/profile-summary.ts <file.cpuprofile> [rows]`: where a V8 CPU profile's time went — self
 * time by package (node_modules/<name>, or the project's own folder, or node: internals) and by function, and the
 * total (self + callees) time of the project's own and the packages' entry points, so a cost can be traced to its caller.
 */

const Node = z.object({
  id: z.number(),
  callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
  children: z.array(z.number()).optional(),
});
const Profile = z.object({ nodes: z.array(Node), samples: z.array(z.number()), timeDeltas: z.array(z.number()) });

const [file, rowsArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [rows]');
const rows = Number(rowsArg ?? 30);
const profile = Profile.parse(JSON.parse(readFileSync(file, 'utf8')));

function packageOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'program'})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  const project = url.match(/\/(shared|infra|functions|bench|bin|scripts)\/(.*)$/);
  return project ? `${project[1]}/${project[2]}` : url;
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const selfUs = new Map<number, number>();
for (const [index, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idleUs = [...selfUs]
  .filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)?.callFrame.functionName ?? ''))
  .reduce((a, [, us]) => a + us, 0);

const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (frame === undefined) continue;
  add(byPackage, packageOf(frame.url, frame.functionName), us);
  add(byFunction, `${frame.functionName || '(anonymous)'} ${packageOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}`, us);
  // total time: every distinct project/package frame on the stack gets the sample once
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at)?.callFrame;
    if (f === undefined || f.url === '') continue;
    const key = `${f.functionName || '(anonymous)'} ${packageOf(f.url, f.functionName)}:${f.lineNumber + 1}`;
    if (!seen.has(key)) add(inclusive, key, us);
    seen.add(key);
  }
}
const pct = (us: number) => `${((us / (totalUs - idleUs)) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms`;
const top = (title: string, map: Map<string, number>, count: number) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) console.log(`${pct(us)}  ${key}`);
};
console.log(
  `sampled ${(totalUs / 1000).toFixed(0)} ms, of which busy ${((totalUs - idleUs) / 1000).toFixed(0)} ms (percentages are of busy time)`,
);
top('self time by package', byPackage, rows);
top('self time by function', byFunction, rows);
top('total time (self + callees) by function', inclusive, rows);
