import { randomUUID } from 'node:crypto';
import { CampaignsModule, CAMPAIGNS, ProgressService, SCOREBOARD_LOCK, ScoreboardRecompute, ScoreboardService } from '@antq/app-campaigns';
import { EVENT_TOPICS, type CloudEvent, type EventType, type UnitSnapshot, type UnitStatusChangedData } from '@antq/contracts';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  produceRaw,
  type RunningService,
  runTopic,
  startTestService,
  testEvent,
  testKafka,
  testToken,
  TopicRecorder,
  uniqueRunId,
  whileHolding,
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
  /** Each unit's and programme's status changes as the campaigns history should hold them, by sequence. */
  readonly history = new Map<string, { sequence: number; status: string; validFrom: string }[]>();
  readonly events: { topic: 'units' | 'assessments'; event: Event }[] = [];
  /** How many events there were at the end of each phase of the history. */
  readonly phases: number[] = [];
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

  close(unitId: string, successorIds: string[], reason: 'merged' | 'split' = 'merged') {
    const unit = this.units.get(unitId)!;
    this.unitEvent('antq.units.unit-closed.v1', { ...unit, status: 'closed', version: unit.version + 1, effectiveFrom: '2024-06-01' }, { reason, successorIds });
  }

  /** A split as the registry records it: the successors created, the source closed, then the split keyed by the source. */
  split(unitId: string, parents: string[]) {
    const successorIds = parents.map((parentId) => this.create('commune', parentId));
    this.close(unitId, successorIds, 'split');
    const closed = this.units.get(unitId)!;
    this.events.push({ topic: 'units', event: envelope('antq.units.unit-split.v1', unitId, { ...closed, successorIds, operationId: randomUUID() }) });
    return successorIds;
  }

  status(unitId: string, programme: string, given?: { status: string; score: number; effectiveFrom?: string }) {
    const unit = this.units.get(unitId)!;
    const key = `${unitId}|${programme}`;
    const before = this.statuses.get(key);
    const graded = programme === 'movement-classification';
    const status = given?.status ?? this.pick(['recognised', 'recognised', 'not-recognised', 'revoked', 'lapsed']);
    const score = graded ? (given?.score ?? Math.floor(this.random() * 100)) : null;
    const grade = graded ? (score! >= 90 ? 'excellent' : score! >= 70 ? 'good' : score! >= 50 ? 'average' : 'weak') : null;
    const after = { status, grade, score, sequence: (before?.sequence ?? 0) + 1 };
    this.statuses.set(key, after);
    // Dates in any order across the year: a status may begin before the one it follows (a decision recorded late).
    const effectiveFrom = given?.effectiveFrom ?? `2024-${String(1 + Math.floor(this.random() * 12)).padStart(2, '0')}-01`;
    this.history.set(key, [...(this.history.get(key) ?? []), { sequence: after.sequence, status, validFrom: effectiveFrom }]);
    const snapshot = (s?: typeof after) => ({ status: s?.status ?? 'unassessed', grade: s?.grade ?? null, score: s?.score ?? null, since: effectiveFrom, validUntil: null });
    const data: UnitStatusChangedData = {
      unitId,
      unitKind: unit.kind,
      programme,
      before: snapshot(before) as UnitStatusChangedData['before'],
      after: snapshot(after) as UnitStatusChangedData['after'],
      effectiveFrom,
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

/** Builds a long random history with tree changes (moves, merges, splits) in the middle, in phases. */
function randomWorld(seed: number, steps: number, phases: number): World {
  const world = new World(prng(seed));
  const provinces = [world.create('province', null), world.create('province', null)];
  const districts = Array.from({ length: 6 }, (_, i) => world.create('district', provinces[i % 2]));
  for (let i = 0; i < 60; i++) world.create('commune', districts[i % 6]);
  for (let step = 0; step < steps; step++) {
    if (step && step % Math.ceil(steps / phases) === 0) world.phases.push(world.events.length);
    const roll = world.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const communes = world.active('commune');
    if (roll < 6 && communes.length) world.status(world.pick(communes).unitId, world.pick(['drug-free', 'movement-classification']));
    else if (roll === 6 && communes.length) world.move(world.pick(communes).unitId, world.pick(world.active('district')).unitId);
    else if (roll === 7) world.create('commune', world.pick(world.active('district')).unitId);
    else if (roll === 8 && communes.length > 2) {
      // a merge: two communes close, a new one takes their place
      const [a, b] = [world.pick(communes), world.pick(communes)];
      const target = world.create('commune', a.parentId ?? null);
      for (const source of new Set([a.unitId, b.unitId])) world.close(source, [target]);
      world.status(target, 'drug-free');
    } else if (roll === 10 && communes.length) {
      // a split: a commune closes, two new ones take its place, one of them maybe in another district
      const source = world.pick(communes);
      for (const successor of world.split(source.unitId, [source.parentId!, world.pick(world.active('district')).unitId])) world.status(successor, 'drug-free');
    } else if (roll === 9) {
      // a district moves to the other province with all its communes
      const district = world.pick(world.active('district'));
      world.move(district.unitId, provinces.find((p) => p !== district.parentId) ?? provinces[0]);
    }
  }
  world.phases.push(world.events.length);
  return world;
}

type Delivery = World['events'][number];

/**
 * Delivery as a real network gives it, phase by phase: duplicates nearby and at a distance
 * (events of earlier phases again), older events of a unit after newer ones (within a phase,
 * and held back past a quiet moment into the next phase), redeliveries in any order.
 */
function perturb(world: World, random: () => number): Delivery[][] {
  const phases: Delivery[][] = [];
  let held: Delivery[] = [];
  const delivered: Delivery[] = [];
  world.phases.forEach((end, phase) => {
    const list = [...held, ...world.events.slice(phase ? world.phases[phase - 1] : 0, end)];
    held = [];
    // Some events of a unit swapped with a later one of the same unit, however far apart.
    const bySubject = new Map<string, number[]>();
    list.forEach((d, i) => bySubject.set(d.event.subject, [...(bySubject.get(d.event.subject) ?? []), i]));
    for (const positions of bySubject.values()) {
      if (positions.length < 2 || random() >= 0.2) continue;
      const i = positions[Math.floor(random() * (positions.length - 1))];
      const later = positions.filter((p) => p > i);
      const j = later[Math.floor(random() * later.length)];
      [list[i], list[j]] = [list[j], list[i]];
    }
    // Some held back until after the next quiet moment (not from the last phase).
    const last = phase === world.phases.length - 1;
    const sent = list.filter((d) => (!last && random() < 0.03 ? (held.push(d), false) : true));
    // Redeliveries: of this phase nearby, of earlier phases at a distance.
    const again = [...sent.filter(() => random() < 0.12), ...delivered.filter(() => random() < 0.03)];
    for (const d of again) sent.splice(Math.floor(random() * (sent.length + 1)), 0, d);
    delivered.push(...sent);
    phases.push(sent);
  });
  return phases;
}

/** How often a unit's event was delivered after a newer event of the same unit. */
function inversions(world: World, deliveries: Delivery[]): number {
  const order = new Map(world.events.map((d, i) => [d.event.id, i]));
  const newest = new Map<string, number>();
  let count = 0;
  for (const d of deliveries) {
    const i = order.get(d.event.id)!;
    if (i < (newest.get(d.event.subject) ?? -1)) count++;
    newest.set(d.event.subject, Math.max(i, newest.get(d.event.subject) ?? -1));
  }
  return count;
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
  const world = randomWorld(Number(process.env['STREAM_SEED'] ?? 20241231), Number(process.env['STREAM_STEPS'] ?? 1_500), 3);
  const phases = perturb(world, prng(7));
  const all = phases.flat();
  expect(world.events.filter((d) => d.event.type === 'antq.units.unit-split.v1').length).toBeGreaterThan(5);
  expect(inversions(world, all)).toBeGreaterThan(20);
  const byTopic = { units: runTopic(runId, EVENT_TOPICS.units.name), assessments: runTopic(runId, EVENT_TOPICS.assessments.name) };
  const recompute = first.app.get(ScoreboardRecompute);
  const admin = new ApiClient(first.url, testToken('ca-nghe-an', ['admin']));
  // 2024 campaigns on every district and province, planned after the first phase: ended, so
  // measured on their last day, and moved by the events alone (no daily evaluation of theirs).
  const campaignIds: string[] = [];
  const planCampaigns = async () => {
    const scopes = (await first.dataSource.query("SELECT unit_id FROM replica_units WHERE kind IN ('province', 'district') AND status = 'active' ORDER BY unit_id")) as { unit_id: string }[];
    for (const { unit_id } of scopes) {
      const created = await admin.post('/campaigns', {
        name: `Xã sạch ma túy 2024, ${unit_id.slice(0, 8)}`,
        scopeUnitId: unit_id,
        periodStart: '2024-01-01',
        periodEnd: '2024-12-31',
        targets: [
          { kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'absolute', goal: 8 },
          { kind: 'share', programme: 'drug-free', unitKind: 'commune', goal: 50 },
        ],
      });
      expect({ status: created.status, message: created.body.message }).toEqual({ status: 201, message: undefined });
      campaignIds.push(created.body.id);
    }
  };
  /** Each campaign's stored progress, and as measured afresh from the replicas and the history. */
  const campaignProgress = async () => {
    const stored = [];
    const measured = [];
    for (const id of campaignIds) {
      const campaign = (await admin.get(`/campaigns/${id}`)).body as { targets: { id: string; progress: { value: number; state: string } }[] };
      stored.push(campaign.targets.map((t) => ({ targetId: t.id, value: t.progress.value, state: t.progress.state })));
      const fresh = (await admin.get(`/campaigns/${id}/progress`)).body as { targets: { targetId: string; progress: { value: number; state: string } }[] };
      measured.push(fresh.targets.map((t) => ({ targetId: t.targetId, value: t.progress.value, state: t.progress.state })));
    }
    return { stored, measured };
  };
  const seen = new Set<string>();
  for (const [phase, deliveries] of phases.entries()) {
    for (let i = 0; i < deliveries.length; i += 200) {
      const chunk = deliveries.slice(i, i + 200);
      for (const topic of ['units', 'assessments'] as const) {
        const messages = chunk.filter((d) => d.topic === topic).map((d) => ({ key: d.event.subject, value: JSON.stringify(d.event) }));
        if (messages.length) await produceRaw(kafka, byTopic[topic], messages);
      }
    }
    deliveries.forEach((d) => seen.add(d.event.id));
    await eventually(async () => {
      const [{ n }] = (await first.dataSource.query('SELECT count(*)::int AS n FROM processed_events')) as { n: number }[];
      expect(n).toBe(seen.size);
    }, 60_000, 250).catch(async (error: unknown) => {
      const rows = await first.dataSource.query('SELECT event_type, count(*)::int AS n FROM processed_events GROUP BY 1');
      throw new Error(`phase ${phase}: ${String(error)}\nprocessed: ${JSON.stringify(rows)} of ${seen.size}`);
    });
    // At each quiet moment (everything sent so far consumed, the queues of units to reconcile
    // and of changes to evaluate campaigns for empty), the scoreboards kept incrementally equal
    // a recomputation from the replicas, though some events are still held back.
    await eventually(async () => {
      expect(await first.app.get(ScoreboardService).queued(first.dataSource.manager)).toBe(0);
      expect(await first.app.get(ProgressService).queued(first.dataSource.manager)).toBe(0);
    }, 60_000, 100);
    const stored = await recompute.stored(first.dataSource.manager);
    expect({ phase, ...stored }).toEqual({ phase, ...(await recompute.compute(first.dataSource.manager)) });
    // So is every campaign's progress, though the batches that moved it ran on two instances.
    if (phase === 0) await planCampaigns();
    else {
      const { stored: kept, measured } = await campaignProgress();
      expect({ phase, progress: kept }).toEqual({ phase, progress: measured });
    }
  }
  expect(campaignIds.length).toBeGreaterThan(5);
  expect(seen.size).toBe(new Set(world.events.map((e) => e.event.id)).size);

  // The replicas hold the sources' final state...
  const units = (await first.dataSource.query('SELECT unit_id, parent_id, status, version FROM replica_units')) as { unit_id: string; parent_id: string | null; status: string; version: number }[];
  expect(new Map(units.map((u) => [u.unit_id, [u.parent_id, u.status, u.version]]))).toEqual(
    new Map([...world.units.values()].map((u) => [u.unitId, [u.parentId ?? null, u.status, u.version]])),
  );
  const statuses = (await first.dataSource.query('SELECT unit_id, programme, status, sequence FROM status_replica')) as { unit_id: string; programme: string; status: string; sequence: number }[];
  expect(new Map(statuses.map((s) => [`${s.unit_id}|${s.programme}`, [s.status, s.sequence]]))).toEqual(new Map([...world.statuses].map(([k, s]) => [k, [s.status, s.sequence]])));
  // The status history, though its rows came in any order: each holds until the next one begins, never before its own start.
  const history = (await first.dataSource.query(
    `SELECT unit_id || '|' || programme AS key, sequence, status, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_to, 'YYYY-MM-DD') AS "validTo"
       FROM status_history ORDER BY unit_id, programme, sequence`,
  )) as { key: string; sequence: number; status: string; validFrom: string; validTo: string | null }[];
  const expectedHistory = [...world.history].flatMap(([key, rows]) =>
    rows.map((row, i) => ({ key, ...row, validTo: rows[i + 1] ? (rows[i + 1].validFrom > row.validFrom ? rows[i + 1].validFrom : row.validFrom) : null })),
  );
  const byKey = (a: { key: string; sequence: number }, b: { key: string; sequence: number }) => a.key.localeCompare(b.key) || a.sequence - b.sequence;
  expect(history.sort(byKey)).toEqual(expectedHistory.sort(byKey));
  expect(expectedHistory.filter((row) => row.validTo !== null && row.validTo > row.validFrom).length).toBeGreaterThan(50);
  expect(expectedHistory.filter((row) => row.validTo === row.validFrom).length).toBeGreaterThan(50);

  // ...and the scoreboards equal a recomputation from them.
  const metrics = await (await fetch(`${first.url}/metrics`)).text();
  expect(metrics).toMatch(/antq_scoreboards_backlog{state="pending"[^}]*} 0\n/);
  expect(metrics).toMatch(/antq_progress_backlog{state="pending"[^}]*} 0\n/);
  const expected = await recompute.compute(first.dataSource.manager);
  expect(expected.totals.length).toBeGreaterThan(5);
  expect(expected.counts.length).toBeGreaterThan(10);
  expect(await recompute.stored(first.dataSource.manager)).toEqual(expected);

  // The rebuild command gives the same answer, with nothing to correct.
  const rebuilt = await admin.post('/scoreboards/rebuild');
  expect({ status: rebuilt.status, corrected: rebuilt.body.corrected }).toEqual({ status: 200, corrected: 0 });
  expect(await recompute.stored(first.dataSource.manager)).toEqual(expected);

  // And the read API sums up: a province's communes by status.
  const province = [...world.units.values()].find((u) => u.kind === 'province')!;
  const board = (await admin.get(`/scoreboards/${province.unitId}?programme=drug-free`)).body;
  const communes = board.kinds.find((k: { kind: string }) => k.kind === 'commune');
  expect(Object.values(communes.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(communes.total);
  // A unit or a programme it does not know is said so, not answered with an empty board.
  const stranger = randomUUID();
  expect(await admin.get(`/scoreboards/${stranger}?programme=drug-free`)).toMatchObject({ status: 404, body: { message: `Unit ${stranger} is not in this service's replica of the tree` } });
  expect(await admin.get(`/scoreboards/${province.unitId}?programme=drug-freedom`)).toMatchObject({ status: 400, body: { message: [expect.stringMatching(/^programme must be one of: drug-free, /)] } });
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

/** Sends the events the world made since the last call, in order, and waits until `service` has consumed them. */
async function deliverInOrder(world: World, service: RunningService): Promise<void> {
  const byTopic = { units: runTopic(runId, EVENT_TOPICS.units.name), assessments: runTopic(runId, EVENT_TOPICS.assessments.name) };
  const sent = world.events.splice(0);
  for (const topic of ['units', 'assessments'] as const) {
    const messages = sent.filter((d) => d.topic === topic).map((d) => ({ key: d.event.subject, value: JSON.stringify(d.event) }));
    if (messages.length) await produceRaw(kafka, byTopic[topic], messages);
  }
  const ids = sent.map((d) => d.event.id);
  await eventually(async () => {
    const [{ n }] = (await service.dataSource.query('SELECT count(*)::int AS n FROM processed_events WHERE event_id::text = ANY($1::text[])', [ids])) as { n: number }[];
    expect(n).toBe(ids.length);
  }, 30_000);
}

it('re-places a moved subtree whole and sums scores exactly, though a unit inside changed status in the same pass', async () => {
  const [first] = instances;
  const world = new World(prng(42));
  const deliver = () => deliverInOrder(world, first);
  const queued = () => first.app.get(ScoreboardService).queued(first.dataSource.manager);
  const recompute = first.app.get(ScoreboardRecompute);

  const [from, to] = [world.create('province', null), world.create('province', null)];
  const district = world.create('district', from);
  const [commune, other] = [world.create('commune', district), world.create('commune', district)];
  const area = world.create('residential-area', commune);
  world.status(area, 'drug-free', { status: 'recognised', score: 0 });
  // Scores with two decimals, as derived ones have: 0.1 + 0.7 is not 0.8 in floating point.
  world.status(other, 'movement-classification', { status: 'recognised', score: 0.1 });
  await deliver();
  await eventually(async () => expect(await queued()).toBe(0), 30_000, 100);

  // The scoreboard workers wait while a move of the district and a status change of a commune
  // under it are queued, so that one pass takes both.
  await whileHolding(first.dataSource, (held) => held.query('SELECT pg_advisory_xact_lock($1)', [SCOREBOARD_LOCK]), async () => {
    world.move(district, to);
    world.status(commune, 'movement-classification', { status: 'recognised', score: 0.7 });
    await deliver();
    expect(await queued()).toBeGreaterThanOrEqual(2);
  });
  await eventually(async () => expect(await queued()).toBe(0), 30_000, 100);

  expect(await recompute.stored(first.dataSource.manager)).toEqual(await recompute.compute(first.dataSource.manager));
  const admin = new ApiClient(first.url, testToken('ca-nghe-an', ['admin']));
  const areas = async (province: string) =>
    ((await admin.get(`/scoreboards/${province}?programme=drug-free`)).body.kinds as { kind: string; total: number }[]).find((k) => k.kind === 'residential-area')?.total ?? 0;
  expect({ from: await areas(from), to: await areas(to) }).toEqual({ from: 0, to: 1 });
  const communes = ((await admin.get(`/scoreboards/${to}?programme=movement-classification`)).body.kinds as { kind: string; averageScore: number | null }[]).find((k) => k.kind === 'commune');
  expect(communes?.averageScore).toBe(0.4);
});

it('counts the share of key complex areas as the transformed among the designated, never recognised', async () => {
  const [first] = instances;
  const world = new World(prng(7));
  const province = world.create('province', null);
  const district = world.create('district', province);
  const communes = Array.from({ length: 5 }, () => world.create('commune', district));
  world.status(communes[0], 'key-complex-area', { status: 'designated', score: 0 });
  world.status(communes[1], 'key-complex-area', { status: 'transformed', score: 0 });
  world.status(communes[2], 'key-complex-area', { status: 'followed-up', score: 0 });
  world.status(communes[3], 'key-complex-area', { status: 'designated', score: 0 });
  world.status(communes[3], 'key-complex-area', { status: 'revoked', score: 0 });
  world.status(communes[4], 'drug-free', { status: 'recognised', score: 0 });
  await deliverInOrder(world, first);
  await eventually(async () => expect(await first.app.get(ScoreboardService).queued(first.dataSource.manager)).toBe(0), 30_000, 100);

  const admin = new ApiClient(first.url, testToken('ca-nghe-an', ['admin']));
  const commune = async (programme: string) =>
    ((await admin.get(`/scoreboards/${province}?programme=${programme}`)).body.kinds as { kind: string; total: number; share: number }[]).find((k) => k.kind === 'commune');
  // Two of the three designated areas were transformed (one since followed up); a revoked designation counts for neither.
  expect(await commune('key-complex-area')).toMatchObject({ total: 5, share: 2 / 3 });
  expect(await commune('drug-free')).toMatchObject({ total: 5, share: 1 / 5 });
});

it('measures key complex area targets against the areas designated, an area at a later stage counting for an earlier one', async () => {
  const [first] = instances;
  const world = new World(prng(11));
  const province = world.create('province', null);
  const district = world.create('district', province);
  const communes = Array.from({ length: 6 }, () => world.create('commune', district));
  const stages = ['designated', 'transformed', 'followed-up', 'removed'];
  // Four of the six communes designated, three of them since transformed (one followed up, one off the list).
  stages.forEach((status, i) => world.status(communes[i], 'key-complex-area', { status, score: 0, effectiveFrom: '2024-03-01' }));
  await deliverInOrder(world, first);

  const admin = new ApiClient(first.url, testToken('ca-nghe-an', ['admin']));
  const created = await admin.post('/campaigns', {
    name: 'Chuyển hóa địa bàn trọng điểm 2024',
    scopeUnitId: province,
    periodStart: '2024-01-01',
    periodEnd: '2024-12-31',
    targets: [
      { kind: 'share', programme: 'key-complex-area', status: 'transformed', unitKind: 'commune', goal: 60 },
      { kind: 'count', programme: 'key-complex-area', status: 'designated', unitKind: 'commune', mode: 'absolute', goal: 5 },
      { kind: 'list', programme: 'key-complex-area', status: 'followed-up', unitIds: communes.slice(1, 4) },
    ],
  });
  expect(created.status).toBe(201);
  const progress = (created.body.targets as { kind: string; progress: { value: number; state: string } }[]).map((t) => ({ kind: t.kind, value: t.progress.value, state: t.progress.state }));
  expect(progress).toEqual([
    { kind: 'share', value: 75, state: 'achieved' },
    // The period is over: what was not reached by its end is missed.
    { kind: 'count', value: 4, state: 'missed' },
    { kind: 'list', value: 2, state: 'missed' },
  ]);
});
