import { setTimeout as sleep } from 'node:timers/promises';
import { prefixedTopic, type TopicDefinition } from '@antq/contracts';
import type { Admin, ITopicConfig, Kafka } from 'kafkajs';

/** How long a new topic's partitions may take to get leaders before creation is reported as failed. */
const LEADERS_TIMEOUT_MS = 30_000;
const LEADERS_POLL_MS = 100;

/**
 * Errors a metadata request answers with while a topic just created is still spreading
 * through the cluster: the broker asked may not know it yet, or its leader is not elected.
 */
const SETTLING_ERRORS = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: TopicDefinition[], prefix = ''): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(prefixedTopic(prefix, t.name)));
    if (missing.length) {
      await createTopicsWithLeaders(
        admin,
        missing.map((t) => ({
          topic: prefixedTopic(prefix, t.name),
          numPartitions: t.partitions,
          replicationFactor: -1,
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      );
    }
    return missing.map((t) => prefixedTopic(prefix, t.name));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates topics and returns once every partition has a leader, so that a producer or a
 * consumer can use them at once. kafkajs's own `waitForLeaders` gives up on the first
 * "this server does not host this topic-partition" a KRaft broker answers while the new
 * topic is still settling; this waits through it.
 */
export async function createTopicsWithLeaders(admin: Admin, topics: ITopicConfig[], timeoutMs = LEADERS_TIMEOUT_MS): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, topics });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no partition has a leader yet';
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: names });
      const leaderless = described.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}[${p.partitionId}]`));
      if (!leaderless.length) return;
      lastError = `no leader yet for ${leaderless.slice(0, 5).join(', ')}${leaderless.length > 5 ? ', ...' : ''}`;
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (!type || !SETTLING_ERRORS.has(type)) throw error;
      lastError = (error as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`topics ${names.join(', ')} were created but got no leaders within ${timeoutMs} ms: ${lastError}`);
    await sleep(LEADERS_POLL_MS);
  }
}
