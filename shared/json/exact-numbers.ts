/**
 * JSON numbers that `JSON.parse` would silently change: `-0` (a negative zero, which the store keeps as 0),
 * `1e-400` (too small for a double: read as 0) and `1e400` (too large: read as Infinity). Each is a value the sender
 * did not mean as written; refusing it is better than keeping something else. Found by scanning the text, as the
 * parsed value no longer shows them (and Node 20's JSON.parse gives no access to a number's source).
 */

export interface InexactNumber {
  /** the number as written */
  readonly text: string;
  readonly reason: 'negative-zero' | 'underflow' | 'overflow';
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NON_ZERO_DIGIT = /[1-9]/;

function classify(text: string): InexactNumber['reason'] | undefined {
  const value = Number(text);
  if (!Number.isFinite(value)) return 'overflow';
  if (value !== 0) return undefined;
  const mantissa = text.replace(/[eE].*$/, '');
  if (NON_ZERO_DIGIT.test(mantissa)) return 'underflow';
  return text.startsWith('-') ? 'negative-zero' : undefined;
}

/**
 * The first number in a JSON text that would not be read as written, or undefined. Strings are skipped (a number
 * inside one is text); anything that is not JSON is left for `JSON.parse` to refuse.
 */
export function firstInexactNumber(json: string): InexactNumber | undefined {
  let index = 0;
  while (index < json.length) {
    const char = json.charCodeAt(index);
    if (char === 0x22) {
      // a string: skip to its closing quote, over escapes
      index += 1;
      while (index < json.length && json.charCodeAt(index) !== 0x22) index += json.charCodeAt(index) === 0x5c ? 2 : 1;
      index += 1;
    } else if (char === 0x2d || (char >= 0x30 && char <= 0x39)) {
      NUMBER.lastIndex = index;
      const match = NUMBER.exec(json);
      if (!match) {
        index += 1;
        continue;
      }
      const reason = classify(match[0]);
      if (reason) return { text: match[0], reason };
      index += match[0].length;
    } else index += 1;
  }
  return undefined;
}

/** The Chinese sentence for a refused number, quoting it (shortened: a number may be thousands of digits). */
export function inexactNumberMessage(found: InexactNumber): string {
  const shown = found.text.length > 24 ? `${found.text.slice(0, 24)}…` : found.text;
  switch (found.reason) {
    case 'negative-zero':
      return `数字 ${shown} 是“负零”，请改为 0。`;
    case 'underflow':
      return `数字 ${shown} 太小，无法准确保存（会被当作 0），请改为正常的数值。`;
    case 'overflow':
      return `数字 ${shown} 太大，无法准确保存，请改为正常的数值。`;
  }
}
