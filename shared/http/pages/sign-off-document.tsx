import { renderToString } from 'preact-render-to-string';
import type { ReportView } from '../../workflow/report-queries.js';
import { beijingTime } from './names.js';
import { SIGN_OFF_CSS, SignOffSheetView } from './sign-off-sheet.js';

/**
 * The 签发单 of a published report as a file of its own, to print on one A4 page and file with the signed version:
 * every step of every round with its person, opinion and time. Self-contained (its styles inline, no script, no
 * link out), so it opens and prints the same wherever it is kept.
 */

const DOCUMENT_CSS = `
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; color: #111; margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem; }
h1 { font-size: 1.35rem; text-align: center; margin: 0 0 .4rem; }
.about { text-align: center; margin: 0 0 1rem; color: #333; }
.table-scroll { overflow-x: auto; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.sign-off-sheet > h2 { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media print { main { max-width: none; padding: 0; } }
${SIGN_OFF_CSS}`;

/** The file's name: ASCII, so every browser and mail client keeps it as it is. */
export const signOffFileName = (reportId: string): string => `${reportId}-sign-off.html`;

export function renderSignOffDocument(report: ReportView): string {
  const publishedAt = report.sheet.rounds.flatMap((round) => round.versions).find((version) => version.ended?.kind === 'published')
    ?.ended?.at;
  const title = `签发单：${report.agencyName}${report.year}年政府信息公开工作年度报告`;
  const page = (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: DOCUMENT_CSS }} />
      </head>
      <body>
        <main>
          <h1>{title}</h1>
          <p class="about">
            发布版本：第{report.publishedVersion ?? report.version}版{publishedAt === undefined ? '' : `，${beijingTime(publishedAt)} 发布`}
          </p>
          <SignOffSheetView sheet={report.sheet} />
        </main>
      </body>
    </html>
  );
  return `<!doctype html>${renderToString(page)}`;
}
