import { decimalPlaces } from './schema.js';

/** Any plain non-negative decimal: sums may grow past the 15 integer digits a single amount in a report may have. */
const DECIMAL_PATTERN = /^(0|[1-9]\d*)(\.\d+)?$/;

/**
 * Exact decimal arithmetic for money. Amounts are strings in the report JSON; adding them as floating-point numbers
 * would turn 0.1 + 0.2 into 0.30000000000000004, which a district's summary must never print. An amount is held as an
 * integer count of 10^-scale units.
 */

export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Powers of ten between the money units reports use: 1 万元 = 10^4 元. */
export const UNIT_POWERS: Readonly<Record<string, number>> = { 元: 0, 万元: 4 };

export function parseDecimal(text: string): Decimal | undefined {
  if (!DECIMAL_PATTERN.test(text)) return undefined;
  const scale = decimalPlaces(text);
  return { units: BigInt(text.replace('.', '')), scale };
}

function rescale(value: Decimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

/**
 * The same amount in another unit: converting 元 to 万元 moves the decimal point four places left, so the scale
 * grows by four and nothing is rounded.
 */
export function convertUnit(value: Decimal, from: string, to: string): Decimal | undefined {
  const fromPower = UNIT_POWERS[from];
  const toPower = UNIT_POWERS[to];
  if (fromPower === undefined || toPower === undefined) return undefined;
  const shift = toPower - fromPower;
  return shift >= 0
    ? { units: value.units, scale: value.scale + shift }
    : { units: value.units * 10n ** BigInt(-shift), scale: value.scale };
}

/** Plain decimal text without trailing zeros past the point ("77.0693", "12", "0.5"). */
export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** How many decimal places the value needs, trailing zeros dropped. */
export function neededScale(value: Decimal): number {
  const text = formatDecimal(value);
  return decimalPlaces(text.replace(/^-/, ''));
}
