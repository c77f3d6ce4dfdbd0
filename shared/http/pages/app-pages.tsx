import type { Principal } from '../../auth/principal.js';
import { formatBeijingTime } from '../../report/sign-off.js';
import type { ReportHead } from '../../workflow/model.js';
import type { ReportHistory, ReportView } from '../../workflow/report-queries.js';
import { renderPage } from './layout.js';

/** The signed-in pages: the home list, a report's status and its audit timeline. Server-rendered, no script needed. */

export const STATUS_NAMES: Readonly<Record<ReportHead['status'], string>> = {
  in_review: '审核中',
  returned: '已退回修改',
  withdrawn: '已撤回',
  published: '已发布',
  publish_failed: '发布失败',
};

export const STAGE_NAMES: Readonly<Record<ReportHead['stage'], string>> = {
  officer: '信息员修改',
  director: '办公室主任审核',
  leader: '主管领导签发',
  publishing: '发布中',
  published: '已发布',
  none: '—',
};

const EVENT_NAMES: Readonly<Record<string, string>> = {
  submitted: '提交',
  review_requested: '送审',
  reminder_sent: '提醒',
  decided: '审核',
  revision_requested: '退回修改',
  resubmitted: '重新提交',
  withdrawn: '撤回',
  published: '发布',
  publish_failed: '发布失败',
};

const time = (iso: string | undefined) => (iso === undefined ? '' : (formatBeijingTime(iso) ?? iso));

export function renderHomePage(principal: Principal, reports: readonly ReportHead[]): string {
  return renderPage(
    '年度报告',
    <main class="panel">
      <h1>年度报告</h1>
      <p>
        {principal.name}（{principal.roles.join('、')}）
      </p>
      {reports.length === 0 ? (
        <p>暂无年度报告。</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">机关</th>
              <th scope="col">年度</th>
              <th scope="col">状态</th>
              <th scope="col">环节</th>
              <th scope="col">版本</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((head) => (
              <tr key={head.reportId}>
                <td>{head.agencyName}</td>
                <td>
                  <a href={`/reports/${encodeURIComponent(head.reportId)}`}>{head.year}</a>
                </td>
                <td>{STATUS_NAMES[head.status]}</td>
                <td>{STAGE_NAMES[head.stage]}</td>
                <td>第{head.version}版</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>,
    principal,
  );
}

export function renderStatusPage(principal: Principal, report: ReportView): string {
  return renderPage(
    `${report.agencyName}${report.year}年年度报告`,
    <main class="panel">
      <h1>
        {report.agencyName}
        {report.year}年政府信息公开工作年度报告
      </h1>
      <p id="status">
        状态：{STATUS_NAMES[report.status]}；环节：{STAGE_NAMES[report.stage]}；第{report.version}版
      </p>
      {report.pendingReview ? (
        <p>
          等待 {report.pendingReview.approverName}（{STAGE_NAMES[report.pendingReview.stage === 'director' ? 'director' : 'leader']}）处理，自 {time(report.pendingReview.since)} 起。
        </p>
      ) : null}
      {report.returnComment === undefined ? null : (
        <p class="notice warning" style="white-space: pre-wrap">
          退回意见：{report.returnComment}
        </p>
      )}
      <h2>版本</h2>
      <ul>
        {report.versions.map((version) => (
          <li key={version.version}>
            第{version.version}版，{version.submittedBy ?? ''}，{time(version.submittedAt)}
          </li>
        ))}
      </ul>
      <p>
        <a href={`/audit/reports/${encodeURIComponent(report.id)}`}>审计记录</a>
      </p>
    </main>,
    principal,
  );
}

export function renderAuditPage(principal: Principal, reportId: string, history: ReportHistory): string {
  return renderPage(
    `审计记录：${reportId}`,
    <main class="panel">
      <h1>审计记录：{reportId}</h1>
      <p class={history.chain.valid ? 'notice' : 'notice error'} id="chain">
        {history.chain.valid ? `哈希链校验通过（共 ${history.chain.length} 条记录）。` : `哈希链校验未通过：${history.chain.problem?.message ?? ''}`}
      </p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">序号</th>
              <th scope="col">时间</th>
              <th scope="col">操作</th>
              <th scope="col">操作人</th>
              <th scope="col">版本</th>
              <th scope="col">哈希</th>
            </tr>
          </thead>
          <tbody>
            {history.events.map((event) => (
              <tr key={event.seq}>
                <td>{event.seq}</td>
                <td>{time(event.at)}</td>
                <td>{EVENT_NAMES[event.type] ?? event.type}</td>
                <td>{event.actor.name ?? event.actor.email ?? '系统'}</td>
                <td>{event.version}</td>
                <td>
                  <code title={event.hash}>{event.hash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>流程执行</h2>
      <ul>
        {history.executions.map((execution) => (
          <li key={execution.name}>
            {execution.name}：{execution.status}，{time(execution.startDate)} 开始，{execution.history.length} 条流程记录
          </li>
        ))}
      </ul>
    </main>,
    principal,
  );
}
