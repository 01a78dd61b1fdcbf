import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { deadLetterTopic, EVENT_TOPICS } from '@antq/contracts';
import {
  ApiClient,
  awaitReplicated,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  runTopic,
  startTestService,
  TcpProxy,
  testDatabaseUrl,
  testKafka,
  testToken,
  TopicRecorder,
  uniqueRunId,
  UnitFixtures,
  type RunningService,
} from '@antq/testing';

/**
 * The notifications service reaches its database through a relay the test cuts: PostgreSQL
 * going away must cost time, never an event, and callers must hear that they may retry.
 */
const runId = uniqueRunId();
const kafka = testKafka();
let proxy: TcpProxy;
let registry: RunningService;
let notifications: RunningService;
let deadLetters: TopicRecorder;

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  const database = testDatabaseUrl(runId, NOTIFICATIONS.service);
  proxy = await TcpProxy.before(database);
  registry = await startTestService(UNITS_REGISTRY, UnitsRegistryModule.forRoot, runId);
  notifications = await startTestService(NOTIFICATIONS, NotificationsModule.forRoot, runId, { DATABASE_URL: proxy.via(database) });
  deadLetters = await new TopicRecorder(kafka, runTopic(runId, deadLetterTopic(NOTIFICATIONS.service).name)).start();
});

afterAll(async () => {
  await proxy?.restore();
  await deadLetters?.stop();
  await dropTestDatabases([registry, notifications].filter(Boolean));
  await proxy?.stop();
  await deleteRunTopics(runId, kafka);
});

it('while its database is unreachable a service answers 503 and is not ready; events wait, none is dead-lettered, and all apply once it is back', async () => {
  const reader = new ApiClient(notifications.url, testToken('ca-nghe-an', ['viewer']));
  const units = new UnitFixtures(registry.url, runId);
  const create = (code: string) => units.add(code, 'province', undefined, { name: `Tỉnh ${code}`, effectiveFrom: '2024-01-01' });
  const before = await create('TRUOC');
  await awaitReplicated(notifications, [before]);

  await proxy.cut();
  const read = await fetch(`${notifications.url}/replica/units/${before}`, { headers: { authorization: `Bearer ${testToken('ca-nghe-an', ['viewer'])}` } });
  expect(read.status).toBe(503);
  expect(read.headers.get('retry-after')).toBe('1');
  expect(((await read.json()) as { message: string }).message).toMatch(/nothing was changed: retry shortly/);
  expect((await fetch(`${notifications.url}/health/ready`)).status).toBe(503);

  const during = [];
  for (const code of ['MOT', 'HAI', 'BA', 'BON', 'NAM']) during.push(await create(code));
  // Far longer than the consumer's retries of a failing event (3 attempts, 20 ms apart here) would take to dead-letter it.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect((await reader.get(`/replica/units/${before}`)).status).toBe(503);
  // What operators see meanwhile: the notifications group five records behind on the units topic.
  expect(await unitsLag()).toBe(during.length);

  await proxy.restore();
  await awaitReplicated(notifications, during);
  await eventually(async () => expect((await fetch(`${notifications.url}/health/ready`)).status).toBe(200));
  const [{ n }] = (await notifications.dataSource.query('SELECT count(*)::int AS n FROM replica_units WHERE unit_id = ANY($1::uuid[])', [during])) as { n: number }[];
  expect(n).toBe(during.length);
  expect(deadLetters.messages).toHaveLength(0);
  await eventually(async () => expect(await unitsLag()).toBe(0));
}, 120_000);

/** The notifications consumer's lag on the units topic, summed over partitions, from the metrics endpoint. */
async function unitsLag(): Promise<number> {
  const metrics = await (await fetch(`${registry.url}/metrics`)).text();
  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  return [...metrics.matchAll(/antq_consumer_lag\{([^}]*)\} (\d+)/g)]
    .filter(([, labels]) => labels.includes(`group="${runId}.notifications"`) && labels.includes(`topic="${topic}"`))
    .reduce((sum, [, , lag]) => sum + Number(lag), 0);
}
