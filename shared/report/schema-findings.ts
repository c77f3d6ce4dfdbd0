import type { z } from 'zod';
import { cellName, readPath, templateCells, type Cell } from './cells.js';
import type { Finding } from './findings.js';
import { MONEY_MAX_INTEGER_DIGITS, MONEY_TOO_LONG } from './numbers.js';
import { MAX_TEXT_CHARS, SCALE_ISSUE, templateSchema } from './schema.js';
import type { Template } from './template-model.js';
import { TITLE_FORMATS } from './title.js';

/** Turns the template schema's issues into findings with the template's labels and a Chinese message. */

const BLANK_TEXT = /^\s*(|\/|-|—|－|／)\s*$/;
const isBlank = (value: unknown): boolean => value === undefined || value === null || (typeof value === 'string' && BLANK_TEXT.test(value));

const TEXT_LABELS: Record<string, string> = {
  preamble: '报告开头',
  overview: '一、总体情况',
  problems: '五、存在的主要问题及改进情况',
  otherMatters: '六、其他需要报告的事项',
};

/** A value quoted in a message, shortened; any JSON value, an object with a key named toString included. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `“${value.length > 20 ? `${value.slice(0, 20)}…` : value}”`;
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 20 ? `${json.slice(0, 20)}…` : json;
}

function cellFinding(cell: Cell, code: Finding['code'], message: string, actual?: unknown): Finding {
  return {
    code,
    path: cell.id,
    rowLabel: cell.rowLabel,
    columnLabel: cell.columnLabel,
    ...(typeof actual === 'number' || typeof actual === 'string' ? { actual } : {}),
    message,
  };
}

const where = cellName;

function blankCell(cell: Cell): Finding {
  return cellFinding(cell, 'R5', `${where(cell)}未填写。没有数据请填 0，空白或“/”不视为 0。`);
}

function cellIssue(cell: Cell, issue: z.core.$ZodIssue, value: unknown): Finding {
  const kind = cell.column.kind;
  if (isBlank(value)) return blankCell(cell);
  if (issue.code === 'too_small') {
    return cellFinding(cell, 'SCHEMA_NEGATIVE', `${where(cell)}填写了负数 ${describe(value)}，数量不能为负。`, value);
  }
  if (kind.type !== 'money' && issue.code === 'invalid_type' && typeof value === 'number') {
    return cellFinding(cell, 'SCHEMA_NOT_INTEGER', `${where(cell)}填写了 ${describe(value)}，应为整数。`, value);
  }
  if (kind.type === 'money') {
    if (typeof value !== 'string') {
      return cellFinding(cell, 'SCHEMA_TYPE', `${where(cell)}金额应以文字填写的小数表示，如 "77.0693"；实际为 ${describe(value)}。`);
    }
    if (issue.code === 'custom' && issue.params?.['issue'] === SCALE_ISSUE) {
      const maxScale = Number(issue.params['maxScale']);
      return cellFinding(
        cell,
        'SCHEMA_DECIMAL_SCALE',
        `${where(cell)}金额 ${describe(value)} 的小数位数过多，最多保留 ${maxScale} 位小数。`,
        value,
      );
    }
    if (MONEY_TOO_LONG.test(value)) {
      return cellFinding(
        cell,
        'SCHEMA_DECIMAL_TOO_LONG',
        `${where(cell)}金额 ${describe(value)} 的整数部分超过 ${MONEY_MAX_INTEGER_DIGITS} 位，请核对金额和单位。`,
        value.length > 40 ? `${value.slice(0, 40)}…` : value,
      );
    }
    return cellFinding(cell, 'SCHEMA_DECIMAL', `${where(cell)}金额 ${describe(value)} 格式不正确，应为非负小数，如 "77.0693"。`, value);
  }
  return cellFinding(cell, 'SCHEMA_TYPE', `${where(cell)}应填写整数，实际为 ${describe(value)}。`);
}

function otherIssue(template: Template, issue: z.core.$ZodIssue, report: unknown, cells: readonly Cell[]): Finding[] {
  const path = issue.path.map(String);
  const id = path.join('.');
  const value = readPath(report, path);
  const head = path[0] ?? '';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const at = [...path, key].join('.');
      return { code: 'SCHEMA_UNKNOWN_FIELD', path: at, message: `“${at}”不是 ${template.id} 模板中的栏目，请删除或改用模板中的栏目。` };
    });
  }
  if (head === 'agency') {
    return [{ code: 'SCHEMA_AGENCY', path: id, message: '机关信息不完整：需要机关代码（小写字母、数字和连字符）和机关名称。' }];
  }
  if (head === 'title') {
    const formats = Object.keys(TITLE_FORMATS).join('、');
    return [
      { code: 'SCHEMA_TYPE', path: id, message: `标题格式不正确（${describe(value)}）：format 可选 ${formats}，lines 可选 1 或 2。` },
    ];
  }
  if (head === 'year') {
    if (issue.code === 'custom' && issue.params?.['issue'] === 'template-year') {
      const range = template.years.to === undefined ? `${template.years.from} 年及以后` : `${template.years.from}—${template.years.to} 年`;
      const finding: Finding = {
        code: 'SCHEMA_TEMPLATE_YEAR',
        path: 'template',
        message: `${template.name}（${template.id}）适用于 ${range}的年度报告，与报告年度 ${describe(value)} 不符，请选择该年度适用的模板。`,
      };
      return [typeof value === 'number' ? { ...finding, actual: value } : finding];
    }
    return [{ code: 'SCHEMA_YEAR', path: 'year', message: `报告年度应为 2019 至 2100 之间的整数，实际为 ${describe(value)}。` }];
  }
  if (Object.hasOwn(TEXT_LABELS, head) && path.length === 1) {
    const label = TEXT_LABELS[head] ?? head;
    if (issue.code === 'too_big' && typeof value === 'string') {
      return [
        {
          code: 'SCHEMA_TEXT_TOO_LONG',
          path: id,
          expected: MAX_TEXT_CHARS,
          actual: value.length,
          message: `${label}共 ${value.length} 字，超过系统上限 ${MAX_TEXT_CHARS} 字，请精简。`,
        },
      ];
    }
    if (value === undefined || value === null) {
      return [{ code: 'SCHEMA_TEXT_REQUIRED', path: id, message: `缺少${label}的文字内容（没有内容可填“无。”）。` }];
    }
    return [{ code: 'SCHEMA_TYPE', path: id, message: `${label}应为文字，实际为 ${describe(value)}。` }];
  }
  // A whole table or row missing: every cell under it is blank, and each is shown where it belongs.
  const under = cells.filter((cell) => id !== '' && cell.id.startsWith(`${id}.`));
  if (under.length > 0 && (value === undefined || value === null)) return under.map(blankCell);
  if (under.length > 0) {
    return [{ code: 'SCHEMA_TYPE', path: id, message: `“${id}”应为表格数据（对象），实际为 ${describe(value)}。` }];
  }
  const unitCell = cells.find(
    (cell) => cell.column.kind.type === 'money' && id === [...cell.path.slice(0, -1), cell.column.kind.unitField].join('.'),
  );
  if (unitCell && unitCell.column.kind.type === 'money') {
    const units = Object.keys(unitCell.column.kind.units).join('或');
    return [
      {
        code: 'SCHEMA_UNIT',
        path: id,
        rowLabel: unitCell.rowLabel,
        columnLabel: unitCell.columnLabel,
        message: `${where(unitCell)}的金额单位应为${units}，实际为 ${describe(value)}。`,
      },
    ];
  }
  return [{ code: 'SCHEMA_TYPE', path: id, message: `“${id || '报告'}”格式不正确（${describe(value)}）。` }];
}

/** The template schema's verdict on a report: whether it fits, and if not, why (never an empty list then). */
export interface SchemaCheck {
  readonly fits: boolean;
  readonly findings: Finding[];
}

/** Runs the template schema once: whether the report fits, and if not, why. */
export function checkSchema(template: Template, report: unknown): SchemaCheck {
  const result = templateSchema(template).safeParse(report);
  if (result.success) return { fits: true, findings: [] };
  return { fits: false, findings: issueFindings(template, report, result.error.issues) };
}

export function schemaFindings(template: Template, report: unknown): Finding[] {
  return checkSchema(template, report).findings;
}

/** The template schema's issues as findings, in the template's order. */
export function issueFindings(template: Template, report: unknown, issues: readonly z.core.$ZodIssue[]): Finding[] {
  const cells = templateCells(template);
  const byId = new Map(cells.map((cell) => [cell.id, cell]));
  const findings = issues.flatMap((issue) => {
    const id = issue.path.map(String).join('.');
    const cell = byId.get(id);
    return cell ? [cellIssue(cell, issue, readPath(report, cell.path))] : otherIssue(template, issue, report, cells);
  });
  // Findings follow the template's order, so the form and the CLI list them top to bottom.
  const order = new Map(cells.map((cell, index) => [cell.id, index]));
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => (order.get(a.finding.path) ?? -1) - (order.get(b.finding.path) ?? -1) || a.index - b.index)
    .map(({ finding }) => finding);
}
