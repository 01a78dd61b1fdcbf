import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CampaignsModule, CAMPAIGNS, ScoreboardRecompute } from '@antq/app-campaigns';
import { readVnAdmin, TreeService, UnitImporter, UnitsRegistryModule, UNITS_REGISTRY, type VnAdminFile } from '@antq/app-units-registry';
import { EVENT_TOPICS, schemaUri, type Actor, type CloudEvent, type ScoreboardUpdatedData, type StatusSnapshot, type UnitStatusChangedData } from '@antq/contracts';
import type { AntqClsStore } from '@antq/messaging';
import { ApiClient, createRunTopics, deleteRunTopics, runTopic, startTestService, testKafka, testToken, uniqueRunId, type RunningService } from '@antq/testing';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { ClsService } from 'nestjs-cls';
import { stopAndDrop } from './lib/cleanup';
import { benchScale } from './lib/config';
import { analyzeDatabases, serverSetting } from './lib/database';
import { profiled, profileRows } from './lib/profile';
import { formatMs, formatRate, printReport, progress, type Row } from './lib/report';
import { runAsScript } from './lib/runner';
import { distribution, medianBy, round } from './lib/stats';
import { epochNow, now, paced, sleep, waitUntil, withTimeout } from './lib/timing';

/**
 * Scoreboards on the national tree: unit-status changes per second through the campaigns
 * service (status events straight onto the assessments topic, checked against a
 * recomputation afterwards), and the time from a recognise request in assessments to the
 * scoreboard-updated event of the commune's district, at a steady rate.
 */
const NAME = 'campaigns';
const DATA = process.env['BENCH_VN_ADMIN'] ?? resolve(__dirname, '../../../shared/data/vn-admin-2025/new_to_old.json');
const ACTOR: Actor = { agency: 'antq-bench', principal: 'bench', roles: ['admin'] };
const STATUS_TYPE = 'antq.assessments.unit-status-changed.v1';
/** The throughput stream flips a graded programme; the latency run recognises under drug-free, so their sequences never meet. */
const STREAM_PROGRAMME = 'movement-classification';
const LATENCY_PROGRAMME = 'drug-free';
const SEND_CHUNK = 1_000;
const PREP_CONCURRENCY = 16;
const DRUG_FREE = [
  { criterion: 'no-drug-crime', value: true },
  { criterion: 'no-addicts', value: true },
];

interface Commune {
  id: string;
  district: string;
  province: string;
}

/** What the assessments service would have emitted for each commune: its status and sequence under the stream's programme. */
class StatusStream {
  private readonly state = new Map<string, { snapshot: StatusSnapshot; sequence: number }>();
  private cursor = 0;
  private seed = 20250701;

  constructor(private readonly communes: Commune[]) {}

  private random(): number {
    this.seed = (this.seed * 1664525 + 1013904223) >>> 0;
    return this.seed / 2 ** 32;
  }

  /** The next `count` events: round the shuffled communes, each one flipping recognised <-> revoked. */
  next(count: number): CloudEvent<UnitStatusChangedData>[] {
    const events: CloudEvent<UnitStatusChangedData>[] = [];
    for (let i = 0; i < count; i++) {
      const commune = this.communes[this.cursor++ % this.communes.length];
      const previous = this.state.get(commune.id);
      const before: StatusSnapshot = previous?.snapshot ?? { status: 'unassessed', grade: null, score: null, since: null, validUntil: null };
      const score = Math.floor(this.random() * 101);
      const after: StatusSnapshot =
        before.status === 'recognised'
          ? { status: 'revoked', grade: null, score: null, since: '2025-03-01', validUntil: null }
          : { status: 'recognised', grade: score >= 90 ? 'excellent' : score >= 70 ? 'good' : score >= 50 ? 'average' : 'weak', score, since: '2025-01-15', validUntil: '2025-12-31' };
      const sequence = (previous?.sequence ?? 0) + 1;
      this.state.set(commune.id, { snapshot: after, sequence });
      events.push(statusEvent({ unitId: commune.id, unitKind: 'commune', programme: STREAM_PROGRAMME, before, after, effectiveFrom: after.since as string, source: 'assessment', assessmentId: randomUUID(), sequence }));
    }
    return events;
  }

  /** Recognised communes and the sequence of every commune, as the campaigns status replica must now hold them. */
  expected(): { recognised: number; sequences: Map<string, number> } {
    let recognised = 0;
    const sequences = new Map<string, number>();
    for (const [id, { snapshot, sequence }] of this.state) {
      if (snapshot.status === 'recognised') recognised++;
      sequences.set(id, sequence);
    }
    return { recognised, sequences };
  }
}

/** A CloudEvent as the assessments service's EventFactory builds it. */
function statusEvent(data: UnitStatusChangedData): CloudEvent<UnitStatusChangedData> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: `/antq/${ASSESSMENTS.service}`,
    type: STATUS_TYPE,
    subject: data.unitId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: schemaUri(STATUS_TYPE),
    agency: ACTOR.agency,
    principal: ACTOR.principal,
    correlationid: randomUUID(),
    data,
  };
}

async function count(service: RunningService, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = (await service.dataSource.query(sql, params)) as { n: number }[];
  return row.n;
}

const processedStatusEvents = (campaigns: RunningService) => count(campaigns, 'SELECT count(*)::int AS n FROM processed_events WHERE event_type = $1', [STATUS_TYPE]);

/** Sends pre-serialised records in chunks, keyed by unit, as the relay does (idempotent, acks=-1). */
async function send(producer: Producer, topic: string, events: CloudEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += SEND_CHUNK) {
    await producer.send({ topic, acks: -1, messages: events.slice(i, i + SEND_CHUNK).map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
  }
}

interface ThroughputRun {
  events: number;
  seconds: number;
  sentSeconds: number;
  perSecond: number;
  checkSeconds: number;
}

/** Sends `events` status changes, waits until campaigns has applied them all, then checks the scoreboards against a recomputation. */
async function throughputRun(producer: Producer, topic: string, campaigns: RunningService, stream: StatusStream, events: number): Promise<ThroughputRun> {
  const batch = stream.next(events);
  const before = await processedStatusEvents(campaigns);
  const started = now();
  await send(producer, topic, batch);
  const sentSeconds = (now() - started) / 1000;
  await waitUntil('campaigns to apply the status changes', async () => (await processedStatusEvents(campaigns)) >= before + events, 60_000 + events * 10, 50);
  const seconds = (now() - started) / 1000;
  const checkStarted = now();
  await checkScoreboards(campaigns, stream);
  return { events, seconds, sentSeconds, perSecond: events / seconds, checkSeconds: (now() - checkStarted) / 1000 };
}

/** The status replica holds every commune's last change, and the scoreboards equal a recomputation from the replicas. */
async function checkScoreboards(campaigns: RunningService, stream: StatusStream): Promise<void> {
  const { recognised, sequences } = stream.expected();
  const rows = (await campaigns.dataSource.query('SELECT unit_id, sequence, status FROM status_replica WHERE programme = $1', [STREAM_PROGRAMME])) as { unit_id: string; sequence: number; status: string }[];
  const wrong = rows.filter((r) => sequences.get(r.unit_id) !== r.sequence);
  if (rows.length !== sequences.size || wrong.length) {
    throw new Error(`The status replica differs from the stream: ${rows.length} rows for ${sequences.size} communes, ${wrong.length} at another sequence`);
  }
  const held = rows.filter((r) => r.status === 'recognised').length;
  if (held !== recognised) throw new Error(`The status replica holds ${held} recognised communes, the stream ${recognised}`);
  const recompute = campaigns.app.get(ScoreboardRecompute);
  const [expected, stored] = await Promise.all([recompute.compute(campaigns.dataSource.manager), recompute.stored(campaigns.dataSource.manager)]);
  const a = JSON.stringify(expected);
  const b = JSON.stringify(stored);
  if (a !== b) {
    const key = (r: object) => JSON.stringify(r);
    const want = new Set(expected.counts.map(key));
    const have = new Set(stored.counts.map(key));
    const missing = expected.counts.filter((r) => !have.has(key(r))).slice(0, 5);
    const extra = stored.counts.filter((r) => !want.has(key(r))).slice(0, 5);
    throw new Error(
      `SCOREBOARDS DIFFER FROM THE RECOMPUTATION: totals ${stored.totals.length} rows vs ${expected.totals.length}, counts ${stored.counts.length} vs ${expected.counts.length}; ` +
        `expected but missing ${JSON.stringify(missing)}; stored but not expected ${JSON.stringify(extra)}`,
    );
  }
  // The province boards add up to the stream: every recognised commune counted under its province.
  const [{ n }] = (await campaigns.dataSource.query(
    `SELECT COALESCE(sum(c.count), 0)::int AS n FROM scoreboard_counts c JOIN replica_units u ON u.unit_id = c.unit_id
      WHERE u.kind = 'province' AND c.programme = $1 AND c.kind = 'commune' AND c.status = 'recognised'`,
    [STREAM_PROGRAMME],
  )) as { n: number }[];
  if (n !== recognised) throw new Error(`The province scoreboards count ${n} recognised communes, the stream ${recognised}`);
}

/** Drafts, submits and verifies an assessment of each commune, so that only the recognise request remains. */
async function prepare(api: ApiClient, ids: string[]): Promise<Map<string, string>> {
  const assessments = new Map<string, string>();
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: PREP_CONCURRENCY }, async () => {
      for (let unitId = queue.shift(); unitId; unitId = queue.shift()) {
        const draft = await api.post<{ id: string }>('/assessments', { unitId, programme: LATENCY_PROGRAMME, cycle: 2025, results: DRUG_FREE });
        if (draft.status !== 201) throw new Error(`draft: ${draft.status} ${JSON.stringify(draft.body)}`);
        for (const step of ['submit', 'verify']) {
          const response = await api.post(`/assessments/${draft.body.id}/${step}`, {});
          if (response.status !== 200) throw new Error(`${step}: ${response.status} ${JSON.stringify(response.body)}`);
        }
        assessments.set(unitId, draft.body.id);
      }
    }),
  );
  return assessments;
}

/** The communes in an order that visits every district before coming back to one: a district's recognitions are seconds apart. */
function roundRobinByDistrict(communes: Commune[]): Commune[] {
  const byDistrict = new Map<string, Commune[]>();
  for (const c of communes) byDistrict.set(c.district, [...(byDistrict.get(c.district) ?? []), c]);
  const lists = [...byDistrict.values()];
  const order: Commune[] = [];
  for (let round = 0; order.length < communes.length; round++) {
    for (const list of lists) if (round < list.length) order.push(list[round]);
  }
  return order;
}

function explicitSetting(flag: string, env: string): boolean {
  return process.argv.some((a) => a.startsWith(`--${flag}=`)) || !!process.env[env];
}

interface LatencyRun {
  recognitions: number;
  sendingSeconds: number;
  late: number;
  statuses: number;
  latency: ReturnType<typeof distribution>;
}

/** Recognise requests at a steady rate -> scoreboard-updated of the commune's district, consumed from the campaigns topic. */
async function latencyRun(kafka: Kafka, runId: string, assessments: RunningService, campaigns: RunningService, tree: Commune[], rate: number, seconds: number): Promise<LatencyRun> {
  const steadyCount = Math.round(rate * seconds);
  const steady = roundRobinByDistrict(tree).slice(0, steadyCount);
  if (steady.length < steadyCount) throw new Error(`Only ${steady.length} communes for ${steadyCount} recognitions`);
  const api = new ApiClient(assessments.url, testToken('antq-bench', ['admin']));
  progress(NAME, `latency: preparing ${steady.length} assessments (draft, submit, verify)`);
  const prepared = await prepare(api, steady.map((c) => c.id));
  const watched = new Set(steady.map((c) => c.district));
  const arrivals = new Map<string, { at: number; recognised: number }[]>();
  const consumer = kafka.consumer({ groupId: `bench-${runId}` });
  try {
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.connect();
    await consumer.subscribe({ topic: runTopic(runId, EVENT_TOPICS.campaigns.name), fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const at = epochNow();
        const event = JSON.parse(message.value?.toString() ?? '{}') as CloudEvent<ScoreboardUpdatedData>;
        if (event.type !== 'antq.campaigns.scoreboard-updated.v1' || event.data.programme !== LATENCY_PROGRAMME || !watched.has(event.data.unitId)) return;
        const communes = event.data.kinds.find((k) => k.kind === 'commune');
        const list = arrivals.get(event.data.unitId) ?? [];
        list.push({ at, recognised: communes?.byStatus['recognised'] ?? 0 });
        arrivals.set(event.data.unitId, list);
      },
    });
    await withTimeout('the latency consumer to join', joined, 60_000);
    await sleep(1_000);
    const sentAt = new Map<string, number>();
    /** The k-th recognition in a district shows as a district board with at least k recognised communes. */
    const nth = new Map<string, number>();
    const recognisedSoFar = new Map<string, number>();
    const statusBefore = await count(campaigns, 'SELECT count(*)::int AS n FROM status_replica WHERE programme = $1', [LATENCY_PROGRAMME]);
    progress(NAME, `latency: ${rate} recognitions/s for ${seconds} s through POST /assessments/:id/recognise`);
    const started = now();
    let late = 0;
    await paced(rate, seconds, async (i) => {
      const commune = steady[i];
      const k = (recognisedSoFar.get(commune.district) ?? 0) + 1;
      recognisedSoFar.set(commune.district, k);
      nth.set(commune.id, k);
      if (now() - (started + (i * 1000) / rate) > 50) late++;
      sentAt.set(commune.id, epochNow());
      const response = await api.post(`/assessments/${prepared.get(commune.id)}/recognise`, { decisionNumber: `QD-${commune.id.slice(0, 8)}`, decisionDate: '2025-02-01' });
      if (response.status !== 200) throw new Error(`recognise: ${response.status} ${JSON.stringify(response.body)}`);
    });
    const sendingSeconds = (now() - started) / 1000;
    const arrivalOf = (c: Commune) => arrivals.get(c.district)?.find((a) => a.recognised >= (nth.get(c.id) as number) && a.at >= (sentAt.get(c.id) as number))?.at;
    await waitUntil('the district scoreboard events', () => steady.every((c) => arrivalOf(c) !== undefined), 120_000, 50);
    const latency = distribution(steady.map((c) => (arrivalOf(c) as number) - (sentAt.get(c.id) as number)));
    const statusAfter = await count(campaigns, 'SELECT count(*)::int AS n FROM status_replica WHERE programme = $1', [LATENCY_PROGRAMME]);
    await checkLatencyRun(campaigns);
    return { recognitions: steady.length, sendingSeconds, late, statuses: statusAfter - statusBefore, latency };
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

export async function main(): Promise<void> {
  if (!existsSync(DATA)) throw new Error(`The national data file is missing: ${DATA} (set BENCH_VN_ADMIN)`);
  const scale = benchScale();
  // The latency aim is stated at 200 recognitions/s; BENCH_RATE / --rate changes it.
  const rate = explicitSetting('rate', 'BENCH_RATE') ? scale.rate : 200;
  const analyze = process.env['BENCH_ANALYZE'] === '1';
  const cpuProfile = process.env['BENCH_CPU_PROFILE'] || undefined;
  const parts = new Set((process.env['BENCH_PARTS'] ?? 'throughput,latency').split(',').map((p) => p.trim()));
  const { rows } = readVnAdmin(JSON.parse(readFileSync(DATA, 'utf8')) as VnAdminFile, '2024-01-01', '2025-07-01');
  const runId = uniqueRunId();
  const kafka = testKafka();
  const load = [...(await import('node:os')).loadavg()];
  const autovacuum = await serverSetting('autovacuum');
  await createRunTopics(runId, kafka);
  const services: RunningService[] = [];
  let producer: Producer | undefined;
  try {
    const env = { LOG_LEVEL: 'warn' };
    const registry = await startTestService(UNITS_REGISTRY, (e) => UnitsRegistryModule.forRoot(e), runId, env);
    services.push(registry);
    const assessments = await startTestService(ASSESSMENTS, (e) => AssessmentsModule.forRoot(e), runId, { ...env, DATABASE_POOL_SIZE: '20' });
    services.push(assessments);
    const campaigns = await startTestService(CAMPAIGNS, (e) => CampaignsModule.forRoot(e), runId, env);
    services.push(campaigns);

    // The national tree, imported into the registry in one transaction and replicated to assessments and campaigns.
    progress(NAME, `importing the national tree: ${rows.length} units`);
    const cls = registry.app.get<ClsService<AntqClsStore>>(ClsService);
    const started = now();
    await cls.run(async () => {
      cls.set('actor', ACTOR);
      cls.set('correlationId', `bench-${runId}`);
      await registry.app.get(TreeService).change(ACTOR, (set) => registry.app.get(UnitImporter).createAll(set, rows, '2024-01-01'));
    });
    for (const replica of [assessments, campaigns]) {
      await waitUntil(`the ${replica.definition.service} replica`, async () => (await count(replica, 'SELECT count(*)::int AS n FROM replica_units')) >= rows.length, 300_000, 200);
    }
    const loadSeconds = (now() - started) / 1000;
    const tree = (await campaigns.dataSource.query(
      `SELECT c.unit_id AS id, c.parent_id AS district, d.parent_id AS province FROM replica_units c JOIN replica_units d ON d.unit_id = c.parent_id
        WHERE c.kind = 'commune' AND d.kind = 'district' AND c.status = 'active' ORDER BY c.unit_id`,
    )) as Commune[];
    const provinces = new Set(tree.map((c) => c.province)).size;
    const districts = new Set(tree.map((c) => c.district)).size;
    progress(NAME, `tree replicated in ${round(loadSeconds, 1)} s: ${provinces} provinces, ${districts} districts, ${tree.length} communes under a district`);
    if (analyze) await analyzeDatabases(services.map((s) => s.databaseUrl));

    // 1. Throughput: status changes straight onto the assessments topic.
    const stream = new StatusStream(tree);
    const assessmentsTopic = runTopic(runId, EVENT_TOPICS.assessments.name);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    if (parts.has('throughput')) {
      progress(NAME, `warm-up: ${scale.warmup} status changes`);
      await throughputRun(producer, assessmentsTopic, campaigns, stream, scale.warmup);
    }
    if (analyze) await analyzeDatabases([campaigns.databaseUrl]);
    const runs: ThroughputRun[] = [];
    let profile: Row[] | undefined;
    for (let i = 0; parts.has('throughput') && i < scale.repeat; i++) {
      progress(NAME, `throughput ${i + 1}/${scale.repeat}: ${scale.events} status changes`);
      const file = i === 0 && cpuProfile ? `${cpuProfile}.campaigns.cpuprofile` : undefined;
      const { result, profile: cpu } = await profiled(file, () => throughputRun(producer as Producer, assessmentsTopic, campaigns, stream, scale.events));
      if (cpu) profile = profileRows(cpu);
      runs.push(result);
      progress(NAME, `  ${formatRate(result.perSecond)} (sent in ${round(result.sentSeconds, 2)} s, applied in ${round(result.seconds, 2)} s; scoreboards equal the recomputation)`);
    }
    const median = runs.length ? medianBy(runs, (r) => r.perSecond) : undefined;

    const latency = parts.has('latency') ? await latencyRun(kafka, runId, assessments, campaigns, tree, rate, scale.seconds) : undefined;

    const end = [...(await import('node:os')).loadavg()];
    printReport({
      benchmark: NAME,
      title: 'Campaigns: scoreboards on the national tree',
      sections: [
        {
          title: 'national tree (registry import -> assessments and campaigns replicas)',
          rows: [
            ['provinces / districts / communes', `${provinces} / ${districts} / ${tree.length}`],
            ['imported and replicated in', `${round(loadSeconds, 1)} s`],
          ],
        },
        ...(median
          ? [
              {
                title: `throughput (${scale.events.toLocaleString('en-US')} unit-status-changed events onto the assessments topic; median of ${runs.length})`,
                rows: [
                  ['status changes applied', formatRate(median.perSecond)],
                  ['runs', runs.map((r) => formatRate(r.perSecond)).join(', ')],
                  ['sent to Kafka in', `${round(median.sentSeconds, 2)} s`],
                  ['all applied after', `${round(median.seconds, 2)} s`],
                  ['check against ScoreboardRecompute', `equal after every run (${round(median.checkSeconds, 2)} s)`],
                ] as Row[],
              },
            ]
          : []),
        ...(latency
          ? [
              {
                title: `latency at ${rate} recognitions/s for ${scale.seconds} s (POST recognise sent -> scoreboard-updated of its district consumed)`,
                rows: [
                  ['recognitions', `${latency.recognitions} in ${round(latency.sendingSeconds, 2)} s (${latency.late} sent > 50 ms late)`],
                  ['statuses replicated in campaigns', `${latency.statuses} (communes and derived districts and provinces)`],
                  ['p50', formatMs(latency.latency.p50)],
                  ['p95', formatMs(latency.latency.p95)],
                  ['p99', formatMs(latency.latency.p99)],
                  ['max', formatMs(latency.latency.max)],
                ] as Row[],
              },
            ]
          : []),
        ...(profile ? [{ title: 'CPU self time during the first throughput run (this process: all services)', rows: profile }] : []),
      ],
      notes: [
        'Aims: at least 2,000 status changes/s; p99 under 250 ms at 200 recognitions/s.',
        `Registry, assessments and campaigns run in this one process (one event loop); the recognitions go through HTTP, prepared beforehand up to verified.`,
        `Load average ${load.map((x) => x.toFixed(2)).join(' ')} at the start, ${end.map((x) => x.toFixed(2)).join(' ')} at the end; PostgreSQL autovacuum = ${autovacuum}${analyze ? ' (ANALYZE before measuring)' : ''}.`,
      ],
      figures: {
        provinces,
        districts,
        communes: tree.length,
        loadSeconds: round(loadSeconds, 1),
        ...(median
          ? {
              statusChangesPerSecond: round(median.perSecond),
              statusChangesPerSecondRuns: runs.map((r) => round(r.perSecond)).join(','),
              scoreboardsEqualRecompute: true,
            }
          : {}),
        ...(latency
          ? {
              latencyRate: rate,
              latencyP50Ms: round(latency.latency.p50),
              latencyP95Ms: round(latency.latency.p95),
              latencyP99Ms: round(latency.latency.p99),
              latencyMaxMs: round(latency.latency.max),
            }
          : {}),
      },
    });
  } finally {
    await producer?.disconnect().catch(() => undefined);
    await stopAndDrop(services);
    await deleteRunTopics(runId, kafka);
  }
}

/** After the latency run too, the scoreboards equal a recomputation (recognitions and derived districts included). */
async function checkLatencyRun(campaigns: RunningService): Promise<void> {
  const recompute = campaigns.app.get(ScoreboardRecompute);
  await waitUntil(
    'the scoreboards to settle after the recognitions',
    async () => JSON.stringify(await recompute.compute(campaigns.dataSource.manager)) === JSON.stringify(await recompute.stored(campaigns.dataSource.manager)),
    60_000,
    500,
  ).catch((error: unknown) => {
    throw new Error(`SCOREBOARDS DIFFER FROM THE RECOMPUTATION after the latency run: ${String(error)}`);
  });
}

if (require.main === module) runAsScript(NAME, main);
