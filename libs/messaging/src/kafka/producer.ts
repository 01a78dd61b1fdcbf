import { Logger } from '@nestjs/common';
import { Partitioners, type IHeaders, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';

export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');

/**
 * Bytes one request to the broker carries at most, and so the largest event the outbox takes:
 * kafkajs sends a partition's share of a send as one record batch, which the broker refuses
 * whole beyond `message.max.bytes` (1 MB by default), for ever.
 */
export const MAX_SEND_BYTES = 768 * 1024;

type SizedRecord = { key?: Buffer | string | null; value: Buffer | string | null; headers?: IHeaders };

/** A record's bytes as the broker counts them, near enough: key, value and headers. */
function recordBytes(record: SizedRecord): number {
  const size = (part: unknown): number =>
    part == null ? 0 : Array.isArray(part) ? part.reduce((n: number, p) => n + size(p), 0) : Buffer.isBuffer(part) ? part.length : Buffer.byteLength(String(part));
  return size(record.key) + size(record.value) + Object.entries(record.headers ?? {}).reduce((n, [name, value]) => n + Buffer.byteLength(name) + size(value), 0);
}

/** Records in order, in groups of at most `limit` bytes (a record larger than that alone). */
export function inSizedGroups<T extends SizedRecord>(records: T[], limit = MAX_SEND_BYTES): T[][] {
  const groups: T[][] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    const last = groups[groups.length - 1];
    if (last && bytes + size <= limit) {
      last.push(record);
      bytes += size;
    } else {
      groups.push([record]);
      bytes = size;
    }
  }
  return groups;
}

/**
 * An idempotent producer that reconnects by itself: after the broker has been away, the
 * next send connects again instead of failing for ever. A send larger than the broker takes
 * at once goes out in several requests, one after the other, in order.
 */
export class ReliableProducer {
  private readonly logger = new Logger(ReliableProducer.name);
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  constructor(private readonly kafka: Kafka) {}

  async sendBatch(topicMessages: TopicMessages[]): Promise<void> {
    const records = topicMessages.flatMap(({ topic, messages }) => messages.map((message) => ({ topic, message, key: message.key, value: message.value, headers: message.headers })));
    for (const group of inSizedGroups(records)) {
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of group) {
        const messages = byTopic.get(topic);
        if (messages) messages.push(message);
        else byTopic.set(topic, [message]);
      }
      const producer = await this.connected();
      try {
        await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1 });
      } catch (error) {
        await this.reset();
        throw error;
      }
    }
  }

  async send(topic: string, messages: Message[]): Promise<void> {
    await this.sendBatch([{ topic, messages }]);
  }

  async disconnect(): Promise<void> {
    await this.reset();
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      return producer;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) {
      await producer.disconnect().catch((error: unknown) => this.logger.debug(`disconnect: ${String(error)}`));
    }
  }
}
