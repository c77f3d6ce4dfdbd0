import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/nianbao.js';
import { readPath, templateCells } from '#shared/report/cells.js';
import { checkReport, type CheckOptions } from '#shared/report/checks.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { adjust, referenceReport, report2021, withValue } from '../../support/report-builders.js';

// ---------------------------------------------------------------------------------------------------------------
// Harness: `main` with an in-memory io, report files in a fresh temp directory.

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REFERENCE_TITLE = '北京市大兴区科学技术委员会2020年政府信息公开工作年度报告';
const USAGE_HEADING = '用法';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nianbao-cli-'));
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** Writes `content` (JSON-encoded unless it is already a string) to a new file and returns its path. */
async function file(content: unknown, name = `report-${++fileCount}.json`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2), 'utf8');
  return path;
}

/** What the API would answer for the same input, as JSON (no `undefined` members). */
const expectedJson = (report: unknown, options?: CheckOptions): unknown => JSON.parse(JSON.stringify(checkReport(report, options)));

/** One more 表三 一 in 自然人, its row's 总计 raised with it: columns 自然人 and 总计 no longer balance (R1). */
const unbalancedReport = () =>
  adjust(report2021(), {
    'applications.newlyReceived.naturalPerson': 1,
    'applications.newlyReceived.total': 1,
  });

// ---------------------------------------------------------------------------------------------------------------

describe('nianbao validate', () => {
  it('passes the reference report with exit 0 and a line saying 通过', async () => {
    const { code, stdout, stderr } = await run('validate', await file(referenceReport()));
    expect(code).toBe(0);
    expect(stdout.split('\n')).toContainEqual(expect.stringMatching(/^通过/));
    expect(stdout).not.toContain('错误 ');
    expect(stderr).toBe('');
  });

  it('prints with --json exactly {valid, errors, warnings}, as checkReport returns them', async () => {
    const report = referenceReport();
    const { code, stdout } = await run('validate', await file(report), '--json');
    expect(code).toBe(0);
    const printed: unknown = JSON.parse(stdout);
    expect(Object.keys(printed as object).sort()).toEqual(['errors', 'valid', 'warnings']);
    expect(printed).toStrictEqual(expectedJson(report));
    expect(printed).toStrictEqual({ valid: true, errors: [], warnings: [] });
  });

  it('fails an inconsistent report with exit 1, naming the R-code, the cell path and the numbers', async () => {
    const { code, stdout } = await run('validate', await file(unbalancedReport()));
    expect(code).toBe(1);
    expect(stdout).toContain('错误 R1 applications.carriedForward.naturalPerson');
    expect(stdout).toContain('错误 R1 applications.carriedForward.total');
    expect(stdout).toContain('本年新收 21');
    expect(stdout).toContain('三（七）总计 18');
    expect(stdout).toContain('结转下年度应为 3');
    expect(stdout.split('\n')).toContainEqual(expect.stringMatching(/^未通过：2 个错误/));
  });

  it('fails an inconsistent report with --json too: exit 1 and the same findings as checkReport', async () => {
    const report = unbalancedReport();
    const { code, stdout } = await run('validate', await file(report), '--json');
    expect(code).toBe(1);
    const printed: unknown = JSON.parse(stdout);
    expect(printed).toStrictEqual(expectedJson(report));
    expect(printed).toMatchObject({ valid: false, errors: [{ code: 'R1' }, { code: 'R1' }] });
  });

  it('with --previous of another agency or of a year not just before, says that nothing was compared (X0)', async () => {
    const reportFile = await file(report2021());
    const otherAgency = await run(
      'validate',
      reportFile,
      '--previous',
      await file(withValue(referenceReport(), 'agency.id', 'other-agency')),
    );
    expect(otherAgency.code).toBe(0);
    expect(otherAgency.stdout).toContain('提示 X0\n');
    expect(otherAgency.stdout).toContain('另一机关（other-agency）');
    const twoYearsBack = await run('validate', reportFile, '--previous', await file(withValue(referenceReport(), 'year', 2019)), '--json');
    expect(JSON.parse(twoYearsBack.stdout)).toMatchObject({ valid: true, warnings: [{ code: 'X0', expected: 2020, actual: 2019 }] });
  });

  it('refuses a file that is not UTF-8, or holds a number JSON would change, with exit 2', async () => {
    // 政 in GBK, as a report saved from an older editor would hold it
    const bytes = join(dir, 'gbk.json');
    await writeFile(bytes, Buffer.concat([Buffer.from('{"overview":"'), Buffer.from([0xd5, 0xfe]), Buffer.from('"}')]));
    const notUtf8 = await run('validate', bytes);
    expect(notUtf8.code).toBe(2);
    expect(notUtf8.stderr).toContain('不是 UTF-8 编码');
    const negativeZero = await run(
      'validate',
      await file(JSON.stringify(report2021()).replace('"naturalPerson":20', '"naturalPerson":-0')),
    );
    expect(negativeZero.code).toBe(2);
    expect(negativeZero.stderr).toContain('负零');
  });

  it('with --previous adds the cross-year warnings (X1) and still exits 0 when there are only warnings', async () => {
    // last year's 结转下年度 (自然人) says 4, this year's 上年结转 says 0
    const previous = withValue(referenceReport(), 'applications.carriedForward.naturalPerson', 4);
    const report = report2021();
    const reportFile = await file(report);
    const previousFile = await file(previous);

    const withoutPrevious = await run('validate', reportFile);
    expect(withoutPrevious.code).toBe(0);
    expect(withoutPrevious.stdout).not.toContain('X1');

    const text = await run('validate', reportFile, '--previous', previousFile);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('提示 X1 applications.carriedOver.naturalPerson');
    expect(text.stdout).toContain('2020 年报告“四、结转下年度继续办理”为 4');
    expect(text.stdout.split('\n')).toContainEqual(expect.stringMatching(/^通过：没有错误，1 条提示/));

    const json = await run('validate', reportFile, '--previous', previousFile, '--json');
    expect(json.code).toBe(0);
    const printed: unknown = JSON.parse(json.stdout);
    expect(printed).toStrictEqual(expectedJson(report, { previous }));
    expect(printed).toMatchObject({
      valid: true,
      errors: [],
      warnings: [{ code: 'X1', path: 'applications.carriedOver.naturalPerson', expected: 4, actual: 0 }],
    });
  });

  describe('cannot run (exit 2, a Chinese message and the usage on stderr, nothing on stdout)', () => {
    it('a file that does not exist', async () => {
      const missing = join(dir, 'no-such-report.json');
      const { code, stdout, stderr } = await run('validate', missing);
      expect(code).toBe(2);
      expect(stderr).toContain(`无法读取文件 ${missing}`);
      expect(stderr).toContain(USAGE_HEADING);
      expect(stdout).toBe('');
    });

    it('a file that is not JSON', async () => {
      const notJson = await file('{"template": "beijing-2019",', 'truncated.json');
      const { code, stdout, stderr } = await run('validate', notJson);
      expect(code).toBe(2);
      expect(stderr).toContain(`${notJson} 不是有效的 JSON`);
      expect(stderr).toContain(USAGE_HEADING);
      expect(stdout).toBe('');
    });

    it('a --previous file that is not JSON', async () => {
      const notJson = await file('not json at all', 'previous-broken.json');
      const { code, stderr } = await run('validate', await file(report2021()), '--previous', notJson);
      expect(code).toBe(2);
      expect(stderr).toContain(`${notJson} 不是有效的 JSON`);
    });

    it('no file argument', async () => {
      const { code, stdout, stderr } = await run('validate');
      expect(code).toBe(2);
      expect(stderr).toContain('validate 需要一个报告文件');
      expect(stderr).toContain(USAGE_HEADING);
      expect(stdout).toBe('');
    });

    it('an unknown option', async () => {
      const { code, stdout, stderr } = await run('validate', await file(referenceReport()), '--strict');
      expect(code).toBe(2);
      // the first line is node:util parseArgs' own (English) message, naming the option; the usage follows
      expect(stderr).toContain("'--strict'");
      expect(stderr).toContain(USAGE_HEADING);
      expect(stdout).toBe('');
    });

    it('an unknown command', async () => {
      const { code, stdout, stderr } = await run('check', await file(referenceReport()));
      expect(code).toBe(2);
      expect(stderr).toContain('未知的命令 check');
      expect(stderr).toContain(USAGE_HEADING);
      expect(stdout).toBe('');
    });
  });
});

describe('nianbao render', () => {
  const expectCompletePage = (html: string) => {
    expect(html.startsWith('<!doctype html><html lang="zh-CN">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain(`<title>${REFERENCE_TITLE}</title>`);
    expect(html).toContain(`<h1><span class="title-line">${REFERENCE_TITLE}</span></h1>`);
  };

  it('writes the complete HTML page to --out', async () => {
    const out = join(dir, 'reference.html');
    const { code, stdout, stderr } = await run('render', await file(referenceReport()), '--out', out);
    expect(code).toBe(0);
    expectCompletePage(await readFile(out, 'utf8'));
    expect(stdout).toBe('');
    expect(stderr).toContain(`已生成 ${out}`);
  });

  it('writes the page to stdout without --out', async () => {
    const { code, stdout } = await run('render', await file(referenceReport()));
    expect(code).toBe(0);
    expectCompletePage(stdout);
  });

  it('refuses an invalid report: exit 1, nothing written, the errors on stderr', async () => {
    const out = join(dir, 'unbalanced.html');
    const { code, stdout, stderr } = await run('render', await file(unbalancedReport()), '--out', out);
    expect(code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(stdout).toBe('');
    expect(stderr).toContain('错误 R1 applications.carriedForward.naturalPerson');
    expect(stderr).toContain('未生成：报告有 2 个错误');
  });

  it('cannot run without a report file (exit 2)', async () => {
    const { code, stderr } = await run('render');
    expect(code).toBe(2);
    expect(stderr).toContain('render 需要一个报告文件');
  });
});

describe('nianbao template', () => {
  it('prints a blank national-2021 report: every cell empty (null, not 0) and every text empty, each an error until filled', async () => {
    const { code, stdout } = await run('template', 'national-2021', '--agency', 'haidian-x', '--name', '海淀区某局', '--year', '2022');
    expect(code).toBe(0);
    const blank: unknown = JSON.parse(stdout);
    expect(blank).toMatchObject({
      template: 'national-2021',
      agency: { id: 'haidian-x', name: '海淀区某局' },
      year: 2022,
      overview: '',
      problems: '',
      otherMatters: '',
    });
    const cells = templateCells(TEMPLATES['national-2021']);
    expect(cells.length).toBeGreaterThan(100);
    for (const cell of cells) expect(readPath(blank, cell.path), cell.id).toBeNull();
    const { valid, errors } = checkReport(blank);
    expect(valid).toBe(false);
    // R5 can fire on a cell nobody touched; nothing is about the report's shape
    expect(errors.filter((finding) => finding.code === 'R5').map((finding) => finding.path)).toEqual(cells.map((cell) => cell.id));
    expect(errors.filter((finding) => finding.code !== 'R5')).toMatchObject([
      { code: 'TEXT_EMPTY', path: 'overview' },
      { code: 'TEXT_EMPTY', path: 'problems' },
      { code: 'TEXT_EMPTY', path: 'otherMatters' },
    ]);
  });

  it('prints a blank Beijing report with its one unit set, and validate then names every blank cell', async () => {
    const { stdout } = await run('template', 'beijing-2019', '--agency', 'haidian-x', '--name', '海淀区某局', '--year', '2020');
    const blank: unknown = JSON.parse(stdout);
    expect(readPath(blank, ['activeDisclosure', 'procurement', 'centralizedProcurement'])).toEqual({
      projects: null,
      amount: null,
      unit: '万元',
    });
    const validated = await run('validate', await file(blank));
    expect(validated.code).toBe(1);
    expect(validated.stdout).toContain('错误 R5 activeDisclosure.procurement.centralizedProcurement.amount');
    expect(validated.stdout).toContain('错误 TEXT_EMPTY overview');
  });

  it('refuses a template that does not fit the year (national-2019 for 2022) with exit 2', async () => {
    const { code, stdout, stderr } = await run(
      'template',
      'national-2019',
      '--agency',
      'haidian-x',
      '--name',
      '海淀区某局',
      '--year',
      '2022',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('模板 national-2019 不适用于 2022 年度的报告');
    expect(stdout).toBe('');
  });

  it.each([['0x7e4'], ['2.02e3'], [' 2022'], ['2022.0']])('refuses the year %j with exit 2: four plain digits only', async (year) => {
    const { code, stdout, stderr } = await run(
      'template',
      'national-2021',
      '--agency',
      'haidian-x',
      '--name',
      '海淀区某局',
      '--year',
      year,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('四位数字');
    expect(stdout).toBe('');
  });

  it('refuses a bad agency id with exit 2', async () => {
    const { code, stdout, stderr } = await run(
      'template',
      'national-2021',
      '--agency',
      'Haidian X',
      '--name',
      '海淀区某局',
      '--year',
      '2022',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--agency 需要机关代码');
    expect(stdout).toBe('');
  });

  it('refuses an unknown template with exit 2', async () => {
    const { code, stderr } = await run('template', 'shanghai-2019', '--agency', 'haidian-x', '--name', '海淀区某局', '--year', '2022');
    expect(code).toBe(2);
    expect(stderr).toContain('未知的模板 shanghai-2019');
  });
});

describe('nianbao restart-round (usage; the command itself runs against a stack in test/faults/publish-failure.test.ts)', () => {
  it('needs exactly one report id, and touches no deployment without one', async () => {
    for (const argv of [['restart-round'], ['restart-round', 'daxing-kw-2020', 'extra'], ['restart-round', '../etc/passwd']]) {
      const { code, stderr } = await run(...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr, argv.join(' ')).toContain('restart-round 需要一个报告编号');
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The published command: `bin/nianbao.js` as npm links it, in a real process (tsx registers at start-up).

interface Spawned {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnBin(args: readonly string[]): Promise<Spawned> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/nianbao.js', ...args],
      { cwd: PROJECT_ROOT, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : child.exitCode, stdout, stderr });
      },
    );
  });
}

describe('bin/nianbao.js (end to end)', () => {
  it('validate --json: exit code and JSON from the real process, for a valid and an invalid report', { timeout: 60_000 }, async () => {
    const valid = referenceReport();
    const invalid = unbalancedReport();
    const [ok, bad] = await Promise.all([
      file(valid).then((path) => spawnBin(['validate', path, '--json'])),
      file(invalid).then((path) => spawnBin(['validate', path, '--json'])),
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toStrictEqual(expectedJson(valid));
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toStrictEqual(expectedJson(invalid));
  });
});
