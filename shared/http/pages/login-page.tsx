import { renderPage } from './layout.js';

/**
 * Sign-in without a script: ask for a code, then enter it. Both steps post forms to the same routes as the JSON API's
 * browser twin; `next` must be a path on this site.
 */
export function safeNext(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : '/';
}

export function renderLoginPage(options: { next: string; email?: string | undefined; step: 'email' | 'code'; error?: string | undefined }): string {
  return renderPage(
    '登录',
    <main class="panel">
      <h1>登录</h1>
      {options.error === undefined ? null : <p class="notice error" role="alert">{options.error}</p>}
      {options.step === 'email' ? (
        <form method="post" action="/login/code">
          <input type="hidden" name="next" value={options.next} />
          <label for="email">工作邮箱</label>
          <input id="email" type="email" name="email" required autocomplete="email" value={options.email ?? ''} />
          <p>
            <button type="submit">获取验证码</button>
          </p>
        </form>
      ) : (
        <form method="post" action="/login/session">
          <p>如果该邮箱已登记，验证码已发送，10 分钟内有效。</p>
          <input type="hidden" name="next" value={options.next} />
          <input type="hidden" name="email" value={options.email ?? ''} />
          <label for="code">验证码（6 位数字）</label>
          <input id="code" type="text" name="code" inputmode="numeric" pattern="[0-9]{6}" required autocomplete="one-time-code" />
          <p>
            <button type="submit">登录</button>
          </p>
        </form>
      )}
    </main>,
  );
}
