import type { ColumnNode, GridTable, RowNode, TextSection } from '../template-model.js';

/** Parts shared by every template: table 三's columns and most of its rows, table 四, and the six headings. */

export const HEADINGS = {
  overview: '一、总体情况',
  activeDisclosure: '二、主动公开政府信息情况',
  applications: '三、收到和处理政府信息公开申请情况',
  reviewsAndLitigation: '四、政府信息公开行政复议、行政诉讼情况',
  problems: '五、存在的主要问题及改进情况',
  otherMatters: '六、其他需要报告的事项',
} as const;

export const APPLICANT_COLUMNS: readonly ColumnNode[] = [
  {
    label: '申请人情况',
    children: [
      { key: 'naturalPerson', label: '自然人' },
      {
        label: '法人或其他组织',
        children: [
          { key: 'commercialEnterprise', label: '商业企业' },
          { key: 'researchInstitution', label: '科研机构' },
          { key: 'socialWelfareOrganization', label: '社会公益组织' },
          { key: 'legalServiceInstitution', label: '法律服务机构' },
          { key: 'otherOrganization', label: '其他' },
        ],
      },
      { key: 'total', label: '总计' },
    ],
  },
];

export const APPLICATIONS_CHECK_NOTE = '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）';

/**
 * A row group of table 三 whose rows the format numbers 1., 2., … in order, given as key → label without the number
 * (an object keeps its keys in the order written, and a key written twice does not compile).
 */
export function numberedGroup(key: string, label: string, rows: Readonly<Record<string, string>>): RowNode {
  return { key, label, children: Object.entries(rows).map(([rowKey, rowLabel], i) => ({ key: rowKey, label: `${i + 1}.${rowLabel}` })) };
}

/** Table 三. Only （六）其他处理 differs between the formats: one row in 2019, three in 2021. */
export function applicationsTable(otherHandling: RowNode): GridTable {
  return {
    id: 'applications',
    path: ['applications'],
    corner: APPLICATIONS_CHECK_NOTE,
    columns: APPLICANT_COLUMNS,
    rows: [
      { key: 'newlyReceived', label: '一、本年新收政府信息公开申请数量' },
      { key: 'carriedOver', label: '二、上年结转政府信息公开申请数量' },
      {
        key: 'outcomes',
        label: '三、本年度办理结果',
        children: [
          { key: 'disclosed', label: '（一）予以公开' },
          { key: 'partiallyDisclosed', label: '（二）部分公开（区分处理的，只计这一情形，不计其他情形）' },
          numberedGroup('withheld', '（三）不予公开', {
            stateSecret: '属于国家秘密',
            prohibitedByLaw: '其他法律行政法规禁止公开',
            threeSecurityOneStability: '危及“三安全一稳定”',
            thirdPartyRights: '保护第三方合法权益',
            internalAffairs: '属于三类内部事务信息',
            processInformation: '属于四类过程性信息',
            enforcementCaseFiles: '属于行政执法案卷',
            administrativeQuery: '属于行政查询事项',
          }),
          numberedGroup('unableToProvide', '（四）无法提供', {
            notHeld: '本机关不掌握相关政府信息',
            needsCreation: '没有现成信息需要另行制作',
            stillUnclear: '补正后申请内容仍不明确',
          }),
          numberedGroup('notProcessed', '（五）不予处理', {
            complaintPetition: '信访举报投诉类申请',
            repeated: '重复申请',
            publications: '要求提供公开出版物',
            massRepeated: '无正当理由大量反复申请',
            confirmation: '要求行政机关确认或重新出具已获取信息',
          }),
          otherHandling,
          { key: 'total', label: '（七）总计' },
        ],
      },
      { key: 'carriedForward', label: '四、结转下年度继续办理' },
    ],
  };
}

const outcomeColumns = (): ColumnNode[] => [
  { key: 'upheld', label: '结果维持' },
  { key: 'corrected', label: '结果纠正' },
  { key: 'other', label: '其他结果' },
  { key: 'pending', label: '尚未审结' },
  { key: 'total', label: '总计' },
];

/** Table 四: one unlabelled data row of fifteen cells, identical in both formats. */
export const REVIEWS_TABLE: GridTable = {
  id: 'reviewsAndLitigation',
  path: ['reviewsAndLitigation'],
  rows: [{}],
  columns: [
    { key: 'reconsideration', label: '行政复议', children: outcomeColumns() },
    {
      label: '行政诉讼',
      children: [
        { key: 'litigationDirect', label: '未经复议直接起诉', children: outcomeColumns() },
        { key: 'litigationAfterReconsideration', label: '复议后起诉', children: outcomeColumns() },
      ],
    },
  ],
};

export const CONTENT_CORNER = '信息内容';

/** A sub-table of 二: its caption row (第二十条第（…）项), 信息内容 in the corner, its place under `activeDisclosure`. */
export function disclosureTable(id: string, caption: string, columns: readonly ColumnNode[], rows: readonly RowNode[]): GridTable {
  return { id, path: ['activeDisclosure', id], caption, corner: CONTENT_CORNER, columns, rows };
}

export function overviewSection(guidance: string, advisoryMaxChars?: number): TextSection {
  return {
    type: 'text',
    field: 'overview',
    heading: HEADINGS.overview,
    guidance,
    ...(advisoryMaxChars === undefined ? {} : { advisoryMaxChars }),
  };
}
