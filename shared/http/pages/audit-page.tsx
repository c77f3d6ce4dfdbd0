import type { Principal } from '../../auth/principal.js';
import { DownloadLinks, downloadsOfObjects, signOffPath } from './downloads.js';
import { PublishedDataSchema } from '../../workflow/event-data.js';
import type { ReportDiff } from '../../report/diff.js';
import { ReportContent } from '../../report/render.js';
import type { Report } from '../../report/schema.js';
import type { HistoryVerification } from '../../workflow/history-verification.js';
import type { ReportHistory } from '../../workflow/report-queries.js';
import { ReportDiffView } from './report-diff.js';
import { reportPagePath } from './form-model.js';
import { Main, renderPage } from './layout.js';
import { SIGN_OFF_CSS, SignOffSheetView } from './sign-off-sheet.js';
import { SubmittedDataSchema } from '../../workflow/event-data.js';
import { beijingTime, beijingTimeWithSeconds, EVENT_NAMES, EXECUTION_STATUS_NAMES, eventSummary, actorLabel } from './names.js';

/**
 * GET /audit/reports/{id}: every event (who, when, what, version, hashes), whether the hash chain holds, the Step
 * Functions executions with their history, and the same as JSON and CSV files.
 */

export const AUDIT_CSS = `
.audit td, .audit th { vertical-align: top; }
.audit .hash { font-size: .78rem; white-space: nowrap; }
.audit .nowrap { white-space: nowrap; }
.chain-ok { border-left: 5px solid #2e7d32; }
.chain-bad { border-left: 5px solid #b3261e; }
.executions li { margin: .35rem 0; }
.executions ol { font-size: .85rem; margin: .3rem 0 .6rem; }
`;

/** Which of the checks failed, in words: the message then says where. */
const CHECK_NAMES = {
  wrong_report: '哈希链校验未通过',
  sequence: '哈希链校验未通过',
  link: '哈希链校验未通过',
  hash: '哈希链校验未通过',
  signature: '签名校验未通过',
  unsigned: '签名校验未通过',
  anchor: '锚定校验未通过',
} as const;

/** Whether a signed log holds, and if not which check failed at which record: a report's history or the administration log. */
export function ChainStatus({ chain }: { chain: HistoryVerification }) {
  if (!chain.valid) {
    const kind = chain.problem?.kind ?? 'hash';
    return (
      <p data-check={kind} data-seq={chain.problem === undefined ? undefined : String(chain.problem.seq)}>
        <strong>{CHECK_NAMES[kind]}</strong>（第 {chain.problem?.seq ?? '?'} 条记录）：{chain.problem?.message ?? ''}
      </p>
    );
  }
  return (
    <>
      <p data-check="ok">
        <strong>哈希链校验通过</strong>：共 {chain.length} 条记录，每条记录的哈希都与其内容相符并接续前一条。末条哈希{' '}
        <code class="mono">{chain.head ?? '—'}</code>
      </p>
      <p>
        签名：{chain.signed} 条记录由系统签名密钥签名且签名有效
        {chain.unsignedPrefix > 0 ? `；前 ${chain.unsignedPrefix} 条记录写于启用签名之前，没有签名，由其后第一条签名记录固定` : ''}。 锚定：
        {chain.anchoredSeq === undefined
          ? '没有找到这份历史的锚定记录（启用锚定之前的报告）。'
          : `第 ${chain.anchoredSeq} 条记录的哈希与只写一次的锚定记录相符，其后没有被删除的记录。`}
      </p>
    </>
  );
}

/** The objects the last `published` event names: the files of the version the site now shows. */
function publishedKeys(history: ReportHistory): string[] {
  const published = history.events.findLast((event) => event.type === 'published');
  const parsed = published === undefined ? undefined : PublishedDataSchema.safeParse(published.data);
  return parsed?.success === true ? parsed.data.objects.map((object) => object.key) : [];
}

/** 北京市大兴区科学技术委员会2020年年度报告, from the first submission; the id only when the log has none. */
function reportTitle(reportId: string, history: ReportHistory): string {
  const first = history.events.find((event) => event.type === 'submitted');
  const data = first === undefined ? undefined : SubmittedDataSchema.safeParse(first.data).data;
  return data === undefined ? reportId : `${data.agencyName}${data.year}年年度报告`;
}

export interface AuditVersions {
  /** where the public site is, for the published files' links */
  readonly siteBaseUrl?: string | undefined;
  /** one version opened in full */
  readonly shown?: { readonly version: number; readonly report: Report } | undefined;
  /** two versions compared */
  readonly compared?: { readonly from: number; readonly to: number; readonly diff: ReportDiff } | undefined;
}

function Versions({ reportId, history, versions }: { reportId: string; history: ReportHistory; versions: AuditVersions }) {
  const numbers = [
    ...new Set(history.events.filter((event) => event.type === 'submitted' || event.type === 'resubmitted').map((event) => event.version)),
  ];
  if (numbers.length === 0) return null;
  const path = `/audit/reports/${encodeURIComponent(reportId)}`;
  const from = versions.compared?.from ?? numbers.at(-2) ?? numbers[0];
  const to = versions.compared?.to ?? numbers.at(-1);
  return (
    <section id="versions" aria-labelledby="versions-title">
      <h2 id="versions-title">各版本</h2>
      <ul>
        {numbers.map((version) => (
          <li key={version}>
            <a href={`${path}?version=${version}#shown`}>查看第{version}版全文</a>
          </li>
        ))}
      </ul>
      {numbers.length < 2 ? null : (
        <form method="get" action={path} class="actions" id="compare-form">
          <label for="compare-from">比较</label>
          <select id="compare-from" name="from">
            {numbers.map((version) => (
              <option key={version} value={String(version)} selected={version === from}>
                第{version}版
              </option>
            ))}
          </select>
          <label for="compare-to">与</label>
          <select id="compare-to" name="to">
            {numbers.map((version) => (
              <option key={version} value={String(version)} selected={version === to}>
                第{version}版
              </option>
            ))}
          </select>
          <button type="submit">比较</button>
        </form>
      )}
      {versions.compared === undefined ? null : (
        <section id="compared" aria-labelledby="compared-title" class="notice">
          <h3 id="compared-title">
            第{versions.compared.from}版 → 第{versions.compared.to}版的修改
          </h3>
          <ReportDiffView diff={versions.compared.diff} />
        </section>
      )}
      {versions.shown === undefined ? null : (
        <section id="shown" aria-labelledby="shown-title">
          <h3 id="shown-title">第{versions.shown.version}版全文</h3>
          <article class="report-sheet">
            <ReportContent report={versions.shown.report} />
          </article>
        </section>
      )}
    </section>
  );
}

export function renderAuditPage(principal: Principal, reportId: string, history: ReportHistory, versions: AuditVersions = {}): string {
  const options = versions;
  const { chain } = history;
  const encoded = encodeURIComponent(reportId);
  const title = reportTitle(reportId, history);
  return renderPage(
    `审计记录：${title}`,
    <Main wide>
      <p class="crumbs">
        <a href="/">首页</a> › <a href={reportPagePath(reportId)}>报告进度</a> › 审计记录
      </p>
      <h1>审计记录：{title}</h1>
      <div class={`notice ${chain.valid ? 'success chain-ok' : 'error chain-bad'}`} id="chain" role="status">
        <ChainStatus chain={chain} />
      </div>
      <p class="actions">
        <a class="button" href={`/audit/reports/${encoded}.json`} download>
          下载 JSON
        </a>
        <a class="button" href={`/audit/reports/${encoded}.csv`} download>
          下载 CSV（Excel）
        </a>{' '}
        <DownloadLinks
          downloads={downloadsOfObjects(options.siteBaseUrl, publishedKeys(history))}
          signOff={publishedKeys(history).length > 0 ? signOffPath(reportId) : undefined}
        />
      </p>
      <SignOffSheetView sheet={history.sheet} />
      <Versions reportId={reportId} history={history} versions={versions} />
      <h2>事件记录</h2>
      <div class="table-scroll" tabIndex={0}>
        <table class="list audit" id="events">
          <thead>
            <tr>
              <th scope="col">序号</th>
              <th scope="col">时间</th>
              <th scope="col">事件</th>
              <th scope="col">操作人</th>
              <th scope="col">版本</th>
              <th scope="col">说明</th>
              <th scope="col">内容摘要 / 哈希</th>
            </tr>
          </thead>
          <tbody>
            {history.events.map((event) => (
              <tr key={event.seq} data-seq={String(event.seq)} data-type={event.type}>
                <td>{event.seq}</td>
                <td class="nowrap">
                  <time dateTime={event.at}>{beijingTimeWithSeconds(event.at)}</time>
                </td>
                <td class="nowrap">{EVENT_NAMES[event.type]}</td>
                <td>
                  {event.actor.role === 'system' ? (
                    '系统（流程）'
                  ) : (
                    <>
                      {event.actor.name ?? ''}
                      <br />
                      <span class="muted">
                        {actorLabel(event)}
                        {event.actor.email === undefined ? '' : ` · ${event.actor.email}`}
                      </span>
                    </>
                  )}
                </td>
                <td class="nowrap">第{event.version}版</td>
                <td class="pre">{eventSummary(event)}</td>
                <td class="hash mono">
                  <span title={`内容 SHA-256：${event.contentSha256}`}>内容 {event.contentSha256.slice(0, 12)}…</span>
                  <br />
                  <span title={`前一哈希：${event.prevHash}`}>前 {event.prevHash.slice(0, 12)}…</span>
                  <br />
                  <span title={`哈希：${event.hash}`}>本 {event.hash.slice(0, 12)}…</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details id="engine">
        <summary>技术记录：流程引擎的执行详情（供技术人员排查问题）</summary>
        {history.executions.length === 0 ? (
          <p>没有流程执行记录。</p>
        ) : (
          <ul class="executions" id="executions">
            {history.executions.map((execution) => (
              <li key={execution.name}>
                <strong class="mono">{execution.name}</strong>：{EXECUTION_STATUS_NAMES[execution.status] ?? execution.status}，
                {beijingTime(execution.startDate)} 开始
                {execution.stopDate === undefined ? '' : `，${beijingTime(execution.stopDate)} 结束`}
                <details>
                  <summary>流程记录（{execution.history.length} 条）</summary>
                  <ol>
                    {execution.history.map((entry) => (
                      <li key={entry.id}>
                        {beijingTimeWithSeconds(entry.timestamp)} {entry.type}
                        {entry.stateName === undefined ? '' : ` · ${entry.stateName}`}
                      </li>
                    ))}
                  </ol>
                </details>
              </li>
            ))}
          </ul>
        )}
      </details>
    </Main>,
    principal,
    { css: AUDIT_CSS + SIGN_OFF_CSS },
  );
}
