import type { Principal } from '../../auth/principal.js';
import { TEMPLATES } from '../../report/templates/index.js';
import type { AgencyProgress, ProgressState } from '../../workflow/admin/progress.js';
import type { Person } from '../../workflow/admin/people.js';
import type { Agency, District } from '../../workflow/model.js';
import { DEFAULT_CHAIN } from '../../workflow/review-chain.js';
import { CHAIN_EDITOR_CSS, ChainEditor, chainRoles } from './chain-editor.js';
import { Main, renderPage, roleNames } from './layout.js';
import { beijingTime } from './names.js';

/**
 * GET /admin?year=: the district administrator's console on one page — the deadline dashboard with reminders, the 汇总
 * downloads, each agency with its review chain in a step editor (what is wrong with it shown at its step), the people, and the CSV
 * import. The page reads through the same use cases as the JSON routes; its forms call those routes (client/admin.ts).
 */

export interface AdminView {
  readonly year: number;
  readonly deadline: string;
  readonly progress: readonly AgencyProgress[];
  readonly agencies: readonly Agency[];
  readonly districts: readonly District[];
  readonly people: readonly Person[];
}

const STATE_NAMES: Readonly<Record<ProgressState, string>> = {
  not_started: '未开始',
  draft: '填报中',
  in_review: '审核中',
  returned: '已退回',
  withdrawn: '已撤回',
  published: '已公开',
};

const CSS = `
tr.overdue td { color: #b42318; } tr.overdue td.days { font-weight: bold; }
.admin-section { margin-top: 2rem; }
.form-result.error { color: #b42318; }
.form-result { margin: .4rem 0; white-space: pre-wrap; }
.agency-card { border: 1px solid #d0d7de; border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
.table-scroll { overflow-x: auto; }
@media (max-width: 640px) { .agency-card { padding: .5rem; } }
`;

function days(row: AgencyProgress): string {
  if (row.state === 'published') return '—';
  if (row.daysToDeadline > 0) return `剩 ${row.daysToDeadline} 天`;
  return row.daysToDeadline === 0 ? '今天截止' : `逾期 ${-row.daysToDeadline} 天`;
}

function Dashboard({ view }: { view: AdminView }) {
  const late = view.progress.filter((row) => row.state !== 'published');
  return (
    <section class="admin-section" aria-labelledby="dashboard-title">
      <h2 id="dashboard-title">
        {view.year} 年度报告进度（公开期限 {view.deadline}）
      </h2>
      <div class="table-scroll">
        <table class="list" id="progress">
          <thead>
            <tr>
              <th scope="col">单位</th>
              <th scope="col">状态</th>
              <th scope="col">当前环节</th>
              <th scope="col">自</th>
              <th scope="col">期限</th>
              <th scope="col">催办</th>
            </tr>
          </thead>
          <tbody>
            {view.progress.map((row) => (
              <tr key={row.agencyId} class={row.overdue ? 'overdue' : undefined} data-agency={row.agencyId}>
                <td>{row.name}</td>
                <td>
                  <span class={`tag ${row.state}`}>{STATE_NAMES[row.state]}</span>
                </td>
                <td>{row.stepLabel ?? ''}</td>
                <td>{row.since === undefined ? '' : beijingTime(row.since)}</td>
                <td class="days">{days(row)}</td>
                <td>
                  {row.state === 'published' ? null : (
                    <form data-api-method="POST" data-api-url="/api/admin/reminders" data-api-kind="reminder">
                      <input type="hidden" name="year" value={String(view.year)} />
                      <input type="hidden" name="agencyIds" value={row.agencyId} />
                      <button type="submit">发送提醒</button>
                      <output class="form-result" />
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {late.length > 0 ? (
        <form data-api-method="POST" data-api-url="/api/admin/reminders" data-api-kind="reminder" id="remind-all">
          <input type="hidden" name="year" value={String(view.year)} />
          <input type="hidden" name="agencyIds" value={late.map((row) => row.agencyId).join(',')} />
          <button type="submit">提醒全部未公开的单位（{late.length} 个）</button>
          <output class="form-result" />
        </form>
      ) : null}
      <p class="hint">期限前 14、7、3、1 天的上午 9 点，系统会自动提醒，每次只发一次。</p>
    </section>
  );
}

function Summaries({ view }: { view: AdminView }) {
  return (
    <section class="admin-section" aria-labelledby="summary-title">
      <h2 id="summary-title">{view.year} 年度汇总</h2>
      <ul>
        {view.districts.map((district) => {
          const query = `year=${view.year}&district=${encodeURIComponent(district.id)}`;
          return (
            <li key={district.id}>
              {district.name}：<a href={`/api/admin/summary?${query}&format=xlsx`}>下载 Excel（XLSX）</a>　
              <a href={`/api/admin/summary?${query}&format=csv`}>下载 CSV</a>　<a href={`/api/admin/summary?${query}`}>JSON</a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

const heldRoles = (view: AdminView, agencyId: string): string[][] =>
  view.people.filter((person) => person.agencyId === agencyId).map((person) => [...person.roles]);

function Agencies({ view }: { view: AdminView }) {
  return (
    <section class="admin-section" aria-labelledby="agencies-title">
      <h2 id="agencies-title">单位与审批链</h2>
      {view.agencies.map((agency) => {
        const chain = agency.chain ?? DEFAULT_CHAIN;
        return (
          <div class="agency-card" key={agency.id} id={`agency-${agency.id}`}>
            <h3>{agency.name}</h3>
            <form data-api-method="PUT" data-api-url={`/api/admin/agencies/${encodeURIComponent(agency.id)}`} data-api-kind="agency">
              <label>
                名称 <input name="name" value={agency.name} required maxLength={100} />
              </label>{' '}
              <label>
                区域 <input name="district" value={agency.district ?? ''} required />
              </label>{' '}
              <label>
                新报告起始格式{' '}
                <select name="template">
                  <option value="">（按年度自动选择）</option>
                  {Object.values(TEMPLATES).map((template) => (
                    <option key={template.id} value={template.id} selected={template.id === agency.template}>
                      {template.id}
                    </option>
                  ))}
                </select>
              </label>
              <ChainEditor agencyId={agency.id} chain={chain} roles={chainRoles(chain, heldRoles(view, agency.id))} />
              <button type="submit">保存</button>
              <output class="form-result" />
            </form>
          </div>
        );
      })}
    </section>
  );
}

function People({ view }: { view: AdminView }) {
  const names = new Map(view.agencies.map((agency) => [agency.id, agency.name]));
  return (
    <section class="admin-section" aria-labelledby="people-title">
      <h2 id="people-title">人员</h2>
      <div class="table-scroll">
        <table class="list" id="people">
          <thead>
            <tr>
              <th scope="col">姓名</th>
              <th scope="col">邮箱</th>
              <th scope="col">单位</th>
              <th scope="col">角色</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {view.people.map((person) => (
              <tr key={person.email}>
                <td>{person.name}</td>
                <td class="mono">{person.email}</td>
                <td>{names.get(person.agencyId) ?? person.agencyId}</td>
                <td>{roleNames(person.roles)}</td>
                <td>
                  <PersonForm person={person} agencies={view.agencies} />
                  <form
                    data-api-method="DELETE"
                    data-api-url={`/api/admin/people/${encodeURIComponent(person.email)}`}
                    data-api-kind="person"
                  >
                    <button type="submit" name="preview" value="1">
                      预览移除
                    </button>{' '}
                    <button type="submit">移除</button>
                    <output class="form-result" />
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>添加人员</h3>
      <PersonForm agencies={view.agencies} />
      <h3>批量导入（CSV）</h3>
      <p class="hint">
        四列依次为：邮箱,姓名,单位,角色。可直接用 Excel 或 WPS 另存的 CSV（UTF-8 或 GBK）。任何一行有误时，整个文件都不会导入。
      </p>
      <form data-api-method="POST" data-api-url="/api/admin/people/import" data-api-kind="import" id="import-form">
        <label>
          CSV 文件 <input type="file" name="file" accept=".csv,text/csv" required />
        </label>{' '}
        <button type="submit">导入</button>
        <output class="form-result" />
      </form>
    </section>
  );
}

function PersonForm({ person, agencies }: { person?: Person; agencies: readonly Agency[] }) {
  return (
    <form
      data-api-method="PUT"
      data-api-url={person ? `/api/admin/people/${encodeURIComponent(person.email)}` : '/api/admin/people/'}
      data-api-kind="person"
    >
      {person ? null : (
        <label>
          邮箱 <input name="email" type="email" required />
        </label>
      )}{' '}
      <label>
        姓名 <input name="name" value={person?.name ?? ''} required maxLength={100} />
      </label>{' '}
      <label>
        单位{' '}
        <select name="agencyId">
          {agencies.map((agency) => (
            <option key={agency.id} value={agency.id} selected={agency.id === person?.agencyId}>
              {agency.name}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        角色 <input name="roles" value={(person?.roles ?? []).join(',')} placeholder="officer,director" required />
      </label>{' '}
      <button type="submit" name="preview" value="1">
        预览影响
      </button>{' '}
      <button type="submit">保存</button>
      <output class="form-result" />
    </form>
  );
}

export function renderAdminPage(principal: Principal, view: AdminView): string {
  return renderPage(
    '区政务公开管理',
    <Main wide>
      <h1>区政务公开管理</h1>
      <form method="get" action="/admin" class="no-print">
        <label>
          年度 <input name="year" type="number" min={2019} max={2100} value={String(view.year)} />
        </label>{' '}
        <button type="submit">切换</button>
      </form>
      <Dashboard view={view} />
      <Summaries view={view} />
      <Agencies view={view} />
      <People view={view} />
      <p>
        <a href="/admin/log">管理操作记录（含哈希链、签名和锚定校验）</a>
      </p>
    </Main>,
    principal,
    { scripts: ['admin.js'], css: CSS + CHAIN_EDITOR_CSS },
  );
}
