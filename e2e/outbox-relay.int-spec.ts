import { randomUUID } from 'node:crypto';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { EVENT_TOPICS } from '@antq/contracts';
import {
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  runTopic,
  startTestService,
  testKafka,
  TopicRecorder,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';

/** The outbox relay of a real service against the real broker, with events larger than usual. */
const runId = uniqueRunId();
const kafka = testKafka();
let registry: RunningService;

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  registry = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
});

afterAll(async () => {
  await dropTestDatabases([registry].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

it('publishes, in order, a backlog of one key larger than the broker takes in one record batch', async () => {
  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  const recorder = await new TopicRecorder(kafka, topic).start();
  try {
    // Three events of 400 kB on one key: one partition, 1.2 MB together, over the broker's 1 MB.
    const key = randomUUID();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const payloads = ids.map((id) => JSON.stringify({ id, padding: 'x'.repeat(400_000) }));
    await registry.dataSource.query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, event_type, payload)
       SELECT id, $2, $3, 'antq.units.unit-updated.v1', payload FROM unnest($1::uuid[], $4::text[]) WITH ORDINALITY AS x(id, payload, n) ORDER BY n`,
      [ids, topic, key, payloads],
    );
    await eventually(() => expect(recorder.messages.map((m) => (JSON.parse(m.value!.toString()) as { id: string }).id)).toEqual(ids), 30_000);
    const [{ left }] = (await registry.dataSource.query('SELECT count(*)::int AS left FROM outbox_messages WHERE event_id = ANY($1::uuid[])', [ids])) as { left: number }[];
    expect(left).toBe(0);
  } finally {
    await recorder.stop();
  }
});
