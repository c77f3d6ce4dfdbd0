import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridTables } from '#shared/report/cells.js';
import { renderReportHtml, renderReportHtmlReference, type SignOff } from '#shared/report/render.js';
import { gridTableHtml } from '#shared/report/render-table.js';
import { SkeletonError } from '#shared/report/skeleton.js';
import { pageText } from '#shared/report/render-text.js';
import { parseReport, type Report } from '#shared/report/schema.js';
import type { GridTable } from '#shared/report/template-model.js';
import { consistentReport } from '../../../support/report-arbitrary.js';
import { draftReport, hostileText, TEMPLATE_CASES } from './draft-arbitrary.js';

/**
 * renderReportHtml fills each table's markup, rendered by preact once per table, with the report's cells; it must give
 * the very bytes of renderReportHtmlReference, which renders the whole page through preact for every report.
 */

type Outcome = { readonly html: string } | { readonly threw: string };

function outcome(render: () => string): Outcome {
  try {
    return { html: render() };
  } catch (error) {
    return { threw: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const signOff: fc.Arbitrary<SignOff | undefined> = fc.option(
  fc.record(
    {
      approvedBy: hostileText,
      approvedByEmail: fc.constantFrom('leader@example.gov.cn', 'a"b<c>@example.cn'),
      approvedAt: fc.constantFrom('2021-01-20T02:30:00Z', '2021-01-20T10:30:00+08:00', 'not a time <b>'),
      version: fc.oneof(fc.integer({ min: 1, max: 99 }), fc.constant(1.5)),
      contentSha256: fc.oneof(fc.constant('0'.repeat(64)), hostileText),
    },
    { requiredKeys: ['approvedBy', 'approvedAt', 'version', 'contentSha256'] },
  ),
  { nil: undefined },
);

const fixture = (name: string): Report =>
  parseReport(JSON.parse(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8')));

describe('renderReportHtml (skeleton fast path) against renderReportHtmlReference (preact throughout)', () => {
  it('gives the same bytes for both fixtures, with and without a sign-off', () => {
    const sign: SignOff = { approvedBy: '张三', approvedAt: '2021-01-20T02:30:00Z', version: 3, contentSha256: 'a'.repeat(64) };
    for (const name of ['daxing-kw-2020.beijing-2019.json', 'daxing-kw-2021.national-2021.json']) {
      const report = fixture(name);
      expect(renderReportHtml(report)).toBe(renderReportHtmlReference(report));
      expect(renderReportHtml(report, sign)).toBe(renderReportHtmlReference(report, sign));
    }
  });

  describe.each(TEMPLATE_CASES)('%s', (_id, template, year) => {
    it('gives the same bytes for every consistent report', () => {
      fc.assert(
        fc.property(consistentReport(template, year), signOff, (report, sign) => {
          expect(renderReportHtml(report, sign)).toBe(renderReportHtmlReference(report, sign));
        }),
        { numRuns: 150 },
      );
    }, 30_000);

    it('gives the same bytes (or the same error) for broken drafts: cells null or gone, hostile strings, negative and fractional numbers, odd amounts and units, extra keys', () => {
      fc.assert(
        fc.property(draftReport(template, year), signOff, (draft, sign) => {
          // a draft is rendered as it stands, whatever its type says
          const report = draft as Report;
          expect(outcome(() => renderReportHtml(report, sign))).toEqual(outcome(() => renderReportHtmlReference(report, sign)));
        }),
        { numRuns: 400 },
      );
    }, 60_000);

    it('gives the same bytes when every data cell holds the same hostile value', () => {
      const tables = gridTables(template);
      fc.assert(
        fc.property(consistentReport(template, year), fc.oneof(hostileText, fc.constantFrom<unknown>(null, -1, 1.5, '1.2345678', {}, [])), (report, value) => {
          const draft = structuredClone(report) as unknown as Record<string, Record<string, Record<string, unknown>>>;
          // every value two levels under each table, and every leaf under those, becomes `value`
          for (const table of tables) {
            const [section, key] = table.path;
            const rows = section === undefined || key === undefined ? undefined : draft[section]?.[key];
            if (typeof rows !== 'object' || rows === null) continue;
            const fill = (node: Record<string, unknown>): void => {
              for (const [name, child] of Object.entries(node)) {
                if (typeof child === 'object' && child !== null) fill(child as Record<string, unknown>);
                else node[name] = value;
              }
            };
            fill(rows as Record<string, unknown>);
          }
          const html = renderReportHtml(draft as unknown as Report);
          expect(html).toBe(renderReportHtmlReference(draft as unknown as Report));
          expect(html).not.toContain('<script');
        }),
        { numRuns: 60 },
      );
    }, 30_000);
  });

  it('escapes a hostile amount as preact does', () => {
    const report = fixture('daxing-kw-2021.national-2021.json');
    const draft = structuredClone(report) as unknown as { activeDisclosure: { fees: { administrativeFees: { amount: string } } } };
    draft.activeDisclosure.fees.administrativeFees.amount = '<script>alert("x")</script>&';
    const html = renderReportHtml(draft as unknown as Report);
    expect(html).toBe(renderReportHtmlReference(draft as unknown as Report));
    expect(html).toContain('<td data-path="activeDisclosure.fees.administrativeFees.amount">&lt;script>alert(&quot;x&quot;)&lt;/script>&amp;</td>');
  });

  it('escapes hostile text in the title, the paragraphs and the sign-off as preact does', () => {
    const report = structuredClone(fixture('daxing-kw-2020.beijing-2019.json'));
    report.agency.name = '<script>alert("x")</script>&';
    report.preamble = '<b>前言</b>\r\n"引号"&';
    report.overview = '</p><script>x</script>\n\n第二段 & <i>';
    const sign: SignOff = { approvedBy: '<img src=x onerror=alert(1)>', approvedAt: '<b>', version: 2, contentSha256: '"&<' };
    const html = renderReportHtml(report, sign);
    expect(html).toBe(renderReportHtmlReference(report, sign));
    expect(html).toContain('<title>&lt;script>alert(&quot;x&quot;)&lt;/script>&amp;2020年政府信息公开工作年度报告</title>');
    expect(html).not.toMatch(/<(script|img|b|i)[ >]/);
  });

  it('refuses a table whose labels would be mistaken for a cell placeholder, rather than print a wrong page', () => {
    const table: GridTable = {
      id: 'odd',
      path: ['odd'],
      columns: [{ key: 'a', label: 'label \uE0000\uE001' }],
      rows: [{ key: 'r', label: 'row' }],
    };
    expect(() => gridTableHtml(table, {})).toThrow(SkeletonError);
  });
});

describe('pageText', () => {
  // the three replacements pageText made on every text before it learnt to skip text none of them changes
  const NONCHARACTERS = Array.from({ length: 17 }, (_, plane) => {
    const base = plane * 0x10000;
    return `\\u{${(base + 0xfffe).toString(16)}}\\u{${(base + 0xffff).toString(16)}}`;
  }).join('');
  const UNCARRIABLE = new RegExp(`[\\u{0}-\\u{8}\\u{b}\\u{e}-\\u{1f}\\u{7f}-\\u{9f}\\u{fdd0}-\\u{fdef}${NONCHARACTERS}]`, 'gu');
  const reference = (text: string): string => text.replace(/\r\n?/g, '\n').replace(/\p{Cs}/gu, '\uFFFD').replace(UNCARRIABLE, '');

  it('is the three replacements, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' }), hostileText), (text) => {
        expect(pageText(text)).toBe(reference(text));
      }),
      { numRuns: 2_000 },
    );
  }, 30_000);

  it('is the three replacements around every character it might change', () => {
    const edges = [0x0, 0x8, 0x9, 0xa, 0xb, 0xc, 0xd, 0xe, 0x1f, 0x20, 0x7e, 0x7f, 0x9f, 0xa0, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfdcf, 0xfdd0, 0xfdef, 0xfdf0, 0xfffd, 0xfffe, 0xffff];
    for (const unit of edges) {
      const text = `a${String.fromCharCode(unit)}b`;
      expect(pageText(text)).toBe(reference(text));
    }
    for (let plane = 1; plane <= 16; plane++) {
      for (const offset of [0xfffd, 0xfffe, 0xffff]) {
        const text = `a${String.fromCodePoint(plane * 0x10000 + offset)}b`;
        expect(pageText(text)).toBe(reference(text));
      }
    }
  });
});
