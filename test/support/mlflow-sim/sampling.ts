/** Sampling of the bulk-interval history (§5.2). */

/**
 * The steps kept from a run's distinct steps (sorted ascending): all of them when they fit in
 * `maxResults`; otherwise `maxResults` evenly spaced indexes (`floor(i * n / maxResults)`, i = 0..max-1)
 * **plus the last step**, so up to `maxResults + 1` steps come back.
 */
export function sampledSteps(sortedSteps: readonly number[], maxResults: number): number[] {
  const n = sortedSteps.length;
  if (n <= maxResults) return [...sortedSteps];
  const picked = new Set<number>();
  for (let i = 0; i < maxResults; i++) picked.add(sortedSteps[Math.floor((i * n) / maxResults)]);
  picked.add(sortedSteps[n - 1]);
  return [...picked].sort((a, b) => a - b);
}
