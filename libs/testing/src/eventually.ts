/**
 * Polls `probe` until it returns without throwing, or fails with its last error after
 * the deadline. Tests wait for asynchronous effects this way, never with fixed sleeps.
 */
export async function eventually<T>(probe: () => Promise<T> | T, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
