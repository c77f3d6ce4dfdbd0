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
