import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

import { KIND_VERBS, type StepKind } from '../workflow/review-chain.js';
import type { MailMessage } from '../workflow/ports.js';
import { defuseLinks } from './defuse-links.js';

/**
 * The emails the workflow sends. Each function is pure: same input, same message. The html part is rendered by
 * preact, which escapes every string it is given (names, agency names, comments), so nothing here escapes by hand;
 * the text part is the same content as plain lines.
 *
 * Links are resolved with `new URL(path, baseUrl)` and must stay under `baseUrl`: an internal path is best given
 * relative (`reviews/abc?sig=…`), which also works when the app is served under a path prefix; an absolute URL is
 * accepted when it is already under `baseUrl`. Links are used exactly as given: no query parameter is added.
 * Subjects carry no secret (no code, no signature), only the report's public name.
 */

const SYSTEM_NAME = '政府信息公开工作年度报告系统';

export interface SignInCodeMessageInput {
  readonly to: string;
  readonly baseUrl: string;
  readonly code: string;
  readonly minutesValid: number;
}

export function signInCodeMessage(input: SignInCodeMessageInput): MailMessage {
  const loginUrl = absoluteLink('login', input.baseUrl, 'login');
  const subject = '年报系统登录验证码';
  const text = lines(
    '您好：',
    '',
    `您正在登录${SYSTEM_NAME}，本次的登录验证码是：`,
    '',
    `    ${input.code}`,
    '',
    `验证码在 ${input.minutesValid} 分钟内有效，只能使用一次。请不要把验证码告诉任何人，工作人员不会向您索要验证码。`,
    '',
    '如果您没有申请登录，请忽略本邮件，您的账号不会有任何变化。',
    '',
    '登录页面：',
    loginUrl,
    ...footerLines(),
  );
  const html = page(
    subject,
    <>
      <p>您好：</p>
      <p>您正在登录{SYSTEM_NAME}，本次的登录验证码是：</p>
      <p style="font-size: 28px; font-weight: bold; letter-spacing: 6px; font-family: monospace;">{input.code}</p>
      <p>验证码在 {input.minutesValid} 分钟内有效，只能使用一次。请不要把验证码告诉任何人，工作人员不会向您索要验证码。</p>
      <p>如果您没有申请登录，请忽略本邮件，您的账号不会有任何变化。</p>
      <LinkBlock label="登录页面：" href={loginUrl} />
    </>,
  );
  return { to: input.to, subject, text, html };
}

export interface ReviewRequestMessageInput {
  readonly to: string;
  readonly baseUrl: string;
  readonly approverName: string;
  readonly agencyName: string;
  readonly year: number;
  readonly version: number;
  /** the step asked for: its label (办公室主任审核) and kind (审核 / 会签 / 签发, which the subject asks for) */
  readonly step: { readonly label: string; readonly kind: StepKind; readonly confidentiality?: boolean | undefined };
  /** the review took over from this person, who no longer holds the step's post */
  readonly replaces?: string | undefined;
  /** the delegator, when the email goes to their deputy (代理) */
  readonly onBehalfOf?: string | undefined;
  /** the signed review link (review id + signature, never a task token), ready-made */
  readonly reviewUrl: string;
  readonly warningsCount: number;
  /** a timeout passed and the review still waits: same link, 【提醒】 subject */
  readonly reminder: boolean;
  /** ISO 8601 instant; shown in Beijing time */
  readonly dueAt?: string | undefined;
}

export function reviewRequestMessage(input: ReviewRequestMessageInput): MailMessage {
  const reviewUrl = absoluteLink(input.reviewUrl, input.baseUrl, 'reviewUrl');
  const report = reportTitle(input.agencyName, input.year, input.version);
  const stage = `${input.step.label}${input.step.confidentiality === true ? '（含保密审查）' : ''}`;
  const subject = oneLine(`${input.reminder ? '【提醒】' : ''}请${KIND_VERBS[input.step.kind]}：${report}`);
  const due = input.dueAt === undefined ? undefined : `请于${beijingTime(input.dueAt)}（北京时间）前处理。`;
  const verb = KIND_VERBS[input.step.kind];
  const reminder = input.reminder ? `这是一封提醒邮件：该报告仍在等待您处理，此前邮件中的${verb}链接继续有效。` : undefined;
  const deputy = input.onBehalfOf === undefined ? undefined : `（您正在代理${input.onBehalfOf}，本项原由${input.onBehalfOf}处理。）`;
  const ask = `${report}已提交，需要您进行${stage}。${input.replaces === undefined ? '' : `（原由${input.replaces}处理，因人员调整转由您处理。）`}${deputy ?? ''}`;
  const warnings =
    input.warningsCount > 0 ? `系统对本稿给出了 ${input.warningsCount} 条提示，请在${verb}页面逐条查看。` : '系统未对本稿给出提示。';
  const safety = '打开链接只用于查看报告，不会改变报告的状态；同意或退回需要先登录系统再作决定。';

  const text = lines(
    `${input.approverName}，您好：`,
    '',
    ...(reminder === undefined ? [] : [reminder, '']),
    ask,
    ...(due === undefined ? [] : [due]),
    warnings,
    '',
    `${verb}页面：`,
    reviewUrl,
    '',
    safety,
    ...footerLines(),
  );
  const html = page(
    subject,
    <>
      <p>{input.approverName}，您好：</p>
      {reminder === undefined ? null : <p style="color: #b45309;">{reminder}</p>}
      <p>
        {report}已提交，需要您进行<strong>{stage}</strong>。
        {input.replaces === undefined ? null : `（原由${input.replaces}处理，因人员调整转由您处理。）`}
        {deputy ?? null}
      </p>
      {due === undefined ? null : <p>{due}</p>}
      <p>{warnings}</p>
      <LinkBlock label={`${verb}页面：`} href={reviewUrl} />
      <p>{safety}</p>
    </>,
  );
  return { to: input.to, subject, text, html };
}

export interface RevisionRequestMessageInput {
  readonly to: string;
  readonly baseUrl: string;
  readonly officerName: string;
  readonly agencyName: string;
  readonly year: number;
  /** the version that was returned */
  readonly version: number;
  readonly returnedByName: string;
  /** the approver's comment, shown verbatim except that nothing in it becomes a link (defuse-links.ts) */
  readonly comment: string;
  readonly reportUrl: string;
  /** the labels of the round's chain, in order: the steps a resubmission goes through again */
  readonly stepLabels?: readonly string[] | undefined;
}

export function revisionRequestMessage(input: RevisionRequestMessageInput): MailMessage {
  const reportUrl = absoluteLink(input.reportUrl, input.baseUrl, 'reportUrl');
  const report = reportTitle(input.agencyName, input.year, input.version);
  const subject = oneLine(`退回修改：${report}`);
  const returned = `您提交的${report}已被${input.returnedByName}退回修改。退回意见如下：`;
  const noComment = input.comment.trim() === '';
  // the approver's words, with nothing a mail client would turn into a link
  const comment = noComment ? '（未填写退回意见）' : defuseLinks(input.comment);
  const labels = input.stepLabels ?? ['办公室主任审核', '主管领导签发'];
  const next = `请登录系统修改后重新提交。重新提交的报告将再次依次经过${labels.join('、')}。`;

  const text = lines(`${input.officerName}，您好：`, '', returned, '', comment, '', next, '', '报告页面：', reportUrl, ...footerLines());
  const html = page(
    subject,
    <>
      <p>{input.officerName}，您好：</p>
      <p>{returned}</p>
      <blockquote style="white-space: pre-wrap; margin: 12px 0; padding: 8px 12px; border-left: 4px solid #c0c0c0; background: #f7f7f7;">
        {comment}
      </blockquote>
      <p>{next}</p>
      <LinkBlock label="报告页面：" href={reportUrl} />
    </>,
  );
  return { to: input.to, subject, text, html };
}

export interface PublishedMessageInput {
  readonly to: string;
  /** the public site's base (CloudFront in AWS, `/site/` locally): the published page must be under it */
  readonly baseUrl: string;
  readonly agencyName: string;
  readonly year: number;
  /** the version the 主管领导 signed */
  readonly version: number;
  readonly publicUrl: string;
}

export function publishedMessage(input: PublishedMessageInput): MailMessage {
  const publicUrl = absoluteLink(input.publicUrl, input.baseUrl, 'publicUrl');
  const report = `${input.agencyName}${input.year}年政府信息公开工作年度报告`;
  const subject = oneLine(`已公开：${report}`);
  const published = `${report}（第${input.version}版）已经主管领导签发，并已在网站公开。`;

  const text = lines('您好：', '', published, '', '公开页面：', publicUrl, ...footerLines());
  const html = page(
    subject,
    <>
      <p>您好：</p>
      <p>{published}</p>
      <LinkBlock label="公开页面：" href={publicUrl} />
    </>,
  );
  return { to: input.to, subject, text, html };
}

export interface WithdrawnMessageInput {
  readonly to: string;
  readonly approverName: string;
  /** the step their review was for */
  readonly stepLabel: string;
  readonly agencyName: string;
  readonly year: number;
  readonly version: number;
  readonly officerName: string;
  /** the officer's reason, shown verbatim */
  readonly reason: string;
}

/** To whoever held an open review when the officer withdrew: what happened, why, and that their link is dead. */
export function withdrawnMessage(input: WithdrawnMessageInput): MailMessage {
  const report = reportTitle(input.agencyName, input.year, input.version);
  const subject = oneLine(`已撤回：${report}`);
  const withdrawn = `${input.officerName}已撤回${report}，您无需再进行${input.stepLabel}。撤回原因：`;
  const next = '此前邮件中的链接已不再需要处理。信息员修改后重新提交时，系统会另发邮件。';
  const text = lines(`${input.approverName}，您好：`, '', withdrawn, '', input.reason, '', next, ...footerLines());
  const html = page(
    subject,
    <>
      <p>{input.approverName}，您好：</p>
      <p>{withdrawn}</p>
      <blockquote style="white-space: pre-wrap; margin: 12px 0; padding: 8px 12px; border-left: 4px solid #c0c0c0; background: #f7f7f7;">
        {input.reason}
      </blockquote>
      <p>{next}</p>
    </>,
  );
  return { to: input.to, subject, text, html };
}

// ---------------------------------------------------------------------------------------------------------------

export interface DeadlineReminderMessageInput {
  readonly to: string;
  readonly baseUrl: string;
  readonly agencyName: string;
  readonly year: number;
  /** YYYY-MM-DD, Beijing */
  readonly deadline: string;
  readonly daysLeft: number;
  /** what the report waits for, in words: 尚未开始填报 / 等待办公室主任审核 … */
  readonly waitingFor: string;
}

/** The district's reminder before the deadline: to the officer, or to the person the report waits for. */
export function deadlineReminderMessage(input: DeadlineReminderMessageInput): MailMessage {
  const homeUrl = absoluteLink('', input.baseUrl, 'home');
  const report = `${input.agencyName}${input.year}年政府信息公开工作年度报告`;
  const when =
    input.daysLeft > 0
      ? `距公开期限（${input.deadline}）还有 ${input.daysLeft} 天`
      : input.daysLeft === 0
        ? `今天（${input.deadline}）是公开期限`
        : `已超过公开期限（${input.deadline}）`;
  const subject = oneLine(`催办提醒：${report}`);
  const body = `${report}尚未公开，${when}。当前状态：${input.waitingFor}。请尽快办理。`;
  const text = lines('您好：', '', body, '', '系统首页：', homeUrl, ...footerLines());
  const html = page(
    subject,
    <>
      <p>您好：</p>
      <p>{body}</p>
      <LinkBlock label="系统首页：" href={homeUrl} />
    </>,
  );
  return { to: input.to, subject, text, html };
}

function reportTitle(agencyName: string, year: number, version: number): string {
  return `${agencyName}${year}年政府信息公开工作年度报告（第${version}版）`;
}

/**
 * `new URL(path, baseUrl)`, required to be an http(s) URL under baseUrl. The base is read as a directory (a missing
 * trailing slash is added) so that relative paths resolve under it. The error names the argument, not the URL,
 * since a review URL carries a signature.
 */
function absoluteLink(path: string, baseUrl: string, what: string): string {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error('baseUrl must be an absolute http(s) URL.');
  }
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  const url = new URL(path, base);
  if (!url.href.startsWith(base.href)) {
    throw new Error(`${what} must resolve to a URL under baseUrl.`);
  }
  return url.href;
}

/** a subject is one header line: control characters and line breaks in a name become a space */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/gu, ' ').trim();
}

/** 2025-01-20T09:00:00Z → 2025年1月20日 17:00 (UTC+8; China has no daylight saving time) */
function beijingTime(iso: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) throw new Error('dueAt must be an ISO 8601 date-time.');
  const t = new Date(instant.getTime() + 8 * 60 * 60 * 1000);
  const hh = String(t.getUTCHours()).padStart(2, '0');
  const mm = String(t.getUTCMinutes()).padStart(2, '0');
  return `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日 ${hh}:${mm}`;
}

function footerLines(): string[] {
  return ['', '——', `本邮件由${SYSTEM_NAME}自动发送，请勿直接回复。`];
}

function lines(...parts: string[]): string {
  return `${parts.join('\n')}\n`;
}

function LinkBlock(props: { label: string; href: string }) {
  return (
    <p>
      {props.label}
      <br />
      <a href={props.href} style="color: #1d4ed8; word-break: break-all;">
        {props.href}
      </a>
    </p>
  );
}

function page(title: string, body: ComponentChildren): string {
  return `<!DOCTYPE html>${renderToString(
    <html lang="zh-CN">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
      </head>
      <body style="margin: 0; padding: 16px; font-family: 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif; font-size: 15px; line-height: 1.7; color: #1f2937;">
        {body}
        <hr style="border: none; border-top: 1px solid #e5e7eb; margin-top: 24px;" />
        <p style="font-size: 12px; color: #6b7280;">本邮件由{SYSTEM_NAME}自动发送，请勿直接回复。</p>
      </body>
    </html>,
  )}`;
}
