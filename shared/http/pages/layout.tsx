import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { REPORT_CSS } from '../../report/render-style.js';

/** The shell of every app page: Chinese, readable on a phone, the report stylesheet plus a few app rules. */

const APP_CSS = `
.app-bar { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: .6rem 1rem; border-bottom: 1px solid #d0d7de; font-size: .95rem; }
.app-bar a { color: inherit; }
.panel { max-width: 60rem; margin: 1rem auto; padding: 1rem 1.2rem; border: 1px solid #d0d7de; border-radius: 6px; background: #fafbfc; }
.panel h2 { margin-top: 0; font-size: 1.15rem; }
.notice { padding: .6rem .9rem; border-radius: 4px; background: #eef6ff; border: 1px solid #b6d4fe; }
.warning { background: #fff8e6; border-color: #f0d48a; }
.error { background: #fdecec; border-color: #f3b4b4; }
form label { display: block; margin: .5rem 0 .25rem; }
textarea, input[type=email], input[type=text] { width: 100%; max-width: 40rem; box-sizing: border-box; font: inherit; padding: .4rem; }
button { font: inherit; padding: .45rem 1.2rem; cursor: pointer; }
.changes td, .changes th { font-size: .9rem; }
.removed { text-decoration: line-through; color: #8b1a1a; }
.added { color: #14532d; }
.table-scroll { overflow-x: auto; }
@media (max-width: 480px) { .panel { margin: .5rem; padding: .8rem; } }
`;

export function renderPage(title: string, body: ComponentChildren, who?: { name: string } | undefined): string {
  return `<!doctype html>${renderToString(
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: REPORT_CSS + APP_CSS }} />
      </head>
      <body>
        <header class="app-bar">
          <a href="/">政府信息公开工作年度报告</a>
          <span>{who ? `${who.name}` : <a href="/login">登录</a>}</span>
        </header>
        {body}
      </body>
    </html>,
  )}`;
}

export function messagePage(title: string, message: string): string {
  return renderPage(
    title,
    <main class="panel">
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">返回首页</a>
      </p>
    </main>,
  );
}
