import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands on its own: every file a comment, message or document names is in it. A reference is a
 * Markdown file name (ARCHITECTURE.md, docs/report-rules.md) or a path into one of the source folders
 * (shared/sfn/sfn-workflow.ts); a `.js` import-style name stands for its `.ts`/`.tsx` source.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FOLDERS = 'shared|functions|infra|cli|client|bench|test|docs|scripts|bin';
const REFERENCE = new RegExp(
  String.raw`(?<![\w./#@-])((?:(?:${FOLDERS})/[\w./-]*?[\w-]\.(?:ts|tsx|md|js|json))|(?:[A-Z][A-Z_-]*\.md))(?![\w/])`,
  'g',
);

function trackedFiles(): string[] {
  return (
    execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(ts|tsx|cjs|mjs|md|sh)$/.test(file) || file === '.ci/run')
      .filter((file) => !file.startsWith('test/fixtures/'))
      // this file names missing files on purpose, to show that they are found
      .filter((file) => file !== 'test/unit/repo/document-references.test.ts')
  );
}

function resolves(reference: string): boolean {
  const candidates = reference.endsWith('.js')
    ? [reference, reference.replace(/\.js$/, '.ts'), reference.replace(/\.js$/, '.tsx')]
    : [reference];
  return candidates.some((candidate) => existsSync(join(ROOT, candidate)));
}

describe('references to files', () => {
  it('name only files that are in the repository', () => {
    const broken: string[] = [];
    for (const file of trackedFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const match of text.matchAll(REFERENCE)) {
        const reference = match[1] ?? '';
        if (!resolves(reference)) broken.push(`${file}: ${reference}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('are found where a comment names a document or a source file', () => {
    const sample = '// see ARCHITECTURE.md and shared/workflow/sfn-workflow.ts, and import { x } from "../y.js"';
    expect([...sample.matchAll(REFERENCE)].map((match) => match[1])).toEqual(['ARCHITECTURE.md', 'shared/workflow/sfn-workflow.ts']);
  });
});
