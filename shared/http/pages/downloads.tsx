import { reportDocxKey, reportPdfKey } from '../../workflow/site-keys.js';

/** Where the published Word and PDF files are on the public site, and the links to them the status and audit pages show. */

export interface Downloads {
  readonly pdf: string;
  readonly docx: string;
}

const siteUrl = (siteBaseUrl: string, key: string): string =>
  new URL(key, siteBaseUrl.endsWith('/') ? siteBaseUrl : `${siteBaseUrl}/`).toString();

export function publishedDownloads(siteBaseUrl: string | undefined, agencyId: string, year: number): Downloads | undefined {
  if (siteBaseUrl === undefined) return undefined;
  return { pdf: siteUrl(siteBaseUrl, reportPdfKey(agencyId, year)), docx: siteUrl(siteBaseUrl, reportDocxKey(agencyId, year)) };
}

/** From the objects a `published` event lists: a report published before the files existed has no links. */
export function downloadsOfObjects(siteBaseUrl: string | undefined, keys: readonly string[]): Downloads | undefined {
  const pdf = keys.find((key) => key.endsWith('/report.pdf'));
  const docx = keys.find((key) => key.endsWith('/report.docx'));
  if (siteBaseUrl === undefined || pdf === undefined || docx === undefined) return undefined;
  return { pdf: siteUrl(siteBaseUrl, pdf), docx: siteUrl(siteBaseUrl, docx) };
}

/** The published report's 签发单 as a file, for those who may read the report (it holds the internal opinions, so never on the public site). */
export const signOffPath = (reportId: string): string => `/reports/${encodeURIComponent(reportId)}/sign-off`;

export function DownloadLinks({ downloads, signOff }: { downloads: Downloads | undefined; signOff?: string | undefined }) {
  if (downloads === undefined && signOff === undefined) return null;
  return (
    <span class="downloads">
      {downloads === undefined ? null : (
        <>
          <a class="button" href={downloads.pdf} download>
            下载 PDF（签发版）
          </a>{' '}
          <a class="button" href={downloads.docx} download>
            下载 Word（签发版）
          </a>{' '}
        </>
      )}
      {signOff === undefined ? null : (
        <a class="button" href={signOff} download>
          下载签发单
        </a>
      )}
    </span>
  );
}
