/**
 * The shape of a template definition. A template is data: the schema, the cross-checks, the form and the
 * rendered page are all derived from it, so a future national format is one new file in templates/.
 */

/** What one cell holds. Money is a decimal string whose allowed scale depends on its unit. */
export type CellKind =
  | { readonly type: 'count' }
  | { readonly type: 'signedCount' }
  | {
      readonly type: 'money';
      /** unit → the most decimal places a value in that unit may have */
      readonly units: Readonly<Record<string, number>>;
      /** sibling field holding the unit when the report chooses it (2019 national: 元 or 万元) */
      readonly unitField?: string;
    };

/**
 * A column header. A leaf has a key and holds cells; a group spans its children. A group with a key adds that
 * key to the cell path (table 四: `reconsideration.upheld`); a group without one is a heading only.
 */
export interface ColumnNode {
  readonly key?: string;
  readonly label: string;
  readonly kind?: CellKind;
  readonly children?: readonly ColumnNode[];
}

/**
 * A row header. Leaves are data rows. Groups are row-span labels only, never subtotal rows (R2 in docs/report-rules.md).
 * A row without a label is the single unlabelled data row of table 四.
 */
export interface RowNode {
  readonly key?: string;
  readonly label?: string;
  readonly children?: readonly RowNode[];
}

export interface GridTable {
  /** stable id, also the DOM id in forms and pages */
  readonly id: string;
  /** where the table lives in the report JSON */
  readonly path: readonly string[];
  /** caption row above the headers (二's 第二十条第（一）项) */
  readonly caption?: string;
  /** the top-left cell spanning the row-label columns and all header rows */
  readonly corner?: string;
  readonly rows: readonly RowNode[];
  readonly columns: readonly ColumnNode[];
}

export type TextField = 'overview' | 'problems' | 'otherMatters';
export type TableField = 'activeDisclosure' | 'applications' | 'reviewsAndLitigation';

export interface TextSection {
  readonly type: 'text';
  readonly field: TextField;
  readonly heading: string;
  /** the official guidance, shown as help in the form */
  readonly guidance: string;
  /** advisory length in characters (2021 一: 原则上不超过一千字) */
  readonly advisoryMaxChars?: number;
}

export interface TablesSection {
  readonly type: 'tables';
  readonly field: TableField;
  readonly heading: string;
  readonly tables: readonly GridTable[];
}

export type Section = TextSection | TablesSection;

export type TemplateId = 'national-2019' | 'beijing-2019' | 'national-2021';

/** Which family of cross-year rules applies (X2 for 2021, X3/X4 for 2019-format). */
export type TemplateFormat = '2019' | '2021';

export interface Template {
  readonly id: TemplateId;
  readonly format: TemplateFormat;
  readonly name: string;
  /** the notice that defines it */
  readonly basis: string;
  readonly years: { readonly from: number; readonly to?: number };
  /** the six parts, in order */
  readonly sections: readonly Section[];
}
