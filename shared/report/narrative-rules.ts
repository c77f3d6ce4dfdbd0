import type { Finding } from './findings.js';
import { readClaims, type ClaimKind } from './narrative.js';
import { countAt, fmt, sumOf } from './numbers.js';
import type { ReportView } from './report-view.js';
import { diceSimilarity, N4_THRESHOLD } from './similarity.js';

/** N1–N4 of TEMPLATES.md §c: the text against the tables, its length, the 信息处理费 report, and 年年雷同. */

interface TableFact {
  readonly name: string;
  readonly value: (report: unknown) => number | undefined;
  /** other readings that are also right (受理 sometimes counts 上年结转 too) */
  readonly alsoAccepted?: (report: unknown) => number | undefined;
}

const at = (...path: string[]) => (report: unknown) => countAt(report, path);

const FACTS: Readonly<Record<ClaimKind, TableFact>> = {
  received: {
    name: '表三“一、本年新收政府信息公开申请数量”总计',
    value: at('applications', 'newlyReceived', 'total'),
    alsoAccepted: (report) =>
      sumOf([countAt(report, ['applications', 'newlyReceived', 'total']), countAt(report, ['applications', 'carriedOver', 'total'])]),
  },
  carriedOver: { name: '表三“二、上年结转政府信息公开申请数量”总计', value: at('applications', 'carriedOver', 'total') },
  concluded: { name: '表三“三、本年度办理结果（七）总计”的总计', value: at('applications', 'outcomes', 'total', 'total') },
  carriedForward: { name: '表三“四、结转下年度继续办理”总计', value: at('applications', 'carriedForward', 'total') },
  reconsideration: { name: '表四“行政复议”总计', value: at('reviewsAndLitigation', 'reconsideration', 'total') },
  litigation: {
    name: '表四“行政诉讼”两项总计之和',
    value: (report) =>
      sumOf([
        countAt(report, ['reviewsAndLitigation', 'litigationDirect', 'total']),
        countAt(report, ['reviewsAndLitigation', 'litigationAfterReconsideration', 'total']),
      ]),
  },
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
        subject.groups.flatMap((group) => ['corrected', 'other', 'pending'].map((column) => countAt(report, ['reviewsAndLitigation', group, column]))),
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
    const value = fact.value(report);
    if (value === undefined || value === claim.value || fact.alsoAccepted?.(report) === claim.value) continue;
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

/** N2 (2021 format): 六 reports the 信息处理费 collected, and mentions fee notices when 三（六）2 shows some. */
function n2(view: ReportView): Finding[] {
  if (view.template.format !== '2021') return [];
  const findings: Finding[] = [];
  if (!view.otherMatters.includes('信息处理费')) {
    findings.push({
      code: 'N2',
      path: 'otherMatters',
      message: '六、其他需要报告的事项应报告收取信息处理费的情况（未收取也请写明，如“本年度未收取信息处理费”）。',
    });
  }
  const overdueFee = countAt(view.raw, ['applications', 'outcomes', 'other', 'overdueFee', 'total']);
  if (overdueFee !== undefined && overdueFee > 0 && !/收费通知|缴费通知|缴纳/.test(view.otherMatters)) {
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
