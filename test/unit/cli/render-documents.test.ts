import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSha256 } from '#shared/workflow/digest.js';
import { adjust, referenceReport } from '../../support/report-builders.js';
import { run, tempDir, type TempDir } from './cli-harness.js';

const TITLE = '北京市大兴区科学技术委员会2020年政府信息公开工作年度报告';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('nianbao render --format docx|pdf', () => {
  it('writes a PDF whose text has the title, the numbers and the digest of the report data, marked as not signed', async () => {
    const out = join(dir.path, 'reference.pdf');
    const { code, stdout, stderr } = await run('render', await dir.file('ref.json', referenceReport()), '--format', 'pdf', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain(`已生成 ${out}`);
    const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', out, '-'], { encoding: 'utf8' }).replace(/\s+/gu, '');
    expect(text).toContain(TITLE);
    expect(text).toContain('政府集中采购977.0693');
    expect(text).toContain(contentSha256(referenceReport()));
    expect(text).toContain('未签发');
  });

  it('writes a Word document with the report tables', async () => {
    const out = join(dir.path, 'reference.docx');
    const { code } = await run('render', await dir.file('ref2.json', referenceReport()), '--format', 'docx', '--out', out);
    expect(code).toBe(0);
    const { value } = await mammoth.extractRawText({ buffer: await readFile(out) });
    expect(value).toContain(TITLE);
    expect(value).toContain('77.0693');
  });

  it('needs --out for a binary format and names the formats it knows (exit 2, nothing written)', async () => {
    const report = await dir.file('ref3.json', referenceReport());
    const missingOut = await run('render', report, '--format', 'pdf');
    expect(missingOut.code).toBe(2);
    expect(missingOut.stderr).toContain('--format pdf 需要 --out');
    const unknown = await run('render', report, '--format', 'odt', '--out', join(dir.path, 'x.odt'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--format 只能是 html、docx、pdf');
    expect(existsSync(join(dir.path, 'x.odt'))).toBe(false);
  });

  it('refuses a report with errors in every format (exit 1, no file)', async () => {
    const broken = adjust(referenceReport(), { 'applications.newlyReceived.naturalPerson': 1 });
    for (const format of ['pdf', 'docx']) {
      const out = join(dir.path, `broken.${format}`);
      const { code } = await run('render', await dir.file(`broken-${format}.json`, broken), '--format', format, '--out', out);
      expect(code).toBe(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});
