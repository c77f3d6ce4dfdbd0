import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDecimals, convertUnit, formatDecimal, parseDecimal } from '#shared/report/decimal.js';

const decimal = (text: string) => {
  const parsed = parseDecimal(text);
  if (!parsed) throw new Error(`not a decimal: ${text}`);
  return parsed;
};

describe('exact decimal money', () => {
  it('adds amounts without the rounding of binary floating point', () => {
    expect(formatDecimal(addDecimals(decimal('0.1'), decimal('0.2')))).toBe('0.3');
    expect(formatDecimal(addDecimals(decimal('77.0693'), decimal('12.93070')))).toBe('90');
    expect(formatDecimal(addDecimals(decimal('999999999999999.99'), decimal('0.01')))).toBe('1000000000000000');
  });

  it('converts 元 to 万元 and back without rounding', () => {
    expect(formatDecimal(convertUnit(decimal('75394432.52'), '元', '万元') ?? decimal('0'))).toBe('7539.443252');
    expect(formatDecimal(convertUnit(decimal('77.0693'), '万元', '元') ?? decimal('0'))).toBe('770693');
    expect(convertUnit(decimal('1'), '元', '美元')).toBeUndefined();
  });

  it('refuses what is not a plain non-negative decimal', () => {
    for (const text of ['', '-1', '1e3', '01', '1.', '.5', ' 1']) expect(parseDecimal(text)).toBeUndefined();
  });

  it('adds like integers of the smallest unit, for any amounts (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 17n }),
        fc.nat({ max: 6 }),
        fc.bigInt({ min: 0n, max: 10n ** 17n }),
        fc.nat({ max: 6 }),
        (a, sa, b, sb) => {
          const text = (units: bigint, scale: number) => formatDecimal({ units, scale });
          const sum = addDecimals(decimal(text(a, sa)), decimal(text(b, sb)));
          expect(sum.units * 10n ** BigInt(6 - sum.scale)).toBe(a * 10n ** BigInt(6 - sa) + b * 10n ** BigInt(6 - sb));
        },
      ),
    );
  });
});
