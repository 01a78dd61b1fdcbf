import type { Consumer } from 'kafkajs';
import { Client } from 'pg';
import { EventConsumer } from '@antq/messaging';
import type { RunningService } from '@antq/testing';
import type { BenchScale } from '../lib/config';
import { analyzeDatabases } from '../lib/database';
import { profiled, type CpuProfile } from '../lib/profile';
import { progress } from '../lib/report';
import { distribution, medianBy, type Distribution } from '../lib/stats';
import { drainTimeout, epochNow, paced, waitUntil, withTimeout } from '../lib/timing';
import type { Throughput } from './raw';
import { INSERT_BATCH, INSERTERS, type EventSource } from './registry';

const NAME = 'backbone';
const POLL_MS = 20;
const EFFECT_CHANNEL = 'bench_effect';

export interface ConsumerStats {
  /** Fetch requests (kafkajs processes all the batches a fetch returned before the next fetch). */
  fetches: number;
  /** Non-empty partition batches processed. */
  batches: number;
  messages: number;
  /** Sum of eachBatch durations: the batch transaction, its handlers, the offset commit. */
  batchMs: number;
  maxBatchSize: number;
}

export interface PlatformThroughput extends Throughput {
  /** When the last insert transaction had committed, after the start. */
  insertedSeconds: number;
  /** When the relay had published the last event, after the start (its counter, polled every 20 ms). */
  publishedSeconds: number;
  /**
   * The consumer's rate once the relay had published everything, i.e. without the
   * producing side at work (NaN when that stretch is under 200 ms).
   */
  consumerAlonePerSecond: number;
  /** The consumer's Kafka batches during this run (kafkajs instrumentation events). */
  consumer: ConsumerStats;
}

export interface PlatformFigures {
  /** The median repetition, with every repetition's rate in `runs`. */
  throughput: PlatformThroughput;
  latency: Distribution;
  /** CPU profile of the main thread during the first throughput run, when asked for. */
  profile?: CpuProfile;
}

/**
 * outbox insert -> relay -> Kafka -> consumer -> effect committed. `consumer` is the
 * assessments service, whose unit replica upserts a replica_units row per unit-created event.
 */
export async function platformBackbone(
  source: EventSource,
  consumer: RunningService,
  scale: BenchScale,
  options: { profileFile?: string; analyze?: boolean } = {},
): Promise<PlatformFigures> {
  const { profileFile, analyze = false } = options;
  // Stands in for auto-analyze where the server does not run it (see BENCH_ANALYZE).
  const refreshStatistics = () => (analyze ? analyzeDatabases([consumer.databaseUrl, source.databaseUrl]) : Promise.resolve());
  const kafkaConsumer = consumer.app.get(EventConsumer).unwrap<Consumer>();
  if (!kafkaConsumer) throw new Error('The consumer service has no running Kafka consumer');
  const effects = async () => {
    const [row] = (await consumer.dataSource.query('SELECT count(*)::int AS n FROM replica_units')) as [{ n: number }];
    return row.n;
  };

  // Also waits for the consumer to have joined its group and got its partitions.
  progress(NAME, `platform: warm-up ${scale.warmup} events`);
  await pushThrough(source, kafkaConsumer, effects, scale.warmup);

  const runs: PlatformThroughput[] = [];
  let profile: CpuProfile | undefined;
  for (let run = 1; run <= scale.repeat; run++) {
    await refreshStatistics();
    progress(NAME, `platform: throughput ${run}/${scale.repeat}, ${scale.events} events in outbox transactions of ${INSERT_BATCH} (${INSERTERS} at a time)`);
    const measured = await profiled(run === 1 ? profileFile : undefined, () => pushThrough(source, kafkaConsumer, effects, scale.events));
    runs.push(measured.result);
    profile ??= measured.profile;
  }
  const throughput = { ...medianBy(runs, (r) => r.perSecond), runs: runs.map((r) => r.perSecond) };

  await refreshStatistics();
  progress(NAME, `platform: latency at ${scale.rate}/s for ${scale.seconds} s, one event per outbox transaction`);
  const latency = await platformLatency(source, consumer, scale);
  return { throughput, latency, ...(profile ? { profile } : {}) };
}

/**
 * Inserts `events` as fast as the inserters go and times them to their effects. The end is
 * when the consumer's finished batches add up to `events` (kafkajs END_BATCH_PROCESS, which
 * follows the batch transaction's commit); a count of the effect rows then checks that
 * every event took effect.
 */
async function pushThrough(
  source: EventSource,
  kafkaConsumer: Consumer,
  effects: () => Promise<number>,
  events: number,
): Promise<PlatformThroughput> {
  const base = await effects();
  const publishedBase = await source.published();
  const watch = watchConsumer(kafkaConsumer);
  let publishedAt = 0;
  let consumedAtPublished = 0;
  let effectAt = 0;
  let stopped = false;
  const started = epochNow();
  try {
    const inserting = source.insertMany(events);
    await Promise.all([
      inserting,
      watch.reached(events).then((at) => void (effectAt = at)),
      // The relay's progress, for the breakdown.
      waitUntil(
        'the relay to publish the events',
        async () => {
          if (stopped) return true;
          if ((await source.published()) - publishedBase < events) return false;
          publishedAt = epochNow();
          consumedAtPublished = watch.stats.messages;
          return true;
        },
        drainTimeout(events),
        POLL_MS,
      ),
    ]);
    const insertedAt = await inserting;
    const applied = (await effects()) - base;
    if (applied !== events) throw new Error(`${events} events consumed but ${applied} effect rows appeared`);
    const seconds = (effectAt - started) / 1000;
    publishedAt = Math.min(publishedAt, effectAt);
    return {
      events,
      perSecond: events / seconds,
      seconds,
      runs: [events / seconds],
      insertedSeconds: (insertedAt - started) / 1000,
      publishedSeconds: (publishedAt - started) / 1000,
      consumerAlonePerSecond: effectAt - publishedAt > 200 ? ((events - consumedAtPublished) * 1000) / (effectAt - publishedAt) : Number.NaN,
      consumer: { ...watch.stats },
    };
  } finally {
    stopped = true;
    watch.stop();
  }
}

/**
 * Effect time without touching product code: a bench-only AFTER INSERT trigger on the
 * consumer's replica_units sends NOTIFY, which PostgreSQL delivers only when the consumer's
 * transaction commits; the bench LISTENs and stamps arrival on the same clock as the
 * insert's COMMIT acknowledgement.
 */
async function platformLatency(source: EventSource, consumer: RunningService, scale: BenchScale): Promise<Distribution> {
  await consumer.dataSource.query(`
    CREATE OR REPLACE FUNCTION bench_effect_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('${EFFECT_CHANNEL}', NEW.unit_id::text); RETURN NULL; END $$`);
  await consumer.dataSource.query(
    `CREATE TRIGGER bench_effect AFTER INSERT ON replica_units FOR EACH ROW EXECUTE FUNCTION bench_effect_notify()`,
  );
  const listener = new Client({ connectionString: consumer.databaseUrl, application_name: 'antq-bench-listener' });
  const seen = new Map<string, number>();
  listener.on('notification', (n) => {
    if (n.payload) seen.set(n.payload, epochNow());
  });
  try {
    await listener.connect();
    await listener.query(`LISTEN ${EFFECT_CHANNEL}`);
    const committed = new Map<string, number>();
    await paced(scale.rate, scale.seconds, async () => {
      const { unitIds, committedAt } = await source.insert(1);
      for (const id of unitIds) committed.set(id, committedAt);
    });
    const total = committed.size;
    await waitUntil('the latency events to take effect', () => [...committed.keys()].every((id) => seen.has(id)), drainTimeout(total), POLL_MS);
    return distribution([...committed].map(([id, at]) => (seen.get(id) ?? Number.NaN) - at));
  } finally {
    await listener.end().catch(() => undefined);
    await consumer.dataSource.query('DROP TRIGGER IF EXISTS bench_effect ON replica_units').catch(() => undefined);
  }
}

/** Follows the consumer's fetches and batches through kafkajs instrumentation events (observation only). */
function watchConsumer(consumer: Consumer) {
  const stats: ConsumerStats = { fetches: 0, batches: 0, messages: 0, batchMs: 0, maxBatchSize: 0 };
  const waiting: { count: number; resolve: (at: number) => void; reject: (error: Error) => void }[] = [];
  const off = [
    consumer.on(consumer.events.FETCH, () => void stats.fetches++),
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const at = epochNow();
      stats.batches++;
      stats.messages += payload.batchSize;
      stats.batchMs += payload.duration;
      stats.maxBatchSize = Math.max(stats.maxBatchSize, payload.batchSize);
      for (const w of waiting.filter((w) => stats.messages >= w.count)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(at);
      }
    }),
  ];
  return {
    stats,
    /** Resolves with the time the consumer had finished batches holding `count` messages. */
    reached(count: number): Promise<number> {
      const reached = new Promise<number>((resolve, reject) => {
        if (stats.messages >= count) resolve(epochNow());
        else waiting.push({ count, resolve, reject });
      });
      return withTimeout(`the consumer to process ${count} events`, reached, drainTimeout(count));
    },
    stop(): void {
      off.forEach((remove) => remove());
      for (const w of waiting.splice(0)) w.reject(new Error('stopped watching the consumer'));
    },
  };
}
