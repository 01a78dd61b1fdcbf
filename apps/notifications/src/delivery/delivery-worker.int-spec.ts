import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENT_TOPICS } from '@antq/contracts';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  drugFreeRevocation,
  dropTestDatabases,
  eventually,
  produceRaw,
  runTopic,
  startTestService,
  testKafka,
  testToken,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';
import { NotificationsModule } from '../app.module';
import { NOTIFICATIONS } from '../service.definition';
import { DeliveryWorker } from './delivery.worker';

const ALERTS = 60;
const runId = uniqueRunId();
const kafka = testKafka();
let first: RunningService;
let second: RunningService;
let receiver: Server;
const hits: { delivery: string; attempt: string }[] = [];

const env = () => ({
  WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
  DELIVERY_POLL_INTERVAL_MS: '50',
  DELIVERY_BACKOFF_BASE_MS: '20',
  DELIVERY_BACKOFF_MAX_MS: '100',
  DELIVERY_CONCURRENCY: '4',
});

const revoked = () => drugFreeRevocation(randomUUID(), { correlationId: 'c-1' });

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const delivery = String(req.headers['antq-delivery']);
      const attempt = String(req.headers['antq-attempt']);
      hits.push({ delivery, attempt });
      // Every third delivery fails its first attempt; answers take tens of milliseconds.
      const fail = attempt === '1' && parseInt(delivery.slice(0, 2), 16) % 3 === 0;
      setTimeout(() => {
        res.statusCode = fail ? 503 : 200;
        res.end();
      }, 30 + Math.random() * 40);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  // Two instances of the service on one database: one consumer group, two delivery workers.
  first = await startTestService(NOTIFICATIONS, (e) => NotificationsModule.forRoot(e), runId, env());
  second = await startTestService(NOTIFICATIONS, (e) => NotificationsModule.forRoot(e), runId, env());
  const created = await new ApiClient(first.url, testToken('ca-nghe-an', ['admin'])).post('/webhooks', { url: `http://127.0.0.1:${port}/all` });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await second?.stop();
  if (first) await dropTestDatabases([first]);
  await new Promise((resolve) => receiver?.close(resolve));
  await deleteRunTopics(runId, kafka);
});

it('two instances, one stopping midway, deliver every alert once: no attempt sent twice, none lost', async () => {
  const events = Array.from({ length: ALERTS }, revoked);
  await produceRaw(kafka, runTopic(runId, EVENT_TOPICS.assessments.name), events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
  // The first instance stops (gracefully) once it has delivered some; the second carries on.
  const firstWorker = first.app.get(DeliveryWorker);
  await eventually(() => expect(firstWorker.finishedCount).toBeGreaterThan(0), 30_000, 5);
  await first.stop();

  const states = await eventually(async () => {
    const rows = (await second.dataSource.query(`SELECT state, count(*)::int AS n FROM deliveries GROUP BY state`)) as { state: string; n: number }[];
    expect(rows).toEqual([{ state: 'delivered', n: ALERTS }]);
    return rows;
  }, 60_000);
  expect(states).toHaveLength(1);

  const deliveries = (await second.dataSource.query(`SELECT id, attempts FROM deliveries`)) as { id: string; attempts: number }[];
  const sent = new Map<string, string[]>();
  for (const hit of hits) sent.set(hit.delivery, [...(sent.get(hit.delivery) ?? []), hit.attempt]);
  expect(sent.size).toBe(ALERTS);
  for (const { id, attempts } of deliveries) {
    // Each attempt reached the receiver exactly once, in order: 1, or 1 then 2 after a 503.
    expect({ id, attempts: sent.get(id) }).toEqual({ id, attempts: Array.from({ length: attempts }, (_, i) => String(i + 1)) });
  }
  const [{ logged }] = (await second.dataSource.query(`SELECT count(*)::int AS logged FROM delivery_attempts`)) as { logged: number }[];
  expect(logged).toBe(hits.length);
  // Both instances delivered, and between them exactly every alert.
  expect(firstWorker.finishedCount + second.app.get(DeliveryWorker).finishedCount).toBe(ALERTS);
  expect(second.app.get(DeliveryWorker).finishedCount).toBeGreaterThan(0);
  // Nothing left waiting, as the backlog gauge says.
  expect(await (await fetch(`${second.url}/metrics`)).text()).toMatch(/antq_deliveries_backlog{state="pending"[^}]*} 0\n/);
});
