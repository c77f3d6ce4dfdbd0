import { hasRole, type Principal } from '../../auth/principal.js';
import type { Delegation, ReportHead } from '../../workflow/model.js';
import { auditPagePath, draftPagePath, editPagePath, reportPagePath } from './form-model.js';
import { Main, renderPage } from './layout.js';
import { beijingTime, stageName, STATUS_NAMES } from './names.js';
import { KIND_VERBS, type StepKind } from '../../workflow/review-chain.js';
import { MAX_DELEGATION_DAYS } from '../../workflow/delegation.js';

/** GET /: the reports this person may see, by year with their stage; an officer also starts or continues a year. */

export interface DraftSummary {
  readonly year: number;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface HomeView {
  readonly reports: readonly ReportHead[];
  /** officers: drafts of years not yet submitted */
  readonly drafts: readonly DraftSummary[];
  /** officers: years a report may be started for, newest first, and the one suggested */
  readonly startYears: readonly number[];
  readonly suggestedYear: number | undefined;
  readonly agencyName: string | undefined;
  /** the steps of the agency's chain this person decides: they get the 待办 list */
  readonly decides: ReadonlyArray<{ readonly id: string; readonly kind: StepKind }>;
  /** 我的代理: whether this person decides a step (and so may name a deputy), their running or planned delegation */
  readonly delegation: { readonly allowed: boolean; readonly mine: Delegation | null; readonly today: string };
  /** the delegations naming this person as deputy that run today */
  readonly deputising: readonly Delegation[];
}

interface Row {
  readonly key: string;
  readonly agencyName: string;
  readonly year: number;
  readonly tag: { readonly className: string; readonly text: string };
  readonly stage: string;
  readonly version: string;
  readonly updatedAt: string;
  readonly links: ReadonlyArray<{ readonly href: string; readonly text: string }>;
}

function reportRow(head: ReportHead, principal: Principal): Row {
  const officer = hasRole(principal, 'officer') && principal.agencyId === head.agencyId;
  const links: Array<{ href: string; text: string }> = [];
  if (officer && head.status === 'returned') links.push({ href: editPagePath(head.reportId), text: '修改后重新提交' });
  if (officer && head.status === 'withdrawn') links.push({ href: draftPagePath(head.agencyId, head.year), text: '重新填报' });
  links.push({ href: reportPagePath(head.reportId), text: '查看进度' });
  if (hasRole(principal, 'auditor')) links.push({ href: auditPagePath(head.reportId), text: '审计记录' });
  return {
    key: head.reportId,
    agencyName: head.agencyName,
    year: head.year,
    tag: { className: head.status, text: STATUS_NAMES[head.status] },
    stage: head.status === 'in_review' || head.status === 'returned' ? stageName(head) : '',
    version: `第${head.version}版`,
    updatedAt: beijingTime(head.updatedAt),
    links,
  };
}

function draftRow(draft: DraftSummary, agencyId: string, agencyName: string): Row {
  return {
    key: `draft-${draft.year}`,
    agencyName,
    year: draft.year,
    tag: { className: 'draft', text: '草稿（未提交）' },
    stage: '信息员填报',
    version: '',
    updatedAt: beijingTime(draft.updatedAt),
    links: [{ href: draftPagePath(agencyId, draft.year), text: '继续填写' }],
  };
}

/**
 * 待办: the reviews waiting for this person, filled in by the page's script from GET /api/me/tasks (the one list the
 * API and the page share), each with its review page and a button to have the email sent again.
 */
function Tasks({ view }: { view: HomeView }) {
  if (view.decides.length === 0) return null;
  const verbs = [...new Set(view.decides.map((step) => KIND_VERBS[step.kind]))];
  const kinds = Object.fromEntries(view.decides.map((step) => [step.id, step.kind]));
  return (
    <section aria-labelledby="tasks-title" id="tasks" data-kinds={JSON.stringify(kinds)}>
      <h2 id="tasks-title">待我{verbs.join('、')}</h2>
      <p id="tasks-status" role="status">
        正在读取待办……
      </p>
      <ul id="tasks-list" class="tasks" hidden />
      <noscript>
        <p class="notice warning">待办列表需要启用浏览器的 JavaScript；审核邮件中的链接同样可以打开审核页面。</p>
      </noscript>
    </section>
  );
}

const TASKS_CSS = `
.tasks { list-style: none; padding: 0; }
.tasks li { padding: .6rem .8rem; margin: .4rem 0; border: 1px solid #d0d7de; border-left: 5px solid #f5b400; border-radius: 5px; background: #fffbeb; }
.tasks li a { font-weight: 600; }
.tasks .resend { margin-top: .3rem; }
`;

const shortDate = (date: string): string => {
  const [year, month, day] = date.split('-').map(Number);
  return `${year}年${month}月${day}日`;
};

/** 我的代理: the person's delegation with a form to set, replace or end it, and whom they act for today. */
function DelegationSection({ view, principal }: { view: HomeView; principal: Principal }) {
  const { allowed, mine, today } = view.delegation;
  if (!allowed && view.deputising.length === 0) return null;
  const running = mine !== null && mine.from <= today;
  return (
    <section aria-labelledby="delegation-title" id="delegation" class="notice">
      <h2 id="delegation-title">我的代理</h2>
      {view.deputising.map((delegation) => (
        <p key={delegation.delegator} class="deputising">
          您正在代理{delegation.delegatorName}处理审核（至{shortDate(delegation.until)}），其待办已列入上方的待办中。
        </p>
      ))}
      {!allowed ? null : mine === null ? (
        <p id="delegation-current">您目前没有设置代理。外出或休假时，可指定本单位的一位同事在指定日期内代您处理审核。</p>
      ) : (
        <form method="post" action="/me/delegation" class="actions" id="delegation-end">
          <p id="delegation-current">
            {running ? '正在生效：' : '已设置，尚未开始：'}
            {mine.deputyName}（{mine.deputy}）自{shortDate(mine.from)}至{shortDate(mine.until)}代您处理审核，新的审核邮件将发给代理人。
          </p>
          <input type="hidden" name="csrf" value={principal.csrfToken} />
          <input type="hidden" name="action" value="end" />
          <button type="submit">结束代理</button>
        </form>
      )}
      {!allowed ? null : (
        <form method="post" action="/me/delegation" id="delegation-form">
          <input type="hidden" name="csrf" value={principal.csrfToken} />
          <input type="hidden" name="action" value="set" />
          <p>
            <label for="delegation-to">代理人邮箱</label>
            <input id="delegation-to" name="to" type="email" required autocomplete="off" value={mine?.deputy ?? ''} />
          </p>
          <p>
            <label for="delegation-from">开始日期</label>
            <input id="delegation-from" name="from" type="date" required value={mine?.from ?? today} />
          </p>
          <p>
            <label for="delegation-until">结束日期</label>
            <input id="delegation-until" name="until" type="date" required min={today} value={mine?.until ?? ''} />
          </p>
          <p class="muted">
            日期按北京时间计算，起止两天都包括在内，最长 {MAX_DELEGATION_DAYS}{' '}
            天；代理人须是本单位人员，不能是报告的提交人，也不能是本轮其他环节的处理人。重新保存会替换原有代理。
          </p>
          <button type="submit" class="primary">
            {mine === null ? '设置代理' : '更改代理'}
          </button>
        </form>
      )}
    </section>
  );
}

function StartForm({ view }: { view: HomeView }) {
  if (view.startYears.length === 0) return null;
  return (
    <section aria-labelledby="start-title" class="notice">
      <h2 id="start-title">开始填报年度报告</h2>
      <form method="get" action="/reports/new" class="actions">
        <label for="start-year">报告年度</label>
        <select id="start-year" name="year">
          {view.startYears.map((year) => (
            <option key={year} value={String(year)} selected={year === view.suggestedYear}>
              {year}年
            </option>
          ))}
        </select>
        <button type="submit" class="primary">
          开始填报
        </button>
      </form>
      <p class="muted">报告格式按年度自动选择；如有上一年度已发布的报告，上年结转等数据会自动带入。</p>
      <p class="muted">
        上一年度的报告不是在本系统发布的？可以先<a href="/previous/import">导入上年报告</a>。
      </p>
    </section>
  );
}

export function renderHomePage(principal: Principal, view: HomeView): string {
  const officer = hasRole(principal, 'officer');
  const heads = view.reports.map((head) => reportRow(head, principal));
  const drafts = officer ? view.drafts.map((draft) => draftRow(draft, principal.agencyId, view.agencyName ?? '')) : [];
  const rows = [...heads, ...drafts].sort((a, b) => b.year - a.year || a.agencyName.localeCompare(b.agencyName, 'zh-CN'));
  const showAgency = new Set(rows.map((row) => row.agencyName)).size > 1 || hasRole(principal, 'auditor');
  return renderPage(
    '年度报告',
    <Main>
      <h1>年度报告</h1>
      <p class="muted">
        {view.agencyName ?? ''}
        {hasRole(principal, 'auditor') ? (
          <>
            {' · 您可以查看所辖机关的全部报告及审计记录，以及'}
            <a href="/admin/log">管理操作记录</a>。
          </>
        ) : null}
        {hasRole(principal, 'admin') ? (
          <>
            {' · '}
            <a href="/admin">区政务公开管理（进度、提醒、汇总、单位与人员）</a>
          </>
        ) : null}
      </p>
      {officer ? <StartForm view={view} /> : null}
      <Tasks view={view} />
      <DelegationSection view={view} principal={principal} />
      <h2>{officer ? '本机关的年度报告' : '可查看的年度报告'}</h2>
      {rows.length === 0 ? (
        <p>暂无年度报告。</p>
      ) : (
        <div class="table-scroll" tabIndex={0}>
          <table class="list" id="reports">
            <thead>
              <tr>
                {showAgency ? <th scope="col">机关</th> : null}
                <th scope="col">年度</th>
                <th scope="col">状态</th>
                <th scope="col">当前环节</th>
                <th scope="col">版本</th>
                <th scope="col">更新时间</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key} data-year={String(row.year)}>
                  {showAgency ? <td>{row.agencyName}</td> : null}
                  <th scope="row">{row.year}年</th>
                  <td>
                    <span class={`tag ${row.tag.className}`}>{row.tag.text}</span>
                  </td>
                  <td>{row.stage}</td>
                  <td>{row.version}</td>
                  <td>{row.updatedAt}</td>
                  <td>
                    {row.links.map((link, index) => (
                      <>
                        {index > 0 ? ' · ' : null}
                        <a key={link.href} href={link.href}>
                          {link.text}
                        </a>
                      </>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Main>,
    principal,
    { css: TASKS_CSS },
  );
}
