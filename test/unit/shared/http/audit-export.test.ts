import { describe, expect, it } from 'vitest';
import { signOffSheet } from '#shared/workflow/sign-off-sheet.js';
import { auditCsv, auditFileName, auditJson, csvField, csvRow, CSV_BOM, CSV_COLUMNS } from '#shared/http/pages/audit-export.js';
import { sealEvent, verifyChain } from '#shared/workflow/chain.js';
import type { ReportEvent, UnsealedEvent } from '#shared/workflow/model.js';
import type { ReportHistory } from '#shared/workflow/report-queries.js';

const SHA = 'a'.repeat(64);

function history(comment: string): ReportHistory {
  const unsealed: UnsealedEvent[] = [
    {
      reportId: 'daxing-kw-2020',
      type: 'submitted',
      at: '2021-01-20T01:00:00.000Z',
      actor: { email: 'officer@kw.example.cn', name: '李信息员', role: 'officer' },
      version: 1,
      contentSha256: SHA,
      data: {
        report: {},
        agencyId: 'daxing-kw',
        agencyName: '北京市大兴区科学技术委员会',
        year: 2020,
        template: 'beijing-2019',
        round: 1,
        executionName: 'daxing-kw-2020-r1',
      },
    },
    {
      reportId: 'daxing-kw-2020',
      type: 'decided',
      at: '2021-01-20T02:30:05.000Z',
      actor: { email: 'director@kw.example.cn', name: '王主任', role: 'director' },
      version: 1,
      contentSha256: SHA,
      data: {
        reviewId: 'r'.repeat(22),
        decision: {
          outcome: 'return',
          comment,
          approver: 'director@kw.example.cn',
          approverName: '王主任',
          stage: 'director',
          confidentialityReviewed: false,
          version: 1,
          decidedAt: '2021-01-20T02:30:05.000Z',
        },
      },
    },
    {
      reportId: 'daxing-kw-2020',
      type: 'withdrawn',
      at: '2021-01-20T03:00:00.000Z',
      actor: { role: 'system' },
      version: 1,
      contentSha256: SHA,
      data: {},
    },
  ];
  const events: ReportEvent[] = [];
  for (const event of unsealed) events.push(sealEvent(event, events.at(-1)));
  return {
    events,
    chain: { ...verifyChain('daxing-kw-2020', events), signed: 0, unsignedPrefix: events.length, anchoredSeq: undefined },
    sheet: signOffSheet(events),
    executions: [],
  };
}

/** Splits RFC 4180 text into rows of fields, honouring quotes (a quoted field may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  return rows;
}

describe('csvField', () => {
  it('quotes every field and doubles the quotes inside', () => {
    expect(csvField('abc')).toBe('"abc"');
    expect(csvField('')).toBe('""');
    expect(csvField(undefined)).toBe('""');
    expect(csvField(3)).toBe('"3"');
    expect(csvField('他说"好"，可以')).toBe('"他说""好""，可以"');
    expect(csvField('一行\r\n两行')).toBe('"一行\r\n两行"');
  });

  it('keeps a spreadsheet from running what looks like a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const start of ['+', '-', '@', '\t']) expect(csvField(`${start}1`)).toBe(`"'${start}1"`);
    expect(csvRow(['a', 1])).toBe('"a","1"');
  });
});

describe('auditCsv', () => {
  it('is UTF-8 with a BOM for Excel, CRLF line ends, a header and one row per event', () => {
    const csv = auditCsv(history('请修改。'));
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv.slice(CSV_BOM.length));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.length === CSV_COLUMNS.length)).toBe(true);
    expect(rows[1]?.slice(0, 9)).toEqual([
      '1',
      '2021-01-20T01:00:00.000Z',
      '2021-01-20 09:00:00',
      'submitted',
      '提交',
      '李信息员',
      'officer@kw.example.cn',
      '信息员',
      '1',
    ]);
    expect(rows[2]?.[12]).toBe('王主任（办公室主任审核）：退回修改；意见：请修改。');
    expect(rows[3]?.slice(5, 8)).toEqual(['系统', '', '系统']);
    expect(rows[3]?.[11]).toBe(history('请修改。').events[2]?.hash);
  });

  it('keeps a comment with quotes, commas, line breaks and a formula intact, in one field', () => {
    const comment = '=SUM(A1:A9)，"数据"有误,\r\n请核对';
    const rows = parseCsv(auditCsv(history(comment)).slice(1));
    expect(rows).toHaveLength(4);
    expect(rows[2]?.[12]).toBe(`王主任（办公室主任审核）：退回修改；意见：${comment}`);
  });
});

describe('auditJson', () => {
  it('carries every event exactly as stored, the chain verdict and when it was exported', () => {
    const source = history('请修改。');
    const exported = JSON.parse(auditJson('daxing-kw-2020', source, new Date('2021-02-01T00:00:00Z'))) as {
      events: ReportEvent[];
      chain: { valid: boolean };
      exportedAt: string;
    };
    expect(exported.events).toEqual(source.events);
    expect(verifyChain('daxing-kw-2020', exported.events).valid).toBe(true);
    expect(exported.chain.valid).toBe(true);
    expect(exported.exportedAt).toBe('2021-02-01T00:00:00.000Z');
  });

  it('names the files after the report', () => {
    expect(auditFileName('daxing-kw-2020', 'csv')).toBe('daxing-kw-2020-audit.csv');
    expect(auditFileName('a"b/c', 'json')).toBe('a_b_c-audit.json');
  });
});
