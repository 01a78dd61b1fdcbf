/**
 * Delay before retry number `attempt` (1 = after the first failure): exponential backoff
 * with full jitter, a random delay in [0, min(max, base * 2^(attempt-1))). Full jitter
 * spreads retries of many deliveries that failed together (one receiver down).
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
