import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

/**
 * Runs dependency-cruiser's layering rules (.dependency-cruiser.cjs) over the source. TypeScript 7 has no JavaScript
 * compiler API, which is how dependency-cruiser reads .ts/.tsx, so the sources are first transpiled file by file
 * (esbuild, no bundling: every import stays where it was, type-only imports go as the compiler would drop them) into
 * .layering/ (git-ignored), keeping the folder layout, and the rules are checked there.
 */

const ROOT = process.cwd();
const FOLDERS = ['shared', 'functions', 'infra', 'cli', 'client', 'bench'];
const OUT = join(ROOT, '.layering');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [relative(ROOT, path)] : [];
  });
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: FOLDERS.flatMap(sources),
  outdir: OUT,
  outbase: ROOT,
  bundle: false,
  format: 'esm',
  platform: 'node',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'error',
});
// the package's own `#shared/*` import map, so those specifiers resolve inside the copy as they do in the source
cpSync(join(ROOT, 'package.json'), join(OUT, 'package.json'));
const result = spawnSync(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'),
    ...FOLDERS,
    '--config',
    join(ROOT, '.dependency-cruiser.cjs'),
  ],
  { cwd: OUT, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
