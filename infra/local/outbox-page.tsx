import type { OutboxEntry } from '../../shared/mail/outbox-mailer.js';
import { renderPage } from '../../shared/http/pages/layout.js';

/** /_local/outbox: every email the local stack sent, newest first, so a person can follow the links in them. */
export function renderOutboxPage(entries: readonly OutboxEntry[]): string {
  return renderPage(
    '本地邮件',
    <main class="panel">
      <h1>本地邮件（{entries.length}）</h1>
      <p>
        本地运行时不发送真实邮件，所有邮件都在这里。JSON 版本：<a href="/_local/outbox.json">/_local/outbox.json</a>
      </p>
      {entries.map((entry) => (
        <article key={entry.id} class="notice" style="margin: 1rem 0">
          <p>
            <strong>{entry.subject}</strong>
          </p>
          <p>
            收件人：{entry.to}　时间：{entry.sentAt}
          </p>
          <pre style="white-space: pre-wrap">{entry.text}</pre>
          {entry.links.length === 0 ? null : (
            <ul>
              {entry.links.map((link) => (
                <li key={link}>
                  <a href={link}>{link}</a>
                </li>
              ))}
            </ul>
          )}
        </article>
      ))}
    </main>,
  );
}
