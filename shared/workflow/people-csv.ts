/**
 * The people CSV an administrator uploads: columns 邮箱,姓名,单位,角色, one person a line, as Excel or WPS saves it —
 * UTF-8 with or without a byte-order mark, or GBK (what Excel's "CSV" gives on a Chinese Windows). The parser reads
 * every line and reports every problem with its line number; the caller writes nothing unless there are none.
 *
 * 单位 is an agency's id or its registered name. 角色 is one or more roles separated by 、 ; ， , | or spaces, each a
 * role id (`officer`, `director`, `legal`, …) or one of the Chinese names below.
 */

export interface PeopleCsvRow {
  readonly line: number;
  readonly email: string;
  readonly name: string;
  readonly agency: string;
  readonly roles: readonly string[];
}

export interface CsvLineError {
  readonly line: number;
  readonly message: string;
}

export interface ParsedPeopleCsv {
  readonly rows: readonly PeopleCsvRow[];
  readonly errors: readonly CsvLineError[];
}

/** The Chinese names people write for the fixed roles and the default chain's. */
export const ROLE_NAMES: Readonly<Record<string, string>> = {
  信息员: 'officer',
  办公室主任: 'director',
  主任: 'director',
  主管领导: 'leader',
  领导: 'leader',
  审计: 'auditor',
  监督: 'auditor',
  审计人员: 'auditor',
  管理员: 'admin',
};

const HEADER = ['邮箱', '姓名', '单位', '角色'];
const MAX_ROWS = 5_000;

/**
 * The bytes as text: UTF-8 when they are valid UTF-8 (a BOM dropped), otherwise GBK. A GBK file is almost never
 * valid UTF-8 (its two-byte sequences break UTF-8's continuation rules), so the order of the tries decides nothing
 * but speed.
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. Each record keeps its first line number. */
export function csvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ line: start, fields });
      fields = [];
      field = '';
      line++;
      start = line;
    } else field += char;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: start, fields });
  }
  return records;
}

function roleIds(text: string): string[] {
  return text
    .split(/[、;；,，|\s]+/u)
    .map((role) => role.trim())
    .filter((role) => role !== '')
    .map((role) => ROLE_NAMES[role] ?? role.toLowerCase());
}

export function parsePeopleCsv(bytes: Uint8Array): ParsedPeopleCsv {
  const records = csvRecords(decodeCsv(bytes)).filter((record) => record.fields.some((field) => field.trim() !== ''));
  const errors: CsvLineError[] = [];
  const rows: PeopleCsvRow[] = [];
  const [first, ...rest] = records;
  if (first === undefined) return { rows, errors: [{ line: 1, message: '文件是空的：请按“邮箱,姓名,单位,角色”每行填写一人。' }] };
  const hasHeader = first.fields[0]?.trim() === HEADER[0];
  if (hasHeader && first.fields.map((field) => field.trim()).join(',') !== HEADER.join(',')) {
    errors.push({ line: first.line, message: `表头应为“${HEADER.join(',')}”，四列依次是邮箱、姓名、单位和角色。` });
  }
  const body = hasHeader ? rest : records;
  if (body.length > MAX_ROWS) return { rows, errors: [{ line: 1, message: `一次最多导入 ${MAX_ROWS} 人，请分成几个文件。` }] };
  for (const record of body) {
    const cells = record.fields.map((field) => field.trim());
    if (cells.length !== HEADER.length) {
      errors.push({ line: record.line, message: `第 ${record.line} 行有 ${cells.length} 列，应为 4 列（邮箱,姓名,单位,角色）。` });
      continue;
    }
    const [email = '', name = '', agency = '', roles = ''] = cells;
    rows.push({ line: record.line, email, name, agency, roles: roleIds(roles) });
  }
  return { rows, errors };
}
