import { randomUUID } from 'node:crypto';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CAMPAIGN_SET_LOCK, CampaignsModule, CampaignsService, CAMPAIGNS } from '@antq/app-campaigns';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { EVENT_TOPICS, today, type UnitSnapshot } from '@antq/contracts';
import type { EntityManager } from 'typeorm';
import {
  ApiClient,
  awaitReplicated,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  DRUG_FREE_RESULTS,
  eventually,
  produceRaw,
  type RunningService,
  runTopic,
  sessionsWaiting,
  startTestService,
  testEvent,
  testKafka,
  testToken,
  TopicRecorder,
  uniqueRunId,
  UnitFixtures,
  whileHolding,
  schemaCheck,
} from '@antq/testing';

const runId = uniqueRunId();
const kafka = testKafka();
let registry: RunningService;
let assessments: RunningService;
let campaigns: RunningService;
let notifications: RunningService;
let recorder: TopicRecorder;
let registrar: ApiClient;
let manager: ApiClient;
let admin: ApiClient;
let units: UnitFixtures;
let ids: Record<string, string> = {};

const unit = (code: string, kind: string, parent?: string) => units.add(code, kind, parent);

/** Recognises a commune drug-free through the assessments workflow, by a decision of the given date (the province's police and committee decide). */
async function recognise(unitId: string, decisionDate: string, province = ids['P']) {
  const cycle = Number(decisionDate.slice(0, 4));
  const assessor = new ApiClient(assessments.url, testToken('ubnd-commune', ['assessor'], 'assessor', [unitId]));
  const police = new ApiClient(assessments.url, testToken('ca-tinh', ['verifier'], 'verifier', [province]));
  const committee = new ApiClient(assessments.url, testToken('ubnd-huyen', ['recogniser'], 'committee', [province]));
  const draft = await assessor.post('/assessments', { unitId, programme: 'drug-free', cycle, results: DRUG_FREE_RESULTS });
  expect(draft.status).toBe(201);
  expect((await assessor.post(`/assessments/${draft.body.id}/submit`, { evidence: ['doc://bao-cao.pdf'] })).status).toBe(200);
  expect((await police.post(`/assessments/${draft.body.id}/verify`, {})).status).toBe(200);
  expect((await committee.post(`/assessments/${draft.body.id}/recognise`, { decisionNumber: `QD-${decisionDate}`, decisionDate })).status).toBe(200);
}

function stateEvents(targetId: string) {
  return recorder
    .events('antq.campaigns.target-state-changed.v1')
    .filter((e) => e.data.targetId === targetId)
    .map((e) => [e.data.previousState, e.data.state, e.data.value, e.data.transition]);
}

function progressValues(targetId: string) {
  return recorder
    .events('antq.campaigns.target-progress-changed.v1')
    .filter((e) => e.data.targetId === targetId)
    .map((e) => e.data.value);
}

async function campaignRows() {
  const [row] = (await campaigns.dataSource.query(
    'SELECT (SELECT count(*) FROM campaigns)::int AS campaigns, (SELECT count(*) FROM campaign_targets)::int AS targets, (SELECT count(*) FROM outbox_messages)::int AS pending',
  )) as object[];
  return row;
}

/**
 * A 2024 campaign of a new district that ended in July, counting its one commune (recognised
 * in March), and the registry's next two versions of that commune as events: moved to a
 * sibling district from June, renamed from September.
 */
async function endedCampaignAndALaterMove(districtCode: string, siblingCode: string, communeCode: string) {
  const [district, sibling, commune] = [await unit(districtCode, 'district', 'Q'), await unit(siblingCode, 'district', 'Q'), await unit(communeCode, 'commune', districtCode)];
  for (const service of [assessments, campaigns]) await awaitReplicated(service, [district, sibling, commune]);
  await recognise(commune, '2024-03-01', ids['Q']);
  const created = await admin.post('/campaigns', {
    name: `Huyện ${districtCode} 2024`,
    scopeUnitId: district,
    periodStart: '2024-01-01',
    periodEnd: '2024-07-31',
    targets: [{ kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'absolute', goal: 1 }],
  });
  const count = async () => target((await admin.get(`/campaigns/${created.body.id}`)).body, 'count').progress;
  await eventually(async () => expect(await count()).toMatchObject({ value: 1, evaluatedOn: '2024-07-31' }));
  const current = (await registrar.get(`/units/${commune}`)).body as UnitSnapshot;
  const moved: UnitSnapshot = { ...current, unitId: commune, parentId: sibling, version: current.version + 1, effectiveFrom: '2024-06-01' };
  const name = `${current.name} Mới`;
  return {
    count,
    commune,
    movedOut: testEvent('antq.units.unit-moved.v1', commune, { ...moved, fromParentId: district, toParentId: sibling }),
    renamed: testEvent('antq.units.unit-updated.v1', commune, { ...moved, name, version: current.version + 2, effectiveFrom: '2024-09-01', changes: [{ field: 'name', from: current.name, to: name }] }),
  };
}

/** Holds a campaign's row, as its evaluation does: what locks it next waits. */
const holdCampaign = (campaignId: string) => (held: EntityManager) => held.query('SELECT id FROM campaigns WHERE id = $1 FOR UPDATE', [campaignId]);

/** A date some days before or after another (YYYY-MM-DD). */
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

interface TargetView {
  id: string;
  kind: string;
  progress: Record<string, unknown> | null;
}

const target = (campaign: { targets: TargetView[] }, kind: string): TargetView => {
  const found = campaign.targets.find((t) => t.kind === kind);
  if (!found) throw new Error(`No ${kind} target`);
  return found;
};

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  registry = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
  units = new UnitFixtures(registry.url, runId);
  ids = units.ids;
  assessments = await startTestService(ASSESSMENTS, (env) => AssessmentsModule.forRoot(env), runId);
  campaigns = await startTestService(CAMPAIGNS, (env) => CampaignsModule.forRoot(env), runId);
  notifications = await startTestService(NOTIFICATIONS, (env) => NotificationsModule.forRoot(env), runId);
  recorder = await new TopicRecorder(kafka, runTopic(runId, EVENT_TOPICS.campaigns.name)).start();
  admin = new ApiClient(campaigns.url, testToken('ca-tinh', ['admin']));
  await unit('P', 'province');
  await unit('Q', 'province');
  await unit('D1', 'district', 'P');
  await unit('D2', 'district', 'P');
  await unit('QD', 'district', 'Q');
  for (const c of ['C1', 'C2', 'C3']) await unit(c, 'commune', 'D1');
  for (const c of ['C4', 'C5']) await unit(c, 'commune', 'D2');
  await unit('QC', 'commune', 'QD');
  // The tests reorganise both provinces and move communes between them.
  registrar = new ApiClient(registry.url, testToken('so-noi-vu', ['registrar'], 'registrar', [ids['P'], ids['Q']]));
  manager = new ApiClient(campaigns.url, testToken('ubnd-tinh', ['campaign-manager'], 'planner', [ids['P']]));
  for (const service of [assessments, campaigns, notifications]) await awaitReplicated(service, Object.values(ids));
});

afterAll(async () => {
  await recorder?.stop();
  await dropTestDatabases([registry, assessments, campaigns, notifications].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

describe('campaigns and targets', () => {
  it('refuses bad campaigns with a message that says what is wrong, storing nothing', async () => {
    const valid = {
      name: 'Kế hoạch 2024',
      scopeUnitId: ids['P'],
      periodStart: '2024-01-01',
      periodEnd: '2024-12-31',
      targets: [{ kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'increase', goal: 2 }],
    };
    const count = valid.targets[0];
    // What each programme covers arrives from assessments as events.
    const [{ versions }] = (await assessments.dataSource.query('SELECT count(*)::int AS versions FROM programme_versions')) as { versions: number }[];
    await eventually(async () => expect((await campaigns.dataSource.query('SELECT programme, version FROM programme_coverage')) as unknown[]).toHaveLength(versions));
    const province = await unit('PV', 'province');
    const [agency, school] = [await unit('PVA', 'agency', 'PV'), await unit('PVS', 'school', 'PV')];
    await awaitReplicated(campaigns, [province, agency, school]);
    const before = await campaignRows();
    const cases: [object, number, RegExp][] = [
      [{ ...valid, targets: [{ ...valid.targets[0], programme: 'drug-safe' }] }, 400, /programme must be one of drug-free/],
      [{ ...valid, scopeUnitId: '00000000-0000-4000-8000-000000000000' }, 422, /Unit 00000000-0000-4000-8000-000000000000 is unknown/],
      [{ ...valid, periodStart: '2024-12-31', periodEnd: '2024-01-01' }, 400, /starts \(2024-12-31\) after it ends \(2024-01-01\)/],
      [{ ...valid, targets: [{ ...valid.targets[0], goal: 0 }] }, 400, /goal must be positive/],
      [{ ...valid, targets: [{ ...valid.targets[0], goal: -5 }] }, 400, /goal must be positive/],
      [{ ...valid, targets: [{ ...valid.targets[0], goal: 2.5 }] }, 400, /goal must be a whole number for a count target/],
      [{ ...valid, targets: [{ kind: 'activity', activity: 'festival-days', goal: 0.5 }] }, 400, /goal must be a whole number for an activity target/],
      [{ ...valid, targets: [{ kind: 'list', programme: 'drug-free', unitIds: [ids['D1'], ids['QD']] }] }, 422, new RegExp(`units ${ids['QD']} are outside the scope`)],
      [{ ...valid, targets: [{ kind: 'share', programme: 'drug-free', unitKind: 'commune', goal: 150 }] }, 400, /percentage: at most 100/],
      // A listed unit the campaigns service has never heard of is named, with its target; the known one beside it is not.
      [
        { ...valid, targets: [count, { kind: 'list', programme: 'drug-free', unitIds: [ids['C1'], '00000000-0000-4000-8000-000000000000'] }] },
        422,
        /^"targets\[1\]: unknown units 00000000-0000-4000-8000-000000000000"$/,
      ],
      [{ ...valid, targets: [{ kind: 'count', programme: 'drug-free', goal: 3 }] }, 400, /unitKind is required: one of .*mode is required: one of/],
      [{ ...valid, targets: [] }, 400, /at least one target/],
      [{ ...valid, periodStart: '0001-01-01' }, 400, /must start on or after 2000-01-01 \(it starts 0001-01-01\)/],
      // Periods a plan never has.
      [{ ...valid, periodStart: '1900-01-01', periodEnd: '2026-12-31' }, 400, /must start on or after 2000-01-01/],
      [{ ...valid, periodStart: '2026-01-01', periodEnd: '9999-12-31' }, 400, /must end by 2100-12-31 \(it ends 9999-12-31\)/],
      [{ ...valid, periodStart: '2026-01-01', periodEnd: '2036-01-01' }, 400, /2026-01-01..2036-01-01 is longer than 10 years/],
      // Fields of other kinds of target are refused, and checked for their type too.
      [{ ...valid, targets: [{ ...count, unitIds: ['not-a-uuid'] }] }, 400, /^\["targets.0.unitIds applies only to list targets","targets.0.unitIds must be UUIDs"\]$/],
      [{ ...valid, targets: [{ ...count, unitIds: { a: 1 } }] }, 400, /unitIds applies only to list targets","targets.0.unitIds must be an array/],
      [{ ...valid, targets: [{ ...count, unitIds: 'x'.repeat(60_000) }] }, 400, /unitIds applies only to list targets","targets.0.unitIds must be an array/],
      [{ ...valid, targets: [{ ...count, activity: 123 }] }, 400, /activity applies only to activity targets","targets.0.activity must be a string/],
      [{ ...valid, targets: [{ ...count, activity: 'x'.repeat(60_000) }] }, 400, /^\["targets.0.activity applies only to activity targets","targets.0.activity must be shorter than or equal to 100 characters"\]$/],
      [{ ...valid, targets: [{ kind: 'list', programme: 'drug-free', unitIds: [ids['C1']], goal: 5 }] }, 400, /goal applies only to count, share or activity targets: a list’s goal is the number of units it names/],
      [{ ...valid, targets: [{ kind: 'activity', activity: 'patrols', goal: 1, programme: 'drug-free', mode: 'absolute' }] }, 400, /programme applies only to count, list or share targets.*mode applies only to count targets/],
      // A target without a kind says so, and nothing about the kind it lacks.
      [{ ...valid, targets: [{}] }, 400, /^\["targets.0.kind is required: one of count, list, share, activity"\]$/],
      [{ ...valid, targets: ['count'] }, 400, /targets must hold objects, each with its kind and fields/],
      // Targets that could never be met: no province below a province, no commune below a commune, a status of another programme.
      [{ ...valid, targets: [{ ...count, unitKind: 'province' }] }, 422, new RegExp(`targets\\[0\\]: no province sits below a province: the target counts the units below its scope ${ids['P']}`)],
      [{ ...valid, scopeUnitId: ids['C1'], targets: [{ kind: 'share', programme: 'drug-free', unitKind: 'commune', goal: 50 }] }, 422, /no commune sits below a commune/],
      [{ ...valid, targets: [{ ...count, status: 'designated' }] }, 400, /status designated is never reached under drug-free: its units are recognised, not-recognised, revoked, lapsed or unit-closed/],
      [{ ...valid, targets: [{ ...count, programme: 'key-complex-area', status: 'recognised' }] }, 400, /status recognised is never reached under key-complex-area: its units are designated, transformed/],
      [{ ...valid, targets: [{ ...count, programme: 'key-complex-area' }] }, 400, /status is required for a key-complex-area target \(the default, recognised, is not one of its statuses\)/],
      // Units the programme gives no status to, under any version in force during the period.
      [{ ...valid, targets: [{ ...count, unitKind: 'school' }] }, 422, /^"targets\[0\]: drug-free gives no status to school units during 2024-01-01..2024-12-31 \(it covers commune, district, province\): the target could never be met"$/],
      [{ ...valid, targets: [{ kind: 'share', programme: 'key-complex-area', status: 'transformed', unitKind: 'district', goal: 10 }] }, 422, /key-complex-area gives no status to district units/],
      // Every designated area is designated: the share of them would be 100 % from the start.
      [
        { ...valid, targets: [{ kind: 'share', programme: 'key-complex-area', status: 'designated', unitKind: 'commune', goal: 60 }] },
        400,
        /a share of key complex areas is of those designated, so its status is a later stage: transformed, followed-up or removed/,
      ],
      // Text that must say something.
      [{ ...valid, name: '   ' }, 400, /^\["name must not be blank"\]$/],
      [{ ...valid, name: undefined }, 400, /^\["name is required"/],
    ];
    for (const [body, status, message] of cases) {
      const response = await manager.post('/campaigns', body);
      expect({ status: response.status, message: JSON.stringify(response.body.message) }).toEqual({ status, message: expect.stringMatching(message) });
    }
    const outsider = new ApiClient(campaigns.url, testToken('ubnd-tinh-khac', ['campaign-manager'], 'planner', [ids['Q']]));
    expect((await outsider.post('/campaigns', valid)).status).toBe(403);
    expect((await new ApiClient(campaigns.url, testToken('ca-tinh', ['viewer'])).post('/campaigns', valid)).status).toBe(403);
    const named = await admin.post('/campaigns', { ...valid, scopeUnitId: province, targets: [{ kind: 'list', programme: 'model-unit', unitIds: [agency, school] }, { kind: 'list', programme: 'drug-free', unitIds: [school, agency] }] });
    expect({ status: named.status, message: named.body.message }).toEqual({
      status: 422,
      message: expect.stringMatching(new RegExp(`^targets\\[1\\]: drug-free gives no status to units (${agency} \\(agency\\), ${school} \\(school\\)|${school} \\(school\\), ${agency} \\(agency\\)) during`)),
    });
    expect(await campaignRows()).toEqual(before);
  });

  it('lets an admin plan a campaign anywhere', async () => {
    // A campaign not yet started, elsewhere: the tests after this one never meet it.
    const planned = await admin.post('/campaigns', {
      name: 'Kế hoạch của quản trị',
      scopeUnitId: ids['Q'],
      periodStart: '2099-01-01',
      periodEnd: '2099-12-31',
      // A share's goal is a percentage: it may be fractional where a count's may not.
      targets: [
        { kind: 'activity', activity: 'patrols', goal: 3 },
        { kind: 'share', programme: 'drug-free', unitKind: 'commune', goal: 30.5 },
        // A key complex area's own status.
        { kind: 'count', programme: 'key-complex-area', status: 'designated', unitKind: 'commune', mode: 'absolute', goal: 1 },
      ],
    });
    expect(planned.status).toBe(201);
    expect(planned.body).toMatchObject({ scopeUnitId: ids['Q'], agency: 'ca-tinh' });
  });

  it('lists the campaigns of a scope a page at a time, latest first, with their total', async () => {
    const district = await unit('QL', 'district', 'Q');
    await awaitReplicated(campaigns, [district]);
    for (const [name, periodStart] of [['Kế hoạch B', '2098-01-01'], ['Kế hoạch A', '2098-01-01'], ['Kế hoạch C', '2097-01-01']]) {
      const planned = await admin.post('/campaigns', { name, scopeUnitId: district, periodStart, periodEnd: '2099-12-31', targets: [{ kind: 'activity', activity: 'patrols', goal: 1 }] });
      expect(planned.status).toBe(201);
    }
    const page = async (offset: number) => {
      const { total, offset: from, limit, items } = (await admin.get(`/campaigns?scopeUnitId=${district}&limit=2&offset=${offset}`)).body as { total: number; offset: number; limit: number; items: { name: string }[] };
      return { total, from, limit, names: items.map((c) => c.name) };
    };
    expect([await page(0), await page(2), await page(5)]).toEqual([
      { total: 3, from: 0, limit: 2, names: ['Kế hoạch A', 'Kế hoạch B'] },
      { total: 3, from: 2, limit: 2, names: ['Kế hoạch C'] },
      { total: 3, from: 5, limit: 2, names: [] },
    ]);
  });

  it('takes unit ids written in capitals, as the same units', async () => {
    const shouting = new ApiClient(campaigns.url, testToken('ubnd-tinh', ['campaign-manager'], 'planner', [ids['P'].toUpperCase()]));
    const planned = await shouting.post('/campaigns', {
      name: 'Kế hoạch viết hoa',
      scopeUnitId: ids['P'].toUpperCase(),
      periodStart: '2099-01-01',
      periodEnd: '2099-12-31',
      targets: [{ kind: 'list', programme: 'drug-free', unitIds: [ids['C5'].toUpperCase()] }],
    });
    expect({ status: planned.status, scopeUnitId: planned.body.scopeUnitId, unitIds: planned.body.targets?.[0]?.unitIds }).toEqual({ status: 201, scopeUnitId: ids['P'], unitIds: [ids['C5']] });
  });

  it('follows a 2024 campaign from its baseline to achieved, one state event per transition', async () => {
    // Recognised for 2023: counted in the baseline (the day before the period), lapsed during 2024.
    await recognise(ids['C5'], '2023-05-01');
    await eventually(async () => expect((await campaigns.dataSource.query('SELECT count(*)::int AS n FROM status_history'))[0].n).toBeGreaterThan(0));
    const created = await manager.post('/campaigns', {
      name: 'Nghệ An 2024 (thu nhỏ)',
      scopeUnitId: ids['P'],
      periodStart: '2024-01-01',
      periodEnd: '2024-12-31',
      targets: [
        { kind: 'count', label: '2 more communes drug-free', programme: 'drug-free', unitKind: 'commune', mode: 'increase', goal: 2 },
        { kind: 'list', programme: 'drug-free', unitIds: [ids['D1']] },
        { kind: 'share', programme: 'drug-free', unitKind: 'commune', goal: 60 },
        { kind: 'activity', activity: 'festival-days', goal: 2 },
      ],
    });
    expect(created.status).toBe(201);
    const campaign = created.body;
    // The period is over: measured on its last day, nothing reached yet, so missed.
    expect(target(campaign, 'count')).toMatchObject({ label: '2 more communes drug-free', goal: 2, progress: { baseline: 1, value: -1, state: 'missed', evaluatedOn: '2024-12-31' } });
    expect(target(campaign, 'list')).toMatchObject({ goal: 1, progress: { value: 0, state: 'missed' } });

    await recognise(ids['C1'], '2024-02-01');
    await recognise(ids['C2'], '2024-04-01');
    await recognise(ids['C3'], '2024-09-01');
    await eventually(async () => {
      const now = (await admin.get(`/campaigns/${campaign.id}`)).body;
      expect(target(now, 'count').progress).toMatchObject({ value: 2, state: 'achieved' });
      expect(target(now, 'list').progress).toMatchObject({ value: 1, state: 'achieved' });
      expect(target(now, 'share').progress).toMatchObject({ value: 60, state: 'achieved' });
    });
    const countTarget = target(campaign, 'count').id;
    await eventually(() => expect(stateEvents(countTarget)).toEqual([[null, 'missed', -1, 1], ['missed', 'achieved', 2, 2]]));
    await eventually(() => expect(stateEvents(target(campaign, 'list').id)).toEqual([[null, 'missed', 0, 1], ['missed', 'achieved', 1, 2]]));
    // Progress events only when the progress moved: each value differs from the one before, and the last is the stored one.
    const values = progressValues(countTarget);
    expect(values[0]).toBe(-1);
    expect(values[values.length - 1]).toBe(2);
    expect(values.every((v, i) => i === 0 || v !== values[i - 1])).toBe(true);

    const activity = target(campaign, 'activity').id;
    const festival = (occurredOn: string) => manager.post(`/campaigns/${campaign.id}/targets/${activity}/activities`, { occurredOn, note: 'Ngày hội toàn dân bảo vệ an ninh Tổ quốc' });
    expect((await festival('2024-08-19')).status).toBe(201);
    expect((await festival('2025-08-19')).body.message).toMatch(/outside the campaign's period 2024-01-01..2024-12-31/);
    expect((await manager.post(`/campaigns/${campaign.id}/targets/${countTarget}/activities`, { occurredOn: '2024-08-19' })).status).toBe(422);
    // An admin records activities too.
    expect((await admin.post(`/campaigns/${campaign.id}/targets/${activity}/activities`, { occurredOn: '2024-08-20' })).status).toBe(201);
    expect(target((await admin.get(`/campaigns/${campaign.id}`)).body, 'activity').progress).toMatchObject({ value: 2, state: 'achieved' });
    await eventually(() => expect(stateEvents(activity)).toEqual([[null, 'missed', 0, 1], ['missed', 'achieved', 2, 2]]));

    // The history: how it stood in spring, when only C1 was in (C2's decision came in April).
    const spring = (await admin.get(`/campaigns/${campaign.id}/progress?asOf=2024-03-15`)).body;
    expect(target({ targets: spring.targets.map((t: Omit<TargetView, 'id'> & { targetId: string }) => ({ ...t, id: t.targetId })) }, 'count')).toMatchObject({
      progress: { baseline: 1, value: 0, evaluatedOn: '2024-03-15', state: 'at-risk' },
    });
    expect((await admin.get(`/campaigns/${campaign.id}/progress?asOf=15-03-2024`)).status).toBe(400);
  });

  it('keeps a 2024 result through the 2025 reorganisation, and counts the new units in a campaign after it', async () => {
    const [{ id: campaignId }] = (await admin.get(`/campaigns?scopeUnitId=${ids['P']}`)).body.items as { id: string }[];
    const before = (await admin.get(`/campaigns/${campaignId}`)).body;
    // District level abolished within P, C1 and C2 merged into a new commune, from 1 July 2025.
    expect((await registrar.post('/units/abolish-level', { kind: 'district', withinId: ids['P'], effectiveFrom: '2025-07-01' })).status).toBe(200);
    const merged = await registrar.post('/units/merge', { sourceIds: [ids['C1'], ids['C2']], target: { code: `${runId}-C12`, name: 'C12' }, effectiveFrom: '2025-07-01' });
    expect(merged.status).toBe(201);
    ids['C12'] = merged.body.id;
    for (const service of [assessments, campaigns]) await awaitReplicated(service, [ids['C12']]);

    expect((await admin.post('/campaigns/rebuild', {})).body).toEqual({ campaigns: 1, targetsChanged: 0 });
    expect((await admin.get(`/campaigns/${campaignId}`)).body.targets).toEqual(before.targets);

    const year = today().slice(0, 4);
    const current = await manager.post('/campaigns', {
      name: `Kế hoạch ${year}`,
      scopeUnitId: ids['P'],
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
      targets: [{ kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'absolute', goal: 4 }],
    });
    expect(current.status).toBe(201);
    await recognise(ids['C12'], `${year}-01-02`);
    // C12, C3, C4, C5 are the communes now; C1 and C2 are gone, and the 2024 recognitions have lapsed.
    await eventually(async () => expect(target((await admin.get(`/campaigns/${current.body.id}`)).body, 'count').progress).toMatchObject({ value: 1 }));
    const progress = (await admin.get(`/campaigns/${current.body.id}/progress`)).body.targets[0].progress;
    expect(progress).toMatchObject({ value: 1, goal: 4 });

    // Tree changes move progress too: a recognised commune moved out of the scope today stops counting.
    await recognise(ids['C4'], `${year}-01-03`);
    const count = async () => target((await admin.get(`/campaigns/${current.body.id}`)).body, 'count').progress;
    await eventually(async () => expect(await count()).toMatchObject({ value: 2 }));
    expect((await registrar.post(`/units/${ids['C4']}/move`, { parentId: ids['Q'], effectiveFrom: today() })).status).toBe(200);
    await eventually(async () => expect(await count()).toMatchObject({ value: 1 }));
  });

  it('captures the baseline when a planned campaign starts', async () => {
    const start = shift(today(), 1);
    const created = await manager.post('/campaigns', {
      name: 'Kế hoạch sắp tới',
      scopeUnitId: ids['P'],
      periodStart: start,
      periodEnd: shift(start, 60),
      targets: [{ kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'increase', goal: 3 }],
    });
    expect(target(created.body, 'count').progress).toBeNull();
    // The day it starts, the daily job measures the day before: C12 is the scope's one drug-free commune.
    await campaigns.app.get(CampaignsService).evaluateDue(start);
    expect(target((await admin.get(`/campaigns/${created.body.id}`)).body, 'count').progress).toMatchObject({ baseline: 1, value: 0, evaluatedOn: start });
  });

  it('turns missed when the deadline passes without events, once', async () => {
    const service = campaigns.app.get(CampaignsService);
    const start = today();
    const end = shift(start, 30);
    const created = await manager.post('/campaigns', { name: 'Tháng cao điểm', scopeUnitId: ids['P'], periodStart: start, periodEnd: end, targets: [{ kind: 'activity', activity: 'patrols', goal: 5 }] });
    expect(created.status).toBe(201);
    const id = target(created.body, 'activity').id;
    expect(target(created.body, 'activity').progress).toMatchObject({ value: 0, state: 'on-track', evaluatedOn: start });
    const after = shift(end, 1);
    expect(await service.evaluateDue(after)).toBeGreaterThanOrEqual(1);
    expect(await service.evaluateDue(after)).toBe(0);
    expect(target((await admin.get(`/campaigns/${created.body.id}`)).body, 'activity').progress).toMatchObject({ state: 'missed', evaluatedOn: end });
    await eventually(() => expect(stateEvents(id)).toEqual([[null, 'on-track', 0, 1], ['on-track', 'missed', 0, 2]]));
  });

  it('warns the province when a target turns at risk, once', async () => {
    const alerts = new ApiClient(notifications.url, testToken('ubnd-tinh', ['alert-manager'], 'tester', [ids['P']]));
    expect((await alerts.request('PUT', '/responsibilities/ubnd-tinh', { unitIds: [ids['P']] })).status).toBe(200);
    const start = shift(today(), -200);
    const end = shift(today(), 100);
    // Two thirds of the period gone and nothing reached: at risk from the first evaluation.
    const created = await manager.post('/campaigns', { name: 'Kế hoạch chậm', scopeUnitId: ids['P'], periodStart: start, periodEnd: end, targets: [{ kind: 'activity', activity: 'models-built', goal: 40 }] });
    expect(target(created.body, 'activity').progress).toMatchObject({ state: 'at-risk' });
    // This target's alerts (an earlier test's target may reach the feed late, once the province is responsible).
    const targetId = target(created.body, 'activity').id;
    const atRisk = async () =>
      ((await new ApiClient(notifications.url, testToken('ubnd-tinh', ['viewer'])).get('/feed?limit=1000')).body.items as { ruleName: string; unitId: string; message: { en: string } }[]).filter(
        (i) => i.ruleName === 'target-at-risk' && i.message.en.includes(targetId),
      );
    await eventually(async () => expect(await atRisk()).toEqual([expect.objectContaining({ unitId: ids['P'] })]));
    // A rebuild that changes nothing raises nothing more.
    await admin.post('/campaigns/rebuild', {});
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await atRisk()).toHaveLength(1);
  });

  it('counts a backdated change where the unit stood on that date, though it has moved since', async () => {
    // A 2024 campaign of an old district; one of its communes moved to another district in 2025.
    await unit('QX', 'district', 'Q');
    await unit('X1', 'commune', 'QX');
    for (const service of [assessments, campaigns]) await awaitReplicated(service, [ids['QX'], ids['X1']]);
    const created = await admin.post('/campaigns', {
      name: 'Huyện cũ 2024',
      scopeUnitId: ids['QX'],
      periodStart: '2024-01-01',
      periodEnd: '2024-12-31',
      targets: [{ kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'absolute', goal: 1 }],
    });
    expect(target(created.body, 'count').progress).toMatchObject({ value: 0, state: 'missed', evaluatedOn: '2024-12-31' });
    expect((await registrar.post(`/units/${ids['X1']}/move`, { parentId: ids['QD'], effectiveFrom: '2025-03-01' })).status).toBe(200);
    await eventually(async () => {
      const [replica] = (await campaigns.dataSource.query('SELECT parent_id FROM replica_units WHERE unit_id = $1', [ids['X1']])) as { parent_id: string }[];
      expect(replica.parent_id).toBe(ids['QD']);
    });
    // The campaign's period is over, so the daily job no longer measures it: the change itself must.
    await recognise(ids['X1'], '2024-06-01', ids['Q']);
    await eventually(async () => expect(target((await admin.get(`/campaigns/${created.body.id}`)).body, 'count').progress).toMatchObject({ value: 1, state: 'achieved' }));
    await eventually(() => expect(stateEvents(target(created.body, 'count').id)).toEqual([[null, 'missed', 0, 1], ['missed', 'achieved', 1, 2]]));
  });

  it('measures an ended campaign again when one batch moves a unit out of its scope on a past date and renames it later', async () => {
    const { count, commune, movedOut, renamed } = await endedCampaignAndALaterMove('QY', 'QZ', 'Y1');
    // The registry's two versions arrive in one batch: moved out from June, renamed from September.
    await produceRaw(kafka, runTopic(runId, EVENT_TOPICS.units.name), [
      { key: commune, value: JSON.stringify(movedOut) },
      { key: commune, value: JSON.stringify(renamed) },
    ]);
    await eventually(async () => expect(await count()).toMatchObject({ value: 0, evaluatedOn: '2024-07-31' }));
  });

  it('measures an ended campaign again when a unit moved out of its scope on a past date is heard of after a later version', async () => {
    const { count, commune, movedOut, renamed } = await endedCampaignAndALaterMove('QV', 'QW', 'V1');
    // The rename reaches the replica first (a replay, say), and alone it changes nothing before September.
    const topic = runTopic(runId, EVENT_TOPICS.units.name);
    await produceRaw(kafka, topic, [{ key: commune, value: JSON.stringify(renamed) }]);
    await eventually(async () => expect(await campaigns.dataSource.query('SELECT version FROM replica_units WHERE unit_id = $1', [commune])).toEqual([{ version: renamed.data.version }]));
    expect(await count()).toMatchObject({ value: 1 });
    await produceRaw(kafka, topic, [{ key: commune, value: JSON.stringify(movedOut) }]);
    await eventually(async () => expect(await count()).toMatchObject({ value: 0, evaluatedOn: '2024-07-31' }));
  });

  it("revises a target's goal from today, saying why: progress follows, and earlier dates keep the goal of their day", async () => {
    const commune = await unit('QR', 'commune', 'QD');
    for (const service of [assessments, campaigns, notifications]) await awaitReplicated(service, [commune]);
    const planner = new ApiClient(campaigns.url, testToken('ubnd-q', ['campaign-manager'], 'planner-q', [ids['Q']]));
    const alertManager = new ApiClient(notifications.url, testToken('ubnd-q', ['alert-manager'], 'ops', [ids['Q']]));
    expect((await alertManager.request('PUT', '/responsibilities/ubnd-q', { unitIds: [ids['Q']] })).status).toBe(200);
    const created = await planner.post('/campaigns', {
      name: 'Kế hoạch điều chỉnh',
      scopeUnitId: ids['Q'],
      periodStart: shift(today(), -10),
      periodEnd: shift(today(), 50),
      targets: [
        { kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'absolute', goal: 40 },
        { kind: 'list', programme: 'drug-free', unitIds: [commune] },
        { kind: 'activity', activity: 'patrols', goal: 3, label: 'Tuần tra chung' },
      ],
    });
    expect(created.status).toBe(201);
    const count = target(created.body, 'count');
    const amend = (client: ApiClient, targetId: string, body: object) => client.post(`/campaigns/${created.body.id}/targets/${targetId}/amend`, body);
    const refusal = async (client: ApiClient, targetId: string, body: object) => {
      const response = await amend(client, targetId, body);
      return { status: response.status, message: response.body.message };
    };

    // Refused, with what is wrong, and nothing changes.
    expect(await refusal(planner, count.id, { goal: 30, reason: '' })).toEqual({ status: 400, message: ['reason must say why the goal is revised'] });
    expect(await refusal(planner, count.id, { goal: 30, reason: ' \t ' })).toEqual({ status: 400, message: ['reason must say why the goal is revised'] });
    expect(await refusal(planner, count.id, { goal: 30 })).toEqual({ status: 400, message: ['reason is required'] });
    expect(await refusal(planner, count.id, { goal: 30, reason: 'r', label: '  ' })).toEqual({ status: 400, message: ['label must not be blank'] });
    expect(await refusal(planner, count.id, { goal: 0, reason: 'r' })).toEqual({ status: 400, message: ['goal must be positive'] });
    expect(await refusal(planner, count.id, { goal: 2.5, reason: 'r' })).toEqual({ status: 400, message: 'goal must be a whole number for a count target: it counts units' });
    expect(await refusal(planner, count.id, { goal: 40, reason: 'r' })).toEqual({ status: 422, message: `Target ${count.id}'s goal is already 40` });
    expect(await refusal(planner, target(created.body, 'list').id, { goal: 2, reason: 'r' })).toEqual({
      status: 422,
      message: `Target ${target(created.body, 'list').id} is a list target: its goal is its 1 named units and cannot be amended`,
    });
    expect((await amend(manager, count.id, { goal: 30, reason: 'not ours' })).status).toBe(403);
    expect((await amend(planner, '00000000-0000-4000-8000-000000000000', { goal: 30, reason: 'r' })).status).toBe(404);
    expect(await campaigns.dataSource.query('SELECT count(*)::int AS n FROM target_amendments')).toEqual([{ n: 0 }]);

    const amended = await amend(planner, count.id, { goal: 30, reason: 'Điều chỉnh theo sơ kết 6 tháng' });
    expect(amended.status).toBe(200);
    expect(target(amended.body, 'count')).toMatchObject({
      goal: 30,
      label: '30 commune units recognised drug-free',
      amendments: [{ previousGoal: 40, goal: 30, on: today(), reason: 'Điều chỉnh theo sơ kết 6 tháng', by: 'ubnd-q/planner-q' }],
      progress: { goal: 30 },
    });
    // A label of the planner's own is kept.
    const activity = await amend(planner, target(created.body, 'activity').id, { goal: 5, reason: 'Thêm hai đợt' });
    expect(target(activity.body, 'activity')).toMatchObject({ goal: 5, label: 'Tuần tra chung' });

    await eventually(() => {
      expect(recorder.events('antq.campaigns.target-amended.v1').filter((e) => e.data.targetId === count.id).map((e) => e.data)).toEqual([
        expect.objectContaining({ campaignId: created.body.id, scopeUnitId: ids['Q'], previousGoal: 40, goal: 30, amendedOn: today(), reason: 'Điều chỉnh theo sơ kết 6 tháng' }),
      ]);
      // Its progress is emitted again with the new goal, though its value did not move.
      const progress = recorder.events('antq.campaigns.target-progress-changed.v1').filter((e) => e.data.targetId === count.id);
      expect(progress.map((e) => e.data.goal)).toEqual([40, 30]);
    });
    // Progress as of a date before the amendment is measured against the goal of that date.
    const asOf = async (date: string) => ((await admin.get(`/campaigns/${created.body.id}/progress?asOf=${date}`)).body.targets[0] as { progress: { goal: number } }).progress.goal;
    expect([await asOf(shift(today(), -1)), await asOf(today())]).toEqual([40, 30]);
    // A date still to come has no progress yet.
    const ahead = await admin.get(`/campaigns/${created.body.id}/progress?asOf=${shift(today(), 30)}`);
    expect({ status: ahead.status, message: ahead.body.message }).toEqual({
      status: 422,
      message: `asOf ${shift(today(), 30)} is after today (${today()}): progress is known up to today, and its projection says where a target is heading`,
    });
    // Those responsible for the scope hear of it.
    const feed = async () =>
      ((await new ApiClient(notifications.url, testToken('ubnd-q', ['viewer'])).get('/feed?limit=1000')).body.items as { ruleName: string; message: { en: string } }[])
        .filter((i) => i.ruleName === 'target-amended')
        .map((i) => i.message.en);
    await eventually(async () =>
      expect(await feed()).toEqual(
        expect.arrayContaining(['Target "30 commune units recognised drug-free" of campaign "Kế hoạch điều chỉnh" (Q) was revised from 40 to 30: Điều chỉnh theo sơ kết 6 tháng']),
      ),
    );
    // The rebuild measures the amended goal as the incremental evaluation did.
    expect((await admin.post('/campaigns/rebuild', {})).body).toMatchObject({ targetsChanged: 0 });

    // A campaign called off is no longer amended.
    expect((await planner.post(`/campaigns/${created.body.id}/cancel`, { reason: 'Thay thế' })).status).toBe(200);
    expect(await refusal(planner, count.id, { goal: 20, reason: 'r' })).toEqual({ status: 409, message: `Campaign ${created.body.id} was cancelled: its targets are no longer amended` });
  });

  it('measures a share from the baseline it stores, from its first evaluation on', async () => {
    await unit('SH', 'district', 'Q');
    const communes = [await unit('SH1', 'commune', 'SH'), await unit('SH2', 'commune', 'SH'), await unit('SH3', 'commune', 'SH')];
    for (const service of [assessments, campaigns]) await awaitReplicated(service, [ids['SH'], ...communes]);
    await recognise(communes[0], shift(today(), -30), ids['Q']);
    await eventually(async () => expect((await campaigns.dataSource.query('SELECT count(*)::int AS n FROM status_history WHERE unit_id = $1', [communes[0]]))[0].n).toBe(1));
    const created = await admin.post('/campaigns', {
      name: 'Tỷ lệ xã',
      scopeUnitId: ids['SH'],
      periodStart: shift(today(), -10),
      periodEnd: shift(today(), 100),
      targets: [{ kind: 'share', programme: 'drug-free', unitKind: 'commune', goal: 80 }],
    });
    // One commune in three before the period: a third, stored to the hundredth, and no trend since.
    const share = target(created.body, 'share');
    expect(share.progress).toMatchObject({ baseline: 33.33, value: 33.33, projection: 33.33 });
    await eventually(() => expect(progressValues(share.id)).toEqual([33.33]));
    // Measured again the same day, from the stored baseline: nothing moved, nothing is announced.
    expect((await admin.post('/campaigns/rebuild', {})).body).toMatchObject({ targetsChanged: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(progressValues(share.id)).toEqual([33.33]);
  });

  it('records activities sent at the same moment, each once', async () => {
    const created = await admin.post('/campaigns', { name: 'Ngày hội', scopeUnitId: ids['Q'], periodStart: today(), periodEnd: shift(today(), 30), targets: [{ kind: 'activity', activity: 'festival-days', goal: 4 }] });
    const activity = target(created.body, 'activity').id;
    // A session holding the campaign's row lines the requests up behind it, to be let go together.
    const { sent } = await whileHolding(campaigns.dataSource, holdCampaign(created.body.id), async () => {
      const sent = [1, 2, 3].map(() => admin.post(`/campaigns/${created.body.id}/targets/${activity}/activities`, { occurredOn: today() }));
      await eventually(async () => expect(await sessionsWaiting(campaigns.dataSource)).toBe(3));
      return { sent };
    });
    expect((await Promise.all(sent)).map((r) => [r.status, r.body.message])).toEqual([1, 2, 3].map(() => [201, undefined]));
    expect(target((await admin.get(`/campaigns/${created.body.id}`)).body, 'activity').progress).toMatchObject({ value: 3 });
  });

  it('records an activity repeated with its Idempotency-Key once, and refuses the key for other activities', async () => {
    const created = await admin.post('/campaigns', { name: 'Ngày hội, có khóa', scopeUnitId: ids['Q'], periodStart: today(), periodEnd: shift(today(), 30), targets: [{ kind: 'activity', activity: 'festival-days', goal: 10 }] });
    const path = `/campaigns/${created.body.id}/targets/${target(created.body, 'activity').id}/activities`;
    const key = randomUUID();
    const festival = { occurredOn: today(), count: 2, note: 'Ngày hội toàn dân bảo vệ an ninh Tổ quốc' };
    const value = async () => target((await admin.get(`/campaigns/${created.body.id}`)).body, 'activity').progress?.value;
    // A request and its repeat (the client timed out and sent it again) arrive together, beside one without a key.
    const { sent } = await whileHolding(campaigns.dataSource, holdCampaign(created.body.id), async () => {
      const sent = [admin.post(path, festival, { 'idempotency-key': key }), admin.post(path, festival, { 'idempotency-key': key }), admin.post(path, { occurredOn: today() })];
      await eventually(async () => expect(await sessionsWaiting(campaigns.dataSource)).toBe(3));
      return { sent };
    });
    const [first, repeat, unkeyed] = await Promise.all(sent);
    expect([first.status, repeat.status, unkeyed.status]).toEqual([201, 201, 201]);
    expect(repeat.body).toEqual(first.body);
    expect(unkeyed.body.id).not.toBe(first.body.id);
    expect(await value()).toBe(3);

    // The same key for other activities says what it recorded; another agency's key is its own.
    const other = await admin.post(path, { ...festival, count: 3 }, { 'idempotency-key': key });
    expect({ status: other.status, message: other.body.message }).toEqual({
      status: 422,
      message: `Idempotency-Key ${key} already recorded activity ${first.body.id} for this target, with count 2: use a new key for other activities`,
    });
    const elsewhere = await new ApiClient(campaigns.url, testToken('ca-khac', ['admin'])).post(path, festival, { 'idempotency-key': key });
    expect({ status: elsewhere.status, agency: elsewhere.body.agency }).toEqual({ status: 201, agency: 'ca-khac' });
    expect(await value()).toBe(5);

    // A malformed key is refused before anything is recorded.
    const malformed = await admin.post(path, festival, { 'idempotency-key': 'ngay hoi 2024' });
    expect({ status: malformed.status, message: malformed.body.message }).toEqual({
      status: 400,
      message: 'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, for instance), not "ngay hoi 2024"',
    });
    // Once the campaign is called off, a repeat still gets what it recorded, and a new key the refusal.
    expect((await admin.post(`/campaigns/${created.body.id}/cancel`, { reason: 'Thay thế' })).status).toBe(200);
    expect(await admin.post(path, festival, { 'idempotency-key': key })).toEqual({ status: 201, body: first.body });
    expect((await admin.post(path, festival, { 'idempotency-key': randomUUID() })).status).toBe(409);
    expect(await value()).toBe(5);
  });

  it('counts a recognition that lands while a campaign is being planned', async () => {
    const district = await unit('QM', 'district', 'Q');
    const commune = await unit('QM1', 'commune', 'QM');
    for (const service of [assessments, campaigns]) await awaitReplicated(service, [district, commune]);
    const planner = new ApiClient(campaigns.url, testToken('ubnd-q', ['campaign-manager'], 'planner-q', [ids['Q']]));
    const plan = (name: string) =>
      planner.post('/campaigns', { name, scopeUnitId: district, periodStart: today(), periodEnd: shift(today(), 90), targets: [{ kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'absolute', goal: 1 }] });
    const first = await plan('Xã sạch ma túy, đợt 1');
    expect({ status: first.status, message: first.body.message }).toEqual({ status: 201, message: undefined });
    // A session holding the first campaign's row stops the progress worker's pass for the
    // recognition once it has looked for the campaigns the recognition moves (and found only the first).
    // Asked outside the holder's transaction, which would see the server's activity as it first read it.
    const waiting = async (sql: string, params: unknown[] = []) => ((await campaigns.dataSource.query(sql, params)) as { n: number }[])[0].n;
    const { second } = await whileHolding(campaigns.dataSource, holdCampaign(first.body.id), async () => {
      await recognise(commune, today(), ids['Q']);
      const evaluationsHeld = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM campaigns WHERE id = $1 FOR UPDATE'";
      await eventually(async () => expect(await waiting(evaluationsHeld)).toBeGreaterThanOrEqual(1));
      // The second is planned meanwhile: it waits for that pass to commit before its first evaluation.
      const second = plan('Xã sạch ma túy, đợt 2');
      const admissionHeld = "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND mode = 'ExclusiveLock' AND objid::bigint = $1 AND objsubid = 1";
      await Promise.race([second, eventually(async () => expect(await waiting(admissionHeld, [CAMPAIGN_SET_LOCK])).toBe(1))]);
      return { second };
    });
    const planned = await second;
    expect(planned.status).toBe(201);
    expect(target(planned.body, 'count').progress).toMatchObject({ value: 1, state: 'achieved' });
    await eventually(async () => expect(target((await admin.get(`/campaigns/${first.body.id}`)).body, 'count').progress).toMatchObject({ value: 1, state: 'achieved' }));
  });

  it('calls a campaign off, saying why: its targets keep their last state and move no more', async () => {
    const commune = await unit('QK', 'commune', 'QD');
    for (const service of [assessments, campaigns]) await awaitReplicated(service, [commune]);
    const planner = new ApiClient(campaigns.url, testToken('ubnd-q', ['campaign-manager'], 'planner-q', [ids['Q']]));
    const created = await planner.post('/campaigns', {
      name: 'Kế hoạch thay thế',
      scopeUnitId: ids['Q'],
      periodStart: today(),
      periodEnd: shift(today(), 60),
      targets: [
        { kind: 'list', programme: 'drug-free', unitIds: [commune] },
        { kind: 'activity', activity: 'patrols', goal: 3 },
      ],
    });
    expect(created.status).toBe(201);
    const list = target(created.body, 'list');
    const cancel = (client: ApiClient, body: object) => client.post(`/campaigns/${created.body.id}/cancel`, body);

    // Only a manager whose jurisdiction holds the scope, and only with a reason.
    expect((await cancel(manager, { reason: 'not ours' })).status).toBe(403);
    const unexplained = await cancel(planner, { reason: '' });
    expect({ status: unexplained.status, message: unexplained.body.message }).toEqual({ status: 400, message: ['reason must say why the campaign is called off'] });
    const blank = await cancel(planner, { reason: '   ' });
    expect({ status: blank.status, message: blank.body.message }).toEqual({ status: 400, message: ['reason must say why the campaign is called off'] });
    const missing = await cancel(planner, {});
    expect({ status: missing.status, message: missing.body.message }).toEqual({ status: 400, message: ['reason is required'] });

    const alertManager = new ApiClient(notifications.url, testToken('ubnd-q', ['alert-manager'], 'ops', [ids['Q']]));
    expect((await alertManager.request('PUT', '/responsibilities/ubnd-q', { unitIds: [ids['Q']] })).status).toBe(200);
    // An activity recorded while the campaign is being called off waits for the cancellation,
    // then is refused. A session holding the campaign's row lines the two up behind it.
    const waitingForLocks = async (n: number) => expect(await sessionsWaiting(campaigns.dataSource)).toBe(n);
    const { cancelling, racing } = await whileHolding(campaigns.dataSource, holdCampaign(created.body.id), async () => {
      const cancelling = cancel(planner, { reason: 'Thay bằng kế hoạch của tỉnh' });
      await eventually(() => waitingForLocks(1));
      const racing = planner.post(`/campaigns/${created.body.id}/targets/${target(created.body, 'activity').id}/activities`, { occurredOn: today() });
      await eventually(() => waitingForLocks(2));
      return { cancelling, racing };
    });
    const cancelled = await cancelling;
    expect(cancelled.status).toBe(200);
    const raced = await racing;
    expect({ status: raced.status, message: raced.body.message }).toEqual({ status: 409, message: `Campaign ${created.body.id} was cancelled: activities are no longer recorded for it` });
    expect(cancelled.body.cancelled).toMatchObject({ on: today(), by: 'ubnd-q/planner-q', reason: 'Thay bằng kế hoạch của tỉnh' });
    await eventually(() =>
      expect(recorder.events('antq.campaigns.campaign-cancelled.v1').filter((e) => e.data.campaignId === created.body.id).map((e) => e.data)).toEqual([
        expect.objectContaining({ scopeUnitId: ids['Q'], reason: 'Thay bằng kế hoạch của tỉnh', targets: [{ targetId: list.id, state: 'on-track' }, expect.objectContaining({ state: 'on-track' })] }),
      ]),
    );
    // Those responsible for the scope hear of it, with the reason.
    const feed = async () =>
      ((await new ApiClient(notifications.url, testToken('ubnd-q', ['viewer'])).get('/feed?limit=1000')).body.items as { ruleName: string; message: { vi: string; en: string } }[]).filter(
        (i) => i.ruleName === 'campaign-cancelled' && i.message.en.includes('Kế hoạch thay thế'),
      );
    await eventually(async () =>
      expect((await feed()).map((i) => i.message.en)).toEqual(['Campaign "Kế hoạch thay thế" of Q was called off: Thay bằng kế hoạch của tỉnh']),
    );
    expect((await cancel(planner, { reason: 'again' })).body.message).toMatch(/was already cancelled/);
    const activity = await planner.post(`/campaigns/${created.body.id}/targets/${target(created.body, 'activity').id}/activities`, { occurredOn: today() });
    expect({ status: activity.status, message: activity.body.message }).toEqual({ status: 409, message: `Campaign ${created.body.id} was cancelled: activities are no longer recorded for it` });

    // The named commune is recognised afterwards: counted by the scoreboards, not by the cancelled target.
    const progressBefore = progressValues(list.id).length;
    await recognise(commune, today(), ids['Q']);
    await eventually(async () =>
      expect(await campaigns.dataSource.query("SELECT status FROM status_replica WHERE unit_id = $1 AND programme = 'drug-free'", [commune])).toEqual([{ status: 'recognised' }]),
    );
    await campaigns.app.get(CampaignsService).evaluateDue(shift(today(), 61));
    await admin.post('/campaigns/rebuild', {});
    expect(target((await admin.get(`/campaigns/${created.body.id}`)).body, 'list').progress).toMatchObject({ value: 0, state: 'on-track' });
    expect(progressValues(list.id)).toHaveLength(progressBefore);
    // Read as of the day it was called off, its progress is the one it kept then, not a recount.
    const later = (await admin.get(`/campaigns/${created.body.id}/progress?asOf=${today()}`)).body;
    expect(later).toMatchObject({ cancelledOn: today(), targets: [{ targetId: list.id, progress: { value: 0, state: 'on-track', evaluatedOn: today() } }, expect.anything()] });
    const before = (await admin.get(`/campaigns/${created.body.id}/progress?asOf=${shift(today(), -1)}`)).body;
    expect({ cancelledOn: before.cancelledOn, progress: before.targets.map((t: { progress: unknown }) => t.progress) }).toEqual({ cancelledOn: undefined, progress: [null, null] });

    // A campaign that has ended keeps its result.
    const ended = await planner.post('/campaigns', { name: 'Đã xong', scopeUnitId: ids['Q'], periodStart: shift(today(), -40), periodEnd: shift(today(), -1), targets: [{ kind: 'activity', activity: 'patrols', goal: 1 }] });
    const late = await planner.post(`/campaigns/${ended.body.id}/cancel`, { reason: 'too late' });
    expect({ status: late.status, message: late.body.message }).toEqual({ status: 409, message: `Campaign ${ended.body.id} ended on ${shift(today(), -1)}: its result stands and it can no longer be cancelled` });
  });

  it("lets only the owning agency's managers, or an admin, change a campaign: another agency sharing the province is refused and nothing changes", async () => {
    // The province's People's Committee and its police both manage campaigns over the same units, each its own.
    const district = await unit('QA', 'district', 'Q');
    await awaitReplicated(campaigns, [district]);
    const owner = new ApiClient(campaigns.url, testToken('ubnd-q', ['campaign-manager'], 'planner-q', [ids['Q']]));
    const police = new ApiClient(campaigns.url, testToken('ca-q', ['campaign-manager'], 'planner-ca', [ids['Q']]));
    const plan = async (name: string) => {
      const planned = await owner.post('/campaigns', {
        name,
        scopeUnitId: district,
        periodStart: shift(today(), -10),
        periodEnd: shift(today(), 50),
        targets: [
          { kind: 'count', programme: 'drug-free', unitKind: 'commune', mode: 'absolute', goal: 40 },
          { kind: 'activity', activity: 'patrols', goal: 3 },
        ],
      });
      expect({ status: planned.status, agency: planned.body.agency }).toEqual({ status: 201, agency: 'ubnd-q' });
      return planned.body as { id: string; targets: TargetView[] };
    };
    const campaign = await plan('Kế hoạch của ủy ban');
    const [count, activity] = [target(campaign, 'count').id, target(campaign, 'activity').id];
    const cancel = (client: ApiClient, campaignId: string, reason: string) => client.post(`/campaigns/${campaignId}/cancel`, { reason });
    const amend = (client: ApiClient, goal: number) => client.post(`/campaigns/${campaign.id}/targets/${count}/amend`, { goal, reason: 'Điều chỉnh' });
    const record = (client: ApiClient) => client.post(`/campaigns/${campaign.id}/targets/${activity}/activities`, { occurredOn: today() });
    const stored = async () => ({
      campaign: (await admin.get(`/campaigns/${campaign.id}`)).body,
      activities: await campaigns.dataSource.query('SELECT count(*)::int AS n FROM target_activities WHERE target_id = $1', [activity]),
    });

    const before = await stored();
    for (const attempt of [() => cancel(police, campaign.id, 'Thay bằng kế hoạch của công an'), () => amend(police, 20), () => record(police)]) {
      const response = await attempt();
      expect({ status: response.status, message: response.body.message }).toEqual({
        status: 403,
        message: `Campaign ${campaign.id} belongs to agency ubnd-q: only that agency's campaign managers or an admin may change it, not agency ca-q`,
      });
    }
    expect(await stored()).toEqual(before);
    expect(before).toMatchObject({ campaign: { cancelled: null, targets: [{ goal: 40, amendments: [] }, { goal: 3, progress: { value: 0 } }] }, activities: [{ n: 0 }] });

    // The owner's managers and an admin (of another agency) still can.
    expect((await amend(owner, 30)).status).toBe(200);
    expect((await record(owner)).status).toBe(201);
    expect((await amend(admin, 25)).status).toBe(200);
    expect((await record(admin)).status).toBe(201);
    const changed = (await admin.get(`/campaigns/${campaign.id}`)).body;
    expect(changed.targets).toMatchObject([
      { goal: 25, amendments: [{ previousGoal: 40, goal: 30, by: 'ubnd-q/planner-q' }, { previousGoal: 30, goal: 25, by: 'ca-tinh/tester' }] },
      { progress: { value: 2 } },
    ]);
    expect((await cancel(owner, campaign.id, 'Thay bằng kế hoạch của tỉnh')).body.cancelled).toMatchObject({ by: 'ubnd-q/planner-q' });
    const other = await plan('Kế hoạch thứ hai của ủy ban');
    expect((await cancel(admin, other.id, 'Gộp vào kế hoạch của tỉnh')).body.cancelled).toMatchObject({ by: 'ca-tinh/tester' });
    // Only the changes made were announced: the refused ones emitted nothing.
    await eventually(() => {
      expect(recorder.events('antq.campaigns.target-amended.v1').filter((e) => e.data.targetId === count).map((e) => [e.data.previousGoal, e.data.goal])).toEqual([
        [40, 30],
        [30, 25],
      ]);
      expect(recorder.events('antq.campaigns.campaign-cancelled.v1').filter((e) => e.data.campaignId === campaign.id).map((e) => e.data.reason)).toEqual(['Thay bằng kế hoạch của tỉnh']);
    });
  });
});

it('sends events of every type it publishes, each accepted by its published JSON Schema', () => {
  const { checkedTypes, topicTypes, violations } = schemaCheck(recorder.messages, 'campaigns');
  expect(violations).toEqual([]);
  // Every type the service publishes was sent during these tests, and checked.
  expect(checkedTypes).toEqual(topicTypes);
});
