import { Counter, Gauge, Histogram, register } from 'prom-client';
import { withTimeout } from './kafka/timeout';

/** One metric per process, whatever the number of service instances in it (tests run several). */
export function processMetric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export const eventsPublished = processMetric(
  'antq_events_published_total',
  () => new Counter({ name: 'antq_events_published_total', help: 'Events the outbox relay published to Kafka, by topic', labelNames: ['topic'] }),
);

/**
 * What became of each consumed record, by event type: `applied`, `duplicate` (its id was
 * already processed), `ignored` (a type this service does not handle), `dead-lettered`.
 */
export const eventsConsumed = processMetric(
  'antq_events_consumed_total',
  () => new Counter({ name: 'antq_events_consumed_total', help: 'Consumed records by event type and outcome (applied, duplicate, ignored, dead-lettered)', labelNames: ['type', 'outcome'] }),
);

export const consumerBatchDuration = processMetric(
  'antq_consumer_batch_seconds',
  () =>
    new Histogram({
      name: 'antq_consumer_batch_seconds',
      help: 'Time a consumer batch took, from decoding to the offset commit, by topic',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);

/** Sources of the outbox gauges: the relays running in this process (the first is read). */
export const outboxSources = new Set<{ pending(): Promise<{ count: number; oldestSeconds: number }> }>();

processMetric(
  'antq_outbox_backlog',
  () =>
    new Gauge({
      name: 'antq_outbox_backlog',
      help: 'Events written to the outbox and not yet published',
      async collect() {
        const [source] = outboxSources;
        const pending = await source?.pending().catch(() => undefined);
        if (pending) this.set(pending.count);
      },
    }),
);

processMetric(
  'antq_outbox_oldest_seconds',
  () =>
    new Gauge({
      name: 'antq_outbox_oldest_seconds',
      help: 'Age of the oldest unpublished outbox event (0 when none waits): a broker away, or a relay stuck',
      async collect() {
        const [source] = outboxSources;
        const pending = await source?.pending().catch(() => undefined);
        if (pending) this.set(pending.oldestSeconds);
      },
    }),
);

/** Sources of the lag gauge: the consumers running in this process, each labelled by its group. */
export const consumerSources = new Set<{ groupId: string; lag(): Promise<{ topic: string; partition: number; lag: number }[]> }>();

processMetric(
  'antq_consumer_lag',
  () =>
    new Gauge({
      name: 'antq_consumer_lag',
      help: "Records a partition holds beyond the consumer group's committed offset: events the service has yet to apply",
      labelNames: ['group', 'topic', 'partition'],
      async collect() {
        this.reset();
        for (const source of consumerSources) {
          // A broker away leaves the gauge empty rather than holding up the scrape.
          const lags = await withTimeout(source.lag(), 2_000).catch(() => []);
          for (const { topic, partition, lag } of lags) this.set({ group: source.groupId, topic, partition: String(partition) }, lag);
        }
      },
    }),
);
