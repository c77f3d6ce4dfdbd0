import { propertyRuns } from '../../../support/property-runs.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPath, templateCells } from '#shared/report/cells.js';
import {
  characterChanges,
  diffParagraphs,
  diffReports,
  paragraphChanges,
  PREAMBLE_HEADING,
  ReportDiffSchema,
  type CellChange,
} from '#shared/report/diff.js';
import { parseReport, type Report } from '#shared/report/schema.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { adjust, numberAt, referenceReport, report2021, setInPlace, withValue } from '../../../support/report-builders.js';

const base2021 = (): Report => parseReport(report2021());
const baseReference = (): Report => parseReport(referenceReport());

/** A report with one text field replaced; the builders work on plain objects, the diff on the parsed type. */
const withText = (report: Report, field: 'preamble' | 'overview' | 'problems' | 'otherMatters', text: string): Report =>
  withValue(report, field, text);

const paragraphsOf = (report: Report, field: 'overview' | 'problems'): string[] => diffParagraphs(report[field]);

describe('diffReports', () => {
  it('finds nothing between a report and a copy of it', () => {
    for (const report of [base2021(), baseReference()]) {
      const diff = diffReports(report, structuredClone(report));
      expect(diff).toEqual({ cells: [], texts: [], templateChanged: false });
      expect(ReportDiffSchema.parse(diff)).toEqual(diff);
    }
  });

  it('names exactly the one changed cell, with its labels, its part and old → new', () => {
    const before = base2021();
    const path = 'applications.newlyReceived.naturalPerson';
    const old = numberAt(before, path);
    const after = adjust(before, { [path]: 5 });
    expect(diffReports(before, after)).toEqual({
      cells: [
        {
          path,
          rowLabel: '一、本年新收政府信息公开申请数量',
          columnLabel: '自然人',
          tableHeading: '三、收到和处理政府信息公开申请情况',
          before: old,
          after: old + 5,
        },
      ],
      texts: [],
      templateChanged: false,
    });
  });

  it('labels a nested row with every level and the table 二 cells with their part', () => {
    const before = base2021();
    const after = adjust(before, {
      'applications.outcomes.withheld.stateSecret.total': 1,
      'activeDisclosure.regulations.rules.issued': 2,
    });
    const { cells } = diffReports(before, after);
    expect(cells.map((cell) => [cell.path, cell.rowLabel, cell.columnLabel, cell.tableHeading])).toEqual([
      ['activeDisclosure.regulations.rules.issued', '规章', '本年制发件数', '二、主动公开政府信息情况'],
      [
        'applications.outcomes.withheld.stateSecret.total',
        '三、本年度办理结果 （三）不予公开 1.属于国家秘密',
        '总计',
        '三、收到和处理政府信息公开申请情况',
      ],
    ]);
  });

  it('lists changed cells in template order whatever order they were edited in', () => {
    const before = base2021();
    const after = adjust(before, {
      'reviewsAndLitigation.reconsideration.upheld': 1,
      'applications.carriedOver.total': 1,
      'activeDisclosure.enforcement.administrativePenalty.decisions': 1,
    });
    expect(diffReports(before, after).cells.map((cell) => cell.path)).toEqual([
      'activeDisclosure.enforcement.administrativePenalty.decisions',
      'applications.carriedOver.total',
      'reviewsAndLitigation.reconsideration.upheld',
    ]);
  });

  it('shows money as the decimal string it is, and a changed unit as a change', () => {
    const before = baseReference();
    const amountPath = 'activeDisclosure.procurement.centralizedProcurement.amount';
    const unitPath = 'activeDisclosure.procurement.centralizedProcurement.unit';
    expect(readPath(before, amountPath.split('.'))).toBe('77.0693');

    const newAmount = diffReports(before, withValue(before, amountPath, '80.1000')).cells;
    expect(newAmount).toEqual([
      {
        path: amountPath,
        rowLabel: '政府集中采购',
        columnLabel: '采购总金额（万元，保留四位小数）',
        tableHeading: '二、主动公开政府信息情况',
        before: '77.0693万元',
        after: '80.1000万元',
      },
    ]);

    const newUnit = diffReports(before, withValue(before, unitPath, '元')).cells;
    expect(newUnit.map((cell) => [cell.path, cell.before, cell.after])).toEqual([[amountPath, '77.0693万元', '77.0693元']]);

    const fees2021 = 'activeDisclosure.fees.administrativeFees.amount';
    const report = base2021();
    const fees = diffReports(report, withValue(report, fees2021, '1.25')).cells;
    expect(fees.map((cell) => [cell.path, cell.after])).toEqual([[fees2021, '1.25']]);
  });

  it('reports a missing or non-numeric value as null', () => {
    const before = base2021();
    const path = 'reviewsAndLitigation.litigationDirect.pending';
    const after = withValue(before, path, undefined);
    expect(diffReports(before, after).cells).toEqual([expect.objectContaining({ path, before: numberAt(before, path), after: null })]);
    expect(diffReports(after, before).cells).toEqual([expect.objectContaining({ path, before: null, after: numberAt(before, path) })]);
  });

  it('reports a paragraph with one number changed as that paragraph edited, character by character, the others untouched', () => {
    const before = base2021();
    const paragraphs = paragraphsOf(before, 'overview');
    expect(paragraphs.length).toBeGreaterThanOrEqual(3);
    const old = paragraphs[2] ?? '';
    const edited = old.replace('30件', '31件');
    expect(edited).not.toBe(old);
    const after = withText(before, 'overview', before.overview.replace(old, edited));

    expect(diffReports(before, after)).toEqual({
      cells: [],
      texts: [
        {
          field: 'overview',
          heading: '一、总体情况',
          removed: [],
          added: [],
          edits: [
            {
              before: old,
              after: edited,
              parts: [
                { op: 'same', text: old.slice(0, old.indexOf('30件')) },
                { op: 'removed', text: '30' },
                { op: 'added', text: '31' },
                { op: 'same', text: old.slice(old.indexOf('30件') + 2) },
              ],
            },
          ],
        },
      ],
      templateChanged: false,
    });
  });

  it('reports a paragraph inserted at the top as the only one added', () => {
    const before = base2021();
    const inserted = '五是新增一段说明。';
    const after = withText(before, 'problems', `${inserted}\n\n${before.problems}`);
    expect(diffReports(before, after).texts).toEqual([
      { field: 'problems', heading: '五、存在的主要问题及改进情况', removed: [], added: [inserted], edits: [] },
    ]);
  });

  it('keeps a paragraph that moved down one line when it stays in order with the rest', () => {
    const before = withText(base2021(), 'otherMatters', '甲。\n乙。\n丙。');
    const after = withText(before, 'otherMatters', '甲。\n新。\n乙。\n丙。');
    expect(diffReports(before, after).texts).toEqual([
      { field: 'otherMatters', heading: '六、其他需要报告的事项', removed: [], added: ['新。'], edits: [] },
    ]);
  });

  it('does not count blank lines, line endings or indentation as edits', () => {
    const before = base2021();
    const respaced = diffParagraphs(before.overview)
      .map((line) => `　${line}  `)
      .join('\r\n\r\n\r\n');
    expect(diffReports(before, withText(before, 'overview', respaced)).texts).toEqual([]);
  });

  it('diffs the preamble, including one added where there was none', () => {
    const before = base2021();
    const noPreamble = withValue(before, 'preamble', undefined);
    expect(diffReports(noPreamble, before).texts).toEqual([
      { field: 'preamble', heading: PREAMBLE_HEADING, removed: [], added: [before.preamble], edits: [] },
    ]);
    expect(diffReports(before, noPreamble).texts).toEqual([
      { field: 'preamble', heading: PREAMBLE_HEADING, removed: [before.preamble], added: [], edits: [] },
    ]);
  });

  it('lists text changes in page order: preamble, 一, 五, 六', () => {
    const before = base2021();
    let after = withText(before, 'otherMatters', '改。');
    after = withText(after, 'preamble', '改。');
    after = withText(after, 'overview', '改。');
    after = withText(after, 'problems', '改。');
    expect(diffReports(before, after).texts.map((text) => text.field)).toEqual(['preamble', 'overview', 'problems', 'otherMatters']);
  });

  it('flags a change of template, compares no cells and still compares the texts', () => {
    const before = baseReference();
    const after = withText(base2021(), 'otherMatters', before.otherMatters);
    const diff = diffReports(before, after);
    expect(diff.templateChanged).toBe(true);
    expect(diff.cells).toEqual([]);
    expect(diff.texts.map((text) => text.field).sort()).toEqual(['overview', 'preamble', 'problems'].sort());
    expect(ReportDiffSchema.parse(diff)).toEqual(diff);
  });
});

describe('paragraphChanges', () => {
  it('falls back to the whole differing middle when the texts are too long to compare', () => {
    const many = Array.from({ length: 2_500 }, (_, i) => `a${i}`);
    const other = Array.from({ length: 2_500 }, (_, i) => `b${i}`);
    const { removed, added } = paragraphChanges(['同', ...many, '尾'], ['同', ...other, '尾']);
    expect(removed).toEqual(many);
    expect(added).toEqual(other);
  });

  /** The length of a longest common subsequence, the plain recursive way; small inputs only. */
  function lcsLength(a: readonly string[], b: readonly string[]): number {
    const memo = new Map<string, number>();
    const go = (i: number, j: number): number => {
      if (i === a.length || j === b.length) return 0;
      const key = `${i},${j}`;
      const known = memo.get(key);
      if (known !== undefined) return known;
      const value = a[i] === b[j] ? go(i + 1, j + 1) + 1 : Math.max(go(i + 1, j), go(i, j + 1));
      memo.set(key, value);
      return value;
    };
    return go(0, 0);
  }

  const isSubsequence = (small: readonly string[], big: readonly string[]): boolean => {
    let i = 0;
    for (const item of big) if (item === small[i]) i++;
    return i === small.length;
  };

  it('removes and adds only what is outside a longest common subsequence (property)', () => {
    const paragraphList = fc.array(fc.constantFrom('甲', '乙', '丙', '丁', '戊'), { maxLength: 12 });
    fc.assert(
      fc.property(paragraphList, paragraphList, (a, b) => {
        const { removed, added } = paragraphChanges(a, b);
        const common = lcsLength(a, b);
        expect(a.length - removed.length).toBe(common);
        expect(b.length - added.length).toBe(common);
        expect(isSubsequence(removed, a)).toBe(true);
        expect(isSubsequence(added, b)).toBe(true);
      }),
    );
  });
});

describe('diffReports over random cell edits (property)', () => {
  const template = TEMPLATES['national-2021'];
  const cells = templateCells(template);

  const edit = fc.record({
    index: fc.nat({ max: cells.length - 1 }),
    count: fc.nat({ max: 50 }),
  });

  it('lists exactly the edited cells whose value changed, in template order, with old and new values', () => {
    fc.assert(
      fc.property(fc.uniqueArray(edit, { selector: (e) => e.index, maxLength: 25 }), (edits) => {
        const before = base2021();
        const after = structuredClone(before);
        const expected: Array<Pick<CellChange, 'path' | 'before' | 'after'>> = [];
        for (const { index, count } of [...edits].sort((x, y) => x.index - y.index)) {
          const cell = cells[index];
          if (cell === undefined) throw new Error('cell index out of range');
          const value = cell.column.kind.type === 'money' ? String(count) : count;
          const old = readPath(before, cell.path);
          setInPlace(after, cell.id, value);
          if (old !== value) expected.push({ path: cell.id, before: old as number | string, after: value });
        }
        const diff = diffReports(before, after);
        expect(diff.texts).toEqual([]);
        expect(diff.templateChanged).toBe(false);
        expect(diff.cells.map(({ path, before: was, after: is }) => ({ path, before: was, after: is }))).toEqual(expected);
        for (const change of diff.cells) {
          const cell = cells.find((candidate) => candidate.id === change.path);
          expect(change.rowLabel).toBe(cell?.rowLabel);
          expect(change.columnLabel).toBe(cell?.columnLabel);
          expect(change.tableHeading).not.toBe('');
        }
      }),
      { numRuns: propertyRuns(150) },
    );
  });
});

describe('a paragraph edited in place', () => {
  it('shows the characters taken out and put in, a changed number as one run', () => {
    expect(characterChanges('本年共收到申请17件。', '本年共收到申请117件，均已办结。')).toEqual([
      { op: 'same', text: '本年共收到申请' },
      { op: 'removed', text: '17' },
      { op: 'added', text: '117' },
      { op: 'same', text: '件' },
      { op: 'added', text: '，均已办结' },
      { op: 'same', text: '。' },
    ]);
  });

  it('pairs a paragraph only with one alike enough to be its edit, and lists a rewritten one as removed and added', () => {
    const before = withText(base2021(), 'otherMatters', '本机关全年未收取信息处理费。\n完全不同的一段话。');
    const after = withText(before, 'otherMatters', '本机关全年未收取任何信息处理费。\n另起炉灶写了别的内容。');
    const [change] = diffReports(before, after).texts;
    expect(change?.edits.map((edit) => [edit.before, edit.after])).toEqual([
      ['本机关全年未收取信息处理费。', '本机关全年未收取任何信息处理费。'],
    ]);
    expect(change?.removed).toEqual(['完全不同的一段话。']);
    expect(change?.added).toEqual(['另起炉灶写了别的内容。']);
  });

  it('rebuilds both versions of the paragraph from its parts (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (a, b) => {
        const parts = characterChanges(a, b);
        expect(
          parts
            .filter((part) => part.op !== 'added')
            .map((part) => part.text)
            .join(''),
        ).toBe(a);
        expect(
          parts
            .filter((part) => part.op !== 'removed')
            .map((part) => part.text)
            .join(''),
        ).toBe(b);
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
