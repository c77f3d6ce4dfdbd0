import type { CellKind, ColumnNode, GridTable, RowNode, Section, Template, TemplateId } from '../template-model.js';
import { applicationsTable, disclosureTable, HEADINGS, overviewSection, REVIEWS_TABLE } from './parts.js';

/**
 * 《中华人民共和国政府信息公开工作年度报告格式（试行）》(国办公开办函〔2019〕60号), used for the 2019 and 2020
 * reports. The Beijing variant differs only in 第二十条第（五）项 and the procurement amount, so both are built here.
 */

const SIGNED: CellKind = { type: 'signedCount' };

const itemColumns = (withDecisions: boolean): ColumnNode[] => [
  { key: 'previousYearItems', label: '上一年项目数量' },
  { key: 'change', label: '本年增/减', kind: SIGNED },
  ...(withDecisions ? [{ key: 'decisions', label: '处理决定数量' }] : []),
];

interface Variant {
  readonly id: TemplateId;
  readonly name: string;
  readonly otherManagementServices: RowNode;
  readonly amountLabel: string;
  readonly amountKind: CellKind;
}

function activeDisclosureTables(variant: Variant): GridTable[] {
  const regulationColumns: ColumnNode[] = [
    { key: 'newlyMade', label: '本年新制作数量' },
    { key: 'newlyPublished', label: '本年新公开数量' },
    { key: 'totalPublished', label: '对外公开总数量' },
  ];
  const procurementColumns: ColumnNode[] = [
    { key: 'projects', label: '采购项目数量' },
    { key: 'amount', label: variant.amountLabel, kind: variant.amountKind },
  ];
  return [
    disclosureTable('regulations', '第二十条第（一）项', regulationColumns, [
      { key: 'rules', label: '规章' },
      { key: 'normativeDocuments', label: '规范性文件' },
    ]),
    disclosureTable('licensing', '第二十条第（五）项', itemColumns(true), [
      { key: 'administrativeLicensing', label: '行政许可' },
      variant.otherManagementServices,
    ]),
    disclosureTable('enforcement', '第二十条第（六）项', itemColumns(true), [
      { key: 'administrativePenalty', label: '行政处罚' },
      { key: 'administrativeCoercion', label: '行政强制' },
    ]),
    disclosureTable('fees', '第二十条第（八）项', itemColumns(false), [{ key: 'administrativeFees', label: '行政事业性收费' }]),
    disclosureTable('procurement', '第二十条第（九）项', procurementColumns, [{ key: 'centralizedProcurement', label: '政府集中采购' }]),
  ];
}

function sections(variant: Variant): Section[] {
  return [
    overviewSection(
      '主要报告本机关上一年度政府信息公开工作的总体情况，包括主动公开、依申请公开、政府信息管理、平台建设、监督保障等方面，重在聚焦主题主线。',
    ),
    { type: 'tables', field: 'activeDisclosure', heading: HEADINGS.activeDisclosure, tables: activeDisclosureTables(variant) },
    {
      type: 'tables',
      field: 'applications',
      heading: HEADINGS.applications,
      tables: [applicationsTable({ key: 'other', label: '（六）其他处理' })],
    },
    { type: 'tables', field: 'reviewsAndLitigation', heading: HEADINGS.reviewsAndLitigation, tables: [REVIEWS_TABLE] },
    {
      type: 'text',
      field: 'problems',
      heading: HEADINGS.problems,
      guidance: '报告本机关上一年度政府信息公开工作存在的主要问题及改进情况，内容要具体，不得出现敷衍了事甚至年年雷同现象。',
    },
    { type: 'text', field: 'otherMatters', heading: HEADINGS.otherMatters, guidance: '报告其他需要报告的事项。' },
  ];
}

function format2019(variant: Variant): Template {
  return {
    id: variant.id,
    format: '2019',
    name: variant.name,
    basis: '国办公开办函〔2019〕60号',
    years: { from: 2019, to: 2020 },
    sections: sections(variant),
  };
}

export const NATIONAL_2019: Template = format2019({
  id: 'national-2019',
  name: '中华人民共和国政府信息公开工作年度报告格式（试行）',
  otherManagementServices: { key: 'otherManagementServices', label: '其他对外管理服务事项' },
  amountLabel: '采购总金额',
  // The national template gives no unit; real reports use 元 or 万元, so the report names it.
  amountKind: { type: 'money', units: { 元: 2, 万元: 6 }, unitField: 'unit' },
});

export const BEIJING_2019: Template = format2019({
  id: 'beijing-2019',
  name: '中华人民共和国政府信息公开工作年度报告格式（试行）（北京市）',
  otherManagementServices: {
    key: 'otherManagementServices',
    label: '其他对外管理服务事项',
    children: [
      { key: 'inspection', label: '行政检查' },
      { key: 'confirmation', label: '行政确认' },
    ],
  },
  amountLabel: '采购总金额（万元，保留四位小数）',
  amountKind: { type: 'money', units: { 万元: 4 }, unitField: 'unit' },
});
