import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { csvRecords, decodeCsv, parsePeopleCsv } from '#shared/workflow/people-csv.js';

const TEN_PEOPLE = [
  '邮箱,姓名,单位,角色',
  'li@kw.example.cn,李信息员,daxing-kw,信息员',
  'wang@kw.example.cn,王主任,daxing-kw,办公室主任',
  'zhang@kw.example.cn,张副主任,北京市大兴区科学技术委员会,主管领导',
  'fa@kw.example.cn,法制科刘科长,daxing-kw,legal',
  'sec@kw.example.cn,保密办陈主任,daxing-kw,"legal、director"',
  'a1@fgw.example.cn,赵信息员,daxing-fgw,officer',
  'a2@fgw.example.cn,钱主任,daxing-fgw,director',
  'a3@fgw.example.cn,孙领导,daxing-fgw,leader',
  'a4@fgw.example.cn,周科长,daxing-fgw,section-head',
  'a5@fgw.example.cn,吴审计,daxing-fgw,审计',
].join('\r\n');

describe('the people CSV', () => {
  it('reads the same ten people from UTF-8, UTF-8 with a BOM and GBK as Excel saves it', () => {
    const utf8 = parsePeopleCsv(new TextEncoder().encode(TEN_PEOPLE));
    const bom = parsePeopleCsv(new TextEncoder().encode(`\uFEFF${TEN_PEOPLE}`));
    const gbk = parsePeopleCsv(new Uint8Array(iconv.encode(TEN_PEOPLE, 'gbk')));
    expect(utf8.errors).toEqual([]);
    expect(utf8.rows).toHaveLength(10);
    expect(bom).toEqual(utf8);
    expect(gbk).toEqual(utf8);
    expect(utf8.rows[2]).toEqual({
      line: 4,
      email: 'zhang@kw.example.cn',
      name: '张副主任',
      agency: '北京市大兴区科学技术委员会',
      roles: ['leader'],
    });
  });

  it('takes role ids or their Chinese names, several in one cell', () => {
    const { rows } = parsePeopleCsv(new TextEncoder().encode(TEN_PEOPLE));
    expect(rows.map((row) => row.roles)).toEqual([
      ['officer'],
      ['director'],
      ['leader'],
      ['legal'],
      ['legal', 'director'],
      ['officer'],
      ['director'],
      ['leader'],
      ['section-head'],
      ['auditor'],
    ]);
  });

  it('names the line of a row with the wrong number of columns, counting the header as line 1', () => {
    const text = ['邮箱,姓名,单位,角色', 'a@x.cn,甲,daxing-kw,officer', 'b@x.cn,乙,daxing-kw', 'c@x.cn,丙,daxing-kw,officer,extra'].join(
      '\n',
    );
    const { errors, rows } = parsePeopleCsv(new TextEncoder().encode(text));
    expect(errors.map((error) => error.line)).toEqual([3, 4]);
    expect(errors[0]?.message).toContain('第 3 行有 3 列');
    expect(rows).toHaveLength(1);
  });

  it('accepts a file without a header, and refuses a header in the wrong order', () => {
    expect(parsePeopleCsv(new TextEncoder().encode('a@x.cn,甲,daxing-kw,officer')).rows).toHaveLength(1);
    const wrong = parsePeopleCsv(new TextEncoder().encode('邮箱,单位,姓名,角色\na@x.cn,daxing-kw,甲,officer'));
    expect(wrong.errors[0]).toMatchObject({ line: 1 });
    expect(wrong.errors[0]?.message).toContain('表头应为');
  });

  it('says an empty file is empty', () => {
    expect(parsePeopleCsv(new Uint8Array()).errors[0]?.message).toContain('文件是空的');
  });

  it('keeps quoted commas, quotes and line breaks inside one field, and the record’s first line number', () => {
    expect(csvRecords('a,"b,c","d""e"\r\n"f\ng",h\n')).toEqual([
      { line: 1, fields: ['a', 'b,c', 'd"e'] },
      { line: 2, fields: ['f\ng', 'h'] },
    ]);
  });

  it('decodes GBK only when the bytes are not UTF-8', () => {
    expect(decodeCsv(new Uint8Array(iconv.encode('大兴区', 'gbk')))).toBe('大兴区');
    expect(decodeCsv(new TextEncoder().encode('大兴区'))).toBe('大兴区');
  });
});
