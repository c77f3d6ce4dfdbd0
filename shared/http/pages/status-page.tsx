import { isOfficerOf, type Principal } from '../../auth/principal.js';
import { DownloadLinks, signOffPath, type Downloads } from './downloads.js';
import { ReportContent } from '../../report/render.js';
import { parseReport, type Report } from '../../report/schema.js';
import { DecisionSchema, type Decision } from '../../workflow/model.js';
import type { ReportView } from '../../workflow/report-queries.js';
import { KIND_VERBS, stepLabel, type Step as ChainStep } from '../../workflow/review-chain.js';
import { auditPagePath, editPagePath, draftPagePath } from './form-model.js';
import { Main, renderPage } from './layout.js';
import { SIGN_OFF_CSS, SignOffSheetView } from './sign-off-sheet.js';
import { beijingTime, stageName, STATUS_NAMES } from './names.js';
import { deciderWording } from '../../workflow/deputy-wording.js';

/**
 * GET /reports/{id}: where a report is. 信息员, each step of the round's chain, 已发布, with who is pending
 * since when, the return comments, and the officer's actions: resubmit a returned report, withdraw (confirmed first).
 */

type StepState = 'done' | 'current' | 'returned' | 'failed' | 'todo';

interface Step {
  readonly key: string;
  readonly title: string;
  readonly state: StepState;
  readonly detail: string;
}

const STATE_WORDS: Readonly<Record<StepState, string>> = {
  done: '已完成',
  current: '进行中',
  returned: '已退回',
  failed: '失败',
  todo: '未开始',
};

function decisionsOf(report: ReportView): Decision[] {
  return report.decisions.flatMap((raw) => {
    const parsed = DecisionSchema.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });
}

/** One step of the round's chain: its label, who it waits on, or what they decided on the current version. */
function approverStep(report: ReportView, decisions: readonly Decision[], chainStep: ChainStep): Step {
  const stage = chainStep.id;
  const verb = KIND_VERBS[chainStep.kind];
  const title = `${chainStep.label}${chainStep.confidentiality === true ? '（含保密审查）' : ''}`;
  const mine = decisions.filter((candidate) => candidate.stage === stage && candidate.version === report.version);
  const decision = mine.at(-1);
  if (report.status !== 'withdrawn' && report.stage === stage) {
    const pending = report.pendingReview;
    const cosign = report.cosign;
    const detail = cosign
      ? `${cosign.approved.length}/${cosign.asked.length} 人已${verb}${pending ? `，等待其余人员${verb}，自 ${beijingTime(pending.since)} 起` : ''}`
      : pending
        ? `等待${pending.approverName}${verb}，自 ${beijingTime(pending.since)} 起`
        : `正在发送${verb}通知`;
    return { key: stage, title, state: 'current', detail };
  }
  if (decision?.outcome === 'return') {
    return { key: stage, title, state: 'returned', detail: `${deciderWording(decision)}于 ${beijingTime(decision.decidedAt)} 退回修改` };
  }
  if (decision?.outcome === 'approve') {
    const check = chainStep.confidentiality === true && decision.confidentialityReviewed ? '，已完成保密审查' : '';
    const who = mine
      .filter((candidate) => candidate.outcome === 'approve')
      .map((candidate) => deciderWording(candidate))
      .join('、');
    return { key: stage, title, state: 'done', detail: `${who}于 ${beijingTime(decision.decidedAt)} 同意${check}` };
  }
  return { key: stage, title, state: 'todo', detail: '' };
}

function steps(report: ReportView): Step[] {
  const decisions = decisionsOf(report);
  const latest = report.versions.at(-1);
  const submitted = latest ? `第${latest.version}版由${latest.submittedBy ?? ''}于 ${beijingTime(latest.submittedAt)} 提交` : '';
  const officer: Step =
    report.status === 'returned'
      ? { key: 'officer', title: '信息员填报', state: 'current', detail: '报告已退回，等待信息员修改后重新提交' }
      : report.status === 'withdrawn'
        ? { key: 'officer', title: '信息员填报', state: 'current', detail: '报告已撤回，信息员可以修改后重新提交' }
        : { key: 'officer', title: '信息员填报', state: 'done', detail: submitted };
  const published: Step =
    report.status === 'published'
      ? { key: 'published', title: '发布', state: 'done', detail: `第${report.publishedVersion ?? report.version}版已发布到公开网站` }
      : report.status === 'publish_failed'
        ? { key: 'published', title: '发布', state: 'failed', detail: '发布失败，系统已记录，管理员可重新发布' }
        : report.stage === 'publishing'
          ? { key: 'published', title: '发布', state: 'current', detail: '已签发，正在发布' }
          : { key: 'published', title: '发布', state: 'todo', detail: '' };
  return [officer, ...report.chain.steps.map((chainStep) => approverStep(report, decisions, chainStep)), published];
}

function Timeline({ report }: { report: ReportView }) {
  return (
    <ol class="timeline" aria-label="审核流程">
      {steps(report).map((step) => (
        <li key={step.key} class={`step ${step.state}`} aria-current={step.state === 'current' ? 'step' : undefined} data-step={step.key}>
          <span class="dot" aria-hidden="true" />
          <span class="step-title">{step.title}</span>
          <span class="step-state">{STATE_WORDS[step.state]}</span>
          {step.detail === '' ? null : <span class="step-detail">{step.detail}</span>}
        </li>
      ))}
    </ol>
  );
}

const TIMELINE_CSS = `
.timeline { list-style: none; padding: 0; margin: 1rem 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .5rem; counter-reset: step; }
.timeline .step { position: relative; padding: .75rem .8rem .8rem; border: 1px solid #d0d7de; border-top-width: 5px; border-radius: 5px; background: #fff; display: flex; flex-direction: column; gap: .15rem; }
.timeline .step-title { font-weight: 600; }
.timeline .step-state { font-size: .85rem; }
.timeline .step-detail { font-size: .85rem; color: #444; }
.timeline .dot { display: none; }
.timeline .done { border-top-color: #2e7d32; } .timeline .done .step-state { color: #2e7d32; }
.timeline .current { border-top-color: #f5b400; background: #fffbeb; } .timeline .current .step-state { color: #8a5a00; font-weight: 600; }
.timeline .returned, .timeline .failed { border-top-color: #b3261e; } .timeline .returned .step-state, .timeline .failed .step-state { color: #b3261e; }
.timeline .todo { color: #6b7280; }
@media (max-width: 640px) { .timeline { grid-template-columns: 1fr; } }
`;

function Returns({ report }: { report: ReportView }) {
  const returns = decisionsOf(report).filter((decision) => decision.outcome === 'return');
  if (returns.length === 0) return null;
  return (
    <section aria-labelledby="returns-title">
      <h2 id="returns-title">退回意见</h2>
      <ul>
        {returns.map((decision) => (
          <li key={`${decision.version}-${decision.stage}`} class="return-comment">
            <p class="muted">
              第{decision.version}版 · {deciderWording(decision)}（{stepLabel(report.chain, decision.stage)}）·{' '}
              {beijingTime(decision.decidedAt)}
            </p>
            <p class="pre">{decision.comment}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Actions({ principal, report }: { principal: Principal; report: ReportView }) {
  if (!isOfficerOf(principal, report.agencyId)) return null;
  const canWithdraw = (report.status === 'in_review' && report.stage !== 'publishing') || report.status === 'returned';
  if (!canWithdraw && report.status !== 'withdrawn') return null;
  return (
    <section aria-labelledby="actions-title" class="no-print">
      <h2 id="actions-title">操作</h2>
      <div class="actions">
        {report.status === 'returned' ? (
          <a class="button primary" href={editPagePath(report.id)}>
            修改后重新提交
          </a>
        ) : null}
        {report.status === 'withdrawn' ? (
          <a class="button primary" href={draftPagePath(report.agencyId, report.year)}>
            重新填报
          </a>
        ) : null}
        {canWithdraw ? (
          <button type="button" class="danger" id="withdraw-start" aria-expanded="false" aria-controls="withdraw-confirm">
            撤回报告…
          </button>
        ) : null}
      </div>
      {canWithdraw ? (
        // biome-ignore lint/a11y/useSemanticElements: a confirmation box, not a set of form fields: a fieldset would add a legend and border
        <div
          id="withdraw-confirm"
          class="notice warning"
          hidden
          role="group"
          aria-labelledby="withdraw-question"
          data-report-id={report.id}
        >
          <p id="withdraw-question">
            <strong>确定撤回这份报告吗？</strong>
          </p>
          <p>
            撤回后审核流程终止，审批人员收到的链接不再能使用；之后您可以修改并重新提交，将从“{report.chain.steps[0]?.label ?? '第一步'}
            ”重新开始。
          </p>
          <label for="withdraw-reason" class="field-label">
            撤回原因（必填，将告知正在审批的人员）
          </label>
          <textarea id="withdraw-reason" name="reason" rows={3} maxLength={500} required />
          <p class="actions">
            <button type="button" class="danger primary" id="withdraw-yes">
              确认撤回
            </button>
            <button type="button" id="withdraw-no">
              取消
            </button>
          </p>
          <p id="withdraw-error" class="notice error" role="alert" hidden />
        </div>
      ) : null}
      <noscript>
        <p class="notice warning">撤回需要启用浏览器的 JavaScript。</p>
      </noscript>
    </section>
  );
}

/** Between two steps (the review email is on its way, the site is being written): worth showing again in a moment. */
function inTransit(report: ReportView): boolean {
  if (report.status !== 'in_review') return false;
  return (
    report.stage === 'publishing' || (report.chain.steps.some((step) => step.id === report.stage) && report.pendingReview === undefined)
  );
}

function contentOf(report: ReportView): Report | undefined {
  try {
    return parseReport(report.content);
  } catch {
    return undefined;
  }
}

export function renderStatusPage(
  principal: Principal,
  report: ReportView,
  options: { publicUrl?: string | undefined; downloads?: Downloads | undefined } = {},
): string {
  const content = contentOf(report);
  const returnedComment = report.status === 'returned' ? report.returnComment : undefined;
  return renderPage(
    `${report.agencyName}${report.year}年年度报告`,
    <Main>
      <p class="crumbs">
        <a href="/">首页</a> › {report.year}年年度报告
      </p>
      <h1>
        {report.agencyName}
        {report.year}年政府信息公开工作年度报告
      </h1>
      <p id="status">
        <span class={`tag ${report.status}`}>{STATUS_NAMES[report.status]}</span>
        {report.status === 'in_review' || report.status === 'returned'
          ? ` 当前环节：${report.chain.steps.find((step) => step.id === report.stage)?.label ?? stageName({ stage: report.stage })}`
          : ''}{' '}
        · 第{report.version}版
      </p>
      {returnedComment === undefined ? null : (
        <div class="notice warning" id="return-comment">
          <p>
            <strong>报告被退回，请按意见修改后重新提交：</strong>
          </p>
          <p class="pre">{returnedComment}</p>
        </div>
      )}
      {report.status === 'published' && options.publicUrl !== undefined ? (
        <p class="notice success">
          已发布：<a href={options.publicUrl}>在公开网站上查看</a>{' '}
          <DownloadLinks downloads={options.downloads} signOff={signOffPath(report.id)} />
        </p>
      ) : null}
      <Timeline report={report} />
      <Actions principal={principal} report={report} />
      <SignOffSheetView sheet={report.sheet} />
      <Returns report={report} />
      <h2>版本</h2>
      <ul>
        {report.versions.map((version) => (
          <li key={version.version}>
            第{version.version}版：{version.submittedBy ?? ''}，{beijingTime(version.submittedAt)}
            {report.publishedVersion === version.version ? '（已发布）' : ''}{' '}
            <code title={version.contentSha256}>{version.contentSha256.slice(0, 12)}</code>
          </li>
        ))}
      </ul>
      {content === undefined ? null : (
        <details>
          <summary>查看第{report.version}版报告内容</summary>
          <div class="report-sheet">
            <ReportContent report={content} agencyName={report.agencyName} />
          </div>
        </details>
      )}
      <p>
        <a href={auditPagePath(report.id)}>审计记录（全部操作及哈希链校验）</a>
      </p>
    </Main>,
    principal,
    { css: TIMELINE_CSS + SIGN_OFF_CSS, ...(inTransit(report) ? { refreshSeconds: 3 } : {}) },
  );
}
