/**
 * The border pixels of a square grey image, where the sky and its noise are read: the four edges (the corners counted
 * twice), sorted ascending, so the median and upper percentiles are direct lookups.
 */
export function sortedBorder(image: ArrayLike<number>, side: number): number[] {
  const border: number[] = [];
  for (let i = 0; i < side; i++) border.push(image[i], image[(side - 1) * side + i], image[i * side], image[i * side + side - 1]);
  return border.sort((a, b) => a - b);
}

/** The median of a sorted array (the upper one of an even count). */
export const sortedMedian = (sorted: readonly number[]): number => sorted[Math.floor(sorted.length / 2)];

/** The 84.13th percentile minus the median of a sorted array: σ for Gaussian values, read from the upper side only. */
export const sortedUpperSigma = (sorted: readonly number[]): number => sorted[Math.round(0.8413 * (sorted.length - 1))] - sortedMedian(sorted);
