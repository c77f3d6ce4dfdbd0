import type { Principal } from '../../auth/principal.js';
import type { AdminLogVerification } from '../../workflow/admin/admin-log.js';
import type { AdminEvent, AdminEventType } from '../../workflow/model.js';
import { AUDIT_CSS, ChainStatus } from './audit-page.js';
import { Main, renderPage } from './layout.js';
import { beijingTimeWithSeconds } from './names.js';

/**
 * GET /admin/log: the administration log as an auditor reads a report's history — every change to agencies, chains,
 * people and delegations and every reminder, with whether its hash chain, signatures and anchors hold. The JSON of
 * GET /api/admin/log is the file `nianbao verify --admin-log` re-checks.
 */

export const ADMIN_EVENT_NAMES: Readonly<Record<AdminEventType, string>> = {
  agency_saved: '保存单位与审批链',
  person_saved: '保存人员',
  person_removed: '移除人员',
  people_imported: '批量导入人员',
  reminder_sent: '发送催办提醒',
  delegation_set: '设置代理',
  delegation_ended: '结束代理',
};

function actorText(event: AdminEvent): string {
  if (event.actor.role === 'system') return '系统（定时提醒）';
  return [event.actor.name, event.actor.email].filter((part) => part !== undefined).join(' ');
}

export function renderAdminLogPage(
  principal: Principal,
  log: { events: readonly AdminEvent[]; verification: AdminLogVerification },
): string {
  const { verification } = log;
  return renderPage(
    '管理操作记录',
    <Main wide>
      <p class="crumbs">
        <a href="/">首页</a>
        {principal.roles.includes('admin') ? (
          <>
            {' '}
            › <a href="/admin">区政务公开管理</a>
          </>
        ) : null}{' '}
        › 管理操作记录
      </p>
      <h1>管理操作记录</h1>
      <div class={`notice ${verification.valid ? 'success chain-ok' : 'error chain-bad'}`} id="chain" role="status">
        <ChainStatus chain={verification} />
      </div>
      <p class="actions">
        <a class="button" href="/api/admin/log" download="admin-log.json">
          下载 JSON（供 nianbao verify --admin-log 校验）
        </a>
      </p>
      <div class="table-scroll" tabIndex={0}>
        <table class="list audit" id="events">
          <caption class="visually-hidden">管理操作记录，共 {log.events.length} 条</caption>
          <thead>
            <tr>
              <th scope="col">序号</th>
              <th scope="col">时间</th>
              <th scope="col">操作</th>
              <th scope="col">对象</th>
              <th scope="col">操作人</th>
              <th scope="col">哈希</th>
            </tr>
          </thead>
          <tbody>
            {log.events.map((event) => (
              <tr key={event.seq} data-seq={String(event.seq)} data-type={event.type}>
                <td>{event.seq}</td>
                <td class="nowrap">
                  <time dateTime={event.at}>{beijingTimeWithSeconds(event.at)}</time>
                </td>
                <td class="nowrap">{ADMIN_EVENT_NAMES[event.type]}</td>
                <td>{event.subject}</td>
                <td>{actorText(event)}</td>
                <td class="hash mono">
                  {event.hash.slice(0, 16)}…{event.signature === undefined ? '（未签名）' : '（已签名）'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Main>,
    principal,
    { css: AUDIT_CSS },
  );
}
