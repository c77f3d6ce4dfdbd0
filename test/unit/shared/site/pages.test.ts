import { propertyRuns } from '../../../support/property-runs.js';
import fc from 'fast-check';
import { parse, type DefaultTreeAdapterMap, type ParserError } from 'parse5';
import { describe, expect, it } from 'vitest';
import { FAVICON_HREF, REPORT_CSS } from '#shared/report/render-style.js';
import { pageText } from '#shared/report/render-text.js';
import { EMPTY_SITE_TEXT, InvalidAgencyIdError, renderAgencyIndex, renderRootIndex, SITE_HEADING } from '#shared/site/pages.js';
import type { PublishedReport } from '#shared/workflow/model.js';

// ---------------------------------------------------------------------------------------------------------------
// A tiny view of parse5's tree: the pages are read the way a browser reads them, never with regexes.

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function parsePage(html: string): Node {
  const errors: ParserError[] = [];
  const document = parse(html, { onParseError: (error) => errors.push(error) });
  expect(errors.map((error) => error.code)).toEqual([]);
  return document;
}

const isElement = (node: Node): node is Element => 'tagName' in node;
const childNodes = (node: Node): Node[] => ('childNodes' in node ? node.childNodes : []);
const childElements = (node: Node): Element[] => childNodes(node).filter(isElement);

function elements(root: Node, tagName?: string): Element[] {
  const found: Element[] = [];
  const visit = (node: Node): void => {
    if (isElement(node) && (tagName === undefined || node.tagName === tagName)) found.push(node);
    childNodes(node).forEach(visit);
    if (isElement(node) && node.tagName === 'template' && 'content' in node) visit(node.content as Node);
  };
  visit(root);
  return found;
}

function textOf(node: Node): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  return childNodes(node).map(textOf).join('');
}

const attr = (element: Element, name: string): string | undefined => element.attrs.find((a) => a.name === name)?.value;
const hasClass = (element: Element, name: string): boolean => (attr(element, 'class') ?? '').split(/\s+/).includes(name);
const byClass = (root: Node, name: string): Element[] => elements(root).filter((element) => hasClass(element, name));

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('expected exactly one item');
  return item;
}

const hrefs = (root: Node): string[] => elements(root, 'a').map((a) => attr(a, 'href') ?? '');

// ---------------------------------------------------------------------------------------------------------------
// Published reports

const hex = (digit: string): string => digit.repeat(64);

function published(overrides: Partial<PublishedReport> & Pick<PublishedReport, 'agencyId' | 'agencyName' | 'year'>): PublishedReport {
  return {
    reportId: `${overrides.agencyId}-${overrides.year}`,
    version: 1,
    contentSha256: hex('a'),
    publishedAt: '2021-01-20T02:30:00Z',
    ...overrides,
  };
}

const DAXING = '北京市大兴区科学技术委员会';
const CHAOYANG = '北京市朝阳区发展和改革委员会';
const ANHUI = '安徽省统计局';

const SAMPLE: readonly PublishedReport[] = [
  published({ agencyId: 'daxing-kw', agencyName: '大兴区科委', year: 2019, contentSha256: hex('1'), publishedAt: '2020-01-15T01:00:00Z' }),
  published({
    agencyId: 'daxing-kw',
    agencyName: DAXING,
    year: 2021,
    version: 2,
    contentSha256: hex('3'),
    publishedAt: '2022-01-28T16:05:00.123Z',
  }),
  published({ agencyId: 'daxing-kw', agencyName: DAXING, year: 2020, contentSha256: hex('2'), publishedAt: '2021-01-20T02:30:00Z' }),
  published({ agencyId: 'chaoyang-fgw', agencyName: CHAOYANG, year: 2021, contentSha256: hex('4') }),
  published({ agencyId: 'anhui-tjj', agencyName: ANHUI, year: 2020, contentSha256: hex('5') }),
];

interface AgencyEntry {
  name: string;
  href: string;
  years: Array<{ text: string; href: string }>;
}

function rootEntries(html: string): AgencyEntry[] {
  const list = only(byClass(parsePage(html), 'agencies'));
  return childElements(list).map((li) => {
    const link = only(byClass(li, 'agency-name'));
    const years = elements(only(byClass(li, 'year-links')), 'a');
    return {
      name: textOf(link),
      href: attr(link, 'href') ?? '',
      years: years.map((a) => ({ text: textOf(a), href: attr(a, 'href') ?? '' })),
    };
  });
}

interface YearEntry {
  year: string | undefined;
  title: string;
  reportHref: string | undefined;
  version: string;
  publishedAt: string;
  datetime: string | undefined;
  dataLink: { text: string; href: string | undefined };
  digest: { tag: string; text: string };
}

function agencyYears(root: Node): YearEntry[] {
  const list = only(byClass(root, 'years'));
  return childElements(list).map((li) => {
    const report = only(byClass(li, 'report-link'));
    const time = only(elements(li, 'time'));
    const data = only(byClass(li, 'data-link'));
    const digest = only(byClass(li, 'digest'));
    return {
      year: attr(li, 'data-year'),
      title: textOf(report),
      reportHref: attr(report, 'href'),
      version: textOf(only(byClass(li, 'version'))),
      publishedAt: textOf(only(byClass(li, 'published-at'))),
      datetime: attr(time, 'datetime'),
      dataLink: { text: textOf(data), href: attr(data, 'href') },
      digest: { tag: digest.tagName, text: textOf(digest) },
    };
  });
}

/** Resolves every link of a page against where it is served, to show the site works under any prefix. */
const resolved = (html: string, pageUrl: string): string[] => hrefs(parsePage(html)).map((href) => new URL(href, pageUrl).href);

// ---------------------------------------------------------------------------------------------------------------

describe('renderRootIndex', () => {
  it('is a complete Chinese page titled 政府信息公开工作年度报告, styled like the report pages', () => {
    const html = renderRootIndex(SAMPLE, {});
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const document = parsePage(html);
    expect(attr(only(elements(document, 'html')), 'lang')).toBe('zh-CN');
    expect(textOf(only(elements(document, 'title')))).toBe(SITE_HEADING);
    expect(textOf(only(elements(document, 'h1')))).toBe(SITE_HEADING);
    expect(attr(only(elements(document, 'meta').filter((meta) => attr(meta, 'charset') !== undefined)), 'charset')).toBe('utf-8');
    expect(textOf(only(elements(document, 'style')))).toContain(REPORT_CSS.trim());
  });

  it('lists each agency once, by name in Chinese order, with the newest name and all its years', () => {
    expect(rootEntries(renderRootIndex(SAMPLE, {}))).toEqual([
      { name: ANHUI, href: 'reports/anhui-tjj/index.html', years: [{ text: '2020年', href: 'reports/anhui-tjj/2020/index.html' }] },
      {
        name: CHAOYANG,
        href: 'reports/chaoyang-fgw/index.html',
        years: [{ text: '2021年', href: 'reports/chaoyang-fgw/2021/index.html' }],
      },
      {
        name: DAXING,
        href: 'reports/daxing-kw/index.html',
        years: [
          { text: '2021年', href: 'reports/daxing-kw/2021/index.html' },
          { text: '2020年', href: 'reports/daxing-kw/2020/index.html' },
          { text: '2019年', href: 'reports/daxing-kw/2019/index.html' },
        ],
      },
    ]);
  });

  it('orders agencies of the same name by id', () => {
    const twins = [
      published({ agencyId: 'zz-twin', agencyName: '同名机关', year: 2021 }),
      published({ agencyId: 'aa-twin', agencyName: '同名机关', year: 2020 }),
    ];
    expect(rootEntries(renderRootIndex(twins, {})).map((entry) => entry.href)).toEqual([
      'reports/aa-twin/index.html',
      'reports/zz-twin/index.html',
    ]);
  });

  it('shows a year published twice once', () => {
    const twice = [
      published({ agencyId: 'daxing-kw', agencyName: DAXING, year: 2021, version: 1 }),
      published({ agencyId: 'daxing-kw', agencyName: DAXING, year: 2021, version: 2 }),
    ];
    expect(rootEntries(renderRootIndex(twice, {}))).toEqual([
      { name: DAXING, href: 'reports/daxing-kw/index.html', years: [{ text: '2021年', href: 'reports/daxing-kw/2021/index.html' }] },
    ]);
  });

  it('links relatively, so the same bytes work under /site/ locally and at the CloudFront root', () => {
    const html = renderRootIndex(SAMPLE, {});
    for (const href of hrefs(parsePage(html))) {
      expect(href.startsWith('/')).toBe(false);
      expect(href).not.toContain(':');
      expect(href.startsWith('reports/')).toBe(true);
    }
    const local = resolved(html, 'http://localhost:3000/site/index.html');
    const cloud = resolved(html, 'https://d111111abcdef8.cloudfront.net/');
    expect(local).toContain('http://localhost:3000/site/reports/daxing-kw/index.html');
    expect(local).toContain('http://localhost:3000/site/reports/daxing-kw/2020/index.html');
    expect(cloud).toContain('https://d111111abcdef8.cloudfront.net/reports/daxing-kw/index.html');
  });

  it('says calmly that nothing is published yet when the list is empty', () => {
    const document = parsePage(renderRootIndex([], {}));
    expect(textOf(only(byClass(document, 'empty')))).toBe(EMPTY_SITE_TEXT);
    expect(EMPTY_SITE_TEXT).toContain('暂无已发布的年度报告');
    expect(byClass(document, 'agencies')).toEqual([]);
    expect(elements(document, 'a')).toEqual([]);
  });

  it('shows the site title beside the heading, as text', () => {
    const document = parsePage(renderRootIndex(SAMPLE, { siteTitle: '北京市大兴区人民政府<b>' }));
    expect(textOf(only(byClass(document, 'site-name')))).toBe('北京市大兴区人民政府<b>');
    expect(textOf(only(elements(document, 'title')))).toBe(`${SITE_HEADING}｜北京市大兴区人民政府<b>`);
    expect(elements(document, 'b')).toEqual([]);
  });

  it('gives the same bytes for the same reports in any order (property)', () => {
    const expected = renderRootIndex(SAMPLE, {});
    fc.assert(
      fc.property(fc.shuffledSubarray([...SAMPLE], { minLength: SAMPLE.length }), (shuffled) => {
        expect(renderRootIndex(shuffled, {})).toBe(expected);
      }),
    );
  });

  it('rejects an entry that is not a published report', () => {
    const bad = { ...published({ agencyId: 'daxing-kw', agencyName: DAXING, year: 2021 }), agencyId: '../../evil' };
    expect(() => renderRootIndex([bad], {})).toThrow();
  });
});

describe('renderAgencyIndex', () => {
  it("heads the page with the agency's newest name and links back to the root", () => {
    const document = parsePage(renderAgencyIndex('daxing-kw', SAMPLE));
    expect(attr(only(elements(document, 'html')), 'lang')).toBe('zh-CN');
    expect(textOf(only(elements(document, 'h1')))).toBe(DAXING);
    expect(textOf(only(elements(document, 'title')))).toBe(`${DAXING}${SITE_HEADING}`);
    const back = only(byClass(document, 'back'));
    expect(attr(back, 'href')).toBe('../../index.html');
    expect(textOf(back)).toBe('返回全部机关');
  });

  it('lists its years newest first with version, Beijing publication time, digest and the JSON link', () => {
    const years = agencyYears(parsePage(renderAgencyIndex('daxing-kw', SAMPLE)));
    expect(years.map((entry) => entry.year)).toEqual(['2021', '2020', '2019']);
    expect(years[0]).toEqual({
      year: '2021',
      title: '2021年政府信息公开工作年度报告',
      reportHref: '2021/index.html',
      version: '第2版',
      // 16:05 UTC on the 28th is 00:05 on the 29th in Beijing
      publishedAt: '发布时间：2022年1月29日 00:05',
      datetime: '2022-01-28T16:05:00.123Z',
      dataLink: { text: '数据（JSON）', href: '2021/report.json' },
      digest: { tag: 'small', text: `内容摘要（SHA-256）：${hex('3')}` },
    });
    expect(years[1]).toMatchObject({ version: '第1版', publishedAt: '发布时间：2021年1月20日 10:30', reportHref: '2020/index.html' });
  });

  it('notes the name a year was published under when the agency has since been renamed', () => {
    const document = parsePage(renderAgencyIndex('daxing-kw', SAMPLE));
    expect(byClass(document, 'name-then').map(textOf)).toEqual(['（大兴区科委）']);
  });

  it("shows only this agency's reports", () => {
    const html = renderAgencyIndex('anhui-tjj', SAMPLE);
    const document = parsePage(html);
    expect(textOf(only(elements(document, 'h1')))).toBe(ANHUI);
    expect(agencyYears(document).map((entry) => entry.year)).toEqual(['2020']);
    expect(html).not.toContain(DAXING);
  });

  it('links relatively to the year pages beside it', () => {
    const html = renderAgencyIndex('daxing-kw', SAMPLE);
    const local = resolved(html, 'http://localhost:3000/site/reports/daxing-kw/index.html');
    expect(local).toEqual([
      'http://localhost:3000/site/index.html',
      'http://localhost:3000/site/reports/daxing-kw/2021/index.html',
      'http://localhost:3000/site/reports/daxing-kw/2021/report.json',
      'http://localhost:3000/site/reports/daxing-kw/2020/index.html',
      'http://localhost:3000/site/reports/daxing-kw/2020/report.json',
      'http://localhost:3000/site/reports/daxing-kw/2019/index.html',
      'http://localhost:3000/site/reports/daxing-kw/2019/report.json',
    ]);
  });

  it('shows the highest version of a year published twice', () => {
    const twice = [
      published({ agencyId: 'daxing-kw', agencyName: DAXING, year: 2021, version: 3, contentSha256: hex('c') }),
      published({ agencyId: 'daxing-kw', agencyName: DAXING, year: 2021, version: 2, contentSha256: hex('b') }),
    ];
    const [entry, ...rest] = agencyYears(parsePage(renderAgencyIndex('daxing-kw', twice)));
    expect(rest).toEqual([]);
    expect(entry?.version).toBe('第3版');
    expect(entry?.digest.text).toContain(hex('c'));
  });

  it('gives the same bytes for the same reports in any order (property)', () => {
    const expected = renderAgencyIndex('daxing-kw', SAMPLE);
    fc.assert(
      fc.property(fc.shuffledSubarray([...SAMPLE], { minLength: SAMPLE.length }), (shuffled) => {
        expect(renderAgencyIndex('daxing-kw', shuffled)).toBe(expected);
      }),
    );
  });

  it('says calmly that nothing is published for an agency with no reports', () => {
    const document = parsePage(renderAgencyIndex('nobody-here', SAMPLE));
    expect(textOf(only(byClass(document, 'empty')))).toBe(EMPTY_SITE_TEXT);
    expect(attr(only(byClass(document, 'back')), 'href')).toBe('../../index.html');
  });

  it('refuses an agency id that is not one', () => {
    for (const id of ['', '../etc', 'Daxing', 'a/b', 'x']) {
      expect(() => renderAgencyIndex(id, SAMPLE)).toThrow(InvalidAgencyIdError);
    }
  });
});

describe('agency names that look like markup', () => {
  const HOSTILE = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(1)>',
    "'><a href=javascript:alert(1)>x</a>",
    '</title><script>alert(1)</script>',
    '&lt;b&gt;&amp; 机关',
    '<style>body{display:none}</style>',
  ];

  /** Only what the pages are made of: a hostile name must not add an element, an event handler or a script URL. */
  function expectInert(document: Node): void {
    const allowed = new Set([
      'html',
      'head',
      'body',
      'meta',
      'title',
      'link',
      'style',
      'main',
      'nav',
      'h1',
      'p',
      'ul',
      'li',
      'a',
      'span',
      'time',
      'small',
    ]);
    for (const element of elements(document)) {
      expect(allowed.has(element.tagName), element.tagName).toBe(true);
      for (const { name, value } of element.attrs) {
        expect(name.startsWith('on'), name).toBe(false);
        expect(['src', 'srcdoc', 'action', 'formaction'].includes(name), name).toBe(false);
        // a name may appear in a text attribute (aria-label), never in a link
        if (name === 'href' && element.tagName === 'link') expect(value).toBe(FAVICON_HREF);
        else if (name === 'href')
          expect(value).toMatch(/^(\.\.\/\.\.\/index\.html|reports\/[a-z0-9-]+\/(\d+\/)?index\.html|\d+\/(index\.html|report\.json))$/);
      }
    }
    expect(elements(document, 'script')).toEqual([]);
    expect(only(elements(document, 'style'))).toBeDefined();
  }

  it('shows each verbatim as text on both pages', () => {
    const reports = HOSTILE.map((name, i) => published({ agencyId: `hostile-${i}`, agencyName: name, year: 2021 }));
    const root = parsePage(renderRootIndex(reports, { siteTitle: HOSTILE[0] }));
    expectInert(root);
    expect(
      rootEntries(renderRootIndex(reports, {}))
        .map((entry) => entry.name)
        .sort(),
    ).toEqual([...HOSTILE].sort());

    reports.forEach((report, i) => {
      const page = parsePage(renderAgencyIndex(report.agencyId, reports));
      expectInert(page);
      expect(textOf(only(elements(page, 'h1')))).toBe(HOSTILE[i]);
      expect(textOf(only(elements(page, 'title')))).toBe(`${HOSTILE[i]}${SITE_HEADING}`);
    });
  });

  it('keeps any name inert and shows it as the page carries it (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 100, unit: 'binary' }), (name) => {
        const report = published({ agencyId: 'any-agency', agencyName: name, year: 2021 });
        const expected = pageText(name).trim() || 'any-agency';
        const root = parsePage(renderRootIndex([report], {}));
        expectInert(root);
        expect(only(rootEntriesFrom(root)).name).toBe(expected);
        const agency = parsePage(renderAgencyIndex('any-agency', [report]));
        expectInert(agency);
        expect(textOf(only(elements(agency, 'h1')))).toBe(expected);
      }),
      { numRuns: propertyRuns(200) },
    );
  });

  function rootEntriesFrom(document: Node): Array<{ name: string }> {
    return childElements(only(byClass(document, 'agencies'))).map((li) => ({ name: textOf(only(byClass(li, 'agency-name'))) }));
  }
});
