import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importTimeOf, meanImportTime, packageOfSource, TOP_LEVEL } from '../../../../bench/support/import-profile.js';

const dir = mkdtempSync(join(tmpdir(), 'nianbao-import-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundle = join(dir, 'index.mjs');
// two generated lines: line 0 comes from zod, line 1 from a project file (VLQ: AAAA = all zeros, ACAA = the next source)
writeFileSync(
  `${bundle}.map`,
  JSON.stringify({
    version: 3,
    sources: ['../../node_modules/zod/v4/core/schemas.js', '../../shared/workflow/model.ts'],
    names: [],
    mappings: 'AAAA;ACAA',
  }),
);

const frame = (id: number, functionName: string, url: string, lineNumber: number, columnNumber: number) => ({
  id,
  callFrame: { functionName, url, lineNumber, columnNumber },
});

function profile(): string {
  const url = pathToFileURL(bundle).href;
  const file = join(dir, 'import.cpuprofile');
  writeFileSync(
    file,
    JSON.stringify({
      nodes: [
        frame(1, '(root)', '', -1, -1),
        frame(2, 'compileSourceTextModule', 'node:internal/modules/esm/utils', 343, 0),
        frame(3, '', url, 0, 0),
        frame(4, 'object', url, 0, 5),
        frame(5, 'check', url, 1, 3),
        frame(6, '(garbage collector)', '', -1, -1),
        frame(7, 'resolve', 'node:internal/modules/esm/resolve', 10, 0),
        frame(8, '(idle)', '', -1, -1),
      ],
      // µs per sample: compile 3 ms, top level 1 ms, zod 2 ms, project 0.5 ms, GC 0.25 ms, Node 1.25 ms, idle ignored
      samples: [2, 2, 2, 3, 4, 4, 5, 6, 7, 8],
      timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 500, 250, 1250, 9000],
    }),
  );
  return file;
}

describe('where a cold import goes', () => {
  it('names the package a bundled source came from, and calls everything outside node_modules the project', () => {
    expect(packageOfSource('../../node_modules/zod/v4/core/schemas.js')).toBe('zod');
    expect(packageOfSource('../node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(packageOfSource('../../shared/workflow/model.ts')).toBe('project');
  });

  it('splits the profile into compiling, each package’s code, the top-level statements, garbage collection and Node, idle left out', () => {
    const time = importTimeOf(profile(), bundle);
    expect(time.compileMs).toBeCloseTo(3);
    expect(Object.fromEntries(time.bundleMs)).toEqual({ [TOP_LEVEL]: 1, zod: 2, project: 0.5 });
    expect(time.gcMs).toBeCloseTo(0.25);
    expect(time.otherMs).toBeCloseTo(1.25);
  });

  it('averages several imports part by part', () => {
    const one = importTimeOf(profile(), bundle);
    const mean = meanImportTime([one, { compileMs: 5, gcMs: 0.75, otherMs: 0.75, bundleMs: new Map([['zod', 4]]) }]);
    expect(mean.compileMs).toBeCloseTo(4);
    expect(mean.bundleMs.get('zod')).toBeCloseTo(3);
    expect(mean.bundleMs.get('project')).toBeCloseTo(0.25);
    expect(mean.gcMs).toBeCloseTo(0.5);
  });
});
