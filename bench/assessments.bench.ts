import 'reflect-metadata';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CREATING, TreeService, UnitImporter, UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { EVENT_TOPICS, type Actor, type CloudEvent, type UnitStatusChangedData } from '@antq/contracts';
import type { AntqClsStore } from '@antq/messaging';
import {
  ApiClient,
  createRunTopics,
  dropTestDatabases,
  DRUG_FREE_RESULTS,
  runTopic,
  startTestService,
  testKafka,
  testToken,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';
import type { Consumer } from 'kafkajs';
import { ClsService } from 'nestjs-cls';
import { removeRunFromBroker } from './lib/cleanup';
import { benchScale, serviceOverrides, UNTHROTTLED } from './lib/config';
import { formatMs, formatRate, printReport, progress } from './lib/report';
import { runAsScript } from './lib/runner';
import { distribution, round } from './lib/stats';
import { epochNow, now, paced, waitUntil } from './lib/timing';

/**
 * Recognitions through the API (draft, submit, verify, recognise: four requests each, as the
 * agencies make them) per second, and the time from sending the recognise request to its
 * unit-status-changed event arriving from Kafka (the request's own handling included), at
 * a steady moderate rate.
 */
const NAME = 'assessments';
const CONCURRENCY = 16;
const STEADY_RATE = 20;
const STEADY_SECONDS = 10;
const ACTOR: Actor = { agency: 'antq-bench', principal: 'bench', roles: ['admin'] };
async function recognise(api: ApiClient, unitId: string, decisionDate: string, beforeRecognise?: () => void): Promise<void> {
  const draft = await api.post('/assessments', { unitId, programme: 'drug-free', cycle: 2024, results: DRUG_FREE_RESULTS });
  if (draft.status !== 201) throw new Error(`draft: ${draft.status} ${JSON.stringify(draft.body)}`);
  for (const [step, body] of [
    ['submit', { evidence: ['doc://self-assessment.pdf'] }],
    ['verify', {}],
    ['recognise', { decisionNumber: `QD-${unitId.slice(0, 8)}`, decisionDate }],
  ] as const) {
    if (step === 'recognise') beforeRecognise?.();
    const response = await api.post(`/assessments/${draft.body.id}/${step}`, body);
    if (response.status !== 200) throw new Error(`${step}: ${response.status} ${JSON.stringify(response.body)}`);
  }
}

export async function main(): Promise<void> {
  const communes = Math.max(200, Math.round(benchScale().events / 20));
  const runId = uniqueRunId();
  const kafka = testKafka();
  await createRunTopics(runId, kafka);
  const services: RunningService[] = [];
  let consumer: Consumer | undefined;
  try {
    const registry = await startTestService(UNITS_REGISTRY, (e) => UnitsRegistryModule.forRoot(e), runId, { ...UNTHROTTLED, LOG_LEVEL: 'warn', ...serviceOverrides() });
    services.push(registry);
    const service = await startTestService(ASSESSMENTS, (e) => AssessmentsModule.forRoot(e), runId, { ...UNTHROTTLED, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '20', ...serviceOverrides() });
    services.push(service);

    // A province of 50-commune districts: every recognition also queues its district's re-derivation.
    const total = communes + STEADY_RATE * STEADY_SECONDS;
    const rows = [{ code: 'BP', name: 'Tỉnh Thử', kind: 'province' as const }];
    for (let d = 0; d < Math.ceil(total / 50); d++) rows.push({ code: `BD${d}`, name: `Huyện ${d}`, kind: 'district' as const, parentCode: 'BP' } as never);
    for (let c = 0; c < total; c++) rows.push({ code: `BC${c}`, name: `Xã ${c}`, kind: 'commune' as const, parentCode: `BD${Math.floor(c / 50)}` } as never);
    const cls = registry.app.get<ClsService<AntqClsStore>>(ClsService);
    await cls.run(async () => {
      cls.set('actor', ACTOR);
      cls.set('correlationId', `bench-${runId}`);
      await registry.app.get(TreeService).change(ACTOR, (set) => registry.app.get(UnitImporter).createAll(set, rows.map((row, i) => ({ line: i + 1, row: row as never })), '2020-01-01'), CREATING);
    });
    const [{ ids }] = (await registry.dataSource.query(`SELECT array_agg(id ORDER BY code) AS ids FROM units WHERE kind = 'commune'`)) as { ids: string[] }[];
    await waitUntil('the assessments replica', async () => {
      const [{ n }] = (await service.dataSource.query(`SELECT count(*)::int AS n FROM replica_units`)) as { n: number }[];
      return n >= rows.length;
    }, 120_000, 200);

    const api = new ApiClient(service.url, testToken('antq-bench', ['admin']));
    progress(NAME, `throughput: ${communes} recognitions, ${CONCURRENCY} at a time`);
    const queue = ids.slice(0, communes);
    let started = now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) await recognise(api, id, '2024-06-01');
      }),
    );
    const throughputSeconds = (now() - started) / 1000;

    progress(NAME, `latency: ${STEADY_RATE}/s for ${STEADY_SECONDS} s`);
    const sentAt = new Map<string, number>();
    const arrivedAt = new Map<string, number>();
    consumer = kafka.consumer({ groupId: `bench-${runId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: runTopic(runId, EVENT_TOPICS.assessments.name), fromBeginning: false });
    // Only watches: committing its offsets would add a request per batch to the load measured.
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value?.toString() ?? '{}') as CloudEvent<UnitStatusChangedData>;
        if (event.type !== 'antq.assessments.unit-status-changed.v1' || event.data.source !== 'assessment') return;
        arrivedAt.set(event.subject, epochNow());
      },
    });
    await new Promise((r) => setTimeout(r, 3_000)); // the group settles before the measured load
    const steady = ids.slice(communes);
    started = now();
    await paced(STEADY_RATE, STEADY_SECONDS, async (i) => {
      const id = steady[i];
      await recognise(api, id, '2024-07-01', () => sentAt.set(id, epochNow()));
    });
    await waitUntil('the status events', () => steady.every((id) => arrivedAt.has(id)), 60_000);
    const latency = distribution(steady.map((id) => (arrivedAt.get(id) as number) - (sentAt.get(id) as number)));

    printReport({
      benchmark: NAME,
      title: 'Assessments: recognitions through the API, and recognition to unit-status-changed on Kafka',
      sections: [
        {
          title: `throughput (${communes} communes, ${CONCURRENCY} clients, 4 requests each)`,
          rows: [
            ['recognitions', formatRate(communes / throughputSeconds)],
            ['requests', formatRate((4 * communes) / throughputSeconds)],
          ],
        },
        {
          title: `latency at ${STEADY_RATE} recognitions/s (recognise request sent -> unit-status-changed consumed from Kafka)`,
          rows: [
            ['p50', formatMs(latency.p50)],
            ['p95', formatMs(latency.p95)],
            ['p99', formatMs(latency.p99)],
            ['max', formatMs(latency.max)],
          ],
        },
      ],
      notes: ['Every recognition also queues the re-derivation of its district (50 communes each), which the derivation worker performs after the commit.'],
      figures: {
        recognitionsPerSecond: round(communes / throughputSeconds),
        requestsPerSecond: round((4 * communes) / throughputSeconds),
        latencyP50Ms: round(latency.p50),
        latencyP95Ms: round(latency.p95),
        latencyP99Ms: round(latency.p99),
        latencyMaxMs: round(latency.max),
      },
    });
  } finally {
    await consumer?.disconnect();
    await dropTestDatabases(services);
    await removeRunFromBroker(kafka, runId, NAME);
  }
}

if (require.main === module) runAsScript(NAME, main);
