import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { CLOUD_EVENTS_CONTENT_TYPE } from '@antq/contracts';
import { createTopicsWithLeaders } from '@antq/messaging';
import type { BenchScale } from '../lib/config';
import { progress } from '../lib/report';
import { distribution, medianBy, type Distribution } from '../lib/stats';
import { drainTimeout, now, paced, waitUntil, withTimeout } from '../lib/timing';

export const PARTITIONS = 6;
/** Messages per sendBatch in the throughput run. */
export const RAW_BATCH = 500;
const NAME = 'backbone';

/** The relay's producer settings (see ReliableProducer), so that the baseline differs only by the platform. */
const PRODUCER_CONFIG = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};

export interface Throughput {
  events: number;
  /** Events per second from the first send/insert until the last message consumed/effect committed. */
  perSecond: number;
  seconds: number;
  /** Events per second of every repetition (the figures above are the median one's). */
  runs: number[];
}

export interface RawFigures {
  throughput: Throughput;
  latency: Distribution;
}

/**
 * Bare kafkajs on the same broker: a fresh topic of the platform's partition count, one
 * producer, one consumer group processing `lanes` partitions at once (as the platform's
 * consumer), records the size of a platform event with the same headers.
 */
export async function rawBaseline(kafka: Kafka, runId: string, scale: BenchScale, valueBytes: number, lanes: number): Promise<RawFigures> {
  const topic = `${runId}.bench.raw`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: PARTITIONS, replicationFactor: -1 }]);
  } finally {
    await admin.disconnect();
  }

  const producer = kafka.producer(PRODUCER_CONFIG);
  const consumer = kafka.consumer({ groupId: `${runId}.bench.raw`, sessionTimeout: 30_000, heartbeatInterval: 3_000, allowAutoTopicCreation: false });
  let received = 0;
  let target = Infinity;
  let reachedAt = 0;
  let timing = false;
  const latencies: number[] = [];
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      partitionsConsumedConcurrently: lanes,
      eachBatch: async ({ batch }) => {
        const at = now();
        if (timing) {
          for (const message of batch.messages) {
            const sent = (JSON.parse(message.value?.toString() ?? '{}') as { sent?: number }).sent;
            if (sent !== undefined) latencies.push(at - sent);
          }
        }
        received += batch.messages.length;
        if (received >= target && !reachedAt) reachedAt = at;
      },
    });
    await withTimeout('the raw consumer to join its group', joined, 30_000);

    const message = (sent = 0): Message => ({
      key: randomUUID(),
      value: rawValue(sent, valueBytes),
      headers: { 'content-type': CLOUD_EVENTS_CONTENT_TYPE, ce_id: randomUUID(), ce_type: 'antq.units.unit-created.v1' },
    });
    const sendAll = async (count: number) => {
      for (let sent = 0; sent < count; sent += RAW_BATCH) {
        const messages = Array.from({ length: Math.min(RAW_BATCH, count - sent) }, () => message());
        await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
      }
    };

    progress(NAME, `raw: warm-up ${scale.warmup} messages`);
    target = received + scale.warmup;
    await sendAll(scale.warmup);
    await waitUntil('the raw warm-up messages', () => received >= target, 60_000, 5);

    const runs: { perSecond: number; seconds: number }[] = [];
    for (let run = 1; run <= scale.repeat; run++) {
      progress(NAME, `raw: throughput ${run}/${scale.repeat}, ${scale.events} messages in sendBatch calls of ${RAW_BATCH}, acks=-1`);
      reachedAt = 0;
      target = received + scale.events;
      const started = now();
      await sendAll(scale.events);
      await waitUntil('the raw messages', () => reachedAt > 0, drainTimeout(scale.events), 5);
      const seconds = (reachedAt - started) / 1000;
      runs.push({ perSecond: scale.events / seconds, seconds });
    }
    const throughput = { events: scale.events, ...medianBy(runs, (r) => r.perSecond), runs: runs.map((r) => r.perSecond) };

    progress(NAME, `raw: latency at ${scale.rate}/s for ${scale.seconds} s`);
    const total = Math.round(scale.rate * scale.seconds);
    target = received + total;
    timing = true;
    const send = serialSender(producer, topic);
    await paced(scale.rate, scale.seconds, () => send(message(now())));
    await waitUntil('the raw latency messages', () => received >= target, drainTimeout(total), 5);
    return { throughput, latency: distribution(latencies) };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

/**
 * One send in flight at a time (as the relay, whose idempotent producer allows one request
 * in flight); messages due meanwhile go together in the next request.
 */
function serialSender(producer: Producer, topic: string): (message: Message) => Promise<void> {
  let queue: { message: Message; done: (error?: unknown) => void }[] = [];
  let sending = false;
  const drain = async () => {
    sending = true;
    while (queue.length) {
      const batch = queue;
      queue = [];
      try {
        await producer.send({ topic, acks: -1, messages: batch.map((q) => q.message) });
        batch.forEach((q) => q.done());
      } catch (error) {
        batch.forEach((q) => q.done(error));
      }
    }
    sending = false;
  };
  return (message) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ message, done: (error) => (error === undefined ? resolve() : reject(error as Error)) });
      if (!sending) void drain();
    });
}

/** A record value the size of a platform event, carrying its send time. */
function rawValue(sent: number, bytes: number): string {
  const head = JSON.stringify({ sent, pad: '' });
  return JSON.stringify({ sent, pad: 'x'.repeat(Math.max(0, bytes - head.length)) });
}

