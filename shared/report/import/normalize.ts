import type { CellKind } from '../template-model.js';

/**
 * How text from a published report is compared with the template's labels and read as a number. Published pages
 * write the same label with full- or half-width brackets, 、 or . after a number, curly or straight quotes, spaces and
 * line breaks inside a cell; none of that changes which row it is.
 */

const QUOTES = /["'“”‘’「」『』]/gu;
const SPACE = /[\s\u3000]+/gu;

/** The label as compared: NFKC (full-width brackets and digits to ASCII), no spaces or quotes, 1、 read as 1. */
export function labelKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(SPACE, '')
    .replace(QUOTES, '')
    .replace(/^(\d+)[、.．]/u, '$1.')
    .replace(/[:：]$/u, '');
}

/**
 * A looser key: explanations in brackets dropped, except the leading （一） of a row. 「（二）部分公开（区分处理的，只计这一
 * 情形，不计其他情形）」 and 「（二）部分公开」 name the same row; 「采购总金额（万元）」 is the same column as 「采购总金额」.
 */
export function looseKey(text: string): string {
  const key = labelKey(text);
  const lead = /^\([一二三四五六七八九十]+\)/u.exec(key)?.[0] ?? '';
  return lead + key.slice(lead.length).replace(/\([^()]*\)/gu, '');
}

/** Section headings as real reports write them: the numeral, then words that only that heading has. */
const SECTION_HEADINGS: readonly { readonly numeral: string; readonly words: RegExp }[] = [
  { numeral: '一', words: /总体情况|概述/u },
  { numeral: '二', words: /主动公开/u },
  { numeral: '三', words: /申请/u },
  { numeral: '四', words: /复议|诉讼/u },
  { numeral: '五', words: /问题|改进/u },
  { numeral: '六', words: /其他|事项/u },
];

/** 0–5 for the heading of part 一–六, or undefined: a short line starting 一、 … with that part's words. */
export function sectionOf(line: string): number | undefined {
  const text = line.trim();
  if (text.length > 40) return undefined;
  const index = SECTION_HEADINGS.findIndex(({ numeral, words }) => text.startsWith(`${numeral}、`) && words.test(text));
  return index === -1 ? undefined : index;
}

/** What a cell holds, read strictly: anything that is not plainly a number of the column's kind is not read. */
export type CellReading =
  | { readonly ok: true; readonly value: number | string; readonly unit?: string }
  | { readonly ok: false; readonly reason: string };

/** What a blank cell is written as. Blank is not 0: a blank is never read as a number. */
export const BLANKS = new Set(['', '/', '-', '—', '－', '——', '无', '空']);

const COUNT = /^\d+$/u;
const GROUPED = /^\d{1,3}(,\d{3})+$/u;
const SIGNED = /^([+-])?(\d+|\d{1,3}(?:,\d{3})+)$/u;
const MONEY = /^(\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?)(万元|元)?$/u;

const cellText = (raw: string): string => raw.normalize('NFKC').replace(SPACE, '').replace(/[−–]/gu, '-');

/** Looks like a value (a number, or a way of leaving a cell blank), as opposed to a label or other text. */
export function looksLikeValue(raw: string): boolean {
  const text = cellText(raw);
  return BLANKS.has(text) || SIGNED.test(text) || MONEY.test(text);
}

export function readCell(raw: string, kind: CellKind): CellReading {
  const text = cellText(raw);
  if (BLANKS.has(text)) return { ok: false, reason: text === '' ? '空白' : `写作“${raw.trim()}”，不是数字` };
  switch (kind.type) {
    case 'count':
      if (COUNT.test(text) || GROUPED.test(text)) return { ok: true, value: Number(text.replaceAll(',', '')) };
      return { ok: false, reason: `“${raw.trim()}”不是非负整数` };
    case 'signedCount': {
      const match = SIGNED.exec(text);
      if (!match) return { ok: false, reason: `“${raw.trim()}”不是整数` };
      const value = Number((match[2] ?? '').replaceAll(',', ''));
      return { ok: true, value: match[1] === '-' ? -value : value };
    }
    case 'money': {
      const match = MONEY.exec(text);
      if (!match) return { ok: false, reason: `“${raw.trim()}”不是金额` };
      const amount = (match[1] ?? '').replaceAll(',', '');
      return match[2] === undefined ? { ok: true, value: amount } : { ok: true, value: amount, unit: match[2] };
    }
  }
}
