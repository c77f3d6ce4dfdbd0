import type { Principal } from '../../auth/principal.js';
import { findCell, readPath } from '../../report/cells.js';
import { cellPath, gridLayout } from '../../report/grid-layout.js';
import { GridHead, RowLabels } from '../../report/render-table.js';
import { countChars } from '../../report/narrative-rules.js';
import type { CellKind, GridTable, Section, Template, TextSection } from '../../report/template-model.js';
import { titleLines } from '../../report/title.js';
import {
  cellElementId,
  fieldElementId,
  inputValue,
  messageElementId,
  reportPagePath,
  TITLE_CHOICES,
  titleChoiceValue,
  type FormContext,
  type InputKind,
} from './form-model.js';
import { Main, renderPage } from './layout.js';

/**
 * The report form, generated from the template: the six parts numbered as in the official format, each table laid
 * out as the published page lays it out (the same grid-layout), every cell a labelled input, every text a textarea
 * with its guidance and a character count. client/form.ts runs the same checks as the server as the officer types,
 * saves the draft and submits; the page itself only renders.
 */

export interface FormPageProps {
  readonly principal: Principal;
  readonly template: Template;
  readonly context: FormContext;
  /** the templates the officer may still choose between (a new draft only) */
  readonly templateOptions: readonly Template[];
  /** cells carried from last year's published report */
  readonly prefilled: readonly string[];
  readonly previousYear: number | undefined;
  /** the approver's comment when the report was returned */
  readonly returnComment: string | undefined;
  readonly draftSavedAt: string | undefined;
}

function hint(kind: CellKind): string | undefined {
  if (kind.type === 'signedCount') return '增加填正数，减少填负数（如 -2），不变填 0';
  if (kind.type === 'money') {
    const scales = Object.entries(kind.units)
      .map(([unit, scale]) => `${unit}最多 ${scale} 位小数`)
      .join('，');
    return `金额，${scales}`;
  }
  return undefined;
}

function CellInput({
  template,
  table,
  path,
  kind,
  report,
  prefilled,
}: {
  template: Template;
  table: GridTable;
  path: readonly string[];
  kind: CellKind;
  report: unknown;
  prefilled: ReadonlySet<string>;
}) {
  const id = path.join('.');
  const cell = findCell(template, id);
  const label = [cell?.rowLabel ?? '', cell?.columnLabel ?? ''].filter((part) => part !== '').join(' ');
  const hintText = hint(kind);
  const unitField = kind.type === 'money' ? kind.unitField : undefined;
  const units = kind.type === 'money' ? Object.keys(kind.units) : [];
  const unitPath = unitField === undefined ? undefined : [...path.slice(0, -1), unitField];
  const isPrefilled = prefilled.has(id);
  const describedBy = [
    messageElementId(id),
    ...(hintText === undefined ? [] : [`hint-${id}`]),
    ...(isPrefilled ? [`prefilled-${id}`] : []),
  ].join(' ');
  return (
    <td data-path={id} class={isPrefilled ? 'prefilled' : undefined}>
      <input
        type="text"
        id={cellElementId(id)}
        name={id}
        inputmode={kind.type === 'money' ? 'decimal' : 'numeric'}
        autocomplete="off"
        aria-label={label}
        aria-describedby={describedBy}
        data-path={id}
        data-kind={kind.type satisfies InputKind}
        data-table={table.id}
        value={inputValue(readPath(report, path))}
        class={kind.type === 'money' ? 'money' : undefined}
      />
      {unitPath !== undefined && units.length > 1 ? (
        <select
          id={cellElementId(unitPath.join('.'))}
          name={unitPath.join('.')}
          aria-label={`${label} 单位`}
          data-path={unitPath.join('.')}
          data-kind="unit"
        >
          {units.map((unit) => (
            <option key={unit} value={unit} selected={readPath(report, unitPath) === unit}>
              {unit}
            </option>
          ))}
        </select>
      ) : null}
      {hintText === undefined ? null : (
        <span id={`hint-${id}`} class="visually-hidden">
          {hintText}
        </span>
      )}
      {isPrefilled ? (
        <span id={`prefilled-${id}`} class="visually-hidden">
          由上年报告带入
        </span>
      ) : null}
      <span id={messageElementId(id)} class="cell-msg" aria-live="off" />
    </td>
  );
}

function FormTable({
  template,
  table,
  report,
  prefilled,
}: {
  template: Template;
  table: GridTable;
  report: unknown;
  prefilled: ReadonlySet<string>;
}) {
  const layout = gridLayout(table);
  return (
    <div class="table-scroll" tabIndex={0}>
      <table id={`table-${table.id}`} class="grid form-grid">
        <GridHead table={table} layout={layout} />
        <tbody>
          {layout.bodyRows.map((row) => (
            <tr key={row.keys.join('.')}>
              <RowLabels labels={row.labels} />
              {layout.columns.map((column) => {
                const path = cellPath(table, row, column);
                return (
                  <CellInput
                    key={path.join('.')}
                    template={template}
                    table={table}
                    path={path}
                    kind={column.kind}
                    report={report}
                    prefilled={prefilled}
                  />
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TextField({
  field,
  heading,
  guidance,
  advisoryMaxChars,
  value,
  rows,
}: {
  field: string;
  heading: string;
  guidance: string;
  advisoryMaxChars?: number | undefined;
  value: string;
  rows: number;
}) {
  const id = fieldElementId(field);
  const count = countChars(value);
  return (
    <>
      <h2 id={`heading-${field}`}>
        <label for={id}>{heading}</label>
      </h2>
      <p id={`guidance-${field}`} class="muted guidance">
        {guidance}
      </p>
      <textarea
        id={id}
        name={field}
        rows={rows}
        data-path={field}
        data-kind="text"
        data-advisory-max={advisoryMaxChars === undefined ? undefined : String(advisoryMaxChars)}
        aria-describedby={`guidance-${field} count-${field} ${messageElementId(field)}`}
      >
        {`\n${value}`}
      </textarea>
      <p class="char-count muted" id={`count-${field}`}>
        已输入 <span data-count-for={field}>{count}</span> 字
        {advisoryMaxChars === undefined ? '' : `（原则上不超过 ${advisoryMaxChars} 字，空白不计）`}
      </p>
      <p id={messageElementId(field)} class="field-msg" />
    </>
  );
}

function textValue(report: unknown, field: string): string {
  const value = readPath(report, [field]);
  return typeof value === 'string' ? value : '';
}

function SectionFields({
  template,
  section,
  report,
  prefilled,
}: {
  template: Template;
  section: Section;
  report: unknown;
  prefilled: ReadonlySet<string>;
}) {
  if (section.type === 'text') {
    const text: TextSection = section;
    return (
      <section class="part form-part text-field" id={`part-${section.field}`} aria-labelledby={`heading-${section.field}`}>
        <TextField
          field={text.field}
          heading={text.heading}
          guidance={text.guidance}
          advisoryMaxChars={text.advisoryMaxChars}
          value={textValue(report, text.field)}
          rows={text.field === 'overview' ? 14 : 8}
        />
      </section>
    );
  }
  return (
    <section class="part form-part" id={`part-${section.field}`} aria-labelledby={`heading-${section.field}`}>
      <h2 id={`heading-${section.field}`}>{section.heading}</h2>
      {section.tables.map((table) => (
        <FormTable key={table.id} template={template} table={table} report={report} prefilled={prefilled} />
      ))}
    </section>
  );
}

const FORM_CSS = `
.form-head { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; }
.form-part { margin: 1.5rem 0 2rem; }
.form-part h2 { font-size: 1.15rem; }
.text-field textarea { max-width: none; width: 100%; font-family: inherit; line-height: 1.7; }
.text-field .guidance { font-size: .88rem; margin: 0 0 .4rem; }
.char-count { font-size: .85rem; margin: .25rem 0 0; }
.char-count.over { color: #8a5a00; font-weight: 600; }
.field-msg:empty { display: none; }
.field-msg { color: #8a5a00; font-size: .88rem; margin: .25rem 0; }
.form-grid td { padding: .2rem .25rem; vertical-align: top; white-space: normal; min-width: 4.2rem; }
.form-grid input { width: 100%; min-width: 3.6rem; box-sizing: border-box; padding: .3rem .35rem; text-align: right; font: inherit; font-variant-numeric: tabular-nums; border: 1px solid #9aa4ae; border-radius: 3px; background: #fff; }
.form-grid input.money { min-width: 6.5rem; }
.form-grid select { margin-top: .2rem; font-size: .85rem; padding: .1rem; }
.form-grid td.prefilled input { background: #f1f7ff; }
.form-grid input[aria-invalid="true"] { border: 2px solid #b3261e; background: #fff5f5; }
.form-grid input.blank[aria-invalid="true"] { background: #fffbe6; border: 1px dashed #b8860b; }
.form-grid input.warned { border: 2px solid #d08c00; }
.cell-msg { display: block; font-size: .75rem; line-height: 1.3; margin-top: .15rem; text-align: left; }
.cell-msg:empty { display: none; }
.cell-msg.error { color: #b3261e; font-weight: 600; }
.cell-msg.warn { color: #8a5a00; }
[id^="cell-"], textarea { scroll-margin: 6rem 0 8rem; }
.acknowledgements li { margin-bottom: .6rem; }
.acknowledgements .ack { display: flex; flex-wrap: wrap; gap: .3rem .5rem; align-items: center; margin-top: .25rem; font-size: .92rem; }
.acknowledgements .ack-note { flex: 1 1 12rem; min-width: 0; max-width: 100%; }
.submit-bar { position: sticky; bottom: 0; z-index: 5; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; margin: 1.5rem -2rem -2rem; padding: .75rem 2rem; background: #f8fafc; border-top: 1px solid #cfd6dd; box-shadow: 0 -2px 6px rgba(0,0,0,.06); }
.submit-bar .state { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; font-size: .92rem; }
.save-status.saving { color: #5f6368; } .save-status.saved { color: #2e7d32; } .save-status.conflict, .save-status.failed { color: #b3261e; font-weight: 600; }
#findings h3 { font-size: 1rem; }
#findings li { margin: .3rem 0; }
#findings .code { font-family: ui-monospace, monospace; font-size: .8rem; color: #555; margin-right: .35rem; }
.conflict-actions:empty { display: none; }
@media (max-width: 640px) { .submit-bar { margin: 1rem -.9rem -1.5rem; padding: .6rem .9rem; } }
`;

export function renderFormPage(props: FormPageProps): string {
  const { template, context, principal } = props;
  const report = context.report;
  const prefilled = new Set(props.prefilled);
  const title = `${context.agency.name}${context.year}年政府信息公开工作年度报告`;
  const isNew = context.mode === 'draft';
  return renderPage(
    `${context.year}年年度报告${isNew ? '填报' : '修改'}`,
    <Main wide>
      <p class="crumbs">
        <a href="/">首页</a> ›{' '}
        {context.reportId === null ? (
          `${context.year}年年度报告填报`
        ) : (
          <>
            <a href={reportPagePath(context.reportId)}>{context.year}年年度报告</a> › {isNew ? '填报' : '修改后重新提交'}
          </>
        )}
      </p>
      <h1>{title}</h1>
      <div class="form-head">
        <p class="muted">
          格式：{template.name}（{template.basis}）
        </p>
        {isNew && props.templateOptions.length > 1 && context.draftRevision === null ? (
          <form method="get" class="actions" id="template-form">
            <label for="template-choice">改用格式</label>
            <select id="template-choice" name="template">
              {props.templateOptions.map((option) => (
                <option key={option.id} value={option.id} selected={option.id === template.id}>
                  {option.name}
                </option>
              ))}
            </select>
            <button type="submit">切换</button>
          </form>
        ) : null}
      </div>
      {props.returnComment === undefined ? null : (
        <div class="notice warning" id="return-comment">
          <p>
            <strong>退回意见：</strong>
          </p>
          <p class="pre">{props.returnComment}</p>
          <p class="muted">修改后点击“重新提交”，报告将从办公室主任开始重新审核。</p>
        </div>
      )}
      {props.prefilled.length > 0 && props.previousYear !== undefined ? (
        <p class="notice" id="prefill-note">
          已从 {props.previousYear} 年已发布的报告带入 {props.prefilled.length} 项数据（浅蓝色格子）：上年结转
          {template.format === '2019' ? '、上一年项目数量' : ''}。请核对。
        </p>
      ) : null}
      <noscript>
        <p class="notice error">填报页面需要启用浏览器的 JavaScript 才能检查、保存和提交。</p>
      </noscript>
      <p class="muted">
        每一格都要填写：没有数据请填 0（空白或“/”不视为
        0），未填写的格子以黄色虚线框标出。填写时系统即时检查勾稽关系，错误以红框标在对应的格子里，并写明应填的数；草稿自动保存。
      </p>
      <form id="report-form" class="report-form" data-context={JSON.stringify(context)} novalidate>
        <div class="text-field">
          <label for={fieldElementId('preamble')} class="field-label">
            报告开头（可选）
          </label>
          <p id="guidance-preamble" class="muted guidance">
            如：依据《中华人民共和国政府信息公开条例》第五十条规定，编制本报告。
          </p>
          <textarea
            id={fieldElementId('preamble')}
            name="preamble"
            rows={2}
            data-path="preamble"
            data-kind="text"
            aria-describedby={`guidance-preamble ${messageElementId('preamble')}`}
          >
            {`\n${textValue(report, 'preamble')}`}
          </textarea>
          <p id={messageElementId('preamble')} class="field-msg" />
        </div>
        <div class="text-field">
          <label for={fieldElementId('title')} class="field-label">
            标题
          </label>
          <p id="guidance-title" class="muted guidance">
            按本机关以往发布的格式选择；发布页面的标题和落款使用登记的机关名称。
          </p>
          <select id={fieldElementId('title')} data-path="title" data-kind="title" aria-describedby="guidance-title">
            {TITLE_CHOICES.map((choice) => {
              const value = titleChoiceValue(choice);
              return (
                <option key={value} value={value} selected={value === titleChoiceValue(readPath(report, ['title']))}>
                  {titleLines(choice, context.agency.name, context.year).join(' ／ ')}
                </option>
              );
            })}
          </select>
        </div>
        {template.sections.map((section) => (
          <SectionFields key={section.field} template={template} section={section} report={report} prefilled={prefilled} />
        ))}
        <section id="findings" aria-labelledby="findings-title" tabindex={-1}>
          <h2 id="findings-title">检查结果</h2>
          <p id="findings-summary" aria-live="polite">
            正在检查…
          </p>
          <div id="error-list" />
          <div id="warning-list" />
        </section>
        <div class="submit-bar no-print">
          <div class="state">
            <span id="save-status" class="save-status" role="status" aria-live="polite">
              {props.draftSavedAt === undefined ? '尚未保存' : `草稿已保存（${props.draftSavedAt}）`}
            </span>
            <span id="conflict-actions" class="conflict-actions" />
            <a href="#findings" id="findings-link">
              <span id="error-count">检查中</span>
            </a>
          </div>
          <button type="submit" class="primary" id="submit-report" disabled aria-describedby="error-count">
            {isNew ? '提交审核' : '重新提交'}
          </button>
        </div>
        <p id="submit-error" class="notice error" role="alert" hidden />
      </form>
    </Main>,
    principal,
    { scripts: ['form.js'], css: FORM_CSS },
  );
}
