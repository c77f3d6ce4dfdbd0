import type { Principal } from '../../auth/principal.js';
import type { ImportedReport } from '../../workflow/model.js';
import { Main, renderPage } from './layout.js';
import { beijingTime } from './names.js';

/**
 * The officer's page for bringing in last year's report from before nianbao: choose the file and its year, see what
 * was read cell by cell (client/import.ts asks the API), then save it as the agency's imported report. An imported
 * report serves the cross-year checks and the pre-fill; it is never listed or shown as published by nianbao.
 */

export interface ImportPageView {
  readonly agencyId: string;
  readonly agencyName: string;
  readonly year: number;
  readonly existing: ImportedReport | undefined;
}

const IMPORT_CSS = `
#import-preview table td.uncertain, #import-preview tr.uncertain td { background: #fff4e5; }
#import-preview .summary { margin: .5rem 0; }
`;

function Existing({ existing }: { existing: ImportedReport | undefined }) {
  if (existing === undefined) return null;
  return (
    <div class="notice" id="import-existing">
      <p>
        已导入 {existing.year} 年度报告：{existing.fileName}，{beijingTime(existing.importedAt)} 由 {existing.importedBy} 导入
        {existing.uncertain.length === 0 ? '，所有项目均已读出。' : `，有 ${existing.uncertain.length} 项未能确定（未写入，按空白处理）。`}
        再次导入会替换它。
      </p>
    </div>
  );
}

export function renderImportPage(principal: Principal, view: ImportPageView): string {
  return renderPage(
    '导入上年报告',
    <Main>
      <p class="crumbs">
        <a href="/">首页</a> › 导入上年报告
      </p>
      <h1>导入上年报告</h1>
      <p>
        {view.agencyName}在使用本系统之前发布的年度报告，可以从网站保存的网页、复制出的文字或 Word
        文件中读入，用于上年结转的自动带入和跨年度核对。 导入的报告只作核对之用，不会作为本系统发布的报告显示。
      </p>
      <Existing existing={view.existing} />
      <form id="import-form" class="stack" data-agency={view.agencyId}>
        <label for="import-file">报告文件（网页 .html、文字 .txt 或 Word .docx，不超过 180 KB）</label>
        <input id="import-file" type="file" name="file" required accept=".html,.htm,.txt,.docx,text/html,text/plain" />
        <label for="import-year">报告年度</label>
        <input id="import-year" type="number" name="year" required min="2019" max="2100" value={String(view.year)} />
        <p class="actions">
          <button type="submit" class="primary" id="import-read">
            读取并预览
          </button>
        </p>
      </form>
      <p id="import-status" role="status" aria-live="polite"></p>
      <section id="import-preview" hidden aria-labelledby="import-preview-title">
        <h2 id="import-preview-title">读取结果</h2>
        <p class="summary" id="import-summary"></p>
        <h3>无法确定的项目（未写入报告，请对照原文）</h3>
        <table class="list" id="import-uncertain">
          <thead>
            <tr>
              <th scope="col">项目</th>
              <th scope="col">原因</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
        <h3>已读出的项目</h3>
        <table class="list" id="import-recognised">
          <thead>
            <tr>
              <th scope="col">项目</th>
              <th scope="col">读出的值</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
        <p class="actions">
          <button type="button" class="primary" id="import-save">
            保存为上年报告
          </button>
        </p>
      </section>
    </Main>,
    principal,
    { scripts: ['import.js'], css: IMPORT_CSS },
  );
}
