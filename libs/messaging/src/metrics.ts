import { Counter, Histogram } from 'prom-client';
import { processMetric, sourcedGauge } from '@antq/persistence';

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

interface OutboxSource {
  /** The backlog and the age of its oldest event, one query however many gauges read it. */
  pending(): Promise<{ count: number; oldestSeconds: number }>;
}

/** The relays of this process, read by both outbox gauges. */
export const outboxSources = sourcedGauge<OutboxSource>(
  { name: 'antq_outbox_backlog', help: 'Events written to the outbox and not yet published' },
  async (relay) => [{ labels: {}, value: (await relay.pending()).count }],
);
sourcedGauge<OutboxSource>(
  { name: 'antq_outbox_oldest_seconds', help: 'Age of the oldest unpublished outbox event (0 when none waits): a broker away, or a relay stuck' },
  async (relay) => [{ labels: {}, value: (await relay.pending()).oldestSeconds }],
  outboxSources,
);

/** The consumers of this process, each labelled by its group. */
export const consumerSources = sourcedGauge<{ groupId: string; lag(): Promise<{ topic: string; partition: number; lag: number }[]> }>(
  {
    name: 'antq_consumer_lag',
    help: "Records a partition holds beyond the consumer group's committed offset: events the service has yet to apply",
    labelNames: ['group', 'topic', 'partition'],
  },
  // A broker away leaves the gauge empty rather than holding up the scrape.
  async (consumer) =>
    (await consumer.lag()).map(({ topic, partition, lag }) => ({ labels: { group: consumer.groupId, topic, partition: String(partition) }, value: lag })),
);
