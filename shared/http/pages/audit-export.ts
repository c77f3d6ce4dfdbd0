import type { ReportHistory } from '../../workflow/report-queries.js';
import { beijingTimeWithSeconds, EVENT_NAMES, eventSummary, actorLabel } from './names.js';

/**
 * The audit timeline as files an auditor keeps: JSON with every event exactly as stored (enough to re-verify the hash
 * chain elsewhere), and CSV for Excel — UTF-8 with a byte-order mark (without it Excel reads Chinese as mojibake),
 * CRLF line ends, every field quoted.
 */

export const CSV_BOM = '\uFEFF';

export const CSV_COLUMNS = [
  '序号',
  '时间（UTC）',
  '时间（北京）',
  '事件代码',
  '事件',
  '操作人',
  '操作人邮箱',
  '角色',
  '版本',
  '内容SHA-256',
  '前一哈希',
  '哈希',
  '说明',
] as const;

/**
 * One field, RFC 4180 style: always quoted, quotes doubled. A field that a spreadsheet would run as a formula
 * (starting = + - @, tab or CR) gets a leading apostrophe, so a comment typed as `=HYPERLINK(…)` stays text.
 */
export function csvField(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export function csvRow(fields: readonly (string | number | undefined)[]): string {
  return fields.map(csvField).join(',');
}

export function auditCsv(history: ReportHistory): string {
  const rows = history.events.map((event) =>
    csvRow([
      event.seq,
      event.at,
      beijingTimeWithSeconds(event.at),
      event.type,
      EVENT_NAMES[event.type],
      event.actor.name ?? (event.actor.role === 'system' ? '系统' : ''),
      event.actor.email,
      actorLabel(event),
      event.version,
      event.contentSha256,
      event.prevHash,
      event.hash,
      eventSummary(event),
    ]),
  );
  return `${CSV_BOM}${[csvRow(CSV_COLUMNS), ...rows].join('\r\n')}\r\n`;
}

export function auditJson(reportId: string, history: ReportHistory, exportedAt: Date): string {
  return `${JSON.stringify(
    {
      reportId,
      exportedAt: exportedAt.toISOString(),
      chain: history.chain,
      events: history.events,
      executions: history.executions,
    },
    null,
    2,
  )}\n`;
}

/** `daxing-kw-2020-audit.csv`: ASCII, as report ids are. */
export const auditFileName = (reportId: string, extension: 'csv' | 'json'): string =>
  `${reportId.replace(/[^A-Za-z0-9_-]/g, '_')}-audit.${extension}`;
