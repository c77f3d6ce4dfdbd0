import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { readPath, type LeafColumn } from './cells.js';
import { cellPath, gridLayout, sharedFrame, type GridLayout, type RowLabelCell } from './grid-layout.js';
import { pageText } from './render-text.js';
import { hole, SkeletonError, splitSkeleton } from './skeleton.js';
import type { GridTable, TablesSection } from './template-model.js';

/**
 * A section's tables as the official layout prints them, every label from the template and every number from the
 * report. A section of one table (三, 四) is one `<table>` with its headers in `<thead>`, repeated on every printed
 * page; a section of several (二) is one `<table>` too, as the template draws it: each sub-table a `<tbody>` of its
 * caption row, its header row and its data rows, all in one grid so the columns line up.
 *
 * The markup depends on the template alone but for the text of the data cells, so preact renders it once per
 * section with a placeholder in every data cell (skeleton.ts), and a report's table is those constant pieces with
 * each cell's text, escaped as preact escapes a text child, in between.
 */

interface DataCell {
  readonly column: LeafColumn;
  /** the keys from the row object to the value */
  readonly columnKeys: readonly string[];
  /** for a money cell whose unit the report chooses: where the unit sits, from the row object */
  readonly unitKeys: readonly string[] | undefined;
  /** the `data-path`, as `tableCells` gives it */
  readonly id: string;
  readonly key: string;
  readonly colspan: number;
}

interface BodyRow {
  readonly key: string;
  /** the path of the row object in the report */
  readonly path: readonly string[];
  readonly cells: readonly DataCell[];
}

interface Block {
  readonly table: GridTable;
  readonly layout: GridLayout;
  readonly rows: readonly BodyRow[];
}

/** Only a report-chosen unit is printed in the cell (national-2019's 元 or 万元); a fixed one is in the column label. */
function unitKeysOf(column: LeafColumn): readonly string[] | undefined {
  const kind = column.kind;
  const chosen = kind.type === 'money' && kind.unitField !== undefined && Object.keys(kind.units).length >= 2;
  return chosen ? [...column.keys.slice(0, -1), kind.unitField] : undefined;
}

function blockOf(table: GridTable, layout: GridLayout): Block {
  const rows = layout.bodyRows.map((row) => ({
    key: row.keys.join('.'),
    path: [...table.path, ...row.keys],
    cells: layout.columns.map((column, index): DataCell => {
      const path = cellPath(table, row, column);
      const unitKeys = unitKeysOf(column);
      const colspan = index === layout.columns.length - 1 ? layout.lastColumnSpan : 1;
      return { column, columnKeys: column.keys, unitKeys, id: path.join('.'), key: column.keys.join('.'), colspan };
    }),
  }));
  return { table, layout, rows };
}

/**
 * What a data cell shows, read from the cell's row object. A draft may be rendered, so a value that is missing or of
 * the wrong sort shows as an empty cell: printing 0 or "undefined" would state a number nobody entered. Money is
 * written as published reports write it, the unit right after the amount: 77.0693万元.
 */
function cellText(row: unknown, cell: DataCell): string {
  const value = readPath(row, cell.columnKeys);
  const kind = cell.column.kind;
  switch (kind.type) {
    case 'count':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : '';
    case 'signedCount':
      return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : '';
    case 'money': {
      if (typeof value !== 'string') return '';
      const amount = pageText(value);
      if (amount === '' || cell.unitKeys === undefined) return amount;
      const unit = readPath(row, cell.unitKeys);
      return typeof unit === 'string' ? `${amount}${pageText(unit)}` : amount;
    }
  }
}

/** What the page shows in one cell of a report, for the other renderings of the same page (Word, PDF). */
export function cellTextAt(report: unknown, path: readonly string[], column: LeafColumn): string {
  const row = readPath(report, path.slice(0, path.length - column.keys.length));
  return cellText(row, {
    column,
    columnKeys: column.keys,
    unitKeys: unitKeysOf(column),
    id: path.join('.'),
    key: column.keys.join('.'),
    colspan: 1,
  });
}

/** A span of 1 is the default; leaving it out keeps the page as plain as a hand-written one. */
export const span = (cells: number): number | undefined => (cells > 1 ? cells : undefined);

/** The caption row, corner and column headers of a template table, as rows. */
function HeadRows({ table, layout }: { table: GridTable; layout: GridLayout }) {
  const depth = layout.headerRows.length;
  return (
    <>
      {table.caption === undefined ? null : (
        <tr>
          <th colspan={span(layout.width)} scope="colgroup" class="caption">
            {table.caption}
          </th>
        </tr>
      )}
      {layout.headerRows.map((cells, level) => (
        <tr key={level}>
          {level === 0 && layout.labelColumns > 0 ? (
            table.corner === undefined ? (
              <td colspan={span(layout.labelColumns)} rowspan={span(depth)} class="corner" />
            ) : (
              <th colspan={span(layout.labelColumns)} rowspan={span(depth)} scope="col" class="corner">
                {table.corner}
              </th>
            )
          ) : null}
          {cells.map((cell, index) => (
            <th key={index} colspan={span(cell.colspan)} rowspan={span(cell.rowspan)} scope={cell.scope}>
              {cell.label}
            </th>
          ))}
        </tr>
      ))}
    </>
  );
}

/** The caption, corner and column headers of a template table: the published page and the form lay them out alike. */
export function GridHead({ table, layout }: { table: GridTable; layout: GridLayout }) {
  return (
    <thead>
      <HeadRows table={table} layout={layout} />
    </thead>
  );
}

type CellTextOf = (cell: DataCell) => string;

/** The label cells that start on a body row: the published page and the form label their rows alike. */
export function RowLabels({ labels }: { labels: readonly RowLabelCell[] }) {
  return (
    <>
      {labels.map((label, index) =>
        label.label === undefined ? (
          <td key={index} colspan={span(label.colspan)} rowspan={span(label.rowspan)} />
        ) : (
          <th key={index} colspan={span(label.colspan)} rowspan={span(label.rowspan)} scope={label.scope}>
            {label.label}
          </th>
        ),
      )}
    </>
  );
}

function BodyRows({ block, text }: { block: Block; text: CellTextOf }) {
  return (
    <>
      {block.layout.bodyRows.map((row, rowIndex) => (
        <tr key={block.rows[rowIndex]?.key}>
          <RowLabels labels={row.labels} />
          {block.rows[rowIndex]?.cells.map((cell) => (
            <td key={cell.key} colspan={span(cell.colspan)} data-path={cell.id}>
              {text(cell)}
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

function SectionTableElement({ id, blocks, text }: { id: string; blocks: readonly Block[]; text: CellTextOf }) {
  const [single] = blocks;
  if (blocks.length === 1 && single !== undefined) {
    return (
      <table id={id} class="grid">
        <GridHead table={single.table} layout={single.layout} />
        <tbody>
          <BodyRows block={single} text={text} />
        </tbody>
      </table>
    );
  }
  return (
    <table id={id} class="grid stacked">
      {blocks.map((block) => (
        <tbody key={block.table.id} id={block.table.id}>
          <HeadRows table={block.table} layout={block.layout} />
          <BodyRows block={block} text={text} />
        </tbody>
      ))}
    </table>
  );
}

interface SectionSkeleton {
  /** the markup between data cells: one more piece than there are cells */
  readonly pieces: readonly string[];
  /** every body row of every table, in document order */
  readonly rows: readonly BodyRow[];
}

const skeletons = new WeakMap<TablesSection, SectionSkeleton>();

function skeletonOf(section: TablesSection): SectionSkeleton {
  let skeleton = skeletons.get(section);
  if (!skeleton) {
    const frame = sharedFrame(section.tables);
    const blocks = section.tables.map((table) =>
      blockOf(table, section.tables.length === 1 ? gridLayout(table) : gridLayout(table, frame)),
    );
    const rows = blocks.flatMap((block) => block.rows);
    const numbers = new Map(rows.flatMap((row) => row.cells).map((cell, index) => [cell, index]));
    const id = section.tables.length === 1 ? (section.tables[0]?.id ?? section.field) : section.field;
    const html = renderToString(<SectionTableElement id={id} blocks={blocks} text={(cell) => hole(numbers.get(cell) ?? -1)} />);
    const { pieces, order } = splitSkeleton(html, numbers.size, `section ${section.field}`);
    // the cells are filled row by row, column by column, the order they were numbered in
    if (order.some((slot, index) => slot !== index))
      throw new SkeletonError(`section ${section.field}: its data cells are not in row order`);
    skeleton = { pieces, rows };
    skeletons.set(section, skeleton);
  }
  return skeleton;
}

/**
 * A cell's text as preact writes a text child. A count is `String` of a safe integer, only digits and a minus sign,
 * which preact's escaping (of `"`, `&` and `<`) leaves as it is; any other text goes through preact itself.
 */
function escapedCellText(row: unknown, cell: DataCell): string {
  const text = cellText(row, cell);
  // biome-ignore lint/complexity/noUselessFragments: renderToString takes a node; the fragment makes the text one, escaped
  return cell.column.kind.type === 'money' && text !== '' ? renderToString(<>{text}</>) : text;
}

/** The `<table>` markup of one report's section of tables. */
export function sectionTableHtml(section: TablesSection, report: unknown): string {
  const { pieces, rows } = skeletonOf(section);
  let html = pieces[0] ?? '';
  let index = 1;
  for (const row of rows) {
    const rowObject = readPath(report, row.path);
    for (const cell of row.cells) html += escapedCellText(rowObject, cell) + (pieces[index++] ?? '');
  }
  return html;
}

/** The box a table scrolls in on a narrow screen, around a table rendered as JSX or given as markup; focusable, so a keyboard can scroll it. */
export function TableScroll({ children, html }: { children?: ComponentChildren; html?: string }) {
  return html === undefined ? (
    <div class="table-scroll" tabIndex={0}>
      {children}
    </div>
  ) : (
    <div class="table-scroll" tabIndex={0} dangerouslySetInnerHTML={{ __html: html }} />
  );
}
