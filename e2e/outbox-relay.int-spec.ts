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
  TcpProxy,
  testDatabaseUrl,
  testKafka,
  TopicRecorder,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';

/**
 * The outbox relay of a real service against the real broker: events larger than usual, and
 * two instances over one database, the relaying one reaching it through a TCP relay the test
 * freezes, as a failover or a host gone silent leaves a session (open, no answer, no error).
 */
const runId = uniqueRunId();
const kafka = testKafka();
let proxy: TcpProxy;
let first: RunningService;
let second: RunningService;

/** Sessions holding or trying for the relay's lock. */
const relaySessions = async () =>
  ((await second.dataSource.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'antq-outbox-relay'")) as { n: number }[])[0].n;

/** Writes rows to the outbox as a change would: in one statement, in order. */
const appendRows = (topic: string, key: string, ids: string[], payloads: string[]) =>
  second.dataSource.query(
    `INSERT INTO outbox_messages (event_id, topic, message_key, event_type, payload)
     SELECT id, $2, $3, 'antq.units.unit-updated.v1', payload FROM unnest($1::uuid[], $4::text[]) WITH ORDINALITY AS x(id, payload, n) ORDER BY n`,
    [ids, topic, key, payloads],
  );

const publishedIds = (recorder: TopicRecorder) => recorder.messages.map((m) => (JSON.parse(m.value!.toString()) as { id: string }).id);

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  const database = testDatabaseUrl(runId, UNITS_REGISTRY.service);
  proxy = await TcpProxy.before(database);
  first = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId, { DATABASE_URL: proxy.via(database) });
  // The first instance relays; the second stands by.
  await eventually(async () => expect(await first.dataSource.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'antq-outbox-relay' AND datname = current_database()")).toEqual([{ n: 1 }]));
  second = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
});

afterAll(async () => {
  // Cut, not thawed: whatever the first instance was waiting on fails, and it can stop.
  await proxy?.cut();
  await dropTestDatabases([first, second].filter(Boolean));
  await proxy?.stop();
  await deleteRunTopics(runId, kafka);
});

it('publishes, in order, a backlog of one key larger than the broker takes in one record batch', async () => {
  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  const recorder = await new TopicRecorder(kafka, topic).start();
  try {
    // Three events of 400 kB on one key: one partition, 1.2 MB together, over the broker's 1 MB.
    const key = randomUUID();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await appendRows(topic, key, ids, ids.map((id) => JSON.stringify({ id, padding: 'x'.repeat(400_000) })));
    await eventually(() => expect(publishedIds(recorder)).toEqual(ids), 30_000);
    const [{ left }] = (await second.dataSource.query('SELECT count(*)::int AS left FROM outbox_messages WHERE event_id = ANY($1::uuid[])', [ids])) as { left: number }[];
    expect(left).toBe(0);
  } finally {
    await recorder.stop();
  }
});

it('passes the relaying to the other instance once the relaying one’s session stops answering', async () => {
  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  const recorder = await new TopicRecorder(kafka, topic).start();
  try {
    proxy.freeze();
    const id = randomUUID();
    await appendRows(topic, id, [id], [JSON.stringify({ id })]);
    // The first stands down within its check; its session closes, the server lets the lock go, and the second relays.
    await eventually(() => expect(publishedIds(recorder).filter((published) => published === id)).toEqual([id]), 30_000);
    expect(await relaySessions()).toBe(1);
  } finally {
    await recorder.stop();
  }
}, 45_000);
