/**
 * How many cases a property test generates. The unit loop runs a quarter of each test's full count so it stays fast
 * while working; CI (`PROPERTY_RUNS=full`, set by .ci/run) runs them all. Every test still states its full count, so
 * the intent of each number stays in the test.
 */
const scale = process.env['PROPERTY_RUNS'] === 'full' ? 1 : 0.25;

export function propertyRuns(full: number): number {
  return Math.max(10, Math.round(full * scale));
}
