import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allTopics } from './topics';

describe('the topic list for deployments (deploy/kafka/topics.sh)', () => {
  it('declares exactly the topics of the code, with their partitions and retention', () => {
    const script = readFileSync(resolve(__dirname, '../../../deploy/kafka/topics.sh'), 'utf8');
    const declared = [...script.matchAll(/^(antq\.[\w.-]+)\s+(\d+)\s+(-?\d+)\s*$/gm)].map(([, name, partitions, retention]) => ({
      name,
      partitions: Number(partitions),
      retentionMs: Number(retention),
    }));
    expect(declared).toEqual(allTopics().map(({ name, partitions, retentionMs }) => ({ name, partitions, retentionMs })));
  });
});
