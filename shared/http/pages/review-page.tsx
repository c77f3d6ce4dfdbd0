import type { Principal } from '../../auth/principal.js';
import { ReportContent } from '../../report/render.js';
import { formatBeijingTime } from '../../report/sign-off.js';
import type { ReviewView } from '../../workflow/review-view.js';
import { renderPage } from './layout.js';

const STAGE_NAMES = { director: '办公室主任审核（含保密审查）', leader: '主管领导签发' } as const;
const OUTCOME_NAMES = { approve: '同意', return: '退回修改' } as const;

export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  COMMENT_REQUIRED: '退回时请填写修改意见。',
  COMMENT_TOO_LONG: '意见太长，请精简到 2000 字以内。',
  CONFIDENTIALITY_REVIEW_REQUIRED: '审核通过前，请确认已完成保密审查。',
  CSRF: '页面已过期，请刷新后重新提交。',
  BAD_REQUEST: '请选择“同意”或“退回修改”。',
};

interface Props {
  readonly view: ReviewView;
  readonly sig: string;
  readonly principal: Principal | undefined;
  readonly error: string | undefined;
}

function Decision({ view }: { view: ReviewView }) {
  const decision = view.review.decision;
  if (!decision) return null;
  return (
    <section class="notice" id="decision">
      <p>
        <strong>已审核：{OUTCOME_NAMES[decision.outcome]}</strong>（{decision.approverName}，{formatBeijingTime(decision.decidedAt) ?? decision.decidedAt}）
      </p>
      {decision.comment === '' ? null : <p style="white-space: pre-wrap">意见：{decision.comment}</p>}
      {decision.stage === 'director' && decision.outcome === 'approve' ? <p>已确认完成保密审查。</p> : null}
    </section>
  );
}

function DecisionForm({ view, sig, principal, error }: Props) {
  const { review } = view;
  if (review.decision) return null;
  if (!principal) {
    const next = `/reviews/${encodeURIComponent(review.reviewId)}?sig=${encodeURIComponent(sig)}`;
    return (
      <p class="notice">
        审核前请先登录（使用收到本邮件的邮箱）：<a href={`/login?next=${encodeURIComponent(next)}`}>登录</a>
      </p>
    );
  }
  return (
    <form method="post" action={`/reviews/${encodeURIComponent(review.reviewId)}/decision`} id="decision-form">
      {error === undefined ? null : <p class="notice error" role="alert">{ERROR_MESSAGES[error] ?? '提交未成功，请重试。'}</p>}
      <input type="hidden" name="sig" value={sig} />
      <input type="hidden" name="csrf" value={principal.csrfToken} />
      <fieldset>
        <legend>审核意见</legend>
        <label>
          <input type="radio" name="outcome" value="approve" required /> 同意
        </label>
        <label>
          <input type="radio" name="outcome" value="return" /> 退回修改
        </label>
        {review.stage === 'director' ? (
          <label>
            <input type="checkbox" name="confidentialityReviewed" value="yes" /> 已完成保密审查（同意时必须勾选）
          </label>
        ) : null}
        <label for="comment">意见（退回时必填）</label>
        <textarea id="comment" name="comment" rows={4} maxLength={2000} />
      </fieldset>
      <p>
        <button type="submit">提交审核意见</button>
      </p>
    </form>
  );
}

function Changes({ view }: { view: ReviewView }) {
  if (!view.changes) return null;
  const { sinceVersion, diff } = view.changes;
  const nothing = diff.cells.length === 0 && diff.texts.length === 0;
  return (
    <section class="panel" id="changes">
      <h2>自您审阅的第{sinceVersion}版以来的修改</h2>
      {nothing ? <p>内容没有变化。</p> : null}
      {diff.cells.length === 0 ? null : (
        <div class="table-scroll">
          <table class="changes">
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
                  <td>{change.before === null ? '（空）' : String(change.before)}</td>
                  <td>{change.after === null ? '（空）' : String(change.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {diff.texts.map((change) => (
        <div key={change.field}>
          <h3>{change.heading}</h3>
          {change.removed.map((text, index) => (
            <p key={`r${index}`} class="removed">
              删除：{text}
            </p>
          ))}
          {change.added.map((text, index) => (
            <p key={`a${index}`} class="added">
              新增：{text}
            </p>
          ))}
        </div>
      ))}
    </section>
  );
}

export function renderReviewPage(props: Props): string {
  const { view } = props;
  const { review } = view;
  return renderPage(
    `审核：${view.report.agency.name}${view.report.year}年年度报告（第${review.version}版）`,
    <>
      <main class="panel">
        <h1>
          {STAGE_NAMES[review.stage]}：{view.report.agency.name}
          {view.report.year}年政府信息公开工作年度报告（第{review.version}版）
        </h1>
        <p>审核人：{review.approverName}。打开本页不会改变任何状态；提交审核意见需登录。</p>
        <Decision view={view} />
        <DecisionForm {...props} />
      </main>
      <section class="panel" id="warnings">
        <h2>系统提示（{view.warnings.length}）</h2>
        {view.warnings.length === 0 ? (
          <p>系统未对本稿给出提示。</p>
        ) : (
          <ul>
            {view.warnings.map((warning, index) => (
              <li key={index}>
                <code>{warning.code}</code> {warning.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      <Changes view={view} />
      <main class="report">
        <ReportContent report={view.report} />
      </main>
    </>,
    props.principal,
  );
}
