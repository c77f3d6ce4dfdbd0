import { describe, expect, it } from 'vitest';
import { firstInexactNumber, inexactNumberMessage } from '#shared/json/exact-numbers.js';

describe('firstInexactNumber: numbers JSON.parse would not keep as written', () => {
  it.each([
    ['-0', 'negative-zero'],
    ['-0.0', 'negative-zero'],
    ['-0e5', 'negative-zero'],
    ['-0E-3', 'negative-zero'],
    ['1e-400', 'underflow'],
    ['-1e-400', 'underflow'],
    ['0.0001e-330', 'underflow'],
    ['2.4703282292062327e-324', 'underflow'],
    ['1e400', 'overflow'],
    ['-1.8e308', 'overflow'],
    [`1${'0'.repeat(400)}`, 'overflow'],
  ])('refuses %s (%s), anywhere in the document', (text, reason) => {
    for (const json of [text, `{"a":[1,{"b":${text}}]}`, `[0, "x", ${text}]`]) expect(firstInexactNumber(json)).toEqual({ text, reason });
  });

  it.each([['0'], ['0.0'], ['0e5'], ['-1'], ['1e-300'], ['5e-324'], ['1.7976931348623157e308'], ['-0.5'], ['9007199254740993']])(
    'keeps %s',
    (text) => {
      expect(firstInexactNumber(`{"a":${text}}`)).toBeUndefined();
    },
  );

  it('does not look inside strings, escaped quotes included', () => {
    expect(firstInexactNumber('{"a":"-0","b":"1e-400 \\" -0","c\\\\":"1e400"}')).toBeUndefined();
    expect(firstInexactNumber('{"a":"\\"","b":-0}')).toEqual({ text: '-0', reason: 'negative-zero' });
  });

  it('says in Chinese what is wrong, quoting a long number shortened', () => {
    expect(inexactNumberMessage({ text: '-0', reason: 'negative-zero' })).toContain('负零');
    const message = inexactNumberMessage({ text: `1${'0'.repeat(400)}`, reason: 'overflow' });
    expect(message).toContain('太大');
    expect(message.length).toBeLessThan(80);
  });
});
