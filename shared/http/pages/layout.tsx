import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { REPORT_CSS } from '../../report/render-style.js';
import { assetUrl, type ClientAssetName } from '../assets.js';

/**
 * The shell of every app page: Chinese, readable on a phone, the report stylesheet (so a report shown inside a page
 * looks as published) plus the app's own rules. Scripts are files from /assets/ only: the Content-Security-Policy
 * allows no inline script, and the pages work without them wherever a plain form can do the job.
 */

const SANS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", system-ui, sans-serif';
const SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", STSong, SimSun, serif';

const APP_CSS = `
body.app { font-family: ${SANS}; font-size: 15px; line-height: 1.65; background: #eef1f4; }
body.app main { max-width: 62rem; margin: 1.25rem auto 2rem; padding: 1.5rem 2rem 2rem; box-shadow: 0 1px 4px rgba(0,0,0,.08); border-radius: 6px; }
body.app main.wide { max-width: 86rem; }
body.app p { text-indent: 0; }
body.app h1 { text-align: left; font-size: 1.45rem; margin: 0 0 .75rem; }
body.app h2 { font-size: 1.15rem; margin: 1.75rem 0 .6rem; }
body.app h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
a { color: #0b57d0; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 3px solid #f5b400; outline-offset: 1px; }
.panel h2 { margin-top: 0; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
.app-bar { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem 1rem; padding: .55rem 1.25rem; background: #1f3a5f; color: #fff; }
.app-bar a { color: #fff; text-decoration: none; font-weight: 600; }
.app-bar .who { display: flex; align-items: center; gap: .75rem; font-size: .9rem; }
.app-bar form { margin: 0; }
.app-bar button { background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.6); padding: .15rem .7rem; font-size: .85rem; border-radius: 4px; }
.crumbs { font-size: .9rem; margin: 0 0 .75rem; color: #555; }
.muted { color: #5f6368; }
.notice { padding: .7rem 1rem; border-radius: 5px; background: #eef6ff; border: 1px solid #b6d4fe; margin: .75rem 0; }
.notice > :first-child { margin-top: 0; } .notice > :last-child { margin-bottom: 0; }
.warning { background: #fff8e6; border-color: #f0d48a; }
.error { background: #fdecec; border-color: #f3b4b4; }
.success { background: #e9f7ef; border-color: #9fd8b4; }
.pre { white-space: pre-wrap; }
form.stack label, .field-label { display: block; margin: .75rem 0 .3rem; font-weight: 600; }
textarea, input[type=email], input[type=text], select { font: inherit; padding: .45rem .55rem; border: 1px solid #8c959f; border-radius: 4px; background: #fff; box-sizing: border-box; }
select { max-width: 100%; }
textarea, input[type=email], form.stack input[type=text] { width: 100%; max-width: 40rem; }
button, .button { font: inherit; padding: .5rem 1.2rem; cursor: pointer; border-radius: 5px; border: 1px solid #1f3a5f; background: #fff; color: #1f3a5f; text-decoration: none; display: inline-block; line-height: 1.4; }
button.primary, .button.primary { background: #1f3a5f; color: #fff; }
button.danger { border-color: #b3261e; color: #b3261e; }
button.danger.primary { background: #b3261e; color: #fff; }
button:disabled { opacity: .5; cursor: not-allowed; }
.actions { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; margin: 1rem 0 0; }
table.list { width: 100%; border-collapse: collapse; font-size: .92rem; }
table.list th, table.list td { border: 0; border-bottom: 1px solid #d8dee4; padding: .5rem .6rem; text-align: left; white-space: normal; }
table.list th { background: #f6f8fa; font-weight: 600; }
table.list tbody th { background: transparent; }
.tag { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .82rem; background: #eef1f4; border: 1px solid #cfd6dd; white-space: nowrap; }
.tag.in_review { background: #fff4d6; border-color: #f0d48a; } .tag.returned { background: #fdecec; border-color: #f3b4b4; }
.tag.published { background: #e9f7ef; border-color: #9fd8b4; } .tag.draft { background: #eef6ff; border-color: #b6d4fe; }
.changes td, .changes th { font-size: .9rem; }
.removed { text-decoration: line-through; color: #8b1a1a; }
.added { color: #14532d; }
ins.added { text-decoration: underline; background: #e7f6ec; }
del.removed { background: #fbeaea; }
.table-scroll { overflow-x: auto; position: relative; }
.report-form .table-scroll th[scope="row"] { min-width: 8em; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.report-sheet { font-family: ${SERIF}; font-size: 16px; line-height: 1.8; border: 1px solid #d0d7de; padding: 1.5rem 2rem; margin: 1rem 0; background: #fff; }
.report-sheet p { text-indent: 2em; }
body.app .report-sheet h1 { text-align: center; font-size: 1.5rem; }
.report-sheet .title-line { display: block; }
.report-sheet .sub { margin: .4em 0; text-indent: 2em; font-size: 1rem; font-weight: 700; }
.report-sheet .run-in { margin: .4em 0; text-indent: 2em; }
.report-sheet .run-in > .sub, .report-sheet .run-in > p { display: inline; margin: 0; text-indent: 0; }
.report-sheet .closing { margin-top: 2rem; text-align: right; }
.report-sheet .closing p, .report-sheet .masthead { text-indent: 0; }
@media (max-width: 640px) {
  body.app main { margin: 0; padding: 1rem .9rem 1.5rem; border-radius: 0; box-shadow: none; }
  .report-sheet { padding: .75rem .6rem; margin: .75rem -.4rem; }
  /* a table keeps a readable width and scrolls in its own box rather than wrapping labels a character a line */
  .report-sheet table.grid { min-width: 36rem; }
  .report-sheet table#reviewsAndLitigation { min-width: 44rem; }
  .app-bar { padding: .5rem .9rem; }
  table.list th, table.list td { padding: .4rem .35rem; }
}
@media print { .app-bar, .no-print { display: none !important; } body.app main { box-shadow: none; } }
`;

export interface PageOptions {
  /** the page's module scripts, by entry name, besides app.js, which every page has */
  readonly scripts?: readonly ClientAssetName[];
  /** the page's own rules, after the shared ones (a constant: never anything from a request or a report) */
  readonly css?: string;
  /** reload after this many seconds: a page showing a state the workflow is about to leave */
  readonly refreshSeconds?: number;
}

/** The page's one `<main>`, the skip link's target. */
export function Main({ children, wide }: { children: ComponentChildren; wide?: boolean }) {
  return (
    <main id="main" class={wide ? 'wide' : undefined}>
      {children}
    </main>
  );
}

interface Who {
  readonly name: string;
  readonly roles?: readonly string[];
}

export const ROLE_NAMES: Readonly<Record<string, string>> = {
  officer: '信息员',
  director: '办公室主任',
  leader: '主管领导',
  auditor: '审计人员',
};

export const roleNames = (roles: readonly string[] | undefined): string => (roles ?? []).map((role) => ROLE_NAMES[role] ?? role).join('、');

export function renderPage(title: string, body: ComponentChildren, who?: Who | undefined, options: PageOptions = {}): string {
  const scripts: ClientAssetName[] = ['app.js', ...(options.scripts ?? [])];
  return `<!doctype html>${renderToString(
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="data:," />
        {options.refreshSeconds === undefined ? null : <meta http-equiv="refresh" content={String(options.refreshSeconds)} />}
        <title>{`${title} · 政府信息公开工作年度报告`}</title>
        <style dangerouslySetInnerHTML={{ __html: REPORT_CSS + APP_CSS + (options.css ?? '') }} />
        {scripts.map((name) => (
          <script key={name} type="module" src={assetUrl(name)} />
        ))}
      </head>
      <body class="app">
        <a class="skip" href="#main">
          跳到正文
        </a>
        <header class="app-bar">
          <a href="/">政府信息公开工作年度报告</a>
          {who ? (
            <span class="who">
              <span>
                {who.name}
                {who.roles && who.roles.length > 0 ? `（${roleNames(who.roles)}）` : ''}
              </span>
              <form method="post" action="/api/auth/logout" id="logout-form">
                <button type="submit">退出</button>
              </form>
            </span>
          ) : null}
        </header>
        {body}
      </body>
    </html>,
  )}`;
}

export function messagePage(title: string, message: string, who?: Who | undefined): string {
  return renderPage(
    title,
    <Main>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">返回首页</a>
      </p>
    </Main>,
    who,
  );
}
