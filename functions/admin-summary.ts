import { requirePrincipal } from '../shared/http/authenticate.js';
import { httpHandler } from '../shared/http/handler.js';
import { yearQuery } from '../shared/http/request.js';
import { download, json, type HttpResponse } from '../shared/http/response.js';
import { reportSheets, sheetsCsv } from '../shared/report/sheet.js';
import { sheetsXlsx } from '../shared/report/sheet-xlsx.js';
import { districtSummary } from '../shared/workflow/admin/district-summary.js';
import { ValidationError } from '../shared/workflow/errors.js';
import { runtimeStore, systemClock, type AppDeps } from '../shared/runtime/deps.js';
import { lazyHandler } from '../shared/runtime/lambda.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function formatOf(request: { path: string; query: URLSearchParams; headers: Readonly<Record<string, string>> }): 'json' | 'csv' | 'xlsx' {
  if (request.path.endsWith('.csv')) return 'csv';
  if (request.path.endsWith('.xlsx')) return 'xlsx';
  const asked = request.query.get('format');
  if (asked === 'csv' || asked === 'xlsx' || asked === 'json') return asked;
  const accept = request.headers['accept'] ?? '';
  if (accept.includes('text/csv')) return 'csv';
  if (accept.includes(XLSX_TYPE)) return 'xlsx';
  return 'json';
}

/**
 * GET /api/admin/summary?year=2026&district=daxing[&template=][&format=csv|xlsx]: the district's 汇总 in the report's
 * JSON shape; `Accept: text/csv`, `format=csv` or /api/admin/summary.csv the same tables as CSV (with a BOM, which
 * Excel needs to read UTF-8), `format=xlsx` or /api/admin/summary.xlsx as a workbook.
 */
export function createAdminSummaryHandler(deps: Pick<AppDeps, 'store' | 'clock'>) {
  return httpHandler('admin-summary', async (request): Promise<HttpResponse> => {
    const principal = await requirePrincipal(request, deps);
    const year = yearQuery(request);
    const district = request.query.get('district');
    if (district === null || district === '') throw new ValidationError('请指定区域，如 district=daxing。', 'BAD_DISTRICT');
    const summary = await districtSummary(principal, year, district, request.query.get('template') ?? undefined, deps);
    const format = formatOf(request);
    if (format === 'json') {
      const { templateRecord: _template, ...body } = summary;
      return json(200, body);
    }
    if (summary.templateRecord === undefined || summary.report === undefined) {
      throw new ValidationError(`${summary.district.name}${year}年还没有已公开的报告，无法汇总。`, 'NOTHING_PUBLISHED');
    }
    const sheets = reportSheets(summary.templateRecord, summary.report);
    const fileName = `${summary.district.name}${year}年政府信息公开工作年度报告汇总`;
    if (format === 'csv') return download(`\uFEFF${sheetsCsv(sheets)}`, 'text/csv; charset=utf-8', `${fileName}.csv`);
    return download(await sheetsXlsx(sheets, summary.district.name), XLSX_TYPE, `${fileName}.xlsx`);
  });
}

export const handler = lazyHandler(async () => createAdminSummaryHandler({ store: runtimeStore(), clock: systemClock }));
