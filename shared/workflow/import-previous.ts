import { createHash } from 'node:crypto';
import * as z from 'zod';
import { isOfficerOf, type Principal } from '../auth/principal.js';
import { fileSource, UnreadableFileError } from '../report/import/file-source.js';
import { importReport, ImportUnreadableError, type ImportResult } from '../report/import/import-report.js';
import { TemplateIdSchema, TEMPLATES, templateFitsYear } from '../report/templates/index.js';
import { reportIdOf } from './contracts.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import type { ImportedReport } from './model.js';
import type { Clock, Store } from './ports.js';

/**
 * Last year's report, brought in from what the agency published before nianbao: the officer uploads the file, sees
 * what was read cell by cell, and saves it as the agency's imported report for that year. The server reads the file
 * again when saving, so what is stored is what the file says, not what a browser sent back.
 */

/** base64 of a file up to ~190 KB fits the API's 256 KiB body */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/u;

export const ImportFileSchema = z.object({
  fileName: z.string().trim().min(1).max(200),
  contentBase64: z.string().min(1).regex(BASE64),
  template: TemplateIdSchema.optional(),
});
export type ImportFile = z.infer<typeof ImportFileSchema>;

export const PreviewRequestSchema = ImportFileSchema.extend({ year: z.int().optional() });

export interface ImportDeps {
  readonly store: Store;
  readonly clock: Clock;
}

export interface ImportPreview {
  readonly template: string;
  readonly year: number | undefined;
  readonly agencyName: string | undefined;
  readonly report: Record<string, unknown>;
  readonly recognised: ImportResult['recognised'];
  readonly uncertain: ImportResult['uncertain'];
}

function requireOfficer(principal: Principal, agencyId: string): void {
  if (!isOfficerOf(principal, agencyId)) throw new NotFoundError('找不到该机关。');
}

async function readFile(
  file: ImportFile,
  options: { agencyId: string; agencyName: string; year?: number | undefined },
): Promise<{ result: ImportResult; sha256: string }> {
  const bytes = Buffer.from(file.contentBase64, 'base64');
  try {
    const { blocks } = await fileSource(file.fileName, bytes);
    const result = importReport(blocks, {
      template: file.template,
      agencyId: options.agencyId,
      agencyName: options.agencyName,
      year: options.year,
    });
    return { result, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    if (error instanceof UnreadableFileError || error instanceof ImportUnreadableError) {
      throw new ValidationError('文件中没有读到年度报告的内容：请上传从网站保存的网页、复制出的文字或 Word 文件。', 'IMPORT_UNREADABLE');
    }
    throw error;
  }
}

async function registeredName(store: Store, agencyId: string): Promise<string> {
  const agency = await store.getAgency(agencyId);
  if (!agency) throw new NotFoundError('找不到该机关。');
  return agency.name;
}

/** What the file says, cell by cell, for the officer's own agency. Nothing is stored. */
export async function previewImport(
  file: z.infer<typeof PreviewRequestSchema>,
  principal: Principal,
  deps: ImportDeps,
): Promise<ImportPreview> {
  requireOfficer(principal, principal.agencyId);
  const agencyName = await registeredName(deps.store, principal.agencyId);
  const { result } = await readFile(file, { agencyId: principal.agencyId, agencyName, year: file.year });
  return {
    template: result.template,
    year: result.year,
    agencyName: result.agencyName,
    report: result.report,
    recognised: result.recognised,
    uncertain: result.uncertain,
  };
}

/**
 * Saves the file's report as the agency's imported report for `year`. A year nianbao published already has its report:
 * an import cannot stand beside or over it. The template must fit the year; uncertain cells stay blank and are kept
 * listed with the record.
 */
export async function saveImportedReport(
  agencyId: string,
  year: number,
  file: ImportFile,
  principal: Principal,
  deps: ImportDeps,
): Promise<ImportedReport> {
  requireOfficer(principal, agencyId);
  const agencyName = await registeredName(deps.store, agencyId);
  const head = await deps.store.getHead(reportIdOf(agencyId, year));
  if (head?.publishedVersion !== undefined) {
    throw new ConflictError(`${year} 年度的报告已在本系统发布，无需导入。`, 'ALREADY_PUBLISHED', { agencyId, year });
  }
  const { result, sha256 } = await readFile(file, { agencyId, agencyName, year });
  if (!templateFitsYear(TEMPLATES[result.template], year)) {
    throw new ValidationError(
      `文件中的表格是「${TEMPLATES[result.template].name}」，不适用于 ${year} 年度的报告。`,
      'IMPORT_TEMPLATE_YEAR',
    );
  }
  const imported: ImportedReport = {
    agencyId,
    year,
    report: result.report,
    template: result.template,
    fileName: file.fileName,
    fileSha256: sha256,
    uncertain: result.uncertain.filter((item) => item.path !== 'year'),
    importedAt: deps.clock.now().toISOString(),
    importedBy: principal.email,
  };
  await deps.store.putImportedReport(imported);
  return imported;
}
