import { prefixedTopic, type TopicDefinition } from '@antq/contracts';
import type { Kafka } from 'kafkajs';

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: TopicDefinition[], prefix = ''): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(prefixedTopic(prefix, t.name)));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: prefixedTopic(prefix, t.name),
          numPartitions: t.partitions,
          replicationFactor: -1,
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      });
    }
    return missing.map((t) => prefixedTopic(prefix, t.name));
  } finally {
    await admin.disconnect();
  }
}
