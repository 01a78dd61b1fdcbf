/**
 * How big a benchmark run is. Each setting comes from `--name=value` on the command line,
 * else from the environment, else the default.
 */
export interface BenchScale {
  /** Events (or messages) pushed through each throughput measurement. */
  events: number;
  /** Steady rate of the latency measurement, per second. */
  rate: number;
  /** Duration of the latency measurement, in seconds. */
  seconds: number;
  /** Events sent and awaited before measuring, so that connections, groups and the JIT are warm. */
  warmup: number;
  /** Throughput measurements per subject; the median one is reported, with the spread. */
  repeat: number;
}

const SETTINGS: { key: keyof BenchScale; flag: string; env: string; fallback: number }[] = [
  { key: 'events', flag: 'events', env: 'BENCH_EVENTS', fallback: 20_000 },
  { key: 'rate', flag: 'rate', env: 'BENCH_RATE', fallback: 500 },
  { key: 'seconds', flag: 'seconds', env: 'BENCH_SECONDS', fallback: 10 },
  { key: 'warmup', flag: 'warmup', env: 'BENCH_WARMUP', fallback: 2_000 },
  { key: 'repeat', flag: 'repeat', env: 'BENCH_REPEAT', fallback: 3 },
];

export function benchScale(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchScale {
  const scale = {} as BenchScale;
  for (const { key, flag, env: name, fallback } of SETTINGS) {
    const arg = argv.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
    const raw = arg ?? env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (key !== 'seconds' && !Number.isInteger(value))) {
      throw new Error(`${name} / --${flag} must be a positive ${key === 'seconds' ? 'number' : 'integer'}, got "${raw}"`);
    }
    scale[key] = value;
  }
  return scale;
}

/** The benchmarks measure the pipeline, not the per-agency request limit: their one agency sends far more than a real one would. */
export const UNTHROTTLED = { RATE_LIMIT_PER_MINUTE: '0' } as const;

/** `BENCH_SVC_<NAME>=value` passes `<NAME>=value` to the services a benchmark runs, e.g. `BENCH_SVC_DATABASE_POOL_SIZE=20`. */
export function serviceOverrides(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter((entry): entry is [string, string] => entry[0].startsWith('BENCH_SVC_') && entry[1] !== undefined)
      .map(([key, value]) => [key.slice('BENCH_SVC_'.length), value]),
  );
}
