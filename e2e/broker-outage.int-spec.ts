import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CampaignsModule, CAMPAIGNS } from '@antq/app-campaigns';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { EVENT_TOPICS } from '@antq/contracts';
import { eventsConsumed, OutboxRelay } from '@antq/messaging';
import {
  createRunTopics,
  dropTestDatabases,
  eventually,
  PrivateBroker,
  runTopic,
  startTestService,
  testKafka,
  testToken,
  TopicRecorder,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';

const UNITS = 60;
const runId = uniqueRunId();
const broker = new PrivateBroker();
const token = testToken('ca-nghe-an', ['admin'], 'outage-test');
let services: RunningService[] = [];

/** How many unit-created events the replicas (all in this process) have counted with `outcome`. */
async function consumed(outcome: 'applied' | 'duplicate'): Promise<number> {
  const { values } = await eventsConsumed.get();
  return values.find((v) => v.labels['type'] === 'antq.units.unit-created.v1' && v.labels['outcome'] === outcome)?.value ?? 0;
}

async function count(service: RunningService, sql: string): Promise<number> {
  const [row] = (await service.dataSource.query(sql)) as { n: number }[];
  return row.n;
}

beforeAll(async () => {
  await broker.up();
  await createRunTopics(runId, testKafka(broker.brokers));
  const env = { KAFKA_BROKERS: broker.brokers };
  services = [
    await startTestService(UNITS_REGISTRY, (e) => UnitsRegistryModule.forRoot(e), runId, env),
    await startTestService(ASSESSMENTS, (e) => AssessmentsModule.forRoot(e), runId, env),
    await startTestService(CAMPAIGNS, (e) => CampaignsModule.forRoot(e), runId, env),
    await startTestService(NOTIFICATIONS, (e) => NotificationsModule.forRoot(e), runId, env),
  ];
});

afterAll(async () => {
  await dropTestDatabases(services);
  await broker.destroy();
});

it('loses no event and applies none twice when the broker stops while units are created', async () => {
  const [registry, ...replicas] = services;
  const create = async (i: number) => {
    const response = await fetch(`${registry.url}/units`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: `OUT-${i}`, name: `Tỉnh ${i}`, kind: 'province' }),
    });
    expect(response.status).toBe(201);
  };

  const before = { applied: await consumed('applied'), duplicate: await consumed('duplicate') };
  for (let i = 0; i < UNITS / 3; i++) await create(i);
  const stopping = broker.down();
  for (let i = UNITS / 3; i < (2 * UNITS) / 3; i++) await create(i);
  await stopping;

  // The registry keeps accepting changes; their events wait in the outbox.
  for (let i = (2 * UNITS) / 3; i < UNITS; i++) await create(i);
  expect((await fetch(`${registry.url}/health/ready`)).status).toBe(503);
  expect(await count(registry, 'SELECT count(*)::int AS n FROM outbox_messages')).toBeGreaterThan(0);
  // What the outbox gauges report meanwhile: the waiting events, the oldest already seconds old.
  const waiting = await registry.app.get(OutboxRelay).pending();
  expect(waiting.count).toBe(await count(registry, 'SELECT count(*)::int AS n FROM outbox_messages'));
  expect(waiting.oldestSeconds).toBeGreaterThan(0);

  await broker.up();

  for (const replica of replicas) {
    await eventually(async () => expect(await count(replica, 'SELECT count(*)::int AS n FROM replica_units')).toBe(UNITS), 120_000, 200);
  }
  await eventually(async () => expect(await count(registry, 'SELECT count(*)::int AS n FROM outbox_messages')).toBe(0));

  const expected = (await registry.dataSource.query(
    'SELECT u.id, u.code, v.name, v.version FROM units u JOIN unit_versions v ON v.unit_id = u.id AND v.version = u.latest_version ORDER BY u.code',
  )) as Record<string, unknown>[];
  for (const replica of replicas) {
    // Exactly one recorded effect per event: nothing applied twice, nothing missing.
    expect(
      await count(replica, `SELECT count(*)::int AS n FROM processed_events WHERE event_type = 'antq.units.unit-created.v1'`),
    ).toBe(UNITS);
    const rows = (await replica.dataSource.query('SELECT unit_id AS id, code, name, version FROM replica_units ORDER BY code')) as Record<string, unknown>[];
    expect(rows).toEqual(expected);
  }
  await eventually(async () => expect((await fetch(`${registry.url}/health/ready`)).status).toBe(200));

  // What the topic holds: every unit's event, each id once or, where the relay published it
  // again after the outage, more than once. Each replica applied each id exactly once; every
  // extra copy, and every record redelivered because its offset could not be committed while
  // the broker was away, was taken for a duplicate.
  const recorder = await new TopicRecorder(testKafka(broker.brokers), runTopic(runId, EVENT_TOPICS.units.name)).start();
  try {
    const records = await eventually(() => {
      const created = recorder.events('antq.units.unit-created.v1');
      expect(new Set(created.map((e) => e.data.code))).toEqual(new Set(expected.map((u) => u.code)));
      return created;
    });
    const copies = records.length - new Set(records.map((e) => e.id)).size;
    expect((await consumed('applied')) - before.applied).toBe(replicas.length * UNITS);
    expect((await consumed('duplicate')) - before.duplicate).toBeGreaterThanOrEqual(replicas.length * copies);
  } finally {
    await recorder.stop();
  }
});
