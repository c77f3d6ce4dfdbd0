import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { PROJECT_ROOT } from '#infra/project-function.js';
import { importReport } from '#shared/report/import/import-report.js';
import { textSource } from '#shared/report/import/source.js';
import { renderReportDocx } from '#shared/report/print/docx.js';
import { renderReportPdf } from '#shared/report/print/pdf.js';
import { printDocument, type PrintDocument } from '#shared/report/print/print-model.js';
import { parseReport } from '#shared/report/schema.js';
import { loadPdfFonts, PDF_FONT_FILES } from '#shared/runtime/pdf-fonts.js';
import { cdkEsbuildOptions } from './lambda-bundles.js';
import type { Benchmark, BenchmarkResult, Target } from './run.js';
import { kib, marginUnder, median, ms } from './support/stats.js';

/**
 * The Word and PDF files of the signed reference report: how long each takes and how large it is, and what writing
 * them adds to the publish-report Lambda (its bundle and the fonts beside it). Also how long the import takes to read
 * the reference report's text back.
 */

const TIME_LIMIT_MS = 2000;
const SIZE_LIMIT_BYTES = 2 * 1024 * 1024;
const ROUNDS = 7;

const SIGN_OFF = { approvedBy: '张副主任', approvedAt: '2021-01-20T02:30:00Z', version: 1, contentSha256: 'a'.repeat(64) };
const STEPS = [
  {
    stepLabel: '办公室主任审核（含保密审查）',
    name: '王主任',
    post: '办公室主任',
    outcome: '同意',
    comment: '已核对。',
    at: '2021-01-19T08:00:00Z',
    confidentialityReviewed: true,
  },
  { stepLabel: '主管领导签发', name: '张副主任', post: '主管领导', outcome: '同意', comment: '同意发布。', at: '2021-01-20T02:30:00Z' },
];

function reference(): PrintDocument {
  const report = parseReport(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/daxing-kw-2020.beijing-2019.json'), 'utf8')));
  return printDocument(report, { contentSha256: SIGN_OFF.contentSha256, signOff: SIGN_OFF, steps: STEPS });
}

async function timed<T>(work: () => Promise<T>): Promise<{ first: number; warm: number; result: T }> {
  let start = performance.now();
  const result = await work();
  const first = performance.now() - start;
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return { first, warm: median(samples), result };
}

/** The publish-report bundle as the CDK construct builds it, and the bytes each part of the print code adds to it. */
async function publishBundle(): Promise<{ total: number; parts: [string, number][] }> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'nianbao-bench-documents-'));
  try {
    const result = await esbuild.build({
      ...cdkEsbuildOptions({ 'publish-report': path.join(PROJECT_ROOT, 'functions', 'publish-report.ts') }, outdir),
      write: true,
    });
    const output = Object.entries(result.metafile?.outputs ?? {}).find(([file]) => file.endsWith('.mjs'))?.[1];
    const groups: Record<string, number> = {};
    const groupOf = (file: string): string | undefined => {
      const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
      if (module !== undefined)
        return [
          'pdfkit',
          'fontkit',
          'docx',
          'brotli',
          'fflate',
          'mammoth',
          'linebreak',
          'unicode-properties',
          'restructure',
          'png-js',
          'jpeg-exif',
          'crypto-js',
          'unicode-trie',
          'dfa',
          'tiny-inflate',
          'clone',
        ].includes(module)
          ? module
          : undefined;
      return file.includes('shared/report/print/') || file.includes('shared/runtime/pdf-fonts') ? 'nianbao print code' : undefined;
    };
    for (const [file, input] of Object.entries(output?.inputs ?? {})) {
      const group = groupOf(file);
      if (group !== undefined) groups[group] = (groups[group] ?? 0) + input.bytesInOutput;
    }
    return { total: output?.bytes ?? 0, parts: Object.entries(groups).sort((a, b) => b[1] - a[1]) };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

export const documents: Benchmark = {
  id: 'documents',
  title: 'Word and PDF of the signed report; import',
  method: [
    'The signed reference report (test/fixtures/daxing-kw-2020.beijing-2019.json) with a two-step 签发单, rendered in-process: ' +
      `the first call (fonts parsed, pdfkit and docx warming up) and the median of ${ROUNDS} more.`,
    'Size: the bytes written to the site bucket. The PDF embeds subsets of the two Noto CJK fonts (only the glyphs used); ' +
      'the .docx names 黑体 and 仿宋 and embeds none.',
    "Bundle: publish-report built with the construct's esbuild options; the bytes each library of the print code contributes " +
      '(esbuild metafile). The fonts ship as files beside the bundle (deflated size = their share of the zip Lambda stores).',
    'Import: `nianbao import` of the reference text (test/fixtures/daxing-kejiwei-2020.txt), all three templates tried, median of 7.',
  ],
  async run(log): Promise<BenchmarkResult> {
    const document = reference();
    const fonts = await loadPdfFonts();
    log('documents: PDF');
    const pdf = await timed(() => renderReportPdf(document, fonts, new Date(SIGN_OFF.approvedAt)));
    log('documents: docx');
    const docx = await timed(() => renderReportDocx(document, new Date(SIGN_OFF.approvedAt)));
    const pdfPages = await pageCount(pdf.result.bytes);
    log('documents: publish-report bundle');
    const bundle = await publishBundle();
    const fontFiles = Object.values(PDF_FONT_FILES).map((file) => path.join(PROJECT_ROOT, 'assets', 'fonts', file));
    const fontBytes = fontFiles.reduce((total, file) => total + statSync(file).size, 0);
    const fontDeflated = fontFiles.reduce((total, file) => total + deflateRawSync(readFileSync(file), { level: 9 }).length, 0);
    const text = readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/daxing-kejiwei-2020.txt'), 'utf8');
    const imported = await timed(async () => importReport(textSource(text), { agencyId: 'daxing-kw' }));
    const printBytes = bundle.parts.reduce((total, [, bytes]) => total + bytes, 0);

    const rows: string[][] = [
      ['PDF (A4, fonts embedded)', ms(pdf.first), ms(pdf.warm), `${kib(pdf.result.bytes.length)}, ${pdfPages} pages`],
      ['Word (.docx)', ms(docx.first), ms(docx.warm), kib(docx.result.length)],
      [
        'import of the reference text',
        ms(imported.first, 1),
        ms(imported.warm, 1),
        `${imported.result.recognised.length} items read, ${imported.result.uncertain.length} uncertain`,
      ],
      [
        'publish-report bundle (index.mjs)',
        '',
        '',
        `${kib(bundle.total)}, of which the print code ${kib(printBytes)}: ${bundle.parts.map(([name, bytes]) => `${name} ${kib(bytes)}`).join(', ')}`,
      ],
      ['fonts beside the bundle (fonts/)', '', '', `${kib(fontBytes)} (${kib(fontDeflated)} deflated)`],
    ];
    const targets: Target[] = [
      {
        name: 'PDF of the reference report, time (first call)',
        target: `≤ ${TIME_LIMIT_MS} ms`,
        measured: ms(pdf.first),
        pass: pdf.first <= TIME_LIMIT_MS,
        margin: marginUnder(pdf.first, TIME_LIMIT_MS),
      },
      {
        name: 'PDF of the reference report, size',
        target: '≤ 2 MB',
        measured: kib(pdf.result.bytes.length),
        pass: pdf.result.bytes.length <= SIZE_LIMIT_BYTES,
        margin: marginUnder(pdf.result.bytes.length, SIZE_LIMIT_BYTES),
      },
      {
        name: '.docx of the reference report, time (first call)',
        target: `≤ ${TIME_LIMIT_MS} ms`,
        measured: ms(docx.first),
        pass: docx.first <= TIME_LIMIT_MS,
        margin: marginUnder(docx.first, TIME_LIMIT_MS),
      },
      {
        name: '.docx of the reference report, size',
        target: '≤ 2 MB',
        measured: kib(docx.result.length),
        pass: docx.result.length <= SIZE_LIMIT_BYTES,
        margin: marginUnder(docx.result.length, SIZE_LIMIT_BYTES),
      },
    ];
    return {
      columns: ['What', 'First call', `Median of ${ROUNDS}`, 'Size'],
      rows,
      targets,
      notes: [
        'The first call is what a cold publish-report pays: pdfkit parses both fonts (about 4 MB of CFF) once per process; ' +
          'loadPdfFonts keeps the bytes for the next report.',
        'Characters outside GB 2312 are not in the font subsets; renderReportPdf returns them (`missingCharacters`) instead of printing blanks without a word.',
      ],
    };
  },
};

async function pageCount(bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nianbao-bench-pdf-'));
  try {
    const file = path.join(dir, 'report.pdf');
    await writeFile(file, bytes);
    const { stdout } = await promisify(execFile)('pdfinfo', [file]);
    return /Pages:\s+(\d+)/.exec(stdout)?.[1] ?? '?';
  } catch {
    return '?';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
