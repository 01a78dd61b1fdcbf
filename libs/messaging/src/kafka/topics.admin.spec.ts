import type { Admin, ITopicMetadata } from 'kafkajs';
import { createTopicsWithLeaders } from './topics.admin';

/** An admin whose metadata answers come, one per call, from `answers`: an error to throw or the leader of each partition. */
function fakeAdmin(answers: (Error | number[])[]) {
  const createTopics = jest.fn(async () => true);
  const fetchTopicMetadata = jest.fn(async ({ topics }: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }> => {
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    if (answer instanceof Error) throw answer;
    return {
      topics: topics.map((name) => ({
        name,
        partitions: answer.map((leader, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [1], isr: [1] })),
      })),
    };
  });
  return { admin: { createTopics, fetchTopicMetadata } as unknown as Admin, createTopics, fetchTopicMetadata };
}

/** A broker's error as kafkajs gives it: the protocol error's name in `type`. */
const protocolError = (type: string, message: string) => Object.assign(new Error(message), { type });
/** What a KRaft broker answers about a topic it has not heard of yet. */
const unknownTopic = () => protocolError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition');

describe('createTopicsWithLeaders', () => {
  const topics = [{ topic: 'run.antq.units-registry.events', numPartitions: 2, replicationFactor: -1 }];

  it('waits while the new topic is unknown to the broker and while a partition has no leader', async () => {
    const { admin, createTopics, fetchTopicMetadata } = fakeAdmin([unknownTopic(), [1, -1], [1, 1]]);
    await createTopicsWithLeaders(admin, topics, 5_000);
    expect(createTopics).toHaveBeenCalledWith({ waitForLeaders: false, topics });
    expect(fetchTopicMetadata).toHaveBeenCalledTimes(3);
  });

  it('passes on an error that is not the topic settling', async () => {
    const refused = protocolError('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics: [Topic authorization failed]');
    const { admin } = fakeAdmin([refused]);
    await expect(createTopicsWithLeaders(admin, topics, 5_000)).rejects.toBe(refused);
  });

  it('says which partitions still have no leader when the time is up', async () => {
    const { admin } = fakeAdmin([[1, -1]]);
    await expect(createTopicsWithLeaders(admin, topics, 250)).rejects.toThrow(
      'topics run.antq.units-registry.events were created but got no leaders within 250 ms: no leader yet for run.antq.units-registry.events[1]',
    );
  });
});
