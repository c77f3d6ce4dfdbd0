import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { firstInexactNumber, inexactNumberMessage } from '#shared/json/exact-numbers.js';
import { blankReport } from '#shared/report/blank.js';
import { checkReport } from '#shared/report/checks.js';
import type { Finding } from '#shared/report/findings.js';
import { fileSource, UnreadableFileError } from '#shared/report/import/file-source.js';
import { importReport, ImportUnreadableError, type ImportResult } from '#shared/report/import/import-report.js';
import { renderReportDocx } from '#shared/report/print/docx.js';
import { renderReportPdf } from '#shared/report/print/pdf.js';
import { printDocument } from '#shared/report/print/print-model.js';
import { renderReportHtml, renderReportJson } from '#shared/report/render.js';
import { sha256Hex } from '#shared/workflow/digest.js';
import { loadPdfFonts } from '#shared/runtime/pdf-fonts.js';
import { AgencySchema, parseReport, YearSchema } from '#shared/report/schema.js';
import { findTemplate, templateFitsYear, TemplateIdSchema } from '#shared/report/templates/index.js';
import { runtimeSigningStore, runtimeWorkflow, systemClock } from '#shared/runtime/deps.js';
import { isReportId } from '#shared/workflow/contracts.js';
import { DomainError } from '#shared/workflow/errors.js';
import { restartRound, type RestartRoundDeps } from '#shared/workflow/restart-round.js';
import { BAD_YEAR, yearFromText } from '#shared/report/year.js';
import { FolderAnchors } from '#shared/history/folder-anchors.js';
import { HttpAnchors } from '#shared/history/http-anchors.js';
import { verifyChain } from '#shared/workflow/chain.js';
import { verifySignedLog, type SignableEvent } from '#shared/workflow/history-verification.js';
import { AdminEventSchema, ReportEventSchema } from '#shared/workflow/model.js';
import { ADMIN_LOG_ID, verifyAdminLogChain } from '#shared/workflow/admin/admin-log.js';
import type { ChainVerification } from '#shared/workflow/chain.js';
import * as z from 'zod';
import { rebuildIndexes, RebuildUsageError, type RebuildIndexesIo } from './rebuild-indexes.js';

/**
 * `nianbao validate | render | template | import | verify | restart-round | rebuild-indexes`. Exit codes: 0 fine, 1 the
 * report has errors (import: some cells could not be read with certainty; verify: the history does not hold), 2 the
 * command itself could not run (usage, unreadable file, not JSON).
 */

export interface Output {
  write(text: string): unknown;
}
export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  /** rebuild-indexes only: the queue and fetch to use (tests) */
  readonly rebuild?: Omit<RebuildIndexesIo, 'stdout' | 'stderr'>;
}

const USAGE = `用法:
  nianbao validate <report.json> [--previous <last-year.json>] [--json]
  nianbao render <report.json> [--format html|docx|pdf] [--out <file>]
  nianbao template <template-id> --agency <id> --name <name> --year <year>
  nianbao restart-round <report-id>    运维：为审核流程已结束（失败、超时、被停止）的报告开始新一轮审核
                                       （读取 TABLE_NAME、STATE_MACHINE_ARN 等部署环境变量）
  nianbao verify <history.json> [--public-key <history.pem>] [--anchors <目录或网址>] [--json]
  nianbao verify --admin-log <admin-log.json> [--public-key <history.pem>] [--anchors <目录或网址>] [--json]
                                       管理操作记录（GET /api/admin/log 的导出）按同样的方法校验
  nianbao rebuild-indexes [--queue-url <url> | --local <http://127.0.0.1:3000>]
  nianbao import <file.html|file.txt|file.docx> [--template <id>] [--agency <id>] [--name <name>] [--year <year>] [--json]

模板: ${TemplateIdSchema.options.join(', ')}
`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

async function readJson(file: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UsageError(`无法读取文件 ${file}：${error instanceof Error ? error.message : String(error)}`);
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new UsageError(`${file} 不是 UTF-8 编码的文本，请另存为 UTF-8 后重试。`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} 不是有效的 JSON：${error instanceof Error ? error.message : String(error)}`);
  }
  const inexact = firstInexactNumber(text);
  if (inexact) throw new UsageError(`${file}：${inexactNumberMessage(inexact)}`);
  return value;
}

function formatFinding(kind: '错误' | '提示', finding: Finding): string {
  const where = finding.path === '' ? '' : ` ${finding.path}`;
  return `${kind} ${finding.code}${where}\n  ${finding.message}\n`;
}

async function validate(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { previous: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('validate 需要一个报告文件。');
  const report = await readJson(file);
  const previous = values.previous === undefined ? undefined : await readJson(values.previous);
  const result = checkReport(report, previous === undefined ? {} : { previous });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    for (const finding of result.errors) io.stdout.write(formatFinding('错误', finding));
    for (const finding of result.warnings) io.stdout.write(formatFinding('提示', finding));
    io.stdout.write(
      result.valid
        ? `通过：没有错误，${result.warnings.length} 条提示。\n`
        : `未通过：${result.errors.length} 个错误，${result.warnings.length} 条提示。\n`,
    );
  }
  return result.valid ? 0 : 1;
}

const FORMATS = ['html', 'docx', 'pdf'] as const;
type Format = (typeof FORMATS)[number];
const isFormat = (value: string): value is Format => FORMATS.some((format) => format === value);

async function render(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, format: { type: 'string', default: 'html' } },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('render 需要一个报告文件。');
  const format = values.format;
  if (!isFormat(format)) throw new UsageError(`--format 只能是 ${FORMATS.join('、')}。`);
  if (format !== 'html' && values.out === undefined) throw new UsageError(`--format ${format} 需要 --out 指定输出文件。`);
  const input = await readJson(file);
  const result = checkReport(input);
  if (!result.valid) {
    for (const finding of result.errors) io.stderr.write(formatFinding('错误', finding));
    io.stderr.write(`未生成：报告有 ${result.errors.length} 个错误，请先改正（nianbao validate ${file}）。\n`);
    return 1;
  }
  const report = parseReport(input);
  if (format !== 'html' && values.out !== undefined) {
    const printed = printDocument(report, { contentSha256: sha256Hex(renderReportJson(report)), steps: [] });
    if (format === 'docx') await writeFile(values.out, await renderReportDocx(printed, new Date()));
    else {
      const pdf = await renderReportPdf(printed, await loadPdfFonts(), new Date());
      await writeFile(values.out, pdf.bytes);
      if (pdf.missingCharacters.length > 0) {
        io.stderr.write(`注意：字体中没有这些字，PDF 中显示为空白：${pdf.missingCharacters.join(' ')}\n`);
      }
    }
    io.stderr.write(`已生成 ${values.out}\n`);
    return 0;
  }
  const html = renderReportHtml(report);
  if (values.out === undefined) io.stdout.write(html);
  else {
    await writeFile(values.out, html, 'utf8');
    io.stderr.write(`已生成 ${values.out}\n`);
  }
  return 0;
}

function template(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { agency: { type: 'string' }, name: { type: 'string' }, year: { type: 'string' } },
  });
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError('template 需要一个模板名。');
  const chosen = findTemplate(id);
  if (!chosen) throw new UsageError(`未知的模板 ${id}。`);
  const agency = AgencySchema.safeParse({ id: values.agency, name: values.name });
  if (!agency.success) throw new UsageError('--agency 需要机关代码（小写字母、数字和连字符），--name 需要机关名称。');
  const year = yearFromText(values.year);
  if (year === undefined) throw new UsageError(`--year 需要报告年度：${BAD_YEAR.message}`);
  if (!templateFitsYear(chosen, year)) throw new UsageError(`模板 ${id} 不适用于 ${year} 年度的报告。`);
  io.stdout.write(`${JSON.stringify(blankReport(chosen, agency.data, year), null, 2)}\n`);
  return 0;
}

/** The deployment the operator commands act on (the runtime's adapters, from the environment, by default). */
export type OperatorDeps = () => RestartRoundDeps;

const runtimeOperatorDeps: OperatorDeps = () => ({ store: runtimeSigningStore(), clock: systemClock, workflow: runtimeWorkflow() });

async function restart(args: string[], io: Io, deps: OperatorDeps): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [reportId, ...extra] = positionals;
  if (reportId === undefined || extra.length > 0 || !isReportId(reportId))
    throw new UsageError('restart-round 需要一个报告编号，如 daxing-kw-2020。');
  try {
    const restarted = await restartRound(reportId, deps());
    io.stdout.write(`已开始第 ${restarted.round} 轮审核：${restarted.executionName}（第 ${restarted.version} 版）\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    io.stderr.write(`${error.message}（${error.code}）\n`);
    return 1;
  }
}

/** The audit export (GET /audit/reports/{id}.json): only the report id and the events are trusted input here. */
const HistoryFileSchema = z.object({ reportId: z.string().min(1), events: z.array(ReportEventSchema) });
/** The administration log as GET /api/admin/log answers it: only the events are read, never the answer's own verdict. */
const AdminLogFileSchema = z.object({ events: z.array(AdminEventSchema) });

interface LogToVerify {
  readonly logId: string;
  readonly events: readonly SignableEvent[];
  readonly chain: ChainVerification;
}

async function logToVerify(file: string, adminLog: boolean): Promise<LogToVerify> {
  const input = await readJson(file);
  if (adminLog) {
    const parsed = AdminLogFileSchema.safeParse(input);
    if (!parsed.success) throw new UsageError(`${file} 不是管理操作记录的导出文件：${z.prettifyError(parsed.error)}`);
    return { logId: ADMIN_LOG_ID, events: parsed.data.events, chain: verifyAdminLogChain(parsed.data.events) };
  }
  const parsed = HistoryFileSchema.safeParse(input);
  if (!parsed.success) throw new UsageError(`${file} 不是审计记录导出文件：${z.prettifyError(parsed.error)}`);
  const { reportId, events } = parsed.data;
  return { logId: reportId, events, chain: verifyChain(reportId, events) };
}

/**
 * Re-checks an exported history (a report's, or with --admin-log the administration log) without the service: the
 * hash chain always; the signatures with the published public key; the anchors from a copy of the anchor bucket (a
 * folder) or an address serving it. What was not given is not checked, and the output says so.
 */
async function verify(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'public-key': { type: 'string' },
      anchors: { type: 'string' },
      json: { type: 'boolean', default: false },
      'admin-log': { type: 'boolean', default: false },
    },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('verify 需要一个导出的审计记录文件（JSON）。');
  const { logId, events, chain } = await logToVerify(file, values['admin-log']);
  const keyFile = values['public-key'];
  const publicKeyPem =
    keyFile === undefined
      ? undefined
      : await readFile(keyFile, 'utf8').catch(() => {
          throw new UsageError(`无法读取公钥文件 ${keyFile}。`);
        });
  const anchorSource = values.anchors;
  const anchors =
    anchorSource === undefined
      ? { at: async () => undefined }
      : /^https?:\/\//.test(anchorSource)
        ? new HttpAnchors(anchorSource)
        : new FolderAnchors(anchorSource);
  const result =
    publicKeyPem === undefined
      ? { ...chain, signed: 0, unsignedPrefix: 0, anchoredSeq: undefined }
      : await verifySignedLog(logId, events, chain, { publicKeyPem: async () => publicKeyPem, anchors });
  if (values.json) {
    const checked = { signaturesChecked: publicKeyPem !== undefined, anchorsChecked: anchorSource !== undefined };
    const named = values['admin-log'] ? { log: ADMIN_LOG_ID } : { reportId: logId };
    io.stdout.write(`${JSON.stringify({ ...named, ...result, ...checked }, null, 2)}\n`);
    return result.valid ? 0 : 1;
  }
  if (!result.valid) {
    io.stdout.write(
      `未通过：${result.problem?.message ?? ''}（第 ${result.problem?.seq ?? '?'} 条，检查项 ${result.problem?.kind ?? '?'}）\n`,
    );
    return 1;
  }
  io.stdout.write(`哈希链：${events.length} 条记录，序号连续，每条哈希与内容相符并接续前一条。\n`);
  if (publicKeyPem === undefined) io.stdout.write('签名：未校验（没有给出 --public-key）。\n');
  else {
    const legacy = result.unsignedPrefix > 0 ? `，前 ${result.unsignedPrefix} 条写于启用签名之前` : '';
    io.stdout.write(`签名：${result.signed} 条有效${legacy}。\n`);
    if (anchorSource === undefined) io.stdout.write('锚定：未校验（没有给出 --anchors）。\n');
    else if (result.anchoredSeq === undefined) io.stdout.write('锚定：没有找到锚定记录。\n');
    else io.stdout.write(`锚定：第 ${result.anchoredSeq} 条与锚定记录相符，其后没有锚定过的记录。\n`);
  }
  io.stdout.write('通过。\n');
  return 0;
}

function formatImport(result: ImportResult): string {
  const lines = [
    `模板 ${result.template}，${result.year === undefined ? '年度未知' : `${result.year} 年度`}：读出 ${result.recognised.length} 项。`,
  ];
  if (result.uncertain.length === 0) lines.push('每一项都已确定读出。');
  else {
    lines.push(`以下 ${result.uncertain.length} 项无法确定，没有写入报告，请对照原文补上：`);
    for (const item of result.uncertain)
      lines.push(`  ${item.path === '' ? '（未归入任何一行）' : item.path} ${item.label}：${item.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

async function importFile(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      template: { type: 'string' },
      agency: { type: 'string' },
      name: { type: 'string' },
      year: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('import 需要一个文件（网页、文本或 Word）。');
  const template = values.template === undefined ? undefined : TemplateIdSchema.safeParse(values.template);
  if (template !== undefined && !template.success) throw new UsageError(`未知的模板 ${values.template ?? ''}。`);
  const year = values.year === undefined ? undefined : YearSchema.safeParse(Number(values.year));
  if (year !== undefined && !year.success) throw new UsageError('--year 需要报告年度，如 2020。');
  if (values.agency !== undefined && !AgencySchema.shape.id.safeParse(values.agency).success) {
    throw new UsageError('--agency 需要机关代码（小写字母、数字和连字符）。');
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UsageError(`无法读取文件 ${file}：${error instanceof Error ? error.message : String(error)}`);
  }
  let result: ImportResult;
  try {
    const { blocks } = await fileSource(file, bytes);
    result = importReport(blocks, { template: template?.data, agencyId: values.agency, agencyName: values.name, year: year?.data });
  } catch (error) {
    if (error instanceof UnreadableFileError || error instanceof ImportUnreadableError) {
      throw new UsageError(`${file} 中没有读到年度报告的内容（既没有各部分的标题，也没有表格）。`);
    }
    throw error;
  }
  io.stdout.write(`${JSON.stringify(result.report, null, 2)}\n`);
  if (values.json) {
    const { template: id, year: detected, recognised, uncertain } = result;
    io.stderr.write(`${JSON.stringify({ template: id, year: detected, recognised, uncertain }, null, 2)}\n`);
  } else io.stderr.write(formatImport(result));
  return result.uncertain.length === 0 ? 0 : 1;
}

export async function main(argv: readonly string[], io: Io, operatorDeps: OperatorDeps = runtimeOperatorDeps): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'restart-round':
        return await restart(rest, io, operatorDeps);
      case 'validate':
        return await validate(rest, io);
      case 'render':
        return await render(rest, io);
      case 'template':
        return template(rest, io);
      case 'verify':
        return await verify(rest, io);
      case 'rebuild-indexes':
        return await rebuildIndexes(rest, { ...io.rebuild, stdout: io.stdout, stderr: io.stderr });
      case 'import':
        return await importFile(rest, io);
      case 'help':
      case '--help':
        io.stdout.write(USAGE);
        return 0;
      case undefined:
        io.stderr.write(USAGE);
        return 2;
      default:
        throw new UsageError(`未知的命令 ${command}。`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof RebuildUsageError) {
      io.stderr.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      // node's own words name the option; the sentence around them is ours
      io.stderr.write(`命令参数有误：${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
