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
 * Two instances of a service over one database; the one relaying reaches it through a TCP
 * relay the test freezes, as a failover or a host gone silent leaves a session: open, with
 * no answer and no error. The relaying must pass to the other instance.
 */
const runId = uniqueRunId();
const kafka = testKafka();
let proxy: TcpProxy;
let first: RunningService;
let second: RunningService;

const relaySessions = async () =>
  ((await second.dataSource.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'antq-outbox-relay'")) as { n: number }[])[0].n;

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  const database = testDatabaseUrl(runId, UNITS_REGISTRY.service);
  proxy = await new TcpProxy(new URL(database).hostname, Number(new URL(database).port || 5432)).start();
  first = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId, { DATABASE_URL: proxy.via(database) });
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

it('passes the relaying to the other instance once the relaying one’s session stops answering', async () => {
  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  const recorder = await new TopicRecorder(kafka, topic).start();
  try {
    proxy.freeze();
    const id = randomUUID();
    await second.dataSource.query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, event_type, payload) VALUES ($1, $2, $3, 'antq.units.unit-updated.v1', $4)`,
      [id, topic, id, JSON.stringify({ id })],
    );
    // The first stands down within its check; its session closes, the server lets the lock go, and the second relays.
    await eventually(() => expect(recorder.messages.map((m) => (JSON.parse(m.value!.toString()) as { id: string }).id)).toEqual([id]), 30_000);
    expect(await relaySessions()).toBe(1);
  } finally {
    await recorder.stop();
  }
}, 45_000);
