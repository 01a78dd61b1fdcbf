/** What run-all needs from a benchmark module (`<name>.bench.ts`). */
export interface BenchmarkModule {
  /** Runs the benchmark and prints its report, ending with its JSON line. */
  main(): Promise<void>;
}

/**
 * Sets the exit code and makes sure the process ends: once output is flushed it exits by
 * itself, and if a client library left a handle open, a fallback timer ends it anyway.
 */
export function finish(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2_000).unref();
}

/** The `node dist/bench/<name>.bench.js` entry point. */
export function runAsScript(name: string, main: () => Promise<void>): void {
  main().then(
    () => finish(0),
    (error: unknown) => {
      process.stderr.write(`[${name}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      finish(1);
    },
  );
}
