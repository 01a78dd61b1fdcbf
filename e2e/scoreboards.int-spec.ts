import { randomUUID } from 'node:crypto';
import { CampaignsModule, CAMPAIGNS, ScoreboardRecompute, ScoreboardService } from '@antq/app-campaigns';
import { EVENT_TOPICS, type CloudEvent, type EventType, type UnitSnapshot, type UnitStatusChangedData } from '@antq/contracts';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  produceRaw,
  runTopic,
  startTestService,
  testEvent,
  testKafka,
  testToken,
  TopicRecorder,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';

/** A small deterministic PRNG, so that a failing stream can be replayed from its seed. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Event = CloudEvent<UnitSnapshot | UnitStatusChangedData>;

/** The sources as they would be: a tree with versions and statuses with sequences, and every event they emitted. */
class World {
  readonly units = new Map<string, UnitSnapshot>();
  readonly statuses = new Map<string, { status: string; grade: string | null; score: number | null; sequence: number }>();
  readonly events: { topic: 'units' | 'assessments'; event: Event }[] = [];
  constructor(private readonly random: () => number) {}

  pick<T>(list: T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  active(kind: string) {
    return [...this.units.values()].filter((u) => u.kind === kind && u.status === 'active');
  }

  unitEvent(type: EventType, unit: UnitSnapshot, extra: object = {}) {
    this.units.set(unit.unitId, unit);
    this.events.push({ topic: 'units', event: envelope(type, unit.unitId, { ...unit, ...extra }) });
  }

  create(kind: UnitSnapshot['kind'], parentId: string | null) {
    const unitId = randomUUID();
    this.unitEvent('antq.units.unit-created.v1', { unitId, code: `R-${unitId.slice(0, 8)}`, name: `${kind} ${unitId.slice(0, 4)}`, kind, subtype: null, parentId, tags: [], status: 'active', effectiveFrom: '2024-01-01', version: 1 });
    return unitId;
  }

  move(unitId: string, parentId: string) {
    const unit = this.units.get(unitId)!;
    this.unitEvent('antq.units.unit-moved.v1', { ...unit, parentId, version: unit.version + 1, effectiveFrom: '2024-06-01' }, { fromParentId: unit.parentId, toParentId: parentId });
  }

  close(unitId: string, successorId: string) {
    const unit = this.units.get(unitId)!;
    this.unitEvent('antq.units.unit-closed.v1', { ...unit, status: 'closed', version: unit.version + 1, effectiveFrom: '2024-06-01' }, { reason: 'merged', successorIds: [successorId] });
  }

  status(unitId: string, programme: string) {
    const unit = this.units.get(unitId)!;
    const key = `${unitId}|${programme}`;
    const before = this.statuses.get(key);
    const graded = programme === 'movement-classification';
    const status = this.pick(['recognised', 'recognised', 'not-recognised', 'revoked', 'lapsed']);
    const score = graded ? Math.floor(this.random() * 100) : null;
    const grade = graded ? (score! >= 90 ? 'excellent' : score! >= 70 ? 'good' : score! >= 50 ? 'average' : 'weak') : null;
    const after = { status, grade, score, sequence: (before?.sequence ?? 0) + 1 };
    this.statuses.set(key, after);
    const snapshot = (s?: typeof after) => ({ status: s?.status ?? 'unassessed', grade: s?.grade ?? null, score: s?.score ?? null, since: '2024-06-01', validUntil: null });
    const data: UnitStatusChangedData = {
      unitId,
      unitKind: unit.kind,
      programme,
      before: snapshot(before) as UnitStatusChangedData['before'],
      after: snapshot(after) as UnitStatusChangedData['after'],
      effectiveFrom: '2024-06-01',
      source: 'assessment',
      assessmentId: null,
      sequence: after.sequence,
    };
    this.events.push({ topic: 'assessments', event: envelope('antq.assessments.unit-status-changed.v1', unitId, data) });
  }
}

/** The stream's events in the platform envelope, one agency and correlation for the whole stream. */
function envelope(type: EventType, subject: string, data: object): Event {
  return testEvent(type, subject, data as never, { source: '/antq/test', agency: 'test', principal: 'stream', correlationId: 'stream' }) as Event;
}

/** Builds a long random history with tree changes in the middle. */
function randomWorld(seed: number, steps: number): World {
  const world = new World(prng(seed));
  const provinces = [world.create('province', null), world.create('province', null)];
  const districts = Array.from({ length: 6 }, (_, i) => world.create('district', provinces[i % 2]));
  for (let i = 0; i < 60; i++) world.create('commune', districts[i % 6]);
  for (let step = 0; step < steps; step++) {
    const roll = world.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const communes = world.active('commune');
    if (roll < 6 && communes.length) world.status(world.pick(communes).unitId, world.pick(['drug-free', 'movement-classification']));
    else if (roll === 6 && communes.length) world.move(world.pick(communes).unitId, world.pick(world.active('district')).unitId);
    else if (roll === 7) world.create('commune', world.pick(world.active('district')).unitId);
    else if (roll === 8 && communes.length > 2) {
      // a merge: two communes close, a new one takes their place
      const [a, b] = [world.pick(communes), world.pick(communes)];
      const target = world.create('commune', a.parentId ?? null);
      for (const source of new Set([a.unitId, b.unitId])) world.close(source, target);
      world.status(target, 'drug-free');
    } else if (roll === 9) {
      // a district moves to the other province with all its communes
      const district = world.pick(world.active('district'));
      world.move(district.unitId, provinces.find((p) => p !== district.parentId) ?? provinces[0]);
    }
  }
  return world;
}

/** Delivery as a real network gives it: duplicates, redeliveries, and some events of a unit swapped. */
function perturb(world: World, random: () => number) {
  const list = [...world.events];
  for (let i = 0; i + 1 < list.length; i++) {
    if (random() < 0.1 && list[i].event.subject === list[i + 1].event.subject) [list[i], list[i + 1]] = [list[i + 1], list[i]];
  }
  const extra = list.filter(() => random() < 0.15);
  return [...list, ...extra.sort(() => random() - 0.5)];
}

const runId = uniqueRunId();
const kafka = testKafka();
let instances: RunningService[] = [];

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  // Two instances of the campaigns service in one consumer group, sharing the database.
  instances = [await startTestService(CAMPAIGNS, (env) => CampaignsModule.forRoot(env), runId)];
  if (process.env['STREAM_INSTANCES'] !== '1') {
    instances.push(await startTestService(CAMPAIGNS, (env) => CampaignsModule.forRoot(env), runId, { OUTBOX_RELAY_ENABLED: 'false' }));
  }
});

afterAll(async () => {
  await dropTestDatabases(instances);
  await deleteRunTopics(runId, kafka);
});

it('keeps scoreboards equal to a recomputation through long random streams, with two instances', async () => {
  const [first] = instances;
  const world = randomWorld(Number(process.env['STREAM_SEED'] ?? 20241231), Number(process.env['STREAM_STEPS'] ?? 1_500));
  const deliveries = perturb(world, prng(7));
  const byTopic = { units: runTopic(runId, EVENT_TOPICS.units.name), assessments: runTopic(runId, EVENT_TOPICS.assessments.name) };
  for (let i = 0; i < deliveries.length; i += 200) {
    const chunk = deliveries.slice(i, i + 200);
    for (const topic of ['units', 'assessments'] as const) {
      const messages = chunk.filter((d) => d.topic === topic).map((d) => ({ key: d.event.subject, value: JSON.stringify(d.event) }));
      if (messages.length) await produceRaw(kafka, byTopic[topic], messages);
    }
  }
  const distinct = new Set(world.events.map((e) => e.event.id)).size;
  await eventually(async () => {
    const [{ n }] = (await first.dataSource.query('SELECT count(*)::int AS n FROM processed_events')) as { n: number }[];
    expect(n).toBe(distinct);
  }, 60_000, 250).catch(async (error: unknown) => {
    const rows = await first.dataSource.query('SELECT event_type, count(*)::int AS n FROM processed_events GROUP BY 1');
    throw new Error(`${String(error)}\nprocessed: ${JSON.stringify(rows)} of ${distinct}`);
  });

  // The replicas hold the sources' final state...
  const units = (await first.dataSource.query('SELECT unit_id, parent_id, status, version FROM replica_units')) as { unit_id: string; parent_id: string | null; status: string; version: number }[];
  expect(new Map(units.map((u) => [u.unit_id, [u.parent_id, u.status, u.version]]))).toEqual(
    new Map([...world.units.values()].map((u) => [u.unitId, [u.parentId ?? null, u.status, u.version]])),
  );
  const statuses = (await first.dataSource.query('SELECT unit_id, programme, status, sequence FROM status_replica')) as { unit_id: string; programme: string; status: string; sequence: number }[];
  expect(new Map(statuses.map((s) => [`${s.unit_id}|${s.programme}`, [s.status, s.sequence]]))).toEqual(new Map([...world.statuses].map(([k, s]) => [k, [s.status, s.sequence]])));

  // ...and once the queue of units to reconcile is empty (a quiet moment), the scoreboards
  // kept incrementally equal a recomputation from them.
  await eventually(async () => expect(await first.app.get(ScoreboardService).queued(first.dataSource.manager)).toBe(0), 60_000, 100);
  expect(await (await fetch(`${first.url}/metrics`)).text()).toMatch(/antq_scoreboards_backlog{state="pending"[^}]*} 0\n/);
  const recompute = first.app.get(ScoreboardRecompute);
  const expected = await recompute.compute(first.dataSource.manager);
  expect(expected.totals.length).toBeGreaterThan(5);
  expect(expected.counts.length).toBeGreaterThan(10);
  expect(await recompute.stored(first.dataSource.manager)).toEqual(expected);

  // The rebuild command gives the same answer.
  const admin = new ApiClient(first.url, testToken('ca-nghe-an', ['admin']));
  expect((await admin.post('/scoreboards/rebuild')).status).toBe(200);
  expect(await recompute.stored(first.dataSource.manager)).toEqual(expected);

  // And the read API sums up: a province's communes by status.
  const province = [...world.units.values()].find((u) => u.kind === 'province')!;
  const board = (await admin.get(`/scoreboards/${province.unitId}?programme=drug-free`)).body;
  const communes = board.kinds.find((k: { kind: string }) => k.kind === 'commune');
  expect(Object.values(communes.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(communes.total);
});

it('announces every scoreboard a rebuild corrects, in the rebuild, and nothing when all were right', async () => {
  const [first] = instances;
  const recorder = await new TopicRecorder(kafka, runTopic(runId, EVENT_TOPICS.campaigns.name)).start();
  const admin = new ApiClient(first.url, testToken('ca-nghe-an', ['admin']));
  const rebuild = async (correlationId: string) => {
    const response = await fetch(`${first.url}/scoreboards/rebuild`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testToken('ca-nghe-an', ['admin'])}`, 'x-correlation-id': correlationId },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { corrected: number };
  };
  const announced = (correlationId: string) =>
    recorder
      .events('antq.campaigns.scoreboard-updated.v1')
      .filter((e) => e.correlationid === correlationId)
      .map((e) => e.data);
  try {
    const unchanged = `rebuild-${randomUUID()}`;
    expect(await rebuild(unchanged)).toMatchObject({ corrected: 0 });
    // A scoreboard gone wrong (a lost update, a hand edit): one unit counts one unit too many.
    const [wrong] = (await first.dataSource.query(
      "SELECT unit_id, kind, status, grade FROM scoreboard_counts WHERE programme = 'drug-free' AND count > 0 ORDER BY unit_id, kind, status, grade LIMIT 1",
    )) as { unit_id: string; kind: string; status: string; grade: string }[];
    await first.dataSource.query("UPDATE scoreboard_counts SET count = count + 1 WHERE unit_id = $1 AND programme = 'drug-free' AND kind = $2 AND status = $3 AND grade = $4", [
      wrong.unit_id,
      wrong.kind,
      wrong.status,
      wrong.grade,
    ]);
    const correcting = `rebuild-${randomUUID()}`;
    expect(await rebuild(correcting)).toMatchObject({ corrected: 1 });
    const board = (await admin.get(`/scoreboards/${wrong.unit_id}?programme=drug-free`)).body as { kinds: unknown[] };
    // Subscribers see the corrected scoreboard, as the incremental path would have announced it...
    await eventually(() => expect(announced(correcting)).toEqual([{ unitId: wrong.unit_id, programme: 'drug-free', kinds: board.kinds }]), 30_000);
    // ...and a rebuild that corrected nothing (published before it) announced nothing.
    expect(announced(unchanged)).toEqual([]);
  } finally {
    await recorder.stop();
  }
});
