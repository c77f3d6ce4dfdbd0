import type { Principal } from '../../auth/principal.js';
import { ReportContent } from '../../report/render.js';
import { formatBeijingTime } from '../../report/sign-off.js';
import { KIND_VERBS } from '../../workflow/review-chain.js';
import { unexplained, type AcknowledgedWarning } from '../../workflow/acknowledgements.js';
import type { ReviewTeaser, ReviewView } from '../../workflow/review-view.js';
import { Main, renderPage } from './layout.js';
import { CodeStep, EmailStep } from './login-page.js';
import { SIGN_OFF_CSS, SignOffSheetView } from './sign-off-sheet.js';
import { ReportDiffView } from './report-diff.js';
import { deciderWording, deputyWording } from '../../workflow/deputy-wording.js';

/**
 * GET /reviews/{reviewId}?sig=: what the approver decides on. The report exactly as it will be published, the
 * system's warnings, what changed since the version this approver last saw, and — once signed in as the named
 * approver — the decision form (POST, CSRF token); an auditor of the agency reads the same without the form. Opening
 * it changes nothing. Someone not signed in sees only which report the link is for and signs in right here
 * (client/app.ts keeps them on the page; without scripts the login page brings them back).
 */

const OUTCOME_NAMES = { approve: '同意', return: '退回修改' } as const;

export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  COMMENT_REQUIRED: '退回时请填写修改意见。',
  COMMENT_TOO_LONG: '意见太长，请精简到 2000 字以内。',
  CONFIDENTIALITY_REVIEW_REQUIRED: '同意前，请确认已完成保密审查。',
  CSRF: '页面已过期，请刷新后重新提交。',
  BAD_REQUEST: '请选择“同意”或“退回修改”。',
};

interface Props {
  readonly view: ReviewView;
  readonly sig: string;
  readonly principal: Principal | undefined;
  readonly error: string | undefined;
}

const REVIEW_CSS = `
.review-summary { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: center; }
#decision-form fieldset { border: 1px solid #cfd6dd; border-radius: 6px; padding: .8rem 1rem 1rem; margin: 0; }
#decision-form legend { font-weight: 600; padding: 0 .3rem; }
.choice { display: flex; gap: .6rem; align-items: flex-start; padding: .55rem .7rem; margin: .4rem 0; border: 1px solid #d8dee4; border-radius: 5px; background: #fff; cursor: pointer; }
.choice input { margin-top: .35rem; width: 1.15rem; height: 1.15rem; flex: none; }
.choice small { display: block; color: #5f6368; }
.confidentiality { background: #fff8e6; border-color: #f0d48a; }
#decision-form textarea { margin-top: .2rem; }
#decision-form [aria-invalid="true"] { outline: 2px solid #b3261e; }
.decision-anchor { scroll-margin-top: 1rem; }
.warning-note { margin: .2rem 0 .5rem; }
@media (max-width: 640px) { #decision-form fieldset { padding: .6rem .6rem .8rem; } .review-summary { font-size: .92rem; } }
`;

/** What an approval does next, in the words of the chain: 送下一步, or publish after the 签发. */
function afterApproval(view: ReviewView, tense: '已' | ''): string {
  const next = view.nextStep;
  if (next === undefined) return tense === '' ? '签发，报告将发布到公开网站' : '报告将发布到公开网站。';
  const cosign = view.step.kind === 'cosign' ? '全部会签人员同意后，' : '';
  return tense === '' ? `${cosign}送${next.label}` : `${cosign}报告${view.step.kind === 'cosign' ? '将' : '已'}送${next.label}。`;
}

const reviewPath = (reviewId: string, sig: string): string => `/reviews/${encodeURIComponent(reviewId)}?sig=${encodeURIComponent(sig)}`;

function Decision({ view }: { view: ReviewView }) {
  const decision = view.review.decision;
  if (!decision) return null;
  return (
    <section class="notice success" id="decision" role="status">
      <p>
        <strong>
          已{KIND_VERBS[view.step.kind]}：{OUTCOME_NAMES[decision.outcome]}
        </strong>
        （{deciderWording(decision)}，{formatBeijingTime(decision.decidedAt) ?? decision.decidedAt}）
      </p>
      {decision.comment === '' ? null : <p class="pre">意见：{decision.comment}</p>}
      {decision.confidentialityReviewed && decision.outcome === 'approve' ? <p>已确认完成保密审查。</p> : null}
      <p class="muted">{decision.outcome === 'approve' ? afterApproval(view, '已') : '报告已退回信息员修改。'}</p>
    </section>
  );
}

/** The verb of the step this review is for: 审核, 会签 or 签发. */
const verbOf = (view: ReviewView): string => KIND_VERBS[view.step.kind];

/** Signing in from the review page. The address is not filled in: the link alone must not say whose it is. */
function SignIn({ reviewId, sig, verb }: { reviewId: string; sig: string; verb: string }) {
  const next = reviewPath(reviewId, sig);
  return (
    <section class="notice" id="sign-in" aria-labelledby="sign-in-title" data-next={next}>
      <h2 id="sign-in-title">登录后查看和{verb}</h2>
      <p>
        报告内容只向收到{verb}邮件的人显示。请用收到邮件的邮箱登录。也可以打开<a href={`/login?next=${encodeURIComponent(next)}`}>登录</a>
        页面。
      </p>
      <div id="signin-email-step">
        <EmailStep next={next} idPrefix="signin-" autofocus={false} />
      </div>
      <div id="signin-code-wrap" hidden>
        <CodeStep next={next} idPrefix="signin-" autofocus={false} />
      </div>
      <p id="signin-error" class="notice error" role="alert" hidden />
    </section>
  );
}

function Closed({ view }: { view: ReviewView }) {
  const cause = view.closedBecause;
  if (view.review.decision || view.open || !cause) return null;
  const verb = verbOf(view);
  return (
    <section class="notice warning" id="closed" role="status">
      {cause.kind === 'withdrawn' ? (
        <>
          <p>
            <strong>这个{verb}链接已不再需要处理：报告已撤回。</strong>
            {cause.by ?? '信息员'}于 {formatBeijingTime(cause.at) ?? cause.at} 撤回了第{view.review.version}版。
          </p>
          {cause.reason === undefined ? null : <p class="pre">撤回原因：{cause.reason}</p>}
        </>
      ) : cause.kind === 'newer' ? (
        <p>
          <strong>
            这个{verb}链接已不再需要处理：信息员已提交第{cause.version}版。
          </strong>
          {cause.url === undefined ? (
            '新版本送到您时，系统会另发邮件。'
          ) : (
            <a href={cause.url}>
              打开第{cause.version}版的{verb}页面
            </a>
          )}
        </p>
      ) : (
        <p>
          <strong>这个{verb}链接已不再需要处理</strong>：报告已进入下一环节。
        </p>
      )}
    </section>
  );
}

function DecisionForm({ view, sig, principal, error }: Props) {
  const { review } = view;
  if (review.decision || !view.open || !principal || !view.signedInAsApprover) return null;
  const message = error === undefined ? undefined : (ERROR_MESSAGES[error] ?? '提交未成功，请重试。');
  const confidentiality = view.step.confidentiality === true;
  return (
    <section aria-labelledby="decide-title" class="decision-anchor" id="decision">
      <h2 id="decide-title">{verbOf(view)}意见</h2>
      <form method="post" action={`/reviews/${encodeURIComponent(review.reviewId)}/decision`} id="decision-form" data-stage={review.stage}>
        {message === undefined ? null : (
          <p class="notice error" role="alert" id="decision-error">
            {message}
          </p>
        )}
        <input type="hidden" name="sig" value={sig} />
        <input type="hidden" name="csrf" value={principal.csrfToken} />
        <fieldset>
          <legend>您的决定（第{review.version}版）</legend>
          <label class="choice">
            <input type="radio" name="outcome" value="approve" required />
            <span>
              同意
              <small>{afterApproval(view, '')}</small>
            </span>
          </label>
          <label class="choice">
            <input type="radio" name="outcome" value="return" />
            <span>
              退回修改
              <small>退回信息员修改，须填写意见</small>
            </span>
          </label>
          {confidentiality ? (
            <label class="choice confidentiality">
              <input
                type="checkbox"
                name="confidentialityReviewed"
                value="yes"
                id="confidentiality"
                aria-invalid={error === 'CONFIDENTIALITY_REVIEW_REQUIRED' ? 'true' : undefined}
                aria-describedby={error === 'CONFIDENTIALITY_REVIEW_REQUIRED' ? 'decision-error' : undefined}
              />
              <span>
                已完成保密审查（同意时必须勾选）
                <small>已按《保密法》和本机关规定审查，报告不含国家秘密、工作秘密及其他不宜公开的内容。</small>
              </span>
            </label>
          ) : null}
          <label for="comment" class="field-label">
            意见（退回时必填）
          </label>
          <textarea
            id="comment"
            name="comment"
            rows={4}
            maxLength={2000}
            aria-invalid={error === 'COMMENT_REQUIRED' || error === 'COMMENT_TOO_LONG' ? 'true' : undefined}
            aria-describedby={error === 'COMMENT_REQUIRED' || error === 'COMMENT_TOO_LONG' ? 'decision-error' : undefined}
          />
        </fieldset>
        <p class="actions">
          <button type="submit" class="primary" id="decision-submit">
            提交{verbOf(view)}意见
          </button>
        </p>
      </form>
    </section>
  );
}

/** What the officer answered to one warning when submitting. */
function Answer({ warning, answered }: { warning: AcknowledgedWarning; answered: boolean }) {
  if (warning.note !== undefined) return <p class="pre warning-note">信息员说明：{warning.note}</p>;
  return <p class="muted warning-note">{answered ? '信息员已勾选“已核对”，未写说明。' : '提交时尚未要求逐条确认，信息员未作说明。'}</p>;
}

function Warnings({ view }: { view: ReviewView }) {
  const open = unexplained(view.warnings);
  return (
    <section id="warnings" aria-labelledby="warnings-title">
      <h2 id="warnings-title">系统提示（{view.warnings.length}）</h2>
      {view.warnings.length === 0 ? (
        <p>系统没有对本稿给出提示。</p>
      ) : (
        <>
          {view.step.kind === 'sign' && open.length > 0 ? (
            <div class="notice warning" id="unexplained" role="note">
              <p>
                <strong>以下 {open.length} 条提示信息员未说明原因，签发前请核实：</strong>
              </p>
              <ul>
                {open.map((warning) => (
                  <li key={warning.key}>{warning.message}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <p class="muted">提示不阻止提交，信息员提交时已逐条确认。请{verbOf(view)}时留意：</p>
          <ul>
            {view.warnings.map((warning) => (
              <li key={warning.key} data-code={warning.code} data-path={warning.path}>
                {warning.message}
                <Answer warning={warning} answered={view.warningsAnswered} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Changes({ view }: { view: ReviewView }) {
  if (!view.changes) return null;
  const { sinceVersion, diff } = view.changes;
  return (
    <section id="changes" aria-labelledby="changes-title" class="notice warning">
      <h2 id="changes-title">自您审阅的第{sinceVersion}版以来的修改</h2>
      <ReportDiffView diff={diff} />
    </section>
  );
}

/** The page for someone not signed in: which report and step the link is for, and the sign-in. Nothing of the content. */
export function renderReviewSignInPage(teaser: ReviewTeaser, sig: string): string {
  return renderPage(
    `${KIND_VERBS[teaser.stepKind]}：${teaser.agencyName}${teaser.year}年年度报告（第${teaser.version}版）`,
    <Main>
      <h1>
        {teaser.stepLabel}：{teaser.agencyName}
        {teaser.year}年政府信息公开工作年度报告（第{teaser.version}版）
      </h1>
      {teaser.decided ? <p class="muted">这一{KIND_VERBS[teaser.stepKind]}已有结果。</p> : null}
      <SignIn reviewId={teaser.reviewId} sig={sig} verb={KIND_VERBS[teaser.stepKind]} />
    </Main>,
    undefined,
    { css: REVIEW_CSS },
  );
}

export function renderReviewPage(props: Props): string {
  const { view, principal } = props;
  const { review } = view;
  const changed = view.changes ? view.changes.diff.cells.length + view.changes.diff.texts.length : undefined;
  return renderPage(
    `${verbOf(view)}：${view.report.agency.name}${view.report.year}年年度报告（第${review.version}版）`,
    <Main>
      <h1>
        {view.step.label}
        {view.step.confidentiality === true ? '（含保密审查）' : ''}：{view.report.agency.name}
        {view.report.year}年政府信息公开工作年度报告（第{review.version}版）
      </h1>
      <p id="review-who">
        {verbOf(view)}人：{review.approverName}。打开本页不会改变任何状态
        {principal || review.decision || !view.open ? '。' : `；提交${verbOf(view)}意见需先登录。`}
        {view.deputyFor === undefined
          ? null
          : `您正在代理${view.deputyFor}处理，意见将记为“${deputyWording(principal?.name ?? '', view.deputyFor)}”。`}
      </p>
      <Decision view={view} />
      <Closed view={view} />
      <p class="review-summary no-print">
        <a href="#sign-off">签发单</a>
        <a href="#warnings">系统提示 {view.warnings.length} 项</a>
        {changed === undefined ? null : <a href="#changes">自上次审阅以来修改 {changed} 处</a>}
        <a href="#report">报告全文</a>
        {!review.decision && view.open && view.signedInAsApprover ? (
          <a href="#decision" class="button primary">
            填写{verbOf(view)}意见
          </a>
        ) : null}
      </p>
      <SignOffSheetView sheet={view.sheet} />
      <Changes view={view} />
      <Warnings view={view} />
      <h2 id="report-title">{view.open && !review.decision ? '报告全文（将按此发布）' : `报告全文（第${review.version}版）`}</h2>
      <article class="report-sheet" id="report" aria-labelledby="report-title">
        <ReportContent report={view.report} agencyName={view.agencyName} />
      </article>
      <DecisionForm {...props} />
    </Main>,
    principal,
    { css: REVIEW_CSS + SIGN_OFF_CSS },
  );
}
