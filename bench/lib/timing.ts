import { performance } from 'node:perf_hooks';

/** Milliseconds on the process's monotonic clock (sub-millisecond resolution). */
export const now = (): number => performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every `intervalMs` until it holds; throws after `timeoutMs` saying what was awaited. */
export async function waitUntil(
  what: string,
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!(await done())) {
    if (now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Calls `fire(i, dueAt)` for i = 0 .. rate*seconds-1, each at its due time `i / rate` after the
 * start (to the timer's ~1 ms resolution), without waiting for earlier calls to finish:
 * an open-loop load, so a slow system cannot slow the offered rate down. Resolves when
 * every call has settled; rejects with the first failure.
 */
export async function paced(rate: number, seconds: number, fire: (index: number, dueAt: number) => Promise<void>): Promise<void> {
  const total = Math.round(rate * seconds);
  const started = now();
  const inflight: Promise<void>[] = [];
  const failures: unknown[] = [];
  let fired = 0;
  while (fired < total) {
    const due = Math.min(total, Math.floor(((now() - started) * rate) / 1000) + 1);
    for (; fired < due; fired++) {
      inflight.push(fire(fired, started + (fired * 1000) / rate).catch((error: unknown) => void failures.push(error)));
    }
    if (fired < total) {
      const nextAt = started + (fired * 1000) / rate;
      await sleep(Math.max(0, nextAt - now()));
    }
  }
  await Promise.all(inflight);
  if (failures.length) throw failures[0];
}

/**
 * Wall-clock milliseconds with sub-millisecond resolution, comparable across worker threads
 * of one process (each thread's `performance.now()` counts from its own origin).
 */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** A generous bound for pushing `events` through: a minute plus 5 ms per event. */
export function drainTimeout(events: number): number {
  return 60_000 + events * 5;
}

/** `promise`, or a rejection saying what was awaited once `ms` have passed. */
export async function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms / 1000} s waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
