import { Main, renderPage } from './layout.js';

/**
 * Sign-in without a script: ask for a code, then enter it. Both steps post forms to the same routes as the JSON API's
 * browser twin; `next` must be a path on this site. The review page reuses the two steps to sign an approver in
 * where they are (client/app.ts does it without leaving the page when scripts run).
 */
export function safeNext(next: string | null | undefined): string {
  // browsers drop tabs and newlines inside a URL (`/\t/evil.example` is followed as `//evil.example`), so no control
  // character may pass
  // eslint-disable-next-line no-control-regex
  return next?.startsWith('/') && !next.startsWith('//') && !next.includes('\\') && !/[\u0000-\u001f\u007f]/u.test(next) ? next : '/';
}

interface SignInProps {
  readonly next: string;
  readonly email?: string | undefined;
  readonly error?: string | undefined;
  /** ids are prefixed so the steps can sit inside another page */
  readonly idPrefix?: string;
  readonly autofocus?: boolean;
}

/** Step 1: the address. */
export function EmailStep({ next, email, idPrefix = '', autofocus = true }: SignInProps) {
  return (
    <form method="post" action="/login/code" class="stack" id={`${idPrefix}email-form`} data-sign-in="email">
      <input type="hidden" name="next" value={next} />
      <label for={`${idPrefix}email`}>工作邮箱</label>
      <input
        id={`${idPrefix}email`}
        type="email"
        name="email"
        required
        autocomplete="email"
        autofocus={autofocus}
        value={email ?? ''}
        aria-describedby={`${idPrefix}email-hint`}
      />
      <p id={`${idPrefix}email-hint`} class="muted">
        我们会向这个邮箱发送 6 位数字验证码，10 分钟内有效。
      </p>
      <p class="actions">
        <button type="submit" class="primary">
          获取验证码
        </button>
      </p>
    </form>
  );
}

/** Step 2: the code, with a way to send it again or use another address. */
export function CodeStep({ next, email, error, idPrefix = '', autofocus = true }: SignInProps) {
  const errorId = `${idPrefix}code-error`;
  return (
    <div id={`${idPrefix}code-step`}>
      <form method="post" action="/login/session" class="stack" id={`${idPrefix}code-form`} data-sign-in="code">
        <p id={`${idPrefix}code-hint`}>
          如果 <strong>{email ?? ''}</strong> 已登记，验证码已发送到该邮箱，10
          分钟内有效。几分钟后仍未收到，请核对邮箱地址，或请本机关的管理员确认您已登记。
        </p>
        <input type="hidden" name="next" value={next} />
        <input type="hidden" name="email" value={email ?? ''} />
        <label for={`${idPrefix}code`}>验证码（6 位数字）</label>
        <input
          id={`${idPrefix}code`}
          type="text"
          name="code"
          inputmode="numeric"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          autocomplete="one-time-code"
          autofocus={autofocus}
          class="code-input"
          aria-invalid={error === undefined ? undefined : 'true'}
          aria-describedby={error === undefined ? `${idPrefix}code-hint` : `${errorId} ${idPrefix}code-hint`}
        />
        {error === undefined ? null : (
          <p class="notice error" role="alert" id={errorId}>
            {error}
          </p>
        )}
        <p class="actions">
          <button type="submit" class="primary">
            登录
          </button>
        </p>
      </form>
      <form method="post" action="/login/code" class="actions" id={`${idPrefix}resend-form`}>
        <input type="hidden" name="next" value={next} />
        <input type="hidden" name="email" value={email ?? ''} />
        <span class="muted">没有收到？</span>
        <button type="submit">重新发送验证码</button>
        <a href={`/login?next=${encodeURIComponent(next)}`}>换一个邮箱</a>
      </form>
    </div>
  );
}

function destination(next: string): string | undefined {
  if (next.startsWith('/reviews/')) return '登录后将回到审核页面。';
  if (next === '/') return undefined;
  return '登录后将回到您刚才打开的页面。';
}

/** What a failed code means, by the kind the redirect names: nothing else can be shown through the address. */
export const SIGN_IN_RETRY_MESSAGES = {
  invalid: '验证码不正确或已过期，请核对后重试，或重新获取验证码。',
  locked: '验证码错误次数过多，这个验证码已作废。请重新获取验证码。',
} as const;
export type SignInRetry = keyof typeof SIGN_IN_RETRY_MESSAGES;

/** Where a failed code sends the browser: the code step again, or (locked) the email step with a fresh start. */
export const signInRetryPath = (email: string, next: string, retry: SignInRetry): string =>
  `/login?${new URLSearchParams({ retry, email, next }).toString()}`;

export function renderLoginPage(options: {
  next: string;
  email?: string | undefined;
  step: 'email' | 'code';
  error?: string | undefined;
}): string {
  const where = destination(options.next);
  return renderPage(
    '登录',
    <Main>
      <h1>登录</h1>
      {where === undefined ? null : <p class="muted">{where}</p>}
      {options.step === 'email' ? (
        <>
          {options.error === undefined ? null : (
            <p class="notice error" role="alert">
              {options.error}
            </p>
          )}
          <EmailStep next={options.next} email={options.email} />
        </>
      ) : (
        <CodeStep next={options.next} email={options.email} error={options.error} />
      )}
    </Main>,
  );
}
