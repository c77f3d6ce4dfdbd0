/** Small numeric and formatting helpers shared by the benchmark modules. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Nearest-rank quantile (NaN for no values). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

export const ms = (value: number, digits = 0): string => (Number.isFinite(value) ? `${value.toFixed(digits)} ms` : '—');
export const seconds = (valueMs: number, digits = 2): string => (Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(digits)} s` : '—');
export const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * The margin of a measurement against an upper limit ("≤ target"): how far under (passing) or over (missing) the
 * limit it is, with the ratio measured/limit.
 */
export function marginUnder(measured: number, limit: number): string {
  const ratio = measured / limit;
  const percent = Math.abs(ratio - 1) * 100;
  return `${percent.toFixed(0)} % ${ratio <= 1 ? 'under' : 'over'} the limit (×${ratio.toFixed(2)})`;
}

/** The margin of a measurement against a lower bound ("≥ target"), as report-throughput.ts writes it. */
export function marginOver(measured: number, bound: number): string {
  const percent = (measured / bound - 1) * 100;
  return `${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(0)} % (×${(measured / bound).toFixed(2)})`;
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const sleep = (msToWait: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, msToWait));
