import type { ColumnNode, Template } from '../template-model.js';
import { applicationsTable, disclosureTable, HEADINGS, numberedGroup, overviewSection, REVIEWS_TABLE } from './parts.js';

const REGULATION_COLUMNS: readonly ColumnNode[] = [
  { key: 'issued', label: '本年制发件数' },
  { key: 'repealed', label: '本年废止件数' },
  { key: 'inForce', label: '现行有效件数' },
];
const DECISION_COLUMNS: readonly ColumnNode[] = [{ key: 'decisions', label: '本年处理决定数量' }];
const FEE_COLUMNS: readonly ColumnNode[] = [
  { key: 'amount', label: '本年收费金额（单位：万元）', kind: { type: 'money', units: { 万元: 6 } } },
];

/** 《中华人民共和国政府信息公开工作年度报告格式》(国办公开办函〔2021〕30号), 2021 onward. */
export const NATIONAL_2021: Template = {
  id: 'national-2021',
  format: '2021',
  name: '中华人民共和国政府信息公开工作年度报告格式',
  basis: '国办公开办函〔2021〕30号',
  years: { from: 2021 },
  sections: [
    overviewSection(
      '主要报告本机关上一年度政府信息公开工作的总体情况，包括主动公开、依申请公开、政府信息管理、平台建设、监督保障等方面，重在聚焦主题、简明客观，篇幅原则上不超过一千字。',
      1000,
    ),
    {
      type: 'tables',
      field: 'activeDisclosure',
      heading: HEADINGS.activeDisclosure,
      tables: [
        disclosureTable('regulations', '第二十条第（一）项', REGULATION_COLUMNS, [
          { key: 'rules', label: '规章' },
          { key: 'normativeDocuments', label: '行政规范性文件' },
        ]),
        disclosureTable('licensing', '第二十条第（五）项', DECISION_COLUMNS, [{ key: 'administrativeLicensing', label: '行政许可' }]),
        disclosureTable('enforcement', '第二十条第（六）项', DECISION_COLUMNS, [
          { key: 'administrativePenalty', label: '行政处罚' },
          { key: 'administrativeCoercion', label: '行政强制' },
        ]),
        disclosureTable('fees', '第二十条第（八）项', FEE_COLUMNS, [{ key: 'administrativeFees', label: '行政事业性收费' }]),
      ],
    },
    {
      type: 'tables',
      field: 'applications',
      heading: HEADINGS.applications,
      tables: [
        applicationsTable(
          numberedGroup('other', '（六）其他处理', {
            overdueCorrection: '申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请',
            overdueFee: '申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请',
            other: '其他',
          }),
        ),
      ],
    },
    { type: 'tables', field: 'reviewsAndLitigation', heading: HEADINGS.reviewsAndLitigation, tables: [REVIEWS_TABLE] },
    {
      type: 'text',
      field: 'problems',
      heading: HEADINGS.problems,
      guidance: '报告本机关政府信息公开工作存在的主要问题及改进情况，内容要具体，不得出现敷衍了事甚至年年雷同现象。',
    },
    {
      type: 'text',
      field: 'otherMatters',
      heading: HEADINGS.otherMatters,
      guidance: '文字描述，收取信息处理费情况在此处报告。',
    },
  ],
};
