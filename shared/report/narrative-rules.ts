import { templateCells } from './cells.js';
import type { Finding } from './findings.js';
import { readClaims, type ClaimKind } from './narrative.js';
import { countAt, fmt, sumOf } from './numbers.js';
import type { ReportView } from './report-view.js';
import { diceSimilarity, N4_THRESHOLD } from './similarity.js';

/** N1–N4 (docs/report-rules.md): the text against the tables, its length, the 信息处理费 report, and 年年雷同. */

interface TableFact {
  readonly name: string;
  readonly value: (view: ReportView) => number | undefined;
  /** other readings that are also right (受理 sometimes counts 上年结转 too) */
  readonly alsoAccepted?: (view: ReportView) => number | undefined;
}

const at =
  (...path: string[]) =>
  (view: ReportView): number | undefined =>
    countAt(view.raw, path);

/**
 * The 总计 of the data rows under one or more outcome groups of table 三, as the template has them: （三）不予公开 is
 * eight rows, （六）其他处理 one in the 2019 format and three in 2021.
 */
const outcomes =
  (...groups: string[]) =>
  (view: ReportView): number | undefined =>
    sumOf(
      templateCells(view.template)
        .filter(
          (cell) =>
            cell.path[0] === 'applications' &&
            cell.path[1] === 'outcomes' &&
            groups.includes(cell.path[2] ?? '') &&
            cell.path.at(-1) === 'total',
        )
        .map((cell) => countAt(view.raw, cell.path)),
    );

const ROW_TOTAL = '行的总计';

const FACTS: Readonly<Record<ClaimKind, TableFact>> = {
  received: {
    name: '表三“一、本年新收政府信息公开申请数量”总计',
    value: at('applications', 'newlyReceived', 'total'),
    alsoAccepted: (view) =>
      sumOf([countAt(view.raw, ['applications', 'newlyReceived', 'total']), countAt(view.raw, ['applications', 'carriedOver', 'total'])]),
  },
  carriedOver: { name: '表三“二、上年结转政府信息公开申请数量”总计', value: at('applications', 'carriedOver', 'total') },
  concluded: { name: '表三“三、本年度办理结果（七）总计”的总计', value: at('applications', 'outcomes', 'total', 'total') },
  carriedForward: { name: '表三“四、结转下年度继续办理”总计', value: at('applications', 'carriedForward', 'total') },
  reconsideration: { name: '表四“行政复议”总计', value: at('reviewsAndLitigation', 'reconsideration', 'total') },
  litigation: {
    name: '表四“行政诉讼”两项总计之和',
    value: (view) =>
      sumOf([
        countAt(view.raw, ['reviewsAndLitigation', 'litigationDirect', 'total']),
        countAt(view.raw, ['reviewsAndLitigation', 'litigationAfterReconsideration', 'total']),
      ]),
  },
  disclosed: { name: `表三“（一）予以公开”${ROW_TOTAL}`, value: outcomes('disclosed') },
  partiallyDisclosed: { name: `表三“（二）部分公开”${ROW_TOTAL}`, value: outcomes('partiallyDisclosed') },
  disclosedOrPartially: { name: '表三“（一）予以公开”与“（二）部分公开”的总计之和', value: outcomes('disclosed', 'partiallyDisclosed') },
  withheld: { name: '表三“（三）不予公开”各项的总计之和', value: outcomes('withheld') },
  unableToProvide: { name: '表三“（四）无法提供”各项的总计之和', value: outcomes('unableToProvide') },
  notProcessed: { name: '表三“（五）不予处理”各项的总计之和', value: outcomes('notProcessed') },
  otherHandling: { name: '表三“（六）其他处理”的总计', value: outcomes('other') },
};

const UPHELD_GROUPS = {
  reconsideration: { name: '行政复议', groups: ['reconsideration'] },
  litigation: { name: '行政诉讼', groups: ['litigationDirect', 'litigationAfterReconsideration'] },
} as const;

function n1(view: ReportView): Finding[] {
  const findings: Finding[] = [];
  const report = view.raw;
  for (const claim of readClaims(view.overview)) {
    if (claim.kind === 'allUpheld') {
      const subject = UPHELD_GROUPS[claim.subject];
      const notUpheld = sumOf(
        subject.groups.flatMap((group) =>
          ['corrected', 'other', 'pending'].map((column) => countAt(report, ['reviewsAndLitigation', group, column])),
        ),
      );
      if (notUpheld !== undefined && notUpheld > 0) {
        findings.push({
          code: 'N1',
          path: 'overview',
          expected: 0,
          actual: notUpheld,
          message: `一、总体情况写“${claim.excerpt}”，但表四${subject.name}中有 ${fmt(notUpheld)} 件结果纠正、其他结果或尚未审结，并非均获维持。`,
        });
      }
      continue;
    }
    const fact = FACTS[claim.kind];
    const value = fact.value(view);
    if (value === undefined || value === claim.value || fact.alsoAccepted?.(view) === claim.value) continue;
    findings.push({
      code: 'N1',
      path: 'overview',
      expected: value,
      actual: claim.value,
      message: `一、总体情况写“${claim.excerpt}”，但${fact.name}为 ${fmt(value)}。请核对文字或表格。`,
    });
  }
  return findings;
}

/** 六 reports the fee, however it is worded: 信息处理费, 处理费, 未收取任何费用, 收取费用0元. */
const FEES_REPORTED = /处理费|(?:收取|收缴|收到|收)[^。；;，,]{0,10}费/;
/** 六 names fee notices or payment, which explains applications lapsing for unpaid fees. */
const FEE_NOTICES = /收费通知|缴费通知|缴纳|缴费/;
/** 六 states an amount of fees collected (收取信息处理费120元, 处理费共计0.12万元): notices were issued and paid. */
const FEES_COLLECTED = /(?:收取|收缴|收到|共计|合计)[^。；;]{0,16}?(?:[1-9][0-9]*(?:\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)(?:万元|元)/;

/** N2 (2021 format): 六 reports the 信息处理费 collected, and mentions fee notices when 三（六）2 shows some. */
function n2(view: ReportView): Finding[] {
  if (view.template.format !== '2021') return [];
  const findings: Finding[] = [];
  // typeset text has spaces anywhere (收取信息处理费 120 元)
  const text = view.otherMatters.replace(/\s+/g, '');
  if (!FEES_REPORTED.test(text)) {
    findings.push({
      code: 'N2',
      path: 'otherMatters',
      message: '六、其他需要报告的事项应报告收取信息处理费的情况（未收取也请写明，如“本年度未收取信息处理费”）。',
    });
  }
  const overdueFee = countAt(view.raw, ['applications', 'outcomes', 'other', 'overdueFee', 'total']);
  if (overdueFee !== undefined && overdueFee > 0 && !FEE_NOTICES.test(text) && !FEES_COLLECTED.test(text)) {
    findings.push({
      code: 'N2',
      path: 'otherMatters',
      actual: overdueFee,
      message: `表三（六）2“申请人逾期未按收费通知要求缴纳费用”有 ${fmt(overdueFee)} 件，说明发出过收费通知；六、其他需要报告的事项应说明收费通知及收费情况。`,
    });
  }
  return findings;
}

/** Characters as a reader counts 字: everything but white space. */
export function countChars(text: string): number {
  return Array.from(text.replace(/\s/g, '')).length;
}

function n3(view: ReportView): Finding[] {
  const section = view.template.sections.find((candidate) => candidate.type === 'text' && candidate.field === 'overview');
  const limit = section?.type === 'text' ? section.advisoryMaxChars : undefined;
  // countChars never exceeds the UTF-16 length, so a text no longer than the limit need not be counted
  if (limit === undefined || view.overview.length <= limit) return [];
  const length = countChars(view.overview);
  if (length <= limit) return [];
  return [
    {
      code: 'N3',
      path: 'overview',
      expected: limit,
      actual: length,
      message: `一、总体情况共 ${fmt(length)} 字，格式要求篇幅原则上不超过 ${fmt(limit)} 字，请精简。`,
    },
  ];
}

function n4(report: ReportView, previous: ReportView | undefined): Finding[] {
  if (!previous || countChars(report.problems) === 0 || countChars(previous.problems) === 0) return [];
  const similarity = diceSimilarity(report.problems, previous.problems);
  if (similarity < N4_THRESHOLD) return [];
  const percent = Math.round(similarity * 100);
  return [
    {
      code: 'N4',
      path: 'problems',
      expected: Math.round(N4_THRESHOLD * 100),
      actual: percent,
      message: `五、存在的主要问题及改进情况与 ${previous.year ?? '上一年度'} 年报告的相似度为 ${percent}%（达到 ${Math.round(N4_THRESHOLD * 100)}% 即提示），格式要求内容具体、不得年年雷同，请写明本年度的具体问题和改进措施。`,
    },
  ];
}

export function narrativeFindings(report: ReportView, previous: ReportView | undefined): Finding[] {
  return [...n1(report), ...n2(report), ...n3(report), ...n4(report, previous)];
}
