import { AssessmentsModule, ASSESSMENTS, DerivationWorker } from '@antq/app-assessments';
import { CampaignsModule, CAMPAIGNS } from '@antq/app-campaigns';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { InForceScheduler } from '@antq/unit-replica';
import {
  ApiClient,
  awaitReplicated,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  DRUG_FREE_RESULTS,
  eventually,
  startTestService,
  testKafka,
  testToken,
  uniqueRunId,
  UnitFixtures,
  type RunningService,
} from '@antq/testing';

/**
 * A tree change recorded in advance takes effect on its date in every replica: until then
 * statuses are derived and scoreboards counted on the tree in force; on the day, the
 * replicas bring it forward and the services react as to a change made that day.
 */
const runId = uniqueRunId();
const kafka = testKafka();
const EFFECTIVE = '2099-01-01';
let registry: RunningService;
let assessments: RunningService;
let campaigns: RunningService;
let units: UnitFixtures;
const ids: Record<string, string> = {};

const parentIn = async (service: RunningService, unitId: string) =>
  ((await service.dataSource.query('SELECT parent_id FROM replica_units WHERE unit_id = $1', [unitId])) as { parent_id: string }[])[0]?.parent_id;
const versionsIn = async (service: RunningService, unitId: string) =>
  ((await service.dataSource.query('SELECT count(*)::int AS n FROM replica_unit_versions WHERE unit_id = $1', [unitId])) as { n: number }[])[0].n;
const statusOf = async (unitId: string) => {
  const statuses = (await new ApiClient(assessments.url, testToken('ca-nghe-an', ['viewer'])).get(`/units/${unitId}/statuses`)).body as { programme: string; status: string; since: string }[];
  return statuses.find((s) => s.programme === 'drug-free');
};
const communesCounted = async (unitId: string) => {
  const board = (await new ApiClient(campaigns.url, testToken('ca-nghe-an', ['viewer'])).get(`/scoreboards/${unitId}?programme=drug-free`)).body as {
    kinds: { kind: string; total: number; byStatus: Record<string, number> }[];
  };
  const communes = board.kinds.find((k) => k.kind === 'commune');
  return { total: communes?.total ?? 0, recognised: communes?.byStatus['recognised'] ?? 0 };
};
const derivationsDone = () => eventually(async () => expect(await assessments.app.get(DerivationWorker).backlog()).toEqual({ pending: 0, failed: 0 }));

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  registry = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
  assessments = await startTestService(ASSESSMENTS, (env) => AssessmentsModule.forRoot(env), runId);
  campaigns = await startTestService(CAMPAIGNS, (env) => CampaignsModule.forRoot(env), runId);
  units = new UnitFixtures(registry.url, runId);
  // Since the 2025 reorganisation communes sit under provinces.
  ids['P1'] = await units.add('P1', 'province', undefined, { effectiveFrom: '2026-01-01' });
  ids['P2'] = await units.add('P2', 'province', undefined, { effectiveFrom: '2026-01-01' });
  ids['C'] = await units.add('C', 'commune', 'P1', { effectiveFrom: '2026-01-01' });
  for (const service of [assessments, campaigns]) await awaitReplicated(service, Object.values(ids));
});

afterAll(async () => {
  await dropTestDatabases([registry, assessments, campaigns].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

it('counts and derives on the tree in force, and applies a change recorded in advance on its date', async () => {
  // The commune is recognised drug-free; its province, all of whose communes are, with it.
  const step = (roles: Parameters<typeof testToken>[1], jurisdiction: string) => new ApiClient(assessments.url, testToken('ubnd-nghe-an', roles, 'officer', [jurisdiction]));
  const draft = await step(['assessor'], ids['C']).post('/assessments', { unitId: ids['C'], programme: 'drug-free', cycle: 2026, results: DRUG_FREE_RESULTS, evidence: ['doc://c.pdf'] });
  expect(draft.status).toBe(201);
  expect((await step(['assessor'], ids['C']).post(`/assessments/${draft.body.id}/submit`, {})).status).toBe(200);
  expect((await step(['verifier'], ids['P1']).post(`/assessments/${draft.body.id}/verify`, {})).status).toBe(200);
  const recognised = await step(['recogniser'], ids['P1']).post(`/assessments/${draft.body.id}/recognise`, { decisionNumber: 'QD-1', decisionDate: '2026-06-01' });
  expect({ status: recognised.status, body: recognised.body }).toMatchObject({ status: 200 });
  await derivationsDone();
  expect(await statusOf(ids['P1'])).toMatchObject({ status: 'recognised' });
  await eventually(async () => expect(await communesCounted(ids['P1'])).toEqual({ total: 1, recognised: 1 }));

  // The move to P2 is recorded now, for 2099: the registry has it, the replicas keep it waiting.
  // A move between provinces: the registrar's jurisdiction holds both.
  const registrar = new ApiClient(registry.url, testToken('ca-nghe-an', ['registrar'], 'registrar', [ids['P1'], ids['P2']]));
  expect((await registrar.post(`/units/${ids['C']}/move`, { parentId: ids['P2'], effectiveFrom: EFFECTIVE })).status).toBe(200);
  for (const service of [assessments, campaigns]) {
    await eventually(async () => expect(await versionsIn(service, ids['C'])).toBe(2));
    expect(await parentIn(service, ids['C'])).toBe(ids['P1']);
  }
  await derivationsDone();
  expect(await statusOf(ids['P1'])).toMatchObject({ status: 'recognised' });
  expect(await statusOf(ids['P2'])).toBeUndefined();
  expect(await communesCounted(ids['P1'])).toEqual({ total: 1, recognised: 1 });
  expect(await communesCounted(ids['P2'])).toEqual({ total: 0, recognised: 0 });
  // A replica kept before replicas followed the date holds the move already: it gives way to
  // the tree in force, and the service reacts as to a move back.
  await assessments.dataSource.query(`UPDATE replica_units SET parent_id = $2, effective_from = $3, version = 2 WHERE unit_id = $1`, [ids['C'], ids['P2'], EFFECTIVE]);
  expect(await assessments.app.get(InForceScheduler).promoteDue()).toBe(1);
  expect(await parentIn(assessments, ids['C'])).toBe(ids['P1']);
  await derivationsDone();
  expect(await statusOf(ids['P1'])).toMatchObject({ status: 'recognised' });
  expect(await statusOf(ids['P2'])).toBeUndefined();
  // Nothing is due before the date.
  for (const service of [assessments, campaigns]) expect(await service.app.get(InForceScheduler).promoteDue('2098-12-31')).toBe(0);

  // On the day: every replica takes the move, and the services react to it.
  for (const service of [assessments, campaigns]) {
    expect(await service.app.get(InForceScheduler).promoteDue(EFFECTIVE)).toBe(1);
    expect(await parentIn(service, ids['C'])).toBe(ids['P2']);
    expect(await service.app.get(InForceScheduler).promoteDue(EFFECTIVE)).toBe(0);
  }
  await derivationsDone();
  expect(await statusOf(ids['P1'])).toMatchObject({ status: 'not-recognised', since: EFFECTIVE });
  expect(await statusOf(ids['P2'])).toMatchObject({ status: 'recognised', since: EFFECTIVE });
  await eventually(async () => {
    expect(await communesCounted(ids['P1'])).toEqual({ total: 0, recognised: 0 });
    expect(await communesCounted(ids['P2'])).toEqual({ total: 1, recognised: 1 });
  });
});
