import { AssessmentsModule, AssessmentsService, ASSESSMENTS } from '@antq/app-assessments';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
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

const runId = uniqueRunId();
const kafka = testKafka();
let registry: RunningService;
let assessments: RunningService;
let notifications: RunningService;
let units: UnitFixtures;
let ids: Record<string, string> = {};
const client = (service: RunningService, agency: string, roles: Parameters<typeof testToken>[1], jurisdiction?: string[]) =>
  new ApiClient(service.url, testToken(agency, roles, `${agency}-user`, jurisdiction));

const unit = (code: string, name: string, kind: string, parent?: string) => units.add(code, kind, parent, { name });

interface FeedItem {
  ruleName: string;
  unitId: string;
  severity: string;
  message: { vi: string; en: string };
}

async function feed(agency: string): Promise<FeedItem[]> {
  return (await client(notifications, agency, ['viewer']).get('/feed?limit=1000')).body.items as FeedItem[];
}

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  registry = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
  units = new UnitFixtures(registry.url, runId);
  ids = units.ids;
  assessments = await startTestService(ASSESSMENTS, (env) => AssessmentsModule.forRoot(env), runId);
  notifications = await startTestService(NOTIFICATIONS, (env) => NotificationsModule.forRoot(env), runId);
  await unit('P', 'Tỉnh Nghệ An', 'province');
  await unit('D', 'Huyện Nghi Lộc', 'district', 'P');
  await unit('C1', 'Xã Nghi Thạch', 'commune', 'D');
  await unit('C2', 'Xã Nghi Xuân', 'commune', 'D');
  // Units travel on different partitions: each one is awaited in both replicas.
  for (const service of [assessments, notifications]) {
    await awaitReplicated(service, Object.values(ids));
  }
  // Each agency's alert-manager says which units the agency answers for, within its jurisdiction.
  const province = client(notifications, 'ca-nghe-an', ['alert-manager'], [ids['P']]);
  const district = client(notifications, 'ca-nghi-loc', ['alert-manager'], [ids['D']]);
  expect((await province.request('PUT', '/responsibilities/ca-nghe-an', { unitIds: [ids['P']] })).status).toBe(200);
  expect((await district.request('PUT', '/responsibilities/ca-nghi-loc', { unitIds: [ids['D']] })).status).toBe(200);
  expect((await province.request('PUT', '/responsibilities/ca-nghi-loc', { unitIds: [ids['P']] })).status).toBe(403);
});

afterAll(async () => {
  await dropTestDatabases([registry, assessments, notifications].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

it('a revoked drug-free recognition alerts up the hierarchy, for the commune and the derived district and province', async () => {
  const police = client(assessments, 'ca-nghe-an', ['verifier'], [ids['P']]);
  const committee = client(assessments, 'ubnd-nghi-loc', ['recogniser'], [ids['P']]);
  for (const code of ['C1', 'C2']) {
    const draft = await client(assessments, 'ubnd-commune', ['assessor'], [ids[code]]).post('/assessments', { unitId: ids[code], programme: 'drug-free', cycle: 2024, results: DRUG_FREE_RESULTS });
    expect(draft.status).toBe(201);
    expect((await client(assessments, 'ubnd-commune', ['assessor'], [ids[code]]).post(`/assessments/${draft.body.id}/submit`, { evidence: ['doc://bao-cao.pdf'] })).status).toBe(200);
    expect((await police.post(`/assessments/${draft.body.id}/verify`, {})).status).toBe(200);
    expect((await committee.post(`/assessments/${draft.body.id}/recognise`, { decisionNumber: `QD-${code}`, decisionDate: '2024-06-01' })).status).toBe(200);
    if (code === 'C1') ids['A1'] = draft.body.id;
  }
  // Both communes drug-free: so are the district and the province, once derived (just after the
  // recognitions commit). Revoking one then takes all three away.
  for (const code of ['D', 'P']) {
    await eventually(async () => expect((await police.get(`/units/${ids[code]}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'drug-free', status: 'recognised', source: 'derived' })]));
  }
  expect((await committee.post(`/assessments/${ids['A1']}/revoke`, { decisionNumber: 'TH-01', decisionDate: '2024-09-01' })).status).toBe(200);

  const lost = (items: FeedItem[]) => items.filter((i) => i.ruleName === 'drug-free-status-lost').map((i) => i.unitId).sort();
  await eventually(async () => expect(lost(await feed('ca-nghe-an'))).toEqual([ids['C1'], ids['D'], ids['P']].sort()), 30_000);
  // The district's police hear of their district and what is below it, not of the province.
  expect(lost(await feed('ca-nghi-loc'))).toEqual([ids['C1'], ids['D']].sort());
  const commune = (await feed('ca-nghe-an')).find((i) => i.ruleName === 'drug-free-status-lost' && i.unitId === ids['C1'])!;
  expect(commune).toMatchObject({
    severity: 'critical',
    message: { en: 'Xã Nghi Thạch (Tỉnh Nghệ An › Huyện Nghi Lộc › Xã Nghi Thạch) lost its drug-free status on 2024-09-01 (now revoked).' },
  });
});

it('a cycle ending without a recognition raises an overdue alert from the assessments job', async () => {
  await unit('C3', 'Xã Nghi Hợp', 'commune', 'D');
  for (const service of [assessments, notifications]) {
    await awaitReplicated(service, [ids['C3']]);
  }
  await assessments.app.get(AssessmentsService).reportOverdue('2025-01-01');
  const overdue = async () => (await feed('ca-nghi-loc')).filter((i) => i.ruleName === 'assessment-overdue');
  await eventually(async () => expect((await overdue()).map((i) => i.unitId)).toEqual([ids['C3']]), 30_000);
  expect((await overdue())[0].message.vi).toBe('Xã Nghi Hợp (Tỉnh Nghệ An › Huyện Nghi Lộc › Xã Nghi Hợp) chưa được công nhận "drug-free" chu kỳ 2024 (hạn 2024-12-31).');
  // The daily job runs again: no second report, no second alert.
  expect(await assessments.app.get(AssessmentsService).reportOverdue('2025-01-02')).toBe(0);
  const [{ n }] = (await notifications.dataSource.query(`SELECT count(*)::int AS n FROM alerts WHERE rule_name = 'assessment-overdue'`)) as { n: number }[];
  expect(n).toBe(1);
});
