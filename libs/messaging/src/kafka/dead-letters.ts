import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { REDRIVEN_FROM_HEADER } from '@antq/contracts';
import { DLQ_HEADERS, headerText } from './headers';

/** A record of a service's dead-letter topic, with what the consumer attached when it gave up. */
export interface DeadLetter {
  partition: number;
  offset: string;
  /** Where the event came from, and where a redrive puts it back. */
  sourceTopic: string;
  sourcePartition: number | null;
  sourceOffset: string | null;
  key: string | null;
  eventId: string | null;
  eventType: string | null;
  error: string;
  errorType: string;
  attempts: number;
  consumer: string;
  failedAt: string | null;
  /** Set when this record is itself a redriven event that failed again. */
  redrivenFrom: string | null;
  value: Buffer | null;
  headers: IHeaders;
}

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DLQ_HEADERS));
const READ_TIMEOUT_MS = 60_000;

const text = (headers: IHeaders, name: string): string | null => headerText(headers, name) ?? null;

function toDeadLetter(partition: number, message: KafkaMessage): DeadLetter {
  const headers = message.headers ?? {};
  let envelope: { id?: unknown; type?: unknown } = {};
  try {
    envelope = JSON.parse(message.value?.toString() ?? '') as typeof envelope;
  } catch {
    // Not JSON: the envelope headers, if any, are all there is.
  }
  const sourcePartition = text(headers, DLQ_HEADERS.sourcePartition);
  return {
    partition,
    offset: message.offset,
    sourceTopic: text(headers, DLQ_HEADERS.sourceTopic) ?? '',
    sourcePartition: sourcePartition === null ? null : Number(sourcePartition),
    sourceOffset: text(headers, DLQ_HEADERS.sourceOffset),
    key: message.key?.toString() ?? null,
    eventId: text(headers, 'ce_id') ?? (typeof envelope.id === 'string' ? envelope.id : null),
    eventType: text(headers, 'ce_type') ?? (typeof envelope.type === 'string' ? envelope.type : null),
    error: text(headers, DLQ_HEADERS.error) ?? '',
    errorType: text(headers, DLQ_HEADERS.errorType) ?? '',
    attempts: Number(text(headers, DLQ_HEADERS.attempts) ?? 0),
    consumer: text(headers, DLQ_HEADERS.consumer) ?? '',
    failedAt: text(headers, DLQ_HEADERS.failedAt),
    redrivenFrom: text(headers, REDRIVEN_FROM_HEADER),
    value: message.value,
    headers,
  };
}

/**
 * Every record a dead-letter topic holds now, oldest first. Reads from the beginning to the
 * end offsets taken at the start, under a throwaway consumer group that is deleted after.
 */
export async function readDeadLetters(kafka: Kafka, topic: string): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `antq-dead-letters-${randomUUID()}`;
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
    if (!remaining.size) return [];
    const letters: DeadLetter[] = [];
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Reading ${topic} took longer than ${READ_TIMEOUT_MS / 1000} s`)), READ_TIMEOUT_MS);
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const end = remaining.get(partition);
              if (end === undefined || BigInt(message.offset) >= end) return;
              letters.push(toDeadLetter(partition, message));
              if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
              if (!remaining.size) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return letters.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Puts dead letters back on their source topics, as they first arrived (key, value, the
 * envelope headers) plus where they were parked. Every consumer group of the source topic
 * sees them again; those that had applied an event drop it by its id, the one that failed
 * applies it now or parks it again.
 */
export async function redriveDeadLetters(kafka: Kafka, dlqTopic: string, letters: DeadLetter[]): Promise<number> {
  const unroutable = letters.filter((l) => !l.sourceTopic);
  if (unroutable.length) throw new Error(`Dead letters without a source topic cannot be redriven: offsets ${unroutable.map((l) => l.offset).join(', ')}`);
  const byTopic = new Map<string, DeadLetter[]>();
  for (const letter of letters) byTopic.set(letter.sourceTopic, [...(byTopic.get(letter.sourceTopic) ?? []), letter]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((letter) => ({
          key: letter.key,
          value: letter.value,
          headers: {
            ...Object.fromEntries(Object.entries(letter.headers).filter(([name]) => !DLQ_HEADER_NAMES.has(name))),
            [REDRIVEN_FROM_HEADER]: `${dlqTopic}[${letter.partition}]@${letter.offset}`,
          },
        })),
      })),
    });
  } finally {
    await producer.disconnect();
  }
  return letters.length;
}
