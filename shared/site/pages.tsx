import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import * as z from 'zod';
import { pageText } from '../report/render-text.js';
import { FAVICON_HREF } from '../report/render-style.js';
import { formatBeijingTime } from '../report/sign-off.js';
import { AgencyIdSchema, PublishedReportSchema, type PublishedReport } from '../workflow/model.js';
import { SITE_CSS } from './site-style.js';

/**
 * The public site's index pages, rebuilt from the store's list of published reports by the one site-index writer:
 * `index.html` (every agency) and `reports/{agencyId}/index.html` (one agency's years). The report pages themselves
 * are `reports/{agencyId}/{year}/index.html` beside `report.json`.
 *
 * Every link is relative, so the site works under any prefix (`/site/` locally, the CloudFront root in AWS). Pure:
 * the same reports in any order give the same bytes, as everything is sorted here. Every string from a report is a
 * JSX child or attribute, escaped by preact; the constant stylesheet is the only raw HTML.
 */

export const SITE_HEADING = '政府信息公开工作年度报告';
export const EMPTY_SITE_TEXT = '暂无已发布的年度报告。';

export interface RootIndexOptions {
  /** the site's own name, shown above the heading and in the window title (an agency group's portal, say) */
  readonly siteTitle?: string;
}

export class InvalidAgencyIdError extends Error {
  override readonly name = 'InvalidAgencyIdError';
}

interface AgencyGroup {
  readonly agencyId: string;
  /** from the agency's newest report */
  readonly name: string;
  /** one per year, newest first */
  readonly reports: readonly PublishedReport[];
}

/** Plain code-unit order: the same on every machine, unlike a locale's. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const publishedMs = (report: PublishedReport): number => {
  const ms = Date.parse(report.publishedAt);
  return Number.isFinite(ms) ? ms : 0;
};

/**
 * A total order: agency, then year newest first, then the entry that should stand for that year first (highest
 * version, latest publication), then every other field, so no two distinct entries compare equal.
 */
function compareReports(a: PublishedReport, b: PublishedReport): number {
  return (
    compareText(a.agencyId, b.agencyId) ||
    b.year - a.year ||
    b.version - a.version ||
    publishedMs(b) - publishedMs(a) ||
    compareText(b.publishedAt, a.publishedAt) ||
    compareText(a.reportId, b.reportId) ||
    compareText(a.contentSha256, b.contentSha256) ||
    compareText(a.agencyName, b.agencyName)
  );
}

function displayName(report: PublishedReport): string {
  const name = pageText(report.agencyName).trim();
  return name === '' ? report.agencyId : name;
}

/** Validated, sorted, one entry per agency-year (a republished year keeps its highest version), grouped by agency. */
function groupByAgency(published: readonly PublishedReport[]): AgencyGroup[] {
  const reports = z.array(PublishedReportSchema).parse(published).sort(compareReports);
  const groups = new Map<string, PublishedReport[]>();
  for (const report of reports) {
    const years = groups.get(report.agencyId) ?? [];
    if (years.at(-1)?.year !== report.year) years.push(report);
    groups.set(report.agencyId, years);
  }
  return [...groups].flatMap(([agencyId, years]) => {
    const newest = years[0];
    return newest === undefined ? [] : [{ agencyId, name: displayName(newest), reports: years }];
  });
}

function compareAgencies(a: AgencyGroup, b: AgencyGroup): number {
  return a.name.localeCompare(b.name, 'zh-Hans-CN') || compareText(a.agencyId, b.agencyId);
}

const segment = (value: string | number): string => encodeURIComponent(String(value));

function SitePage({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="icon" type="image/svg+xml" href={FAVICON_HREF} />
        <style dangerouslySetInnerHTML={{ __html: SITE_CSS }} />
      </head>
      <body>
        <main class="site-index">{children}</main>
      </body>
    </html>
  );
}

const page = (element: VNode): string => `<!doctype html>${renderToString(element)}`;

function RootIndex({ groups, siteTitle }: { groups: readonly AgencyGroup[]; siteTitle: string }) {
  return (
    <SitePage title={siteTitle === '' ? SITE_HEADING : `${SITE_HEADING}｜${siteTitle}`}>
      {siteTitle === '' ? null : <p class="site-name">{siteTitle}</p>}
      <h1>{SITE_HEADING}</h1>
      {groups.length === 0 ? (
        <p class="empty">{EMPTY_SITE_TEXT}</p>
      ) : (
        <ul class="agencies">
          {groups.map((group) => {
            const agency = segment(group.agencyId);
            return (
              <li key={group.agencyId} data-agency={group.agencyId}>
                <a class="agency-name" href={`reports/${agency}/index.html`}>
                  {group.name}
                </a>
                <ul class="year-links" aria-label={`${group.name}已发布的年度报告`}>
                  {group.reports.map((report) => (
                    <li key={report.year}>
                      <a href={`reports/${agency}/${segment(report.year)}/index.html`}>{`${report.year}年`}</a>
                    </li>
                  ))}
                </ul>
              </li>
            );
          })}
        </ul>
      )}
    </SitePage>
  );
}

function YearEntry({ report, agencyName }: { report: PublishedReport; agencyName: string }) {
  const year = segment(report.year);
  const nameThen = displayName(report);
  return (
    <li data-year={String(report.year)}>
      <a class="report-link" href={`${year}/index.html`}>{`${report.year}年政府信息公开工作年度报告`}</a>
      {nameThen === agencyName ? null : <span class="name-then">{`（${nameThen}）`}</span>}
      <p class="meta">
        <span class="version">{`第${report.version}版`}</span>
        <span class="published-at">
          {'发布时间：'}
          <time datetime={report.publishedAt}>{formatBeijingTime(report.publishedAt) ?? pageText(report.publishedAt)}</time>
        </span>
        <span>
          <a class="data-link" href={`${year}/report.json`}>
            数据（JSON）
          </a>
        </span>
      </p>
      <small class="digest">{`内容摘要（SHA-256）：${report.contentSha256}`}</small>
    </li>
  );
}

function AgencyIndex({ group }: { group: AgencyGroup | undefined }) {
  const name = group?.name;
  return (
    <SitePage title={name === undefined ? SITE_HEADING : `${name}${SITE_HEADING}`}>
      <nav>
        <a class="back" href="../../index.html">
          返回全部机关
        </a>
      </nav>
      <p class="site-name">{SITE_HEADING}</p>
      <h1>{name ?? SITE_HEADING}</h1>
      {group === undefined ? (
        <p class="empty">{EMPTY_SITE_TEXT}</p>
      ) : (
        <ul class="years">
          {group.reports.map((report) => (
            <YearEntry key={report.year} report={report} agencyName={group.name} />
          ))}
        </ul>
      )}
    </SitePage>
  );
}

/** `index.html` at the site root: every agency with a published report, by name, with its years. */
export function renderRootIndex(published: readonly PublishedReport[], options: RootIndexOptions = {}): string {
  const groups = groupByAgency(published).sort(compareAgencies);
  const siteTitle = pageText(options.siteTitle ?? '').trim();
  return page(<RootIndex groups={groups} siteTitle={siteTitle} />);
}

/**
 * `reports/{agencyId}/index.html`: one agency's published years, newest first. `published` may hold other agencies'
 * reports too; only this agency's are shown.
 */
export function renderAgencyIndex(agencyId: string, published: readonly PublishedReport[]): string {
  if (!AgencyIdSchema.safeParse(agencyId).success) throw new InvalidAgencyIdError(`not an agency id: ${JSON.stringify(agencyId)}`);
  const group = groupByAgency(published.filter((report) => report.agencyId === agencyId))[0];
  return page(<AgencyIndex group={group} />);
}
