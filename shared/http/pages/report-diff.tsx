import type { ReportDiff } from '../../report/diff.js';
import { TextChangeView } from './text-changes.js';

/** What changed between two versions: each table cell old → new, each paragraph character by character. */
export function ReportDiffView({ diff }: { diff: ReportDiff }) {
  const nothing = diff.cells.length === 0 && diff.texts.length === 0;
  return (
    <>
      {nothing ? <p>内容没有变化。</p> : null}
      {diff.cells.length === 0 ? null : (
        <div class="table-scroll" tabIndex={0}>
          <table class="changes list">
            <thead>
              <tr>
                <th scope="col">部分</th>
                <th scope="col">项目</th>
                <th scope="col">原值</th>
                <th scope="col">新值</th>
              </tr>
            </thead>
            <tbody>
              {diff.cells.map((change) => (
                <tr key={change.path} data-path={change.path}>
                  <td>{change.tableHeading}</td>
                  <td>
                    {change.rowLabel} {change.columnLabel}
                  </td>
                  <td class="removed">{change.before === null ? '（空）' : String(change.before)}</td>
                  <td class="added">{change.after === null ? '（空）' : String(change.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {diff.texts.map((change) => (
        <TextChangeView key={change.field} change={change} />
      ))}
    </>
  );
}
