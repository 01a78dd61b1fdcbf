import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { EVENT_TOPICS, type CloudEvent } from '@antq/contracts';
import {
  ApiClient,
  createRunTopics,
  drugFreeRevocation,
  runTopic,
  startTestService,
  testKafka,
  testToken,
  uniqueRunId,
  unitCreatedEvent,
  type RunningService,
} from '@antq/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { removeRunFromBroker, stopAndDrop } from './lib/cleanup';
import { benchScale, serviceOverrides, UNTHROTTLED } from './lib/config';
import { formatMs, formatRate, printReport, progress } from './lib/report';
import { runAsScript } from './lib/runner';
import { distribution, round } from './lib/stats';
import { epochNow, now, paced, waitUntil } from './lib/timing';

/**
 * Alerts per second raised from the event stream (rule matched, alert, feed items, pending
 * webhook delivery and alert-raised event in the consumer's transaction); webhook
 * deliveries per second to a local receiver (signed POST, attempt logged, delivered event);
 * and the latency from producing the triggering event to the webhook arriving, at a steady
 * moderate rate.
 */
const NAME = 'notifications';
const STEADY_RATE = 50;
const STEADY_SECONDS = 10;

/** The province, its districts and their communes the alerts are about: each alert has a unit path and two responsible agencies. */
const DISTRICTS = 10;
const COMMUNES_PER_DISTRICT = 20;

interface BenchTree {
  events: CloudEvent[];
  province: string;
  districts: string[];
  communes: string[];
}

function benchTree(): BenchTree {
  const province = unitCreatedEvent({ code: 'BENCH-P', name: 'Tỉnh Đo Kiểm' });
  const districts = Array.from({ length: DISTRICTS }, (_, d) =>
    unitCreatedEvent({ code: `BENCH-D${d}`, name: `Huyện ${d + 1}`, kind: 'district', parentId: province.subject }),
  );
  const communes = districts.flatMap((district, d) =>
    Array.from({ length: COMMUNES_PER_DISTRICT }, (_, c) => unitCreatedEvent({ code: `BENCH-C${d}-${c}`, name: `Xã ${d + 1}.${c + 1}`, kind: 'commune', parentId: district.subject })),
  );
  return { events: [province, ...districts, ...communes], province: province.subject, districts: districts.map((e) => e.subject), communes: communes.map((e) => e.subject) };
}

/** Revocations of the tree's communes in turn, each a new fact (the next sequence of its commune), so that each raises its own alert. */
function revocations(communes: string[]): () => CloudEvent {
  let next = 0;
  return () => {
    const unitId = communes[next % communes.length];
    const event = drugFreeRevocation(unitId, { source: '/antq/bench', agency: 'antq-bench', principal: 'bench', correlationId: 'bench' });
    event.data.sequence = 2 + Math.floor(next++ / communes.length);
    return event;
  };
}

async function count(service: RunningService, sql: string): Promise<number> {
  const [row] = (await service.dataSource.query(sql)) as { n: number }[];
  return row.n;
}

export async function main(): Promise<void> {
  const alerts = Math.max(500, Math.round(benchScale().events / 4));
  const runId = uniqueRunId();
  const kafka = testKafka();
  const topic = runTopic(runId, EVENT_TOPICS.assessments.name);
  await createRunTopics(runId, kafka);
  const arrivals = new Map<string, number>();
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const at = epochNow();
      const trigger = (JSON.parse(body) as CloudEvent<{ triggerEventId: string }>).data.triggerEventId;
      arrivals.set(trigger, at);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverPort = (receiver.address() as AddressInfo).port;
  const services: RunningService[] = [];
  let producer: Producer | undefined;
  const env = { ...UNTHROTTLED, LOG_LEVEL: 'warn', WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32', ...serviceOverrides() };
  try {
    const connected = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    producer = connected;
    await connected.connect();
    const send = (events: CloudEvent[]) => connected.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });

    // 1. Alerts from the stream, with the delivery worker off: only the raising is measured.
    const raising = await startTestService(NOTIFICATIONS, (e) => NotificationsModule.forRoot(e), runId, { ...env, DELIVERY_WORKER_ENABLED: 'false' });
    services.push(raising);
    const tree = benchTree();
    await connected.send({ topic: runTopic(runId, EVENT_TOPICS.units.name), acks: -1, messages: tree.events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
    await waitUntil('the tree in the replica', async () => (await count(raising, 'SELECT count(*)::int AS n FROM replica_units')) === tree.events.length, 60_000, 50);
    const admin = new ApiClient(raising.url, testToken('antq-bench', ['admin']));
    // The province's police answer for the province, each district's for its district.
    const responsibilities: [string, string[]][] = [['ca-tinh', [tree.province]], ...tree.districts.map((d, i): [string, string[]] => [`ca-huyen-${i + 1}`, [d]])];
    for (const [agency, unitIds] of responsibilities) {
      const set = await admin.request('PUT', `/responsibilities/${agency}`, { unitIds });
      if (set.status !== 200) throw new Error(`responsibilities: ${set.status} ${JSON.stringify(set.body)}`);
    }
    const revocation = revocations(tree.communes);
    const hook = await admin.post('/webhooks', { url: `http://127.0.0.1:${receiverPort}/alerts` });
    if (hook.status !== 201) throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
    await send([revocation()]);
    await waitUntil('the warm-up alert', async () => (await count(raising, 'SELECT count(*)::int AS n FROM alerts')) === 1, 60_000, 50);

    progress(NAME, `alerts: ${alerts} revocations through the drug-free rule`);
    const events = Array.from({ length: alerts }, revocation);
    let started = now();
    for (let i = 0; i < events.length; i += 500) await send(events.slice(i, i + 500));
    await waitUntil('every alert', async () => (await count(raising, 'SELECT count(*)::int AS n FROM alerts')) === alerts + 1, 300_000, 50);
    const alertSeconds = (now() - started) / 1000;
    // Each alert went to the commune's district police and the province's, in their feeds.
    const feedItems = await count(raising, 'SELECT count(*)::int AS n FROM feed_items');
    if (feedItems !== 2 * (alerts + 1)) throw new Error(`${feedItems} feed items for ${alerts + 1} alerts: each should reach two agencies`);
    await raising.stop();

    // 2. The same service with its worker on drains the pending webhook deliveries.
    progress(NAME, `webhooks: ${alerts + 1} pending deliveries to a local receiver`);
    arrivals.clear();
    const delivering = await startTestService(NOTIFICATIONS, (e) => NotificationsModule.forRoot(e), runId, env);
    services.push(delivering);
    await waitUntil('every delivery', () => arrivals.size === alerts + 1, 300_000, 20);
    const times = [...arrivals.values()].sort((a, b) => a - b);
    const deliverySeconds = (times[times.length - 1] - times[0]) / 1000;
    await waitUntil('every delivery recorded', async () => (await count(delivering, `SELECT count(*)::int AS n FROM deliveries WHERE state = 'delivered'`)) === alerts + 1, 120_000, 50);

    // 3. Latency at a steady rate: event produced -> signed webhook received.
    progress(NAME, `latency: ${STEADY_RATE}/s for ${STEADY_SECONDS} s`);
    const sentAt = new Map<string, number>();
    started = now();
    await paced(STEADY_RATE, STEADY_SECONDS, async () => {
      const event = revocation();
      sentAt.set(event.id, epochNow());
      await send([event]);
    });
    await waitUntil('the steady-rate webhooks', () => [...sentAt.keys()].every((id) => arrivals.has(id)), 60_000);
    const latency = distribution([...sentAt].map(([id, at]) => (arrivals.get(id) as number) - at));

    printReport({
      benchmark: NAME,
      title: 'Notifications: alerts from the event stream, webhook deliveries, event-to-webhook latency',
      sections: [
        {
          title: `throughput (${alerts} drug-free revocations of ${tree.communes.length} communes, one rule match each, two responsible agencies' feeds, one webhook)`,
          rows: [
            ['alerts raised', formatRate(alerts / alertSeconds)],
            ['webhook deliveries', formatRate(alerts / deliverySeconds)],
          ],
        },
        {
          title: `latency at ${STEADY_RATE} events/s (event produced to Kafka -> signed webhook received)`,
          rows: [
            ['p50', formatMs(latency.p50)],
            ['p95', formatMs(latency.p95)],
            ['p99', formatMs(latency.p99)],
            ['max', formatMs(latency.max)],
          ],
        },
      ],
      notes: [
        `Alert raising: per event, rule lookup and condition, unit path from the replica (a province, ${DISTRICTS} districts, ${DISTRICTS * COMMUNES_PER_DISTRICT} communes), recipients (the district's and the province's police, by responsibility), alert row (unique dedupe key), their feed items, the pending delivery and alert-raised in the outbox, in the consumer batch transaction.`,
        'Deliveries: claimed with FOR UPDATE SKIP LOCKED (DELIVERY_CONCURRENCY=16 in flight), HMAC-signed POST to a receiver in this process, attempt logged and notification-delivered written in one transaction each.',
        'The service, the receiver and the load generator share one Node process and the machine with the broker and PostgreSQL.',
      ],
      figures: {
        alerts,
        alertsPerSecond: round(alerts / alertSeconds),
        webhookDeliveriesPerSecond: round(alerts / deliverySeconds),
        latencyP50Ms: round(latency.p50),
        latencyP95Ms: round(latency.p95),
        latencyP99Ms: round(latency.p99),
        latencyMaxMs: round(latency.max),
      },
    });
  } finally {
    await producer?.disconnect();
    await stopAndDrop(services.slice(-1));
    await new Promise((resolve) => receiver.close(resolve));
    await removeRunFromBroker(kafka, runId, NAME);
  }
}

if (require.main === module) runAsScript(NAME, main);
