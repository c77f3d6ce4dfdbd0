import { outcomeWords, type SheetLine, type SheetVersion, type SignOffSheet } from '../../workflow/sign-off-sheet.js';
import { beijingTime } from './names.js';
import { deputyWording } from '../../workflow/deputy-wording.js';

/**
 * The 签发单 as a table: one group of rows per version of every round, earlier rounds first, so a screen reader
 * reads it in the order it happened. Fits one A4 page in print; on a phone the table scrolls inside its own box.
 */

export const SIGN_OFF_CSS = `
.sign-off-sheet { margin: 1rem 0; }
.sign-off-sheet table { width: 100%; border-collapse: collapse; font-size: .92rem; }
.sign-off-sheet th, .sign-off-sheet td { border: 1px solid #8c959f; padding: .35rem .5rem; vertical-align: top; text-align: left; }
.sign-off-sheet thead th { background: #f3f4f6; white-space: nowrap; }
.sign-off-sheet tbody th[scope="rowgroup"] { background: #f8fafc; font-weight: 600; }
.sign-off-sheet .outcome-return { color: #b3261e; font-weight: 600; }
.sign-off-sheet .outcome-approve { color: #1b5e20; font-weight: 600; }
.sign-off-sheet .outcome-pending { color: #7a4b00; }
.sign-off-sheet .comment { white-space: pre-wrap; overflow-wrap: anywhere; min-width: 8rem; }
@media print {
  @page { size: A4; margin: 15mm; }
  .sign-off-sheet { break-inside: avoid; page-break-inside: avoid; }
  .sign-off-sheet table { font-size: 9.5pt; }
  .sign-off-sheet .table-scroll { overflow: visible; }
}
`;

function confidentialityWords(line: SheetLine): string {
  if (line.confidentialityReviewed === true) return '已确认';
  if (line.confidentialityReviewed === false) return line.outcome === 'approve' ? '未确认' : '—';
  return '—';
}

function person(line: SheetLine): string {
  if (line.person === undefined) return '';
  return line.onBehalfOf === undefined ? line.person : deputyWording(line.person, line.onBehalfOf);
}

function versionHeading(round: number, version: SheetVersion): string {
  const submitted = `第${round}轮 · 第${version.version}版，${version.submittedBy ?? '信息员'}于 ${beijingTime(version.submittedAt)} 提交`;
  if (version.ended?.kind === 'withdrawn') return `${submitted}；${beijingTime(version.ended.at)} 信息员撤回`;
  if (version.ended?.kind === 'published') return `${submitted}；${beijingTime(version.ended.at)} 已发布`;
  return submitted;
}

export function SignOffSheetView({ sheet, headingLevel = 2 }: { sheet: SignOffSheet; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section class="sign-off-sheet" id="sign-off" aria-labelledby="sign-off-title">
      <Heading id="sign-off-title">签发单</Heading>
      {sheet.rounds.length === 0 ? (
        <p>报告尚未提交。</p>
      ) : (
        <div class="table-scroll" tabIndex={0}>
          <table>
            <caption class="visually-hidden">每一轮每一版的审核、会签、签发意见</caption>
            <thead>
              <tr>
                <th scope="col">环节</th>
                <th scope="col">人员</th>
                <th scope="col">决定</th>
                <th scope="col">意见</th>
                <th scope="col">保密审查</th>
                <th scope="col">时间</th>
              </tr>
            </thead>
            {sheet.rounds.flatMap((round) =>
              round.versions.map((version) => (
                <tbody key={`${round.round}-${version.version}`} data-round={String(round.round)} data-version={String(version.version)}>
                  <tr>
                    <th scope="rowgroup" colSpan={6}>
                      {versionHeading(round.round, version)}
                    </th>
                  </tr>
                  {version.lines.map((line, index) => (
                    <tr key={index} data-sheet-step={line.stepId} data-outcome={line.outcome}>
                      <td>{line.stepLabel}</td>
                      <td>{person(line)}</td>
                      <td class={`outcome-${line.outcome}`}>{outcomeWords(line)}</td>
                      <td class="comment">{line.comment}</td>
                      <td>{confidentialityWords(line)}</td>
                      <td>{line.at === undefined ? '' : beijingTime(line.at)}</td>
                    </tr>
                  ))}
                </tbody>
              )),
            )}
          </table>
        </div>
      )}
    </section>
  );
}
