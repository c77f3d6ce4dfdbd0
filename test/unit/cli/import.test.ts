import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir, type TempDir } from './cli-harness.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
const REFERENCE_TEXT = fixture('daxing-kejiwei-2020.txt');
const REFERENCE_JSON: unknown = JSON.parse(fixture('daxing-kw-2020.beijing-2019.json'));

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('nianbao import', () => {
  it('writes the reference report read from its copied-out text, says it read everything, and exits 0', async () => {
    const { code, stdout, stderr } = await run('import', await dir.file('daxing.txt', REFERENCE_TEXT), '--agency', 'daxing-kw');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(REFERENCE_JSON);
    expect(stderr).toBe('模板 beijing-2019，2020 年度：读出 208 项。\n每一项都已确定读出。\n');
  });

  it('lists on stderr what it could not read, leaves it out of the report, and exits 1', async () => {
    const text = REFERENCE_TEXT.replace('\t规范性文件\n\t1\n\t1\n\t2', '\t规范性文件\n\t1\n\t\n\t2');
    const { code, stdout, stderr } = await run('import', await dir.file('blank.txt', text), '--agency', 'daxing-kw');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { activeDisclosure: { regulations: { normativeDocuments: Record<string, number> } } };
    expect(report.activeDisclosure.regulations.normativeDocuments).toEqual({ newlyMade: 1, totalPublished: 2 });
    expect(stderr).toContain('以下 1 项无法确定，没有写入报告，请对照原文补上：');
    expect(stderr).toContain('  activeDisclosure.regulations.normativeDocuments.newlyPublished 规范性文件 本年新公开数量：空白');
  });

  it('with --json, gives the recognised and uncertain lists as JSON on stderr', async () => {
    const text = REFERENCE_TEXT.replace('\t政府集中采购\n\t9', '\t政府集中采购\n\t九');
    const { code, stderr } = await run('import', await dir.file('json.txt', text), '--agency', 'daxing-kw', '--json');
    expect(code).toBe(1);
    const lists = JSON.parse(stderr) as { template: string; year: number; recognised: { path: string }[]; uncertain: unknown[] };
    expect(lists.template).toBe('beijing-2019');
    expect(lists.year).toBe(2020);
    expect(lists.uncertain).toEqual([
      {
        path: 'activeDisclosure.procurement.centralizedProcurement.projects',
        label: '政府集中采购 采购项目数量',
        reason: '“九”不是非负整数',
      },
    ]);
    expect(lists.recognised.map((item) => item.path)).toContain('activeDisclosure.procurement.centralizedProcurement.amount');
  });

  it('takes the template, year and name it is given over what it would detect', async () => {
    const { stdout } = await run(
      'import',
      await dir.file('given.txt', REFERENCE_TEXT),
      '--agency',
      'kw',
      '--name',
      '某区科委',
      '--year',
      '2019',
      '--template',
      'beijing-2019',
    );
    expect(JSON.parse(stdout)).toMatchObject({ template: 'beijing-2019', year: 2019, agency: { id: 'kw', name: '某区科委' } });
  });

  it('reads a page saved from a browser and a Word file', async () => {
    const page = await run('import', await dir.file('page.html', fixture('import/saved-page-2021.html')), '--agency', 'xicheng-fgw');
    expect(page.code).toBe(0);
    expect(JSON.parse(page.stdout)).toMatchObject({
      template: 'national-2021',
      year: 2021,
      agency: { name: '北京市西城区发展和改革委员会' },
    });

    const docx = join(dir.path, 'last-year.docx');
    expect((await run('render', await dir.file('reference.json', REFERENCE_JSON), '--format', 'docx', '--out', docx)).code).toBe(0);
    const word = await run('import', docx, '--agency', 'daxing-kw');
    expect(word.code).toBe(0);
    expect(JSON.parse(word.stdout)).toMatchObject({
      template: 'beijing-2019',
      year: 2020,
      applications: (REFERENCE_JSON as { applications: unknown }).applications,
    });
  });

  it('refuses a file with no report in it, and bad options, with exit 2', async () => {
    const empty = await run('import', await dir.file('notes.txt', '会议记录\n今天讨论了预算。\n'));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('没有读到年度报告的内容');
    expect((await run('import')).code).toBe(2);
    expect((await run('import', await dir.file('x.txt', REFERENCE_TEXT), '--template', 'shanghai')).stderr).toContain(
      '未知的模板 shanghai',
    );
    expect((await run('import', await dir.file('y.txt', REFERENCE_TEXT), '--agency', 'Daxing KW')).stderr).toContain(
      '--agency 需要机关代码',
    );
    expect((await run('import', join(dir.path, 'missing.txt'))).stderr).toContain('无法读取文件');
  });
});
