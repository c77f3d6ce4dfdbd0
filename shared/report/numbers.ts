import { readPath } from './cells.js';

/** A well-formed count at a path, or undefined for a blank or broken cell (those are R5/SCHEMA findings already). */
export function countAt(report: unknown, path: readonly string[]): number | undefined {
  const value = signedCountAt(report, path);
  return value !== undefined && value >= 0 ? value : undefined;
}

/** A well-formed integer that may be negative (本年增/减). */
export function signedCountAt(report: unknown, path: readonly string[]): number | undefined {
  const value = readPath(report, path);
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/** Sum of counts, or undefined when any is missing: a blank is never read as 0. */
export function sumOf(values: readonly (number | undefined)[]): number | undefined {
  let sum = 0;
  for (const value of values) {
    if (value === undefined) return undefined;
    sum += value;
  }
  return sum;
}

export const fmt = (value: number): string => value.toLocaleString('en-US').replaceAll(',', '');

/**
 * Money's integer part has at most 15 digits: 999 万亿 in 元 is past any budget, and a longer amount is a typing
 * slip (or an attack on the page's width and the store's size), never a figure to keep.
 */
export const MONEY_MAX_INTEGER_DIGITS = 15;

/** A non-negative decimal written as text, as money is in the report JSON (never a float), within the digits above. */
export const MONEY_PATTERN = new RegExp(`^(0|[1-9]\\d{0,${MONEY_MAX_INTEGER_DIGITS - 1}})(\\.\\d+)?$`);

/** Well formed as a decimal, but with more integer digits than money may have. */
export const MONEY_TOO_LONG = new RegExp(`^[1-9]\\d{${MONEY_MAX_INTEGER_DIGITS},}(\\.\\d+)?$`);
