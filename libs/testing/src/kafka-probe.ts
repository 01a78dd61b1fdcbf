import { allTopics, prefixedTopic, type CloudEvent, type EventData, type EventType } from '@antq/contracts';
import { ensureTopics } from '@antq/messaging';
import { Partitioners, type Consumer, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { kafkaFromEnv } from '@antq/platform';
import { eventually } from './eventually';
import { TEST_BROKERS, TEST_KAFKA_SECURITY } from './test-env';

export function testKafka(brokers = TEST_BROKERS): Kafka {
  return kafkaFromEnv('the tests', { ...TEST_KAFKA_SECURITY, KAFKA_BROKERS: brokers }, 'antq-tests').kafka;
}

/** Creates every platform topic under the run's prefix. */
export async function createRunTopics(runId: string, kafka = testKafka()): Promise<void> {
  await ensureTopics(kafka, allTopics(), `${runId}.`);
}

/** Deletes the run's topics from the shared broker. */
export async function deleteRunTopics(runId: string, kafka = testKafka()): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${runId}.`));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

export async function produceRaw(
  kafka: Kafka,
  topic: string,
  messages: { key: string; value: string; headers?: IHeaders; partition?: number }[],
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/** Collects every record of a topic from the beginning, for assertions. */
export class TopicRecorder {
  readonly messages: KafkaMessage[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: `recorder-${this.topic}-${Date.now()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    // A fresh group each time, reading from the beginning: offsets it committed would serve no one.
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        this.messages.push(message);
      },
    });
    return this;
  }

  /** The recorded events of one type, decoded, in the order they arrived. */
  events<T extends EventType>(type: T): CloudEvent<EventData<T>>[] {
    return this.messages.map((m) => JSON.parse(m.value?.toString() ?? '{}') as CloudEvent<EventData<T>>).filter((e) => e.type === type);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Waits until a consumer group has committed everything a topic holds. */
export async function awaitCommitted(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await eventually(async () => {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const end of ends.filter((p) => p.high !== '0')) {
        if (committed.partitions.find((p) => p.partition === end.partition)?.offset !== end.high) {
          throw new Error(`${groupId} has not committed ${topic}[${end.partition}] up to ${end.high}`);
        }
      }
    });
  } finally {
    await admin.disconnect();
  }
}

export function runTopic(runId: string, name: string): string {
  return prefixedTopic(`${runId}.`, name);
}

export { headerText } from '@antq/messaging';
