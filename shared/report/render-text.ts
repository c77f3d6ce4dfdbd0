/**
 * User text on its way into the page. Escaping is preact's job; this only removes what HTML cannot carry: a
 * conforming parser drops U+0000, flags other control characters and noncharacters as errors, and UTF-8 cannot encode
 * a lone surrogate. None of these mean anything in a report, and leaving them in would make the published page
 * invalid HTML and its text differ from what a parser reads back.
 */

const NONCHARACTERS = Array.from({ length: 17 }, (_, plane) => {
  const base = plane * 0x10000;
  return `\\u{${(base + 0xfffe).toString(16)}}\\u{${(base + 0xffff).toString(16)}}`;
}).join('');

const UNCARRIABLE = new RegExp(`[\\u{0}-\\u{8}\\u{b}\\u{e}-\\u{1f}\\u{7f}-\\u{9f}\\u{fdd0}-\\u{fdef}${NONCHARACTERS}]`, 'gu');
const LONE_SURROGATE = /\p{Cs}/gu;
const LINE_BREAK = /\r\n?/g;

/**
 * A UTF-16 unit that the replacements below might change: CR, a control character, a BMP noncharacter, or any
 * surrogate (a lone one is replaced; a pair may be an astral noncharacter). Most text has none and is returned as it
 * is; one that has any goes through the replacements. Matched unit by unit (no `u` flag), which is several times faster.
 */
const MAY_CHANGE = /[\r\0-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]/;

/** The text as the page carries it: line breaks as LF, characters HTML cannot carry removed. */
export function pageText(text: string): string {
  // (the typeof keeps a draft's non-string field failing as it did, in `replace`, rather than passing through)
  if (typeof text === 'string' && !MAY_CHANGE.test(text)) return text;
  return text.replace(LINE_BREAK, '\n').replace(LONE_SURROGATE, '\uFFFD').replace(UNCARRIABLE, '');
}

/** One paragraph per line that has something to show: officers separate paragraphs by one or two line breaks. */
export function paragraphs(text: string | undefined): string[] {
  if (text === undefined) return [];
  return pageText(text)
    .split('\n')
    .filter((line) => line.trim() !== '');
}
