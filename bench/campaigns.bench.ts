import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AssessmentsModule, AssessmentsService, ASSESSMENTS } from '@antq/app-assessments';
import { CampaignsModule, CampaignsService, CAMPAIGNS, ProgressService, ScoreboardRecompute, ScoreboardService } from '@antq/app-campaigns';
import { CREATING, readVnAdmin, TreeService, UnitImporter, UnitsRegistryModule, UNITS_REGISTRY, type VnAdminFile } from '@antq/app-units-registry';
import { EVENT_TOPICS, type Actor, type CloudEvent, type ScoreboardUpdatedData, type StatusSnapshot, type UnitStatusChangedData } from '@antq/contracts';
import type { AntqClsStore } from '@antq/messaging';
import { ApiClient, createRunTopics, DRUG_FREE_RESULTS, runTopic, startTestService, testEvent, testKafka, testToken, uniqueRunId, type RunningService } from '@antq/testing';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import { ClsService } from 'nestjs-cls';
import type { DataSource } from 'typeorm';
import type { AssessmentsWorkerReply, AssessmentsWorkerRequest } from './campaigns/assessments.worker';
import { removeRunFromBroker, stopAndDrop } from './lib/cleanup';
import { benchScale, serviceOverrides, UNTHROTTLED } from './lib/config';
import { analyzeDatabases, serverSetting, vacuumDatabases } from './lib/database';
import { profiled, profileRows, type CpuProfile } from './lib/profile';
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
const STATUS_TYPE = 'antq.assessments.unit-status-changed.v1' as const;
/** The throughput stream flips a graded programme; the latency run recognises under drug-free, so their sequences never meet. */
const STREAM_PROGRAMME = 'movement-classification';
const LATENCY_PROGRAMME = 'drug-free';
const SEND_CHUNK = 1_000;
const PREP_CONCURRENCY = 16;
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
  return testEvent(STATUS_TYPE, data.unitId, data, { source: `/antq/${ASSESSMENTS.service}`, agency: ACTOR.agency, principal: ACTOR.principal });
}

/**
 * The assessments service on a worker thread of its own (its own event loop, as its own
 * process has in a deployment), reached over HTTP; its database is read through a pool here.
 */
interface AssessmentsThread extends RunningService {
  /** Runs `work` under the CPU profiler of the assessments thread; writes the profile to `file`. */
  profiled<T>(file: string, work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }>;
}

async function startAssessmentsWorker(runId: string, env: Record<string, string>): Promise<AssessmentsThread> {
  const worker = new Worker(join(__dirname, 'campaigns', 'assessments.worker.js'), { workerData: { runId, env } });
  const ready = await new Promise<{ url: string; databaseUrl: string }>((resolve, reject) => {
    worker.once('message', (reply: AssessmentsWorkerReply) => ('ready' in reply ? resolve(reply) : reject(new Error(`assessments worker: ${JSON.stringify(reply)}`))));
    worker.once('error', reject);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  const pool = new Pool({ connectionString: ready.databaseUrl, max: 2, application_name: 'antq-bench' });
  let stopped = false;
  return {
    definition: ASSESSMENTS,
    app: undefined as never,
    url: ready.url,
    databaseUrl: ready.databaseUrl,
    dataSource: { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows } as unknown as DataSource,
    async profiled<T>(file: string, work: () => Promise<T>) {
      const answer = <R extends AssessmentsWorkerReply>(request: AssessmentsWorkerRequest, accept: (reply: AssessmentsWorkerReply) => reply is R) =>
        new Promise<R>((resolve, reject) => {
          const listen = (reply: AssessmentsWorkerReply) => {
            if ('error' in reply) reject(new Error(`assessments worker: ${reply.error}`));
            else if (!accept(reply)) return;
            else resolve(reply);
            worker.off('message', listen);
          };
          worker.on('message', listen);
          worker.postMessage(request);
        });
      await answer({ profile: 'start' }, (r): r is { profiling: true } => 'profiling' in r);
      const result = await work();
      const { profiled: profile } = await answer({ profile: 'stop', file }, (r): r is { profiled: CpuProfile } => 'profiled' in r);
      return { result, profile };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pool.end();
      const done = new Promise<void>((resolve) => worker.on('message', (reply: AssessmentsWorkerReply) => ('stopped' in reply || 'error' in reply) && resolve()));
      worker.postMessage('stop');
      await withTimeout('the assessments worker to stop', done, 30_000).catch(() => undefined);
      await worker.terminate();
    },
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

/** Sends `events` status changes, waits until campaigns has applied them all and its scoreboard and progress queues are empty, then checks the scoreboards against a recomputation. */
async function throughputRun(producer: Producer, topic: string, campaigns: RunningService, stream: StatusStream, events: number): Promise<ThroughputRun> {
  const batch = stream.next(events);
  const before = await processedStatusEvents(campaigns);
  const started = now();
  await send(producer, topic, batch);
  const sentSeconds = (now() - started) / 1000;
  const scoreboards = campaigns.app.get(ScoreboardService);
  const targets = campaigns.app.get(ProgressService);
  await waitUntil(
    'campaigns to apply the status changes, reconcile the scoreboards and re-evaluate the campaigns',
    async () =>
      (await processedStatusEvents(campaigns)) >= before + events &&
      (await scoreboards.queued(campaigns.dataSource.manager)) === 0 &&
      (await targets.queued(campaigns.dataSource.manager)) === 0,
    60_000 + events * 10,
    50,
  );
  const seconds = (now() - started) / 1000;
  const checkStarted = now();
  await checkScoreboards(campaigns, stream);
  // And every running campaign's progress equals a measurement from the sources.
  const { targetsChanged } = await campaigns.app.get(CampaignsService).rebuild();
  if (targetsChanged) throw new Error(`${targetsChanged} campaign targets differed from a measurement from the sources`);
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
        const draft = await api.post<{ id: string }>('/assessments', { unitId, programme: LATENCY_PROGRAMME, cycle: 2025, results: DRUG_FREE_RESULTS, evidence: ['doc://self-assessment.pdf'] });
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

/**
 * Campaigns running while measured, as in a province's working year: BENCH_CAMPAIGNS of them
 * (default one per province; 0 measures the scoreboards alone), each scoped to a province over
 * the stream's dates, with a count target under the stream's programme and a share and a
 * district count under the recognitions' one. Every status batch then also finds the
 * campaigns it moves and re-evaluates their targets.
 */
async function startCampaigns(campaigns: RunningService, communes: Commune[]): Promise<number> {
  const provinces = [...new Set(communes.map((c) => c.province))].sort();
  const wanted = process.env['BENCH_CAMPAIGNS'] === undefined ? provinces.length : Number(process.env['BENCH_CAMPAIGNS']);
  if (!Number.isInteger(wanted) || wanted < 0) throw new Error(`BENCH_CAMPAIGNS must be a whole number, got "${process.env['BENCH_CAMPAIGNS']}"`);
  const api = new ApiClient(campaigns.url, testToken('antq-bench', ['admin']));
  for (let i = 0; i < wanted; i++) {
    const created = await api.post('/campaigns', {
      name: `Bench campaign ${i + 1}`,
      scopeUnitId: provinces[i % provinces.length],
      periodStart: '2025-01-01',
      periodEnd: '2026-12-31',
      targets: [
        { kind: 'count', programme: STREAM_PROGRAMME, unitKind: 'commune', mode: 'increase', goal: 50 },
        { kind: 'share', programme: LATENCY_PROGRAMME, unitKind: 'commune', goal: 30 },
        { kind: 'count', programme: LATENCY_PROGRAMME, unitKind: 'district', mode: 'absolute', goal: 2 },
      ],
    });
    if (created.status !== 201) throw new Error(`campaign: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return wanted;
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
  /** Recognise calls that failed (the service overloaded); their latency is not counted. */
  failed: number;
  statuses: number;
  latency: ReturnType<typeof distribution>;
  /** Sent -> the recognise call returned (committed in assessments). */
  responded: ReturnType<typeof distribution>;
  /** Sent -> its unit-status-changed event consumed from the assessments topic. */
  statusEvent: ReturnType<typeof distribution>;
  /** Until campaigns wrote the scoreboard event (its `time`, same clock): the rest is relay, broker and consumer. */
  boardWritten: ReturnType<typeof distribution>;
  /** Until the relay had produced it to Kafka (the record's timestamp, same clock). */
  boardProduced: ReturnType<typeof distribution>;
  profile?: Row[];
  /** CPU self time of the assessments thread (split layout). */
  assessmentsProfile?: Row[];
  rate: number;
}

/** Recognise requests at a steady rate -> scoreboard-updated of the commune's district, consumed from the campaigns topic. */
async function latencyRun(
  kafka: Kafka,
  runId: string,
  services: { assessments: RunningService; campaigns: RunningService },
  steady: Commune[],
  /** Drug-free recognitions per district so far, across runs. */
  recognisedSoFar: Map<string, number>,
  rate: number,
  seconds: number,
  via: 'http' | 'service',
  profileFile?: string,
): Promise<LatencyRun> {
  const { assessments, campaigns } = services;
  const api = new ApiClient(assessments.url, testToken('antq-bench', ['admin']));
  progress(NAME, `latency: preparing ${steady.length} assessments (draft, submit, verify)`);
  const prepared = await prepare(api, steady.map((c) => c.id));
  const watched = new Set(steady.map((c) => c.district));
  const arrivals = new Map<string, { at: number; written: number; produced: number; recognised: number }[]>();
  const statusArrivals = new Map<string, number>();
  const respondedAt = new Map<string, number>();
  const assessmentsTopic = runTopic(runId, EVENT_TOPICS.assessments.name);
  const consumer = kafka.consumer({ groupId: `bench-${runId}-${rate}` });
  try {
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.connect();
    await consumer.subscribe({ topics: [runTopic(runId, EVENT_TOPICS.campaigns.name), assessmentsTopic], fromBeginning: false });
    // Only watches: committing its offsets would add a request per batch to the load measured.
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        const at = epochNow();
        if (topic === assessmentsTopic) {
          const status = JSON.parse(message.value?.toString() ?? '{}') as CloudEvent<UnitStatusChangedData>;
          if (status.type === STATUS_TYPE && status.data.programme === LATENCY_PROGRAMME) statusArrivals.set(status.subject, at);
          return;
        }
        const event = JSON.parse(message.value?.toString() ?? '{}') as CloudEvent<ScoreboardUpdatedData>;
        if (event.type !== 'antq.campaigns.scoreboard-updated.v1' || event.data.programme !== LATENCY_PROGRAMME || !watched.has(event.data.unitId)) return;
        const communes = event.data.kinds.find((k) => k.kind === 'commune');
        const list = arrivals.get(event.data.unitId) ?? [];
        list.push({ at, written: Date.parse(event.time), produced: Number(message.timestamp), recognised: communes?.byStatus['recognised'] ?? 0 });
        arrivals.set(event.data.unitId, list);
      },
    });
    await withTimeout('the latency consumer to join', joined, 60_000);
    await sleep(1_000);
    const sentAt = new Map<string, number>();
    /** The k-th recognition in a district shows as a district board with at least k recognised communes. */
    const nth = new Map<string, number>();
    const statusBefore = await count(campaigns, 'SELECT count(*)::int AS n FROM status_replica WHERE programme = $1', [LATENCY_PROGRAMME]);
    progress(NAME, `latency: ${rate} recognitions/s for ${seconds} s through ${via === 'http' ? 'POST /assessments/:id/recognise' : 'AssessmentsService.step in process'}`);
    const service = via === 'service' ? assessments.app.get(AssessmentsService) : undefined;
    const cls = via === 'service' ? assessments.app.get<ClsService<AntqClsStore>>(ClsService) : undefined;
    const recognise = async (commune: Commune): Promise<void> => {
      const id = prepared.get(commune.id) as string;
      const decision = { decisionNumber: `QD-${commune.id.slice(0, 8)}`, decisionDate: '2025-02-01' };
      if (via === 'http') {
        const response = await api.post(`/assessments/${id}/recognise`, decision);
        if (response.status !== 200) throw new Error(`recognise: ${response.status} ${JSON.stringify(response.body)}`);
        return;
      }
      // What the HTTP layer does around the service: the acting agency and a correlation id in the request context.
      const context = cls as ClsService<AntqClsStore>;
      await context.run(async () => {
        context.set('actor', ACTOR);
        context.set('correlationId', randomUUID());
        await (service as AssessmentsService).step(id, 'recognise', decision, ACTOR);
      });
    };
    const started = now();
    let late = 0;
    const failures: string[] = [];
    // With a profile asked for, the main thread is profiled, and the assessments thread too where it has one.
    const thread = profileFile && 'profiled' in assessments ? (assessments as AssessmentsThread) : undefined;
    const profiledBoth = async (work: () => Promise<unknown>): Promise<{ profile?: CpuProfile; assessmentsProfile?: CpuProfile }> => {
      if (!thread) return profiled(profileFile, work);
      const { result, profile } = await thread.profiled((profileFile as string).replace(/\.cpuprofile$/, '.assessments.cpuprofile'), () => profiled(profileFile, work));
      return { profile: result.profile, assessmentsProfile: profile };
    };
    const { profile, assessmentsProfile } = await profiledBoth(() =>
      paced(rate, seconds, async (i, dueAt) => {
        const commune = steady[i];
        if (now() - dueAt > 50) late++;
        sentAt.set(commune.id, epochNow());
        try {
          await recognise(commune);
          respondedAt.set(commune.id, epochNow());
        } catch (error) {
          // Counted and reported: an overloaded service fails requests (no free database connection within 5 s).
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }),
    );
    const sendingSeconds = (now() - started) / 1000;
    const recognised = steady.filter((c) => respondedAt.has(c.id));
    if (failures.length) progress(NAME, `  ${failures.length} of ${steady.length} recognitions failed, first: ${failures[0]}`);
    // A district's recognitions are seconds apart, so they commit in the order sent.
    for (const c of recognised) {
      const k = (recognisedSoFar.get(c.district) ?? 0) + 1;
      recognisedSoFar.set(c.district, k);
      nth.set(c.id, k);
    }
    const boardOf = (c: Commune) => arrivals.get(c.district)?.find((a) => a.recognised >= (nth.get(c.id) as number) && a.at >= (sentAt.get(c.id) as number));
    await waitUntil('the district scoreboard events', () => recognised.every((c) => boardOf(c) !== undefined), 120_000, 50);
    const latency = distribution(recognised.map((c) => (boardOf(c)?.at as number) - (sentAt.get(c.id) as number)));
    const boardWritten = distribution(recognised.map((c) => (boardOf(c)?.written as number) - (sentAt.get(c.id) as number)));
    const boardProduced = distribution(recognised.map((c) => (boardOf(c)?.produced as number) - (sentAt.get(c.id) as number)));
    const statusAfter = await count(campaigns, 'SELECT count(*)::int AS n FROM status_replica WHERE programme = $1', [LATENCY_PROGRAMME]);
    await checkLatencyRun(campaigns);
    const since = (times: Map<string, number>) => distribution(steady.flatMap((c) => (times.has(c.id) ? [(times.get(c.id) as number) - (sentAt.get(c.id) as number)] : [])));
    return { rate, profile: profile && profileRows(profile), assessmentsProfile: assessmentsProfile && profileRows(assessmentsProfile), failed: failures.length, recognitions: steady.length, sendingSeconds, late, statuses: statusAfter - statusBefore, latency, responded: since(respondedAt), statusEvent: since(statusArrivals), boardWritten, boardProduced };
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

export async function main(): Promise<void> {
  if (!existsSync(DATA)) throw new Error(`The national data file is missing: ${DATA} (set BENCH_VN_ADMIN)`);
  const scale = benchScale();
  // The aim is stated at 200 recognitions/s; 50/s first shows the path when assessments keeps up. BENCH_RATE / --rate runs one rate only.
  const rates = explicitSetting('rate', 'BENCH_RATE') ? [scale.rate] : (process.env['BENCH_RATES'] ?? '50,200').split(',').map(Number);
  if (rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`BENCH_RATES must list positive rates, got "${process.env['BENCH_RATES']}"`);
  const analyze = process.env['BENCH_ANALYZE'] === '1';
  const vacuum = process.env['BENCH_VACUUM'] === '1';
  const cpuProfile = process.env['BENCH_CPU_PROFILE'] || undefined;
  const via = process.env['BENCH_RECOGNISE'] === 'service' ? 'service' : 'http';
  // split: assessments on a worker thread of its own; shared: every service on this one thread.
  const layout = process.env['BENCH_LAYOUT'] === 'shared' || via === 'service' ? 'shared' : 'split';
  // As the assessments benchmark runs it; BENCH_ASSESSMENTS_POOL changes it (see the notes on pool starvation in bench/README.md).
  const assessmentsPool = process.env['BENCH_ASSESSMENTS_POOL'] || '20';
  const parts = new Set((process.env['BENCH_PARTS'] ?? 'throughput,latency').split(',').map((p) => p.trim()));
  const { rows } = readVnAdmin(JSON.parse(readFileSync(DATA, 'utf8')) as VnAdminFile, '2024-01-01', '2025-07-01');
  const runId = uniqueRunId();
  const kafka = testKafka();
  const load = loadavg();
  const autovacuum = await serverSetting('autovacuum');
  await createRunTopics(runId, kafka);
  const services: RunningService[] = [];
  let producer: Producer | undefined;
  try {
    const env = { ...UNTHROTTLED, LOG_LEVEL: 'warn', ...serviceOverrides() };
    const registry = await startTestService(UNITS_REGISTRY, (e) => UnitsRegistryModule.forRoot(e), runId, env);
    services.push(registry);
    const assessments =
      layout === 'split'
        ? await startAssessmentsWorker(runId, { ...env, DATABASE_POOL_SIZE: assessmentsPool })
        : await startTestService(ASSESSMENTS, (e) => AssessmentsModule.forRoot(e), runId, { ...env, DATABASE_POOL_SIZE: assessmentsPool });
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
      await registry.app.get(TreeService).change(ACTOR, (set) => registry.app.get(UnitImporter).createAll(set, rows, '2024-01-01'), CREATING);
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
    const running = await startCampaigns(campaigns, tree);
    progress(NAME, `${running} campaigns running (BENCH_CAMPAIGNS), each scoped to a province with three targets`);

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
      if (vacuum) await vacuumDatabases([campaigns.databaseUrl]);
      progress(NAME, `throughput ${i + 1}/${scale.repeat}: ${scale.events} status changes`);
      const file = i === 0 && cpuProfile ? `${cpuProfile}.campaigns.cpuprofile` : undefined;
      const { result, profile: cpu } = await profiled(file, () => throughputRun(producer as Producer, assessmentsTopic, campaigns, stream, scale.events));
      if (cpu) profile = profileRows(cpu);
      runs.push(result);
      progress(NAME, `  ${formatRate(result.perSecond)} (sent in ${round(result.sentSeconds, 2)} s, applied in ${round(result.seconds, 2)} s; scoreboards and progress equal the recomputation)`);
    }
    const median = runs.length ? medianBy(runs, (r) => r.perSecond) : undefined;

    const latencies: LatencyRun[] = [];
    const order = roundRobinByDistrict(tree);
    const recognisedSoFar = new Map<string, number>();
    for (const [i, rate] of (parts.has('latency') ? rates : []).entries()) {
      const steady = order.splice(0, Math.round(rate * scale.seconds));
      if (steady.length < Math.round(rate * scale.seconds)) throw new Error(`Not enough communes left for ${rate}/s for ${scale.seconds} s`);
      const file = cpuProfile && i === rates.length - 1 ? `${cpuProfile}.latency.cpuprofile` : undefined;
      latencies.push(await latencyRun(kafka, runId, { assessments, campaigns }, steady, recognisedSoFar, rate, scale.seconds, via, file));
    }

    const end = loadavg();
    printReport({
      benchmark: NAME,
      title: 'Campaigns: scoreboards on the national tree',
      sections: [
        {
          title: 'national tree (registry import -> assessments and campaigns replicas)',
          rows: [
            ['provinces / districts / communes', `${provinces} / ${districts} / ${tree.length}`],
            ['imported and replicated in', `${round(loadSeconds, 1)} s`],
            ['campaigns running while measured', `${running} (3 targets each, one province each)`],
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
                  ['check against ScoreboardRecompute and a campaigns rebuild', `equal after every run (${round(median.checkSeconds, 2)} s)`],
                ] as Row[],
              },
            ]
          : []),
        ...latencies.map((latency) => ({
          title: `latency at ${latency.rate} recognitions/s for ${scale.seconds} s (${via === 'http' ? 'POST recognise sent' : 'AssessmentsService.step called'} -> scoreboard-updated of its district consumed)`,
          rows: [
            ['recognitions', `${latency.recognitions} in ${round(latency.sendingSeconds, 2)} s (${latency.late} sent > 50 ms late)`],
            ['failed (not in the figures below)', `${latency.failed}`],
            ['statuses replicated in campaigns', `${latency.statuses}`],
            ['p50', formatMs(latency.latency.p50)],
            ['p95', formatMs(latency.latency.p95)],
            ['p99', formatMs(latency.latency.p99)],
            ['max', formatMs(latency.latency.max)],
            ['  recognise returned: p50 / p99', `${formatMs(latency.responded.p50)} / ${formatMs(latency.responded.p99)}`],
            ['  unit-status-changed consumed: p50 / p99', `${formatMs(latency.statusEvent.p50)} / ${formatMs(latency.statusEvent.p99)} (${latency.statusEvent.count} seen)`],
            ['  scoreboard-updated written: p50 / p99', `${formatMs(latency.boardWritten.p50)} / ${formatMs(latency.boardWritten.p99)}`],
            ['  scoreboard-updated on Kafka: p50 / p99', `${formatMs(latency.boardProduced.p50)} / ${formatMs(latency.boardProduced.p99)}`],
          ] as Row[],
        })),
        ...(profile ? [{ title: 'CPU self time of the main thread (registry, campaigns) during the first throughput run', rows: profile }] : []),
        ...latencies.flatMap((l) => (l.profile ? [{ title: `CPU self time of the main thread while recognising at ${l.rate}/s`, rows: l.profile }] : [])),
        ...latencies.flatMap((l) => (l.assessmentsProfile ? [{ title: `CPU self time of the assessments thread while recognising at ${l.rate}/s`, rows: l.assessmentsProfile }] : [])),
      ],
      notes: [
        'Aims: at least 2,000 status changes/s; p99 under 250 ms at 200 recognitions/s.',
        `Registry, assessments and campaigns run in this one process, ${layout === 'split' ? 'assessments on a worker thread of its own (BENCH_LAYOUT=split), registry and campaigns on the main thread' : 'all on one event loop (BENCH_LAYOUT=shared)'}; the recognitions go through ${via === 'http' ? 'HTTP' : 'the assessments service layer in process (BENCH_RECOGNISE=service)'}, prepared beforehand up to verified through HTTP.`,
        `Load average ${load.map((x) => x.toFixed(2)).join(' ')} at the start, ${end.map((x) => x.toFixed(2)).join(' ')} at the end; PostgreSQL autovacuum = ${autovacuum}${analyze ? ' (ANALYZE before measuring)' : ''}${vacuum ? ' (VACUUM before each throughput run)' : ''}.`,
      ],
      figures: {
        provinces,
        districts,
        communes: tree.length,
        loadSeconds: round(loadSeconds, 1),
        campaigns: running,
        ...(median
          ? {
              statusChangesPerSecond: round(median.perSecond),
              statusChangesPerSecondRuns: runs.map((r) => round(r.perSecond)).join(','),
              scoreboardsEqualRecompute: true,
              progressEqualsRebuild: true,
            }
          : {}),
        ...(latencies.length ? { latencyVia: via, layout, assessmentsPool: Number(assessmentsPool) } : {}),
        ...Object.fromEntries(
          latencies.flatMap((l) => [
            [`at${l.rate}Failed`, l.failed],
            [`at${l.rate}LatencyP50Ms`, round(l.latency.p50)],
            [`at${l.rate}LatencyP95Ms`, round(l.latency.p95)],
            [`at${l.rate}LatencyP99Ms`, round(l.latency.p99)],
            [`at${l.rate}LatencyMaxMs`, round(l.latency.max)],
            [`at${l.rate}RecogniseP50Ms`, round(l.responded.p50)],
            [`at${l.rate}RecogniseP99Ms`, round(l.responded.p99)],
            [`at${l.rate}StatusEventP50Ms`, round(l.statusEvent.p50)],
            [`at${l.rate}StatusEventP99Ms`, round(l.statusEvent.p99)],
            [`at${l.rate}BoardWrittenP50Ms`, round(l.boardWritten.p50)],
            [`at${l.rate}BoardWrittenP99Ms`, round(l.boardWritten.p99)],
            [`at${l.rate}BoardProducedP50Ms`, round(l.boardProduced.p50)],
            [`at${l.rate}BoardProducedP99Ms`, round(l.boardProduced.p99)],
          ]),
        ),
      },
    });
  } finally {
    await producer?.disconnect().catch(() => undefined);
    await stopAndDrop(services);
    await removeRunFromBroker(kafka, runId, NAME);
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
