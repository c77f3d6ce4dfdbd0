/**
 * Markup that depends on the template alone is rendered by preact once, with a numbered placeholder wherever the
 * report's content goes, and split into constant pieces there; a page is those pieces with the content in between.
 * The placeholders are private-use characters around a number: preact's escaping leaves them as they are, and a
 * skeleton whose constant markup holds either character anywhere else is refused rather than split wrongly.
 */

const OPEN = '\uE000';
const CLOSE = '\uE001';
const HOLE = new RegExp(`${OPEN}(\\d+)${CLOSE}`);

/** The placeholder of slot `index`. */
export const hole = (index: number): string => `${OPEN}${index}${CLOSE}`;

export class SkeletonError extends Error {
  override readonly name = 'SkeletonError';
}

export interface Skeleton {
  /** the constant markup: one piece more than there are slots */
  readonly pieces: readonly string[];
  /** the slots in the order the markup has them */
  readonly order: readonly number[];
}

/** Splits rendered markup at its placeholders, which must be slots 0 … count − 1, each exactly once. */
export function splitSkeleton(html: string, count: number, what: string): Skeleton {
  // split with a capture group interleaves the slot numbers: [piece, "0", piece, "1", …, piece]
  const parts = html.split(HOLE);
  const pieces = parts.filter((_, i) => i % 2 === 0);
  const order = parts.filter((_, i) => i % 2 === 1).map(Number);
  const seen = new Set(order);
  const complete = order.length === count && seen.size === count && order.every((slot) => slot < count);
  if (!complete || pieces.some((piece) => piece.includes(OPEN) || piece.includes(CLOSE))) {
    throw new SkeletonError(`${what}: its placeholders do not come out once each, apart from the markup around them`);
  }
  return { pieces, order };
}
