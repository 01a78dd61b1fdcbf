import { Gauge, register } from 'prom-client';

/** One metric per process, whatever the number of service instances in it (tests run several). */
export function processMetric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export interface GaugeReading {
  labels: Record<string, string>;
  value: number;
}

const sourcesByGauge = new Map<string, Set<unknown>>();

/**
 * A gauge read at every scrape from what registered itself as a source (a worker, a relay,
 * a consumer): the returned set (`sources`, when several gauges read the same sources) is
 * where sources add and remove themselves. A deployment
 * runs one service instance per process; where a process runs several (tests), each is
 * read and the readings are set in turn. A source that fails to answer is left out.
 */
export function sourcedGauge<S>(
  options: { name: string; help: string; labelNames?: string[] },
  read: (source: S) => Promise<GaugeReading[]>,
  sources = new Set<S>(),
): Set<S> {
  const known = sourcesByGauge.get(options.name);
  if (known) return known as Set<S>;
  sourcesByGauge.set(options.name, sources);
  processMetric(
    options.name,
    () =>
      new Gauge({
        ...options,
        labelNames: options.labelNames ?? [],
        async collect() {
          this.reset();
          for (const source of sources) {
            const readings = await read(source).catch(() => []);
            for (const { labels, value } of readings) this.set(labels, value);
          }
        },
      }),
  );
  return sources;
}
