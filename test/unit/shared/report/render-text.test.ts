import { propertyRuns } from '../../../support/property-runs.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pageText, paragraphs } from '#shared/report/render-text.js';
import { hostileText } from './draft-arbitrary.js';

describe('pageText', () => {
  // the three replacements pageText made on every text before it learnt to skip text none of them changes
  const NONCHARACTERS = Array.from({ length: 17 }, (_, plane) => {
    const base = plane * 0x10000;
    return `\\u{${(base + 0xfffe).toString(16)}}\\u{${(base + 0xffff).toString(16)}}`;
  }).join('');
  const UNCARRIABLE = new RegExp(`[\\u{0}-\\u{8}\\u{b}\\u{e}-\\u{1f}\\u{7f}-\\u{9f}\\u{fdd0}-\\u{fdef}${NONCHARACTERS}]`, 'gu');
  const reference = (text: string): string =>
    text
      .replace(/\r\n?/g, '\n')
      .replace(/\p{Cs}/gu, '\uFFFD')
      .replace(UNCARRIABLE, '');

  it('is the three replacements, for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' }), hostileText),
        (text) => {
          expect(pageText(text)).toBe(reference(text));
        },
      ),
      { numRuns: propertyRuns(2_000) },
    );
  }, 30_000);

  it('is the three replacements around every character it might change', () => {
    const edges = [
      ...[0x0, 0x8, 0x9, 0xa, 0xb, 0xc, 0xd, 0xe, 0x1f, 0x20, 0x7e, 0x7f, 0x9f, 0xa0],
      ...[0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfdcf, 0xfdd0, 0xfdef, 0xfdf0, 0xfffd, 0xfffe, 0xffff],
    ];
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

describe('paragraphs', () => {
  it('splits at every line break, CR LF included, and drops lines with nothing to show', () => {
    expect(paragraphs('第一段\r\n\r\n第二段\n \n第三段\r')).toEqual(['第一段', '第二段', '第三段']);
    expect(paragraphs(undefined)).toEqual([]);
  });
});
