/**
 * N4 compares 五 with last year's 五 by the Sørensen–Dice coefficient over character bigrams, after dropping
 * white space, punctuation and digits (so that “2020年” against “2021年” does not hide a copied paragraph).
 * 1 means the same text, 0 nothing in common.
 */
export const N4_THRESHOLD = 0.8;

function normalise(text: string): string {
  return text.replace(/[\s\p{P}\p{S}\d０-９]/gu, '');
}

function bigrams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const chars = Array.from(text);
  for (let i = 0; i + 1 < chars.length; i++) {
    const gram = `${chars[i]}${chars[i + 1]}`;
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

export function diceSimilarity(a: string, b: string): number {
  const left = bigrams(normalise(a));
  const right = bigrams(normalise(b));
  let size = 0;
  for (const count of left.values()) size += count;
  for (const count of right.values()) size += count;
  if (size === 0) return normalise(a) === normalise(b) ? 1 : 0;
  let shared = 0;
  for (const [gram, count] of left) shared += Math.min(count, right.get(gram) ?? 0);
  return (2 * shared) / size;
}
