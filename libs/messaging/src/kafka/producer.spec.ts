import type { Kafka, TopicMessages } from 'kafkajs';
import { inSizedGroups, ReliableProducer } from './producer';

describe('inSizedGroups', () => {
  const record = (bytes: number, name = 'x') => ({ key: name, value: Buffer.alloc(bytes - name.length - 4), headers: { a: 'bcd' } });

  it('groups records in order under the byte limit, a record larger than it alone', () => {
    const records = [record(400, 'r1'), record(500, 'r2'), record(100, 'r3'), record(2_000, 'r4'), record(300, 'r5')];
    const groups = inSizedGroups(records, 1_000);
    expect(groups.map((g) => g.map((r) => r.key))).toEqual([['r1', 'r2', 'r3'], ['r4'], ['r5']]);
  });

  it('counts header values, arrays of them and UTF-8 text as bytes', () => {
    const letter = { key: null, value: 'ệ'.repeat(100), headers: { error: ['ệ'.repeat(100), Buffer.alloc(100)], empty: undefined } };
    // 300 bytes of value; "error" (5) with 300 + 100; "empty" (5): 710 bytes each.
    expect(inSizedGroups([letter, letter], 1_419)).toHaveLength(2);
    expect(inSizedGroups([letter, letter], 1_420)).toHaveLength(1);
  });
});

describe('ReliableProducer.sendBatch', () => {
  it("sends more than the broker takes at once in several requests, in order, each topic's messages together", async () => {
    const sent: TopicMessages[][] = [];
    const kafka = { producer: () => ({ connect: async () => undefined, disconnect: async () => undefined, sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }) => void sent.push(topicMessages) }) } as unknown as Kafka;
    const message = (key: string) => ({ key, value: 'x'.repeat(300_000) });
    await new ReliableProducer(kafka).sendBatch([
      { topic: 'a', messages: [message('a1'), message('a2')] },
      { topic: 'b', messages: [message('b1'), message('b2')] },
    ]);
    expect(sent.map((request) => request.map(({ topic, messages }) => [topic, messages.map((m) => m.key)]))).toEqual([
      [['a', ['a1', 'a2']]],
      [['b', ['b1', 'b2']]],
    ]);
  });
});
