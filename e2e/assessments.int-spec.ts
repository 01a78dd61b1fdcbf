import { AssessmentsModule, AssessmentsService, ASSESSMENTS, DerivationWorker, ProgrammesService } from '@antq/app-assessments';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS, type CloudEvent, type UnitSnapshot, type UnitStatusChangedData } from '@antq/contracts';
import { EventContext } from '@antq/messaging';
import { UnitEventsHandler } from '@antq/unit-replica';
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
  SettableClock,
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
/** The assessments service's business date: the system's, unless a test sets it. */
const clock = new SettableClock();
const kafka = testKafka();
let registry: RunningService;
let service: RunningService;
let recorder: TopicRecorder;
let admin: ApiClient;
let units: UnitFixtures;
let ids: Record<string, string> = {};

const client = (agency: string, roles: Parameters<typeof testToken>[1], jurisdiction: string[]) => new ApiClient(service.url, testToken(agency, roles, `${agency}-user`, jurisdiction));

const unit = (code: string, kind: string, parent?: string) => units.add(code, kind, parent);

function statusEvents(unitId: string): UnitStatusChangedData[] {
  return recorder
    .events('antq.assessments.unit-status-changed.v1')
    .filter((e) => e.subject === unitId)
    .map((e) => e.data);
}

/** Derived statuses follow just after their children's changes commit: wait for the queue to drain. */
async function derivationsDone() {
  await eventually(async () => expect(await service.app.get(DerivationWorker).backlog()).toEqual({ pending: 0, failed: 0 }));
}

async function footprint() {
  const [row] = (await service.dataSource.query(
    `SELECT (SELECT count(*) FROM assessments)::int AS assessments, (SELECT count(*) FROM assessment_transitions)::int AS transitions,
            (SELECT count(*) FROM unit_status_history)::int AS statuses, (SELECT count(*) FROM programme_versions)::int AS programmes`,
  )) as object[];
  return row;
}

async function expectRefused(call: () => Promise<{ status: number; body: { message: unknown } }>, status: number, message: RegExp) {
  const before = await footprint();
  const response = await call();
  expect({ status: response.status, message: JSON.stringify(response.body.message) }).toEqual({ status, message: expect.stringMatching(message) });
  expect(await footprint()).toEqual(before);
}

/** Drafts, submits and verifies an assessment of a unit with the right people at each step; returns its id. */
async function verifiedAssessment(unitId: string, programme = 'drug-free', results: unknown[] = DRUG_FREE_RESULTS, cycle = 2024): Promise<string> {
  const assessor = client('ubnd-commune', ['assessor'], [unitId]);
  const police = client('ca-nghe-an', ['verifier'], [ids['P']]);
  const draft = await assessor.post('/assessments', { unitId, programme, cycle, results, evidence: ['doc://self-assessment.pdf'] });
  expect(draft.status).toBe(201);
  expect((await assessor.post(`/assessments/${draft.body.id}/submit`, { comment: 'tự đánh giá' })).status).toBe(200);
  expect((await police.post(`/assessments/${draft.body.id}/verify`, { comment: 'thẩm định đạt' })).status).toBe(200);
  return draft.body.id as string;
}

/** Takes an assessment from draft to recognised with the right people at each step. */
async function recognise(unitCode: string, programme = 'drug-free', results: unknown[] = DRUG_FREE_RESULTS, cycle = 2024, decisionDate = '2024-06-01') {
  const id = await verifiedAssessment(ids[unitCode], programme, results, cycle);
  const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
  const recognised = await committee.post(`/assessments/${id}/recognise`, { decisionNumber: `QD-${unitCode}`, decisionDate });
  expect(recognised.status).toBe(200);
  return id;
}

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  registry = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
  units = new UnitFixtures(registry.url, runId);
  ids = units.ids;
  service = await startTestService(ASSESSMENTS, (env) => AssessmentsModule.forRoot(env, { clock }), runId);
  recorder = await new TopicRecorder(kafka, runTopic(runId, EVENT_TOPICS.assessments.name)).start();
  admin = new ApiClient(service.url, testToken('ca-nghe-an', ['admin']));
  await unit('P', 'province');
  await unit('D', 'district', 'P');
  await unit('C1', 'commune', 'D');
  await unit('C2', 'commune', 'D');
  await unit('D2', 'district', 'P');
  await unit('AG', 'agency', 'P');
  // Units travel on different partitions, so each one is awaited, not only the last created.
  await awaitReplicated(service, Object.values(ids));
});

afterAll(async () => {
  await recorder?.stop();
  await dropTestDatabases([registry, service].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

describe('assessments and statuses', () => {
  it('recognises a commune through the workflow, recording every step', async () => {
    const id = await recognise('C1');
    const assessment = (await admin.get(`/assessments/${id}`)).body;
    expect(assessment).toMatchObject({ state: 'recognised', programme: 'drug-free', programmeVersion: 1, cycle: 2024, met: true });
    expect(assessment.transitions.map((t: { to: string; agency: string }) => [t.to, t.agency])).toEqual([
      ['draft', 'ubnd-commune'],
      ['submitted', 'ubnd-commune'],
      ['verified', 'ca-nghe-an'],
      ['recognised', 'ubnd-district'],
    ]);
    expect(assessment.transitions[3]).toMatchObject({ decisionNumber: 'QD-C1', decisionDate: '2024-06-01' });
    expect((await admin.get(`/units/${ids['C1']}/statuses`)).body).toEqual([
      expect.objectContaining({ programme: 'drug-free', status: 'recognised', since: '2024-06-01', validUntil: '2024-12-31', source: 'assessment' }),
    ]);
    // One commune of two: the district is not drug-free, and nothing is recorded for it yet.
    await derivationsDone();
    expect((await admin.get(`/units/${ids['D']}/statuses`)).body).toEqual([]);
    const event = await eventually(() => {
      const [e] = statusEvents(ids['C1']);
      expect(e).toBeDefined();
      return e;
    });
    expect(event).toMatchObject({ programme: 'drug-free', unitKind: 'commune', before: { status: 'unassessed' }, after: { status: 'recognised', validUntil: '2024-12-31' }, source: 'assessment' });
  });

  it('derives the district and the province when all their children are drug-free', async () => {
    await recognise('C2', 'drug-free', DRUG_FREE_RESULTS, 2024, '2024-07-01');
    await derivationsDone();
    expect((await admin.get(`/units/${ids['D']}/statuses`)).body).toEqual([expect.objectContaining({ status: 'recognised', source: 'derived', since: '2024-07-01' })]);
    // The province's districts: D is drug-free but D2 (no communes) is not.
    expect((await admin.get(`/units/${ids['P']}/statuses`)).body).toEqual([]);
    await eventually(() => expect(statusEvents(ids['D'])).toEqual([expect.objectContaining({ before: expect.objectContaining({ status: 'unassessed' }), after: expect.objectContaining({ status: 'recognised' }), source: 'derived' })]));
  });

  it('answers status queries by subtree, kind and date', async () => {
    const query = (asOf: string, status = 'recognised') => admin.get(`/statuses?programme=drug-free&within=${ids['P']}&kind=commune&status=${status}&asOf=${asOf}`);
    expect((await query('2024-12-31')).body.total).toBe(2);
    expect((await query('2024-06-15')).body.items.map((u: { name: string }) => u.name)).toEqual(['C1']);
    expect((await query('2023-12-31')).body.total).toBe(0);
    expect((await query('2023-12-31', 'unassessed')).body.total).toBe(2);
    expect((await query('2025-01-01', 'lapsed')).body.total).toBe(2);
  });

  it('exports a status query as CSV for a spreadsheet when asked for text/csv', async () => {
    const url = `${service.url}/statuses?programme=drug-free&within=${ids['P']}&kind=commune&asOf=2024-12-31&limit=1`;
    const headers = { authorization: `Bearer ${testToken('ca-nghe-an', ['viewer'])}`, accept: 'text/csv' };
    const response = await fetch(url, { headers });
    expect({ status: response.status, type: response.headers.get('content-type'), file: response.headers.get('content-disposition'), total: response.headers.get('x-total-count') }).toEqual({
      status: 200,
      type: 'text/csv; charset=utf-8',
      file: 'attachment; filename="statuses-drug-free-2024-12-31.csv"',
      total: '2',
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    // A byte-order mark first, so that a spreadsheet reads the names as UTF-8; lines end in CRLF.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const json = (await admin.get(`/statuses?programme=drug-free&within=${ids['P']}&kind=commune&asOf=2024-12-31&limit=1`)).body.items[0] as Record<string, unknown>;
    expect(bytes.subarray(3).toString('utf8')).toBe(
      'code,name,kind,programme,status,grade,score,since,validUntil,source,unitId,parentId\r\n' +
        `${json['code']},${json['name']},commune,drug-free,recognised,,,${json['since']},${json['validUntil']},assessment,${ids['C1']},${ids['D']}\r\n`,
    );
    // JSON stays the answer to everyone else.
    expect((await fetch(url, { headers: { ...headers, accept: 'application/json, text/csv;q=0.5' } })).headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('refuses an illegal transition with 409 and changes nothing', async () => {
    const [{ id }] = (await service.dataSource.query(`SELECT id FROM assessments WHERE unit_id = $1`, [ids['C1']])) as { id: string }[];
    await expectRefused(() => admin.post(`/assessments/${id}/verify`, {}), 409, /Cannot verify an assessment that is recognised \(only from submitted\)/);
    await expectRefused(() => admin.post(`/assessments/${id}/recognise`, { decisionNumber: 'X', decisionDate: '2024-08-01' }), 409, /Cannot recognise/);
  });

  it('lets only the right role and jurisdiction act, with 403 otherwise', async () => {
    const outsider = client('ubnd-other', ['assessor'], [ids['D2']]);
    await expectRefused(() => outsider.post('/assessments', { unitId: ids['C1'], programme: 'safe-security-order', cycle: 2024, results: [] }), 403, /outside the jurisdiction/);
    const assessor = client('ubnd-commune', ['assessor'], [ids['C1']]);
    const draft = await assessor.post('/assessments', {
      unitId: ids['C1'],
      programme: 'model-unit',
      cycle: 2024,
      results: ['safe-security-order', 'movement-excellent', 'replicable-model', 'no-violations'].map((criterion) => ({ criterion, value: true })),
    });
    expect(draft.status).toBe(201);
    await expectRefused(() => client('ca-nghe-an', ['assessor'], [ids['P']]).post(`/assessments/${draft.body.id}/verify`, {}), 403, /needs the role verifier/);
    await assessor.post(`/assessments/${draft.body.id}/submit`, { evidence: ['doc://model.pdf'] });
    await client('ca-nghe-an', ['verifier'], [ids['P']]).post(`/assessments/${draft.body.id}/verify`, {});
    // The commune's own committee is not the level above it.
    await expectRefused(() => client('ubnd-commune', ['recogniser'], [ids['C1']]).post(`/assessments/${draft.body.id}/recognise`, { decisionNumber: 'Q', decisionDate: '2024-09-01' }), 403, /level above the unit/);
  });

  it('refuses bad input with a 4xx that says what is wrong, saving nothing', async () => {
    const post = (body: Record<string, unknown>) => () => admin.post('/assessments', { unitId: ids['C2'], programme: 'safe-security-order', cycle: 2025, results: [], ...body });
    await expectRefused(post({ results: [{ criterion: 'no-ufo', value: true }] }), 400, /criterion \\"no-ufo\\" is not one of safe-security-order's for a commune/);
    await expectRefused(
      post({ programme: 'movement-classification', results: [{ criterion: 'resolution-and-plan', value: 12 }] }),
      400,
      /scores between 0 and 10, not 12.*missing criteria/,
    );
    await expectRefused(post({ unitId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }), 422, /Unit 7c9e6679.* is unknown/);
    await expectRefused(post({ unitId: ids['AG'], programme: 'drug-free' }), 422, /does not apply to a agency/);
    await expectRefused(post({ periodStart: '2024-10-01' }), 422, /outside cycle 2025 of safe-security-order \(2024-11-16..2025-11-15\)/);
    await expectRefused(post({ unitId: ids['D'], programme: 'drug-free' }), 422, /derived from its children/);
    await expectRefused(post({ programme: 'no-such-programme' }), 400, /programme must be one of: drug-free, /);
    await expectRefused(post({ cycle: 'soon' }), 400, /cycle must be an integer/);
    // Results that are not a list say so, and only so: not also checked as one result.
    await expectRefused(post({ results: { a: 1 } }), 400, /^\["results must be an array of criterion results \(\{ criterion, value \}\)"\]$/);
    await expectRefused(post({ results: ['a'] }), 400, /results must hold objects \{ criterion, value \}/);
    await expectRefused(post({ evidence: Array.from({ length: 5000 }, (_, i) => `doc://${i}.pdf`) }), 400, /evidence may hold at most 100 references/);
    await expectRefused(post({ evidence: ['doc://bien-ban.pdf', '   '] }), 400, /evidence must not hold a blank reference/);
    // A role that may not draft is told so before anything about the unit, even that it is unknown.
    const viewer = client('ca-nghe-an', ['viewer'], [ids['P']]);
    for (const unitId of [ids['C2'], '7c9e6679-7425-40de-944b-e07fc1f90ae7']) {
      await expectRefused(() => viewer.post('/assessments', { unitId, programme: 'drug-free', cycle: 2025, results: DRUG_FREE_RESULTS }), 403, /may not draft assessments: that needs the role assessor/);
    }

    const assessor = client('ubnd-commune', ['assessor'], [ids['C2']]);
    const draft = await assessor.post('/assessments', { unitId: ids['C2'], programme: 'drug-free', cycle: 2025, results: DRUG_FREE_RESULTS });
    expect(draft.status).toBe(201);
    await expectRefused(() => assessor.post(`/assessments/${draft.body.id}/submit`, {}), 422, /To submit, give at least one evidence reference/);
    await expectRefused(() => assessor.post(`/assessments/${draft.body.id}/submit`, { evidence: Array(101).fill('doc://bien-ban.pdf') }), 400, /evidence may hold at most 100 references/);
    await expectRefused(() => assessor.post(`/assessments/${draft.body.id}/submit`, { evidence: [''] }), 400, /evidence must not hold a blank reference/);
    expect((await assessor.post(`/assessments/${draft.body.id}/submit`, { evidence: ['doc://bien-ban.pdf'] })).status).toBe(200);
    // A rejection returns the assessment with its reasons.
    const police = client('ca-nghe-an', ['verifier'], [ids['P']]);
    await expectRefused(() => police.post(`/assessments/${draft.body.id}/reject`, {}), 400, /^\["comment is required: say why the assessment is rejected"\]$/);
    for (const comment of ['  ', 7]) {
      await expectRefused(() => police.post(`/assessments/${draft.body.id}/reject`, { comment }), 400, /comment must say why the assessment is rejected/);
    }
    expect((await police.post(`/assessments/${draft.body.id}/reject`, { comment: 'chưa đủ hồ sơ' })).body).toMatchObject({ state: 'rejected' });
  });

  it('re-derives when a recognition is revoked', async () => {
    const [{ id }] = (await service.dataSource.query(`SELECT id FROM assessments WHERE unit_id = $1 AND programme = 'drug-free'`, [ids['C1']])) as { id: string }[];
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    expect((await committee.post(`/assessments/${id}/revoke`, { decisionNumber: 'TH-1', decisionDate: '2024-09-01', comment: 'phát hiện người nghiện' })).status).toBe(200);
    expect((await admin.get(`/units/${ids['C1']}/statuses`)).body).toEqual(expect.arrayContaining([expect.objectContaining({ programme: 'drug-free', status: 'revoked' })]));
    await derivationsDone();
    expect((await admin.get(`/units/${ids['D']}/statuses`)).body).toEqual([expect.objectContaining({ status: 'not-recognised', source: 'derived', since: '2024-09-01' })]);
    const history = (await admin.get(`/units/${ids['C1']}/statuses/drug-free/history`)).body as { status: string; validFrom: string; validTo: string | null }[];
    expect(history.map((h) => [h.status, h.validFrom, h.validTo])).toEqual([
      ['recognised', '2024-06-01', '2024-09-01'],
      ['revoked', '2024-09-01', null],
    ]);
  });

  it('follows tree changes: a move re-derives both parents, a closure ends the statuses', async () => {
    const registryApi = new ApiClient(registry.url, testToken('ca-nghe-an', ['registrar'], 'registrar', [ids['P']]));
    // C2 (drug-free) moves to D2, whose only commune it becomes: D2 turns drug-free.
    expect((await registryApi.post(`/units/${ids['C2']}/move`, { parentId: ids['D2'], effectiveFrom: '2024-10-01' })).status).toBe(200);
    await eventually(async () => expect((await admin.get(`/units/${ids['D2']}/statuses`)).body).toEqual([expect.objectContaining({ status: 'recognised', source: 'derived' })]));
    // C1 (revoked) closes: its status ends; D has no commune left and stays not recognised.
    expect((await registryApi.post(`/units/${ids['C1']}/close`, { effectiveFrom: '2024-11-01' })).status).toBe(200);
    await eventually(async () => expect((await admin.get(`/units/${ids['C1']}/statuses`)).body).toEqual(expect.arrayContaining([expect.objectContaining({ programme: 'drug-free', status: 'unit-closed', source: 'tree' })])));
  });

  it('keeps assessments on the programme version they were made under', async () => {
    const [current] = (await admin.get('/programmes/drug-free/versions')).body as { definition: Record<string, unknown> }[];
    const v2 = { ...current.definition, criteria: { '*': [...(current.definition['criteria'] as { '*': unknown[] })['*'], { code: 'no-users', label: { vi: 'Không có người sử dụng', en: 'No drug users' }, type: 'boolean' }] } };
    expect((await admin.post('/programmes/drug-free/versions', { validFrom: '2025-01-01', definition: v2 })).status).toBe(201);
    await expectRefused(() => admin.post('/programmes/drug-free/versions', { validFrom: '2025-02-01', definition: { ...v2, scoring: { rule: 'sometimes' } } }), 400, /scoring.rule/);
    const incomplete = Object.fromEntries(Object.entries(v2).filter(([field]) => field !== 'cycle' && field !== 'scoring'));
    await expectRefused(() => admin.post('/programmes/drug-free/versions', { validFrom: '2025-02-01', definition: incomplete }), 400, /scoring is required.*cycle is required|cycle is required.*scoring is required/);
    for (const definition of ['x', []]) {
      await expectRefused(() => admin.post('/programmes/drug-free/versions', { validFrom: '2099-01-01', definition }), 400, /^\["definition must be an object \(a programme definition, see GET \/programmes\)"\]$/);
    }
    await expectRefused(() => admin.post('/programmes/drug-free/versions', { validFrom: '2099-01-01', definition: { ...v2, name: { vi: ' ', en: 'Drug-free' } } }), 400, /name\.vi: vi must not be blank/);
    // A cycle before the programme's first version is assessed under that first one, not the newest.
    const early = await unit('CE', 'commune', 'D2');
    await awaitReplicated(service, [early]);
    const before2020 = await client('ubnd-commune', ['assessor'], [early]).post('/assessments', { unitId: early, programme: 'drug-free', cycle: 2019, results: DRUG_FREE_RESULTS });
    expect({ status: before2020.status, version: before2020.body.programmeVersion }).toEqual({ status: 201, version: 1 });
    const [first] = v2.criteria['*'];
    await expectRefused(
      () => admin.post('/programmes/drug-free/versions', { validFrom: '2025-02-01', definition: { ...v2, criteria: { '*': [first, { ...(first as object), type: 'maybe' }] } } }),
      400,
      /criteria\.\*\[1\]\.type: type must be one of.*criteria\.\*\[1\]\.code: \\"no-drug-crime\\" appears twice in the list/,
    );
    const assessor = client('ubnd-commune', ['assessor'], [ids['P']]);
    const c3 = await unit('C3', 'commune', 'D2');
    await awaitReplicated(service, [c3]);
    const old = await assessor.post('/assessments', { unitId: c3, programme: 'drug-free', cycle: 2024, results: DRUG_FREE_RESULTS });
    expect(old.body).toMatchObject({ programmeVersion: 1 });
    const missing = await assessor.post('/assessments', { unitId: c3, programme: 'drug-free', cycle: 2025, results: DRUG_FREE_RESULTS });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/missing criteria: no-users/);
  });

  it('publishes every programme version once, keyed by its code: the shipped ones at start, each new one with it', async () => {
    const published = () => recorder.events('antq.assessments.programme-version-published.v1');
    const stored = (await service.dataSource.query('SELECT programme, version FROM programme_versions ORDER BY programme, version')) as { programme: string; version: number }[];
    await eventually(async () => expect(published()).toHaveLength(stored.length));
    expect(published().map((e) => ({ programme: e.data.programme, version: e.data.version })).sort((a, b) => a.programme.localeCompare(b.programme) || a.version - b.version)).toEqual(stored);
    expect(recorder.messages.filter((m) => m.value?.toString().includes('programme-version-published')).every((m) => m.key?.toString() === JSON.parse(m.value?.toString() ?? '{}').data.programme)).toBe(true);
    const drugFree = published().filter((e) => e.data.programme === 'drug-free');
    expect(drugFree.map((e) => ({ version: e.data.version, agency: e.agency, subject: e.subject, appliesTo: e.data.appliesTo, derivedKinds: e.data.derivedKinds }))).toEqual([
      { version: 1, agency: 'antq-system', subject: 'drug-free', appliesTo: ['commune', 'district', 'province'], derivedKinds: ['district', 'province'] },
      { version: 2, agency: 'ca-nghe-an', subject: 'drug-free', appliesTo: ['commune', 'district', 'province'], derivedKinds: ['district', 'province'] },
    ]);
    expect(drugFree[1].data.definition).toMatchObject({ criteria: { '*': expect.arrayContaining([expect.objectContaining({ code: 'no-users' })]) } });
    // Starting again (another instance, a restart) publishes nothing more.
    await service.app.get(ProgrammesService).onApplicationBootstrap();
    const [{ unpublished }] = (await service.dataSource.query('SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished FROM programme_versions')) as { unpublished: number }[];
    expect(unpublished).toBe(0);
    const [{ queued }] = (await service.dataSource.query("SELECT count(*)::int AS queued FROM outbox_messages WHERE event_type = 'antq.assessments.programme-version-published.v1'")) as { queued: number }[];
    expect(queued).toBe(0);
    expect(published()).toHaveLength(stored.length);
  });

  it('publishes a version written unpublished (as a migration ships one) once, however many instances start at the same moment', async () => {
    const [{ version }] = (await service.dataSource.query(
      `INSERT INTO programme_versions (programme, version, valid_from, definition, created_by)
       SELECT programme, version + 1, '2099-01-01', definition, 'seed' FROM programme_versions WHERE programme = 'model-unit' ORDER BY version DESC LIMIT 1
       RETURNING version`,
    )) as { version: number }[];
    const shipped = () => recorder.events('antq.assessments.programme-version-published.v1').filter((e) => e.data.programme === 'model-unit' && e.data.version === version);
    try {
      const programmes = service.app.get(ProgrammesService);
      await Promise.all([programmes.onApplicationBootstrap(), programmes.onApplicationBootstrap(), programmes.onApplicationBootstrap()]);
      await eventually(async () => {
        const [{ queued }] = (await service.dataSource.query("SELECT count(*)::int AS queued FROM outbox_messages WHERE event_type = 'antq.assessments.programme-version-published.v1'")) as { queued: number }[];
        expect({ queued, recorded: shipped().length > 0 }).toEqual({ queued: 0, recorded: true });
      });
      // Whatever a second start would have appended went out with the first: a moment more shows none.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(shipped().map((e) => e.data.validFrom)).toEqual(['2099-01-01']);
    } finally {
      await service.dataSource.query("DELETE FROM programme_versions WHERE programme = 'model-unit' AND version = $1", [version]);
    }
  });

  it('lapses recognitions at the end of their cycle, on the business date', async () => {
    // The job lapses what ended before "today" of the business clock (the system date in service).
    clock.date = '2024-12-31';
    expect((await admin.post('/statuses/lapse-due', {})).body).toEqual({ lapsed: 0 });
    clock.date = '2025-01-02';
    try {
      expect((await admin.post('/statuses/lapse-due', {})).body).toEqual({ lapsed: 1 });
    } finally {
      clock.date = undefined;
    }
    expect((await admin.get(`/units/${ids['C2']}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'drug-free', status: 'lapsed', since: '2025-01-01', source: 'lapse' })]);
    await eventually(() => expect(statusEvents(ids['C2']).map((e) => e.after.status)).toEqual(['recognised', 'lapsed']));
  });
});

describe('key complex areas', () => {
  it('are designated, transformed, followed up and removed, or carried into the next year', async () => {
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const area = await unit('KA1', 'commune', 'D2');
    const stuck = await unit('KA2', 'commune', 'D2');
    await awaitReplicated(service, [stuck]);
    const assessor = client('ubnd-commune', ['assessor'], [area]);
    const transformation = ['crime-reduced', 'hotspots-cleared', 'no-mass-incidents', 'movement-strengthened'].map((criterion) => ({ criterion, value: true }));

    await expectRefused(() => assessor.post('/assessments', { unitId: area, programme: 'key-complex-area', cycle: 2024, results: transformation }), 422, /not a designated key complex area/);
    // A designation needs a decision number, and a decision taken within the cycle it designates for.
    for (const decisionNumber of ['', '   ']) {
      await expectRefused(() => committee.post('/key-areas/designations', { unitId: area, cycle: 2024, decisionNumber, decisionDate: '2024-02-01' }), 400, /decisionNumber must not be blank/);
    }
    await expectRefused(
      () => committee.post('/key-areas/designations', { unitId: area, cycle: 2030, decisionNumber: '5/QD', decisionDate: '1900-01-01' }),
      422,
      /The decision date 1900-01-01 is outside cycle 2030 \(2030-01-01..2030-12-31\)/,
    );
    await expectRefused(() => committee.post('/key-areas/designations', { unitId: area, cycle: 2023, decisionNumber: '5/QD', decisionDate: '2024-02-01' }), 422, /outside cycle 2023 \(2023-01-01..2023-12-31\)/);
    // A role that may not decide is told so first, naming the decision, whatever the unit: closed (C1) or unknown.
    const viewer = client('ca-nghe-an', ['viewer'], [ids['P']]);
    const stranger = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const decision = { decisionNumber: 'X', decisionDate: '2024-03-01' };
    for (const unitId of [ids['C1'], stranger]) {
      await expectRefused(() => viewer.post('/key-areas/designations', { unitId, cycle: 2024, ...decision }), 403, /may not designate key complex areas: that needs the role recogniser/);
      await expectRefused(() => viewer.post(`/key-areas/${unitId}/follow-up`, decision), 403, /may not put key complex areas under follow-up: that needs the role recogniser/);
      await expectRefused(() => viewer.post(`/key-areas/${unitId}/removal`, decision), 403, /may not take key complex areas off the list: that needs the role recogniser/);
    }
    // An unknown unit named by the path is a 404, as on reads; one named by a designation's body a 422, as for a draft.
    await expectRefused(() => committee.post(`/key-areas/${stranger}/follow-up`, decision), 404, new RegExp(`Unit ${stranger} is not in this service's replica of the tree`));
    await expectRefused(() => committee.post(`/key-areas/${stranger}/removal`, decision), 404, /not in this service's replica/);
    await expectRefused(() => committee.post('/key-areas/designations', { unitId: stranger, cycle: 2024, ...decision }), 422, /is unknown/);
    await expectRefused(() => committee.post(`/key-areas/${ids['C1']}/follow-up`, decision), 422, /is closed/);
    await expectRefused(() => client('ubnd-commune', ['recogniser'], [area]).post('/key-areas/designations', { unitId: area, cycle: 2024, ...decision }), 403, /no authority above unit .*: a decision on a key complex area belongs to the level above the unit/);
    for (const unitId of [area, stuck]) {
      expect((await committee.post('/key-areas/designations', { unitId, cycle: 2024, decisionNumber: 'TD-2024', decisionDate: '2024-02-01' })).body).toEqual({ status: 'designated' });
    }
    await expectRefused(() => committee.post('/key-areas/designations', { unitId: area, cycle: 2024, decisionNumber: 'TD-2024b', decisionDate: '2024-03-01' }), 409, /already on the list/);
    await expectRefused(() => committee.post(`/key-areas/${area}/removal`, { decisionNumber: 'R', decisionDate: '2024-03-01' }), 409, /only from transformed or followed-up/);

    // A second transformation drafted while the area was on the list, for the next cycle.
    const later = await verifiedAssessment(area, 'key-complex-area', transformation, 2025);
    // An area not yet transformed is carried into the next year, not decided short.
    await expectRefused(
      () => committee.post(`/assessments/${later}/not-recognise`, { decisionNumber: 'X', decisionDate: '2025-04-01' }),
      422,
      /A key complex area not yet transformed stays designated and is carried into the next year: reject the assessment instead/,
    );
    await recognise('KA1', 'key-complex-area', transformation, 2024, '2024-10-01');
    expect((await admin.get(`/units/${area}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'key-complex-area', status: 'transformed', validUntil: null })]);
    await expectRefused(() => committee.post(`/key-areas/${area}/follow-up`, { decisionNumber: ' ', decisionDate: '2024-11-01' }), 400, /decisionNumber must not be blank/);
    expect((await committee.post(`/key-areas/${area}/follow-up`, { decisionNumber: 'TD-FU', decisionDate: '2024-11-01' })).body).toEqual({ status: 'followed-up' });
    await expectRefused(() => committee.post(`/key-areas/${area}/removal`, { decisionNumber: '\t', decisionDate: '2025-03-01' }), 400, /decisionNumber must not be blank/);
    expect((await committee.post(`/key-areas/${area}/removal`, { decisionNumber: 'TD-RM', decisionDate: '2025-03-01' })).body).toEqual({ status: 'removed' });
    // Off the list, the area's transformation is no longer recognised: it would put it back.
    await expectRefused(
      () => committee.post(`/assessments/${later}/recognise`, { decisionNumber: 'QD-KA1-2025', decisionDate: '2025-04-01' }),
      409,
      /no longer a designated key complex area \(it is removed\)/,
    );

    // KA2 was not transformed in 2024: at the cycle end it stays designated for 2025.
    await service.app.get(AssessmentsService).lapseDue('2025-01-03');
    expect((await admin.get(`/units/${stuck}/statuses`)).body).toEqual([
      expect.objectContaining({ programme: 'key-complex-area', status: 'designated', since: '2025-01-01', validUntil: '2025-12-31', source: 'lapse' }),
    ]);

    // Every decision on the list is on record: its number, date and who took it.
    const decided = (unitId: string) => admin.get(`/key-areas/${unitId}`);
    const steps = (body: { decisions: Record<string, unknown>[] }) =>
      body.decisions.map(({ step, cycle, decisionNumber, decisionDate, agency, principal }) => ({ step, cycle, decisionNumber, decisionDate, agency, principal }));
    const areaRecord = await decided(area);
    expect(areaRecord.body.status).toMatchObject({ status: 'removed', since: '2025-03-01' });
    expect(steps(areaRecord.body)).toEqual([
      { step: 'designated', cycle: 2024, decisionNumber: 'TD-2024', decisionDate: '2024-02-01', agency: 'ubnd-district', principal: 'ubnd-district-user' },
      { step: 'followed-up', cycle: null, decisionNumber: 'TD-FU', decisionDate: '2024-11-01', agency: 'ubnd-district', principal: 'ubnd-district-user' },
      { step: 'removed', cycle: null, decisionNumber: 'TD-RM', decisionDate: '2025-03-01', agency: 'ubnd-district', principal: 'ubnd-district-user' },
    ]);
    expect(steps((await decided(stuck)).body)).toEqual([
      { step: 'designated', cycle: 2024, decisionNumber: 'TD-2024', decisionDate: '2024-02-01', agency: 'ubnd-district', principal: 'ubnd-district-user' },
      { step: 'carried-over', cycle: 2025, decisionNumber: null, decisionDate: '2025-01-01', agency: 'antq-system', principal: 'lapse-job' },
    ]);
    expect((await decided(ids['C1'])).status).toBe(404);

    // A transformation decided in the last days of 2024 but recorded after the carry-over
    // holds from the carry-over, so the history never holds two statuses at once.
    await recognise('KA2', 'key-complex-area', transformation, 2024, '2024-12-28');
    expect((await admin.get(`/units/${stuck}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'key-complex-area', status: 'transformed', since: '2025-01-01' })]);
    const history = (await admin.get(`/units/${stuck}/statuses/key-complex-area/history`)).body as { status: string; validFrom: string; validTo: string | null }[];
    expect(history.map((h) => [h.status, h.validFrom, h.validTo])).toEqual([
      ['designated', '2024-02-01', '2025-01-01'],
      ['designated', '2025-01-01', '2025-01-01'],
      ['transformed', '2025-01-01', null],
    ]);
    // The carry-over's empty period is on record, and no date reads it.
    const asOf = async (date: string) =>
      ((await admin.get(`/statuses?programme=key-complex-area&within=${ids['D2']}&asOf=${date}&limit=100`)).body.items as { unitId: string; status: string }[])
        .filter((u) => u.unitId === stuck)
        .map((u) => u.status);
    expect(await asOf('2024-12-31')).toEqual(['designated']);
    expect(await asOf('2025-01-01')).toEqual(['transformed']);

    // Each decision on the list is told with its number and date; the carry-over by the system, without one.
    const decisionsTold = (unitId: string) =>
      recorder
        .events('antq.assessments.key-area-decided.v1')
        .filter((e) => e.subject === unitId)
        .map(({ data }) => [data.step, data.cycle, data.decisionNumber, data.decisionDate]);
    await eventually(() => {
      expect(decisionsTold(area)).toEqual([
        ['designated', 2024, 'TD-2024', '2024-02-01'],
        ['followed-up', null, 'TD-FU', '2024-11-01'],
        ['removed', null, 'TD-RM', '2025-03-01'],
      ]);
      expect(decisionsTold(stuck)).toEqual([
        ['designated', 2024, 'TD-2024', '2024-02-01'],
        ['carried-over', 2025, null, '2025-01-01'],
      ]);
    });
  });
});

describe('overdue assessments', () => {
  it('reports once each unit left without a recognition when its cycle ended', async () => {
    const late = await unit('LATE', 'commune', 'D2');
    await awaitReplicated(service, [late]);
    const assessments = service.app.get(AssessmentsService);

    const reported = await assessments.reportOverdue('2025-01-01');
    expect(reported).toBeGreaterThanOrEqual(1);
    const overdue = () => recorder.events('antq.assessments.assessment-overdue.v1');
    // One event per unit, keyed by it: they arrive on their partitions in any order.
    await eventually(() => expect(overdue()).toHaveLength(reported));
    expect(overdue().map((e) => e.subject)).toContain(late);
    expect(overdue().find((e) => e.subject === late)!.data).toEqual({
      unitId: late,
      unitKind: 'commune',
      programme: 'drug-free',
      cycle: 2024,
      deadline: '2024-12-31',
      assessmentId: null,
      assessmentState: null,
    });
    // Recognised in 2024 (C2 since lapsed, C1 since revoked): not overdue. Districts are derived: never.
    const subjects = overdue().map((e) => e.subject);
    for (const code of ['C1', 'C2', 'D', 'D2', 'P', 'AG']) expect(subjects).not.toContain(ids[code]);
    expect(new Set(subjects).size).toBe(reported);

    // The daily job runs again: nothing is reported twice.
    expect(await assessments.reportOverdue('2025-01-02')).toBe(0);
  });
});

describe('cycles and deadlines of their own for some unit kinds (version 2)', () => {
  it("runs a residential area's safe-security-order cycle 2026 from 1 Nov 2025 to 31 Oct 2026, a commune's from 16 Nov", async () => {
    const commune = await unit('CK', 'commune', 'D2');
    const area = await unit('RK', 'residential-area', 'CK');
    await awaitReplicated(service, [commune, area]);
    const assessor = client('ubnd-commune', ['assessor'], [commune]);
    const residential = ['no-serious-crime', 'no-complex-incidents', 'social-evils-curbed', 'no-traffic-deaths', 'self-governing-model'].map((criterion) => ({ criterion, value: true }));
    const draft = (body: Record<string, unknown>) => () => assessor.post('/assessments', { unitId: area, programme: 'safe-security-order', cycle: 2026, results: residential, ...body });

    const versions = (await admin.get('/programmes/safe-security-order/versions')).body as { version: number; validFrom: string }[];
    expect(versions.map(({ version, validFrom }) => ({ version, validFrom }))).toEqual([
      { version: 1, validFrom: '2020-01-01' },
      { version: 2, validFrom: '2025-11-01' },
      { version: 3, validFrom: '2026-11-01' },
    ]);
    const outside = /outside cycle 2026 of safe-security-order \(2025-11-01..2026-10-31\) as it runs for a residential-area/;
    await expectRefused(draft({ periodStart: '2025-10-31', periodEnd: '2026-06-30' }), 422, outside);
    await expectRefused(draft({ periodStart: '2025-11-16', periodEnd: '2026-11-15' }), 422, outside);
    const own = await draft({})();
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ programmeVersion: 2, cycle: 2026, periodStart: '2025-11-01', periodEnd: '2026-10-31' });

    // Communes keep the 16 Nov cycle; cycle 2025 stays on version 1, one cycle for every kind.
    const safeCommune = [{ criterion: 'no-serious-crime', value: true }, { criterion: 'no-complex-incidents', value: true }, { criterion: 'safe-residential-share', value: 80 }];
    const communal = await assessor.post('/assessments', { unitId: commune, programme: 'safe-security-order', cycle: 2026, results: safeCommune });
    expect(communal.body).toMatchObject({ programmeVersion: 2, periodStart: '2025-11-16', periodEnd: '2026-11-15' });
    const earlier = await draft({ cycle: 2025 })();
    expect(earlier.body).toMatchObject({ programmeVersion: 1, cycle: 2025, periodStart: '2024-11-16', periodEnd: '2025-11-15' });
  });

  it('refuses a share above 100 % or a negative count from cycle 2027 (version 3), and keeps cycle 2026 on version 2', async () => {
    const commune = await unit('CB', 'commune', 'D2');
    const enterprise = await unit('EB', 'enterprise', 'CB');
    await awaitReplicated(service, [commune, enterprise]);
    const assessor = client('ubnd-commune', ['assessor'], [commune]);
    const communal = (share: number) => [{ criterion: 'no-serious-crime', value: true }, { criterion: 'no-complex-incidents', value: true }, { criterion: 'safe-residential-share', value: share }];
    const draft = (unitId: string, cycle: number, results: unknown[]) => () => assessor.post('/assessments', { unitId, programme: 'safe-security-order', cycle, results });

    await expectRefused(draft(commune, 2027, communal(250)), 400, /criterion \\"safe-residential-share\\" takes a number from 0 to 100, not 250/);
    const organisation = (briefed: number, models: number) => [
      { criterion: 'first-quarter-resolution', value: true },
      { criterion: 'internal-protection-rules', value: true },
      { criterion: 'staff-briefed-percent', value: briefed },
      { criterion: 'working-models', value: models },
    ];
    await expectRefused(draft(enterprise, 2027, organisation(-5, -3)), 400, /"staff-briefed-percent\\" takes a number from 0 to 100, not -5; criterion \\"working-models\\" takes a number of at least 0, not -3/);
    const bounded = await draft(commune, 2027, communal(100))();
    expect({ status: bounded.status, version: bounded.body.programmeVersion, met: bounded.body.met }).toEqual({ status: 201, version: 3, met: true });
    // A version never changes once in force: cycle 2026 is assessed under version 2, which had no bounds.
    const unbounded = await draft(enterprise, 2026, organisation(120, 2))();
    expect({ status: unbounded.status, version: unbounded.body.programmeVersion }).toEqual({ status: 201, version: 2 });
  });

  it("reports a unit overdue for movement-classification cycle 2026 only once its kind's deadline has passed", async () => {
    const district = await unit('DK', 'district', 'P');
    const commune = await unit('CKD', 'commune', 'DK');
    const area = await unit('RKD', 'residential-area', 'CKD');
    await awaitReplicated(service, [district, commune, area]);
    const assessments = service.app.get(AssessmentsService);
    const notices = async () =>
      (await service.dataSource.query(
        `SELECT unit_id AS "unitId", cycle, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM overdue_notices
          WHERE programme = 'movement-classification' AND unit_id = ANY($1::uuid[]) ORDER BY deadline`,
        [[district, commune, area]],
      )) as { unitId: string; cycle: number; deadline: string }[];

    // A version given through the API is checked the same way: deadlines for kinds it applies to, on real days.
    const [, shipped] = (await admin.get('/programmes/movement-classification/versions')).body as { definition: Record<string, unknown> }[];
    await expectRefused(
      () => admin.post('/programmes/movement-classification/versions', { validFrom: '2026-11-16', definition: { ...shipped.definition, deadlines: { province: { month: 12, day: 15 }, district: { month: 11, day: 31 } } } }),
      400,
      /deadlines.province: the programme does not apply to province.*deadlines.district: month 11 has no day 31/,
    );

    // The cycle ended on 15 Nov 2026; residential areas have until 20 Nov, communes until 30 Nov, districts until 15 Dec.
    await assessments.reportOverdue('2026-11-20');
    expect(await notices()).toEqual([]);
    await assessments.reportOverdue('2026-11-21');
    expect(await notices()).toEqual([{ unitId: area, cycle: 2026, deadline: '2026-11-20' }]);
    await assessments.reportOverdue('2026-11-30');
    expect(await notices()).toHaveLength(1);
    await assessments.reportOverdue('2026-12-01');
    await assessments.reportOverdue('2026-12-15');
    expect(await notices()).toEqual([
      { unitId: area, cycle: 2026, deadline: '2026-11-20' },
      { unitId: commune, cycle: 2026, deadline: '2026-11-30' },
    ]);
    await assessments.reportOverdue('2026-12-16');
    expect(await notices()).toEqual([
      { unitId: area, cycle: 2026, deadline: '2026-11-20' },
      { unitId: commune, cycle: 2026, deadline: '2026-11-30' },
      { unitId: district, cycle: 2026, deadline: '2026-12-15' },
    ]);

    // Each is reported once, with its kind's deadline.
    const reports = () =>
      recorder
        .events('antq.assessments.assessment-overdue.v1')
        .filter((e) => [district, commune, area].includes(e.subject) && e.data.programme === 'movement-classification')
        .map(({ data: { unitId, unitKind, cycle, deadline } }) => ({ unitId, unitKind, cycle, deadline }));
    await eventually(() => expect(reports()).toHaveLength(3));
    expect(reports()).toEqual(
      expect.arrayContaining([
        { unitId: area, unitKind: 'residential-area', cycle: 2026, deadline: '2026-11-20' },
        { unitId: commune, unitKind: 'commune', cycle: 2026, deadline: '2026-11-30' },
        { unitId: district, unitKind: 'district', cycle: 2026, deadline: '2026-12-15' },
      ]),
    );
  });
});

describe('derivation under concurrency', () => {
  it("leaves no derived status on a district whose closure is applied while it is derived", async () => {
    // A district's closure reaches the replica before its communes' moves (events of different
    // units travel on different partitions), and a commune under it is recognised meanwhile.
    const district = await unit('DV', 'district', 'P');
    await unit('CV', 'commune', 'DV');
    await awaitReplicated(service, [district, ids['CV']]);
    const [held] = (await service.dataSource.query(
      'SELECT unit_id AS "unitId", code, name, kind, subtype, parent_id AS "parentId", tags, version FROM replica_units WHERE unit_id = $1',
      [district],
    )) as UnitSnapshot[];
    const closure = { data: { ...held, status: 'closed', version: held.version + 1, effectiveFrom: '2024-09-01' } } as CloudEvent<UnitSnapshot>;
    const derivedStatus = () => service.dataSource.query(`SELECT status FROM unit_statuses WHERE unit_id = $1 AND programme = 'drug-free'`, [district]) as Promise<{ status: string }[]>;
    await whileHolding(
      service.dataSource,
      // The closure's batch, held open once it has applied the closure and ended the district's statuses (it has none yet).
      (batch) => service.app.get(UnitEventsHandler).onUnitChanged(closure, new EventContext([{ manager: batch, topic: 'test', partition: 0, offset: '0' }])),
      async () => {
        await recognise('CV', 'drug-free', DRUG_FREE_RESULTS, 2024, '2024-08-01');
        // The derivation waits for the closure to commit (were it not to, it would set the district's status now).
        await eventually(async () => expect({ waiting: (await sessionsWaiting(service.dataSource)) > 0, derived: await derivedStatus() }).toEqual({ waiting: true, derived: [] }));
      },
    );
    await derivationsDone();
    expect(await derivedStatus()).toEqual([]);
    expect(await service.dataSource.query('SELECT status FROM replica_units WHERE unit_id = $1', [district])).toEqual([{ status: 'closed' }]);
  });

  it('derives each district when its last two communes are recognised at the same moment', async () => {
    const districts: string[] = [];
    const communes: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      districts.push(await unit(`DX${n}`, 'district', 'P'));
      communes.push(await unit(`CX${n}a`, 'commune', `DX${n}`), await unit(`CX${n}b`, 'commune', `DX${n}`));
    }
    await awaitReplicated(service, [...districts, ...communes]);
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const verified: string[] = [];
    for (const unitId of communes) verified.push(await verifiedAssessment(unitId));
    // Siblings at once: the derivation queued by the first to commit must not miss the other.
    const decided = await Promise.all(verified.map((id, i) => committee.post(`/assessments/${id}/recognise`, { decisionNumber: `QD-X${i}`, decisionDate: '2024-08-01' })));
    expect(decided.map((r) => r.status)).toEqual(verified.map(() => 200));
    await derivationsDone();
    for (const district of districts) {
      expect((await admin.get(`/units/${district}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'drug-free', status: 'recognised', source: 'derived' })]);
    }
  });
});

describe("one unit's status under concurrent writers", () => {
  it('numbers the changes of one status one after the other when its recognitions commit at the same moment', async () => {
    const district = await unit('DW1', 'district', 'P');
    const communes = [await unit('CW1', 'commune', 'DW1'), await unit('CW2', 'commune', 'DW1'), await unit('CW3', 'commune', 'DW1')];
    await awaitReplicated(service, [district, ...communes]);
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    // Two cycles' assessments of each commune, both recognised at once: two writers of one status.
    // The 2024 recognition always stands; the 2023 one stands only if it came first (a later
    // cycle's recognition is never replaced by an earlier one's).
    const verified: { id: string; unitId: string; cycle: number; decisionDate: string }[] = [];
    for (const unitId of communes) {
      for (const [cycle, decisionDate] of [[2023, '2023-08-01'], [2024, '2024-08-01']] as const) {
        verified.push({ id: await verifiedAssessment(unitId, 'drug-free', DRUG_FREE_RESULTS, cycle), unitId, cycle, decisionDate });
      }
    }
    const decided = await Promise.all(verified.map(({ id, decisionDate }, i) => committee.post(`/assessments/${id}/recognise`, { decisionNumber: `QD-W${i}`, decisionDate })));
    expect(decided.map((r, i) => (verified[i].cycle === 2024 ? r.status === 200 : [200, 409].includes(r.status)))).toEqual(verified.map(() => true));
    const sequences = (await service.dataSource.query(
      `SELECT unit_id, array_agg(sequence ORDER BY sequence) AS sequences FROM unit_status_history
        WHERE programme = 'drug-free' AND unit_id = ANY($1::uuid[]) GROUP BY unit_id`,
      [communes],
    )) as { unit_id: string; sequences: number[] }[];
    const changes = (unitId: string) => verified.filter((v, i) => v.unitId === unitId && decided[i].status === 200).length;
    expect(new Map(sequences.map((r) => [r.unit_id, r.sequences]))).toEqual(new Map(communes.map((id) => [id, changes(id) === 2 ? [1, 2] : [1]])));
    const current = (await service.dataSource.query(`SELECT unit_id, sequence, assessment_id FROM unit_statuses WHERE programme = 'drug-free' AND unit_id = ANY($1::uuid[])`, [
      communes,
    ])) as { unit_id: string; sequence: number; assessment_id: string }[];
    expect(new Map(current.map((r) => [r.unit_id, [r.sequence, r.assessment_id]]))).toEqual(
      new Map(communes.map((id) => [id, [changes(id), verified.find((v) => v.unitId === id && v.cycle === 2024)!.id]])),
    );
    // The district's derived changes are numbered one after the other too.
    await derivationsDone();
    const [derived] = (await service.dataSource.query(
      `SELECT array_agg(sequence ORDER BY sequence) AS sequences, (array_agg(status ORDER BY sequence DESC))[1] AS last FROM unit_status_history
        WHERE programme = 'drug-free' AND unit_id = $1`,
      [district],
    )) as { sequences: number[]; last: string }[];
    expect(derived.sequences).toEqual(derived.sequences.map((_, i) => i + 1));
    expect(derived.last).toBe('recognised');
  });
});

describe('two instances sharing the derivation queue', () => {
  it('derives every district once all its communes are recognised, whichever instance took the recognitions', async () => {
    // A second instance on the same database: its derivation worker takes rows from the same queue.
    const second = await startTestService(ASSESSMENTS, (env) => AssessmentsModule.forRoot(env), runId, { OUTBOX_RELAY_ENABLED: 'false' });
    try {
      const districts: string[] = [];
      const communes: string[] = [];
      for (const n of [1, 2, 3, 4, 5, 6]) {
        districts.push(await unit(`DY${n}`, 'district', 'P'));
        for (const c of ['a', 'b', 'c']) communes.push(await unit(`CY${n}${c}`, 'commune', `DY${n}`));
      }
      await awaitReplicated(service, [...districts, ...communes]);
      await awaitReplicated(second, [...districts, ...communes]);
      const verified: string[] = [];
      for (const unitId of communes) verified.push(await verifiedAssessment(unitId));
      const token = testToken('ubnd-district', ['recogniser'], 'ubnd-district-user', [ids['P']]);
      const committees = [new ApiClient(service.url, token), new ApiClient(second.url, token)];
      const decided = await Promise.all(
        verified.map((id, i) => committees[i % 2].post(`/assessments/${id}/recognise`, { decisionNumber: `QD-Y${i}`, decisionDate: '2024-08-01' })),
      );
      expect(decided.map((r) => r.status)).toEqual(verified.map(() => 200));
      await derivationsDone();
      for (const district of districts) {
        expect((await admin.get(`/units/${district}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'drug-free', status: 'recognised', source: 'derived', score: 100 })]);
      }
    } finally {
      await second.stop();
    }
  });
});

describe('the derivation queue', () => {
  it('sets aside a derivation that keeps failing, with its error, and derives the rest', async () => {
    const district = await unit('DQ', 'district', 'P');
    const commune = await unit('CQ', 'commune', 'DQ');
    await awaitReplicated(service, [district, commune]);
    // A row no programme can derive, queued beside a real recognition's.
    await service.dataSource.query(`INSERT INTO pending_derivations (unit_id, programme, effective_on) VALUES ($1, 'no-such-programme', '2024-08-01')`, [district]);
    await recognise('CQ', 'drug-free', DRUG_FREE_RESULTS, 2024, '2024-08-01');
    await eventually(async () => expect(await service.app.get(DerivationWorker).backlog()).toEqual({ pending: 0, failed: 1 }), 30_000);
    const [stuck] = (await service.dataSource.query(`SELECT attempts, last_error FROM pending_derivations`)) as { attempts: number; last_error: string }[];
    expect(stuck).toEqual({ attempts: 5, last_error: expect.stringMatching(/Unknown programme "no-such-programme"/) });
    expect((await admin.get(`/units/${district}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'drug-free', status: 'recognised', source: 'derived' })]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/antq_derivations_backlog{state="failed"[^}]*} 1\n/);
    expect(metrics).toMatch(/antq_derivations_backlog{state="pending"[^}]*} 0\n/);
    await service.dataSource.query(`DELETE FROM pending_derivations`);
  });
});

describe('a recognition replaced by a later one', () => {
  it('can no longer be revoked or overtake the later one, and lapses without moving the status', async () => {
    const district = await unit('DR', 'district', 'P');
    const commune = await unit('CR', 'commune', 'DR');
    await awaitReplicated(service, [district, commune]);
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const first = await recognise('CR', 'drug-free', DRUG_FREE_RESULTS, 2024, '2024-03-01');
    const second = await recognise('CR', 'drug-free', DRUG_FREE_RESULTS, 2024, '2024-05-01');
    // The first recognition no longer stands behind the status: revoking it would wipe the second's.
    await expectRefused(() => committee.post(`/assessments/${first}/revoke`, { decisionNumber: 'TH-R1', decisionDate: '2024-06-01' }), 409, new RegExp(`comes from assessment ${second} \\(recognised\\)`));
    const late = await verifiedAssessment(commune, 'drug-free', DRUG_FREE_RESULTS, 2024);
    // Version 2 of drug-free (from 2025, added above) has a third criterion.
    const next = await recognise('CR', 'drug-free', [...DRUG_FREE_RESULTS, { criterion: 'no-users', value: true }], 2025, '2025-02-01');
    await expectRefused(() => committee.post(`/assessments/${late}/recognise`, { decisionNumber: 'QD-late', decisionDate: '2024-12-01' }), 409, /of a later cycle \(2025\)/);
    await expectRefused(() => committee.post(`/assessments/${second}/revoke`, { decisionNumber: 'TH-R2', decisionDate: '2025-03-01' }), 409, new RegExp(`comes from assessment ${next}`));
    const currentStatus = async () =>
      (await service.dataSource.query(`SELECT status, to_char(since, 'YYYY-MM-DD') AS since, assessment_id FROM unit_statuses WHERE unit_id = $1 AND programme = 'drug-free'`, [commune]))[0];
    expect(await currentStatus()).toEqual({ status: 'recognised', since: '2025-02-01', assessment_id: next });

    // Both 2024 recognitions lapse when their cycle ends; the unit's 2025 status stays.
    await service.app.get(AssessmentsService).lapseDue('2025-01-02');
    const states = (await service.dataSource.query(`SELECT id, state FROM assessments WHERE id = ANY($1::uuid[])`, [[first, second, next]])) as { id: string; state: string }[];
    expect(new Map(states.map((a) => [a.id, a.state]))).toEqual(new Map([[first, 'lapsed'], [second, 'lapsed'], [next, 'recognised']]));
    expect(await currentStatus()).toEqual({ status: 'recognised', since: '2025-02-01', assessment_id: next });
    expect((await committee.post(`/assessments/${next}/revoke`, { decisionNumber: 'TH-R3', decisionDate: '2025-03-01' })).status).toBe(200);
  });
});

describe('assessments of a closed unit', () => {
  it('cannot be taken further once the unit is closed, only rejected', async () => {
    const commune = await unit('CZ', 'commune', 'DR');
    await awaitReplicated(service, [commune]);
    const assessor = client('ubnd-commune', ['assessor'], [commune]);
    const verified = await verifiedAssessment(commune);
    const modelUnit = ['safe-security-order', 'movement-excellent', 'replicable-model', 'no-violations'].map((criterion) => ({ criterion, value: true }));
    const draft = await assessor.post('/assessments', { unitId: commune, programme: 'model-unit', cycle: 2024, results: modelUnit, evidence: ['doc://model.pdf'] });
    expect(draft.status).toBe(201);

    const registryApi = new ApiClient(registry.url, testToken('ca-nghe-an', ['registrar'], 'registrar', [ids['P']]));
    expect((await registryApi.post(`/units/${commune}/close`, { effectiveFrom: '2024-10-01' })).status).toBe(200);
    await eventually(async () => expect(await service.dataSource.query('SELECT status FROM replica_units WHERE unit_id = $1', [commune])).toEqual([{ status: 'closed' }]));

    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    await expectRefused(() => committee.post(`/assessments/${verified}/recognise`, { decisionNumber: 'QD-CZ', decisionDate: '2024-10-15' }), 422, new RegExp(`Unit ${commune} is closed`));
    await expectRefused(() => assessor.post(`/assessments/${draft.body.id}/submit`, {}), 422, /is closed/);
    // A draft for the closed unit: who may not draft hears that first, who may hears that the unit is closed.
    const newDraft = { unitId: commune, programme: 'drug-free', cycle: 2025, results: DRUG_FREE_RESULTS };
    await expectRefused(() => client('ca-nghe-an', ['viewer'], [ids['P']]).post('/assessments', newDraft), 403, /may not draft assessments/);
    await expectRefused(() => assessor.post('/assessments', newDraft), 422, new RegExp(`Unit ${commune} is closed`));
    expect((await admin.get(`/units/${commune}/statuses`)).body).toEqual([]);
    expect((await committee.post(`/assessments/${verified}/reject`, { comment: 'đơn vị đã giải thể' })).status).toBe(200);
    // Its draft too is settled by a rejection, which an active unit's draft cannot be.
    expect((await committee.post(`/assessments/${draft.body.id}/reject`, { comment: 'đơn vị đã giải thể' })).body).toMatchObject({ state: 'rejected' });
    const active = await unit('CZ2', 'commune', 'DR');
    await awaitReplicated(service, [active]);
    const other = await client('ubnd-commune', ['assessor'], [active]).post('/assessments', { unitId: active, programme: 'model-unit', cycle: 2024, results: modelUnit, evidence: ['doc://model.pdf'] });
    expect(other.status).toBe(201);
    await expectRefused(() => committee.post(`/assessments/${other.body.id}/reject`, { comment: 'đơn vị đã giải thể' }), 409, /Cannot reject an assessment that is draft \(only from submitted or verified\)/);
  });
});

describe('decision dates', () => {
  it('begin a derived status when its last child was recognised, and never before the status it replaces', async () => {
    const district = await unit('DS', 'district', 'P');
    const [early, late] = [await unit('CS1', 'commune', 'DS'), await unit('CS2', 'commune', 'DS')];
    await awaitReplicated(service, [early, late]);
    // The later decision is recorded first; the earlier one, recorded after it, completes the district.
    await recognise('CS2', 'drug-free', DRUG_FREE_RESULTS, 2024, '2024-06-20');
    await recognise('CS1', 'drug-free', DRUG_FREE_RESULTS, 2024, '2024-06-10');
    await derivationsDone();
    expect((await admin.get(`/units/${district}/statuses`)).body).toEqual([expect.objectContaining({ status: 'recognised', since: '2024-06-20', source: 'derived' })]);
    const onDate = async (asOf: string) =>
      ((await admin.get(`/statuses?programme=drug-free&within=${ids['P']}&kind=district&asOf=${asOf}&limit=100`)).body.items as { unitId: string; status: string }[])
        .filter((u) => u.unitId === district)
        .map((u) => u.status);
    expect(await onDate('2024-06-15')).toEqual(['unassessed']);
    expect(await onDate('2024-06-25')).toEqual(['recognised']);

    // Revoked in the opposite order: the district's next status begins no earlier than its current one.
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const decisionOf = async (unitId: string) => ((await admin.get(`/units/${unitId}/statuses`)).body as { assessmentId: string }[])[0].assessmentId;
    expect((await committee.post(`/assessments/${await decisionOf(late)}/revoke`, { decisionNumber: 'TH-S2', decisionDate: '2024-09-01' })).status).toBe(200);
    await derivationsDone();
    expect((await committee.post(`/assessments/${await decisionOf(early)}/revoke`, { decisionNumber: 'TH-S1', decisionDate: '2024-08-01' })).status).toBe(200);
    await derivationsDone();
    const history = (await admin.get(`/units/${district}/statuses/drug-free/history`)).body as { status: string; validFrom: string; validTo: string | null }[];
    expect(history.map((h) => [h.status, h.validFrom, h.validTo])).toEqual([
      ['recognised', '2024-06-20', '2024-09-01'],
      ['not-recognised', '2024-09-01', '2024-09-01'],
      ['not-recognised', '2024-09-01', null],
    ]);
    expect(await onDate('2024-08-15')).toEqual(['recognised']);
  });

  it('are refused before the status they replace began or before the assessed period, so history never overlaps', async () => {
    const commune = await unit('CD', 'commune', 'DR');
    const area = await unit('KA3', 'commune', 'DR');
    await awaitReplicated(service, [commune, area]);
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const first = await verifiedAssessment(commune);
    await derivationsDone();
    await expectRefused(() => committee.post(`/assessments/${first}/recognise`, { decisionNumber: 'QD-D0', decisionDate: '2023-12-20' }), 422, /before the assessed period starts \(2024-01-01\)/);
    await expectRefused(() => committee.post(`/assessments/${first}/recognise`, { decisionNumber: '  ', decisionDate: '2024-06-01' }), 400, /decisionNumber must not be blank/);
    expect((await committee.post(`/assessments/${first}/recognise`, { decisionNumber: 'QD-D1', decisionDate: '2024-06-01' })).status).toBe(200);
    await derivationsDone();
    await expectRefused(() => committee.post(`/assessments/${first}/revoke`, { decisionNumber: 'TH-D1', decisionDate: '2024-05-01' }), 422, /before unit .* status began \(recognised since 2024-06-01\)/);
    await expectRefused(() => committee.post(`/assessments/${first}/revoke`, { decisionNumber: '', decisionDate: '2024-07-01' }), 400, /decisionNumber must not be blank/);
    const second = await verifiedAssessment(commune);
    await expectRefused(() => committee.post(`/assessments/${second}/recognise`, { decisionNumber: 'QD-D2', decisionDate: '2024-04-01' }), 422, /since 2024-06-01/);
    const listed = async (asOf: string) =>
      ((await admin.get(`/statuses?programme=drug-free&within=${ids['DR']}&asOf=${asOf}&limit=100`)).body.items as { name: string; status: string }[]).filter((u) => u.name === 'CD');
    expect(await listed('2024-05-15')).toEqual([expect.objectContaining({ status: 'unassessed' })]);
    expect(await listed('2024-06-15')).toEqual([expect.objectContaining({ status: 'recognised' })]);

    // Key complex areas: each step's decision dates from the status it moves on from.
    expect((await committee.post('/key-areas/designations', { unitId: area, cycle: 2024, decisionNumber: 'TD-KA3', decisionDate: '2024-02-01' })).status).toBe(201);
    const transformation = ['crime-reduced', 'hotspots-cleared', 'no-mass-incidents', 'movement-strengthened'].map((criterion) => ({ criterion, value: true }));
    const transformed = await verifiedAssessment(area, 'key-complex-area', transformation, 2024);
    await expectRefused(() => committee.post(`/assessments/${transformed}/recognise`, { decisionNumber: 'CH-1', decisionDate: '2024-01-15' }), 422, /designated since 2024-02-01/);
    expect((await committee.post(`/assessments/${transformed}/recognise`, { decisionNumber: 'CH-1', decisionDate: '2024-10-01' })).status).toBe(200);
    await expectRefused(() => committee.post(`/key-areas/${area}/follow-up`, { decisionNumber: 'FU-1', decisionDate: '2024-09-01' }), 422, /transformed since 2024-10-01/);
    expect((await committee.post(`/key-areas/${area}/follow-up`, { decisionNumber: 'FU-1', decisionDate: '2024-11-01' })).status).toBe(200);
  });
});

describe('decisions dated after today', () => {
  it('are refused for every step that takes a decision, as is a revocation after the recognition held, changing nothing', async () => {
    const commune = await unit('CF', 'commune', 'DR');
    const area = await unit('KAF', 'commune', 'DR');
    await awaitReplicated(service, [commune, area]);
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const recognition = await verifiedAssessment(commune);
    const transformation = ['crime-reduced', 'hotspots-cleared', 'no-mass-incidents', 'movement-strengthened'].map((criterion) => ({ criterion, value: true }));
    const ahead = /The decision date 2024-07-02 is after today \(2024-07-01\)/;
    clock.date = '2024-07-01';
    try {
      await expectRefused(() => committee.post(`/assessments/${recognition}/recognise`, { decisionNumber: 'QD-F', decisionDate: '2024-07-02' }), 422, ahead);
      expect((await committee.post(`/assessments/${recognition}/recognise`, { decisionNumber: 'QD-F', decisionDate: '2024-07-01' })).status).toBe(200);
      await derivationsDone();
      await expectRefused(() => committee.post(`/assessments/${recognition}/revoke`, { decisionNumber: 'TH-F', decisionDate: '2024-07-02' }), 422, ahead);

      await expectRefused(() => committee.post('/key-areas/designations', { unitId: area, cycle: 2024, decisionNumber: 'TD-F', decisionDate: '2024-07-02' }), 422, ahead);
      expect((await committee.post('/key-areas/designations', { unitId: area, cycle: 2024, decisionNumber: 'TD-F', decisionDate: '2024-02-01' })).status).toBe(201);
      const transformed = await verifiedAssessment(area, 'key-complex-area', transformation, 2024);
      expect((await committee.post(`/assessments/${transformed}/recognise`, { decisionNumber: 'CH-F', decisionDate: '2024-06-01' })).status).toBe(200);
      await expectRefused(() => committee.post(`/key-areas/${area}/follow-up`, { decisionNumber: 'FU-F', decisionDate: '2024-07-02' }), 422, ahead);
      expect((await committee.post(`/key-areas/${area}/follow-up`, { decisionNumber: 'FU-F', decisionDate: '2024-07-01' })).status).toBe(200);
      await expectRefused(() => committee.post(`/key-areas/${area}/removal`, { decisionNumber: 'RM-F', decisionDate: '2024-07-02' }), 422, ahead);
      const decided = (await admin.get(`/key-areas/${area}`)).body as { status: { status: string }; decisions: { step: string; decisionDate: string }[] };
      expect({ status: decided.status.status, steps: decided.decisions.map((d) => [d.step, d.decisionDate]) }).toEqual({
        status: 'followed-up',
        steps: [
          ['designated', '2024-02-01'],
          ['followed-up', '2024-07-01'],
        ],
      });
    } finally {
      clock.date = undefined;
    }

    // In 2025, before the daily job has lapsed it, the 2024 recognition is revoked only with a date it still held on.
    clock.date = '2025-02-01';
    try {
      await expectRefused(
        () => committee.post(`/assessments/${recognition}/revoke`, { decisionNumber: 'TH-F', decisionDate: '2025-01-05' }),
        422,
        /The decision date 2025-01-05 is after the recognition's validity ended \(2024-12-31\)/,
      );
      expect((await committee.post(`/assessments/${recognition}/revoke`, { decisionNumber: 'TH-F', decisionDate: '2024-12-31' })).status).toBe(200);
    } finally {
      clock.date = undefined;
    }
    await derivationsDone();
  });
});

describe('drafts at the same moment', () => {
  it('open one assessment per unit, programme and cycle; the others are refused with 409', async () => {
    const commune = await unit('CC', 'commune', 'DR');
    await awaitReplicated(service, [commune]);
    const assessor = client('ubnd-commune', ['assessor'], [commune]);
    const drafts = await Promise.all([1, 2, 3].map(() => assessor.post('/assessments', { unitId: commune, programme: 'drug-free', cycle: 2024, results: DRUG_FREE_RESULTS, evidence: ['doc://a.pdf'] })));
    expect(drafts.map((d) => d.status).sort()).toEqual([201, 409, 409]);
    for (const refused of drafts.filter((d) => d.status === 409)) {
      expect(refused.body.message).toMatch(new RegExp(`Unit ${commune} already has an open drug-free assessment for cycle 2024`));
    }
    expect(await service.dataSource.query('SELECT count(*)::int AS n FROM assessments WHERE unit_id = $1', [commune])).toEqual([{ n: 1 }]);
  });
});

describe('lists of assessments', () => {
  it('under a unit, by programme, cycle and state, most recently moved first, a page at a time', async () => {
    const district = await unit('LD', 'district', 'P');
    const [first, second] = [await unit('LC1', 'commune', 'LD'), await unit('LC2', 'commune', 'LD')];
    await awaitReplicated(service, [district, first, second]);
    const draft = async (unitId: string, cycle: number) => {
      const response = await client('ubnd-commune', ['assessor'], [unitId]).post('/assessments', { unitId, programme: 'drug-free', cycle, results: DRUG_FREE_RESULTS, evidence: ['doc://a.pdf'] });
      expect(response.status).toBe(201);
      return response.body.id as string;
    };
    const submitted = await draft(first, 2024);
    const drafted = await draft(second, 2024);
    const earlier = await draft(second, 2023);
    expect((await client('ubnd-commune', ['assessor'], [first]).post(`/assessments/${submitted}/submit`, {})).status).toBe(200);

    const listed = async (query: string) => {
      const response = await admin.get(`/assessments?${query}`);
      expect(response.status).toBe(200);
      return { total: response.body.total as number, ids: (response.body.items as { id: string }[]).map((a) => a.id) };
    };
    expect(await listed(`within=${district}`)).toEqual({ total: 3, ids: [submitted, earlier, drafted] });
    expect(await listed(`within=${district}&state=submitted`)).toEqual({ total: 1, ids: [submitted] });
    expect(await listed(`within=${district}&state=draft&cycle=2024&programme=drug-free`)).toEqual({ total: 1, ids: [drafted] });
    expect(await listed(`within=${district}&state=draft&state=submitted&limit=1&offset=1`)).toEqual({ total: 3, ids: [earlier] });
    expect(await listed(`within=${first}`)).toEqual({ total: 1, ids: [submitted] });
    expect((await admin.get(`/assessments?within=${first}`)).body.items[0]).toMatchObject({ unitCode: `${runId}-LC1`, unitKind: 'commune', programme: 'drug-free', cycle: 2024, state: 'submitted', agency: 'ubnd-commune' });

    for (const [query, message] of [
      ['state=lost', /state must be one of: draft, submitted/],
      ['cycle=last', /cycle must be a year such as 2024/],
      ['programme=drug-freedom', /programme must be one of: drug-free/],
      ['within=nowhere', /within must be a UUID/],
    ] as const) {
      const refused = await admin.get(`/assessments?${query}`);
      expect({ status: refused.status, message: JSON.stringify(refused.body.message) }).toEqual({ status: 400, message: expect.stringMatching(message) });
    }
    expect((await admin.get('/assessments?within=7c9e6679-7425-40de-944b-e07fc1f90ae7')).status).toBe(404);
  });

  it("show a reader only the assessments within the reader's jurisdiction: the working papers are not public", async () => {
    const district = ids['LD'];
    const [first, second] = [ids['LC1'], ids['LC2']];
    const seen = async (reader: ApiClient) => ((await reader.get(`/assessments?within=${district}`)).body.items as { unitId: string }[]).map((a) => a.unitId).sort();
    expect(await seen(client('ca-nghe-an', ['verifier'], [ids['P']]))).toEqual([first, second, second].sort());
    expect(await seen(client('ubnd-commune', ['assessor'], [first]))).toEqual([first]);
    expect(await seen(client('ubnd-district', ['recogniser'], [ids['D']]))).toEqual([]);
    expect(await seen(new ApiClient(service.url, testToken('ca-nghe-an', ['verifier'])))).toEqual([]);

    const [one] = (await admin.get(`/assessments?within=${first}`)).body.items as { id: string }[];
    expect((await client('ubnd-commune', ['assessor'], [first]).get(`/assessments/${one.id}`)).status).toBe(200);
    const outsider = await client('ubnd-commune', ['assessor'], [second]).get(`/assessments/${one.id}`);
    expect({ status: outsider.status, message: outsider.body.message }).toEqual({ status: 404, message: `Assessment ${one.id} does not exist` });
  });
});

describe('reads about units or programmes the service does not know', () => {
  it('are 404 or 400 with what is unknown, not an empty answer', async () => {
    const stranger = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const unknownUnit = `Unit ${stranger} is not in this service's replica of the tree`;
    for (const path of [`/units/${stranger}/statuses`, `/units/${stranger}/statuses/drug-free/history`, `/statuses?programme=drug-free&within=${stranger}`]) {
      expect(await admin.get(path)).toMatchObject({ status: 404, body: { message: unknownUnit } });
    }
    expect(await admin.get(`/units/${ids['C1']}/statuses/drug-freedom/history`)).toMatchObject({ status: 404, body: { message: expect.stringMatching(/^Unknown programme "drug-freedom": the programmes are drug-free, /) } });
    expect(await admin.get('/statuses?programme=drug-freedom')).toMatchObject({ status: 400, body: { message: [expect.stringMatching(/^programme must be one of: drug-free, /)] } });
    // A known unit with nothing recorded reads as such.
    expect(await admin.get(`/units/${ids['AG']}/statuses/drug-free/history`)).toMatchObject({ status: 200, body: [] });
  });
});

describe('withdrawal', () => {
  it('lets the assessing side withdraw a draft or a submission before verification, saying why, and assess the cycle afresh', async () => {
    const commune = await unit('CW', 'commune', 'D2');
    await awaitReplicated(service, [commune]);
    const assessor = client('ubnd-commune', ['assessor'], [commune]);
    const police = client('ca-nghe-an', ['verifier'], [ids['P']]);
    const draft = () => assessor.post('/assessments', { unitId: commune, programme: 'drug-free', cycle: 2024, results: DRUG_FREE_RESULTS, evidence: ['doc://tu-danh-gia.pdf'] });

    const mistaken = await draft();
    expect(mistaken.status).toBe(201);
    await expectRefused(() => assessor.post(`/assessments/${mistaken.body.id}/withdraw`, {}), 400, /^\["comment is required: say why the assessment is withdrawn"\]$/);
    await expectRefused(() => police.post(`/assessments/${mistaken.body.id}/withdraw`, { comment: 'nhầm' }), 403, /may not withdraw assessments: that needs the role assessor/);
    const withdrawn = await assessor.post(`/assessments/${mistaken.body.id}/withdraw`, { comment: 'Lập nhầm kỳ đánh giá' });
    expect({ status: withdrawn.status, state: withdrawn.body.state }).toEqual({ status: 200, state: 'withdrawn' });
    await expectRefused(() => assessor.post(`/assessments/${mistaken.body.id}/submit`, { evidence: ['doc://x.pdf'] }), 409, /Cannot submit an assessment that is withdrawn \(only from draft\)/);

    // The cycle is open again: a new draft, submitted, then withdrawn before the police verify it.
    const second = await draft();
    expect(second.status).toBe(201);
    expect((await assessor.post(`/assessments/${second.body.id}/submit`, {})).status).toBe(200);
    expect((await assessor.post(`/assessments/${second.body.id}/withdraw`, { comment: 'Bổ sung hồ sơ' })).body).toMatchObject({ state: 'withdrawn' });
    // Once verified, the assessment is the verifiers' to reject, not the assessors' to take back.
    const third = await verifiedAssessment(commune);
    await expectRefused(() => assessor.post(`/assessments/${third}/withdraw`, { comment: 'muộn' }), 409, /Cannot withdraw an assessment that is verified \(only from draft or submitted\)/);

    const record = (await admin.get(`/assessments/${second.body.id}`)).body as { transitions: { to: string; agency: string; comment: string | null }[] };
    expect(record.transitions.map(({ to, agency, comment }) => [to, agency, comment])).toEqual([
      ['draft', 'ubnd-commune', null],
      ['submitted', 'ubnd-commune', null],
      ['withdrawn', 'ubnd-commune', 'Bổ sung hồ sơ'],
    ]);
    await eventually(() =>
      expect(recorder.events('antq.assessments.assessment-withdrawn.v1').filter((e) => e.subject === commune).map((e) => e.data.assessmentId)).toEqual([mistaken.body.id, second.body.id]),
    );
    // Nothing was recognised: the unit has no status.
    expect((await admin.get(`/units/${commune}/statuses`)).body).toEqual([]);
  });
});

describe('a verified result that falls short', () => {
  it('is decided not recognised by the level above, and the unit holds it with its grade until its next decision', async () => {
    const commune = await unit('CNR', 'commune', 'D2');
    await awaitReplicated(service, [commune]);
    const weakSheet = ['resolution-and-plan', 'participation', 'festival-day', 'models', 'security-situation', 'coordination'].map((criterion) => ({ criterion, value: 2 }));
    const weak = await verifiedAssessment(commune, 'movement-classification', weakSheet, 2024);
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const decision = { decisionNumber: 'PL-2024-07', decisionDate: '2024-10-01' };

    await expectRefused(() => committee.post(`/assessments/${weak}/recognise`, decision), 422, /A weak result \(12 points\) is below the grade needed for recognition \(average\)/);
    await expectRefused(() => client('ubnd-commune', ['recogniser'], [commune]).post(`/assessments/${weak}/not-recognise`, decision), 403, /has no authority above unit/);
    await expectRefused(() => committee.post(`/assessments/${weak}/not-recognise`, {}), 400, /decisionNumber is required/);
    const decided = await committee.post(`/assessments/${weak}/not-recognise`, decision);
    expect({ status: decided.status, state: decided.body.state }).toEqual({ status: 200, state: 'not-recognised' });
    expect((await admin.get(`/units/${commune}/statuses`)).body).toEqual([
      expect.objectContaining({ programme: 'movement-classification', status: 'not-recognised', grade: 'weak', score: 12, since: '2024-10-01', validUntil: null, source: 'assessment' }),
    ]);
    await expectRefused(() => committee.post(`/assessments/${weak}/revoke`, decision), 409, /Cannot revoke an assessment that is not-recognised \(only from recognised\)/);
    await eventually(() => {
      expect(recorder.events('antq.assessments.assessment-not-recognised.v1').filter((e) => e.subject === commune).map((e) => e.data.assessmentId)).toEqual([weak]);
      expect(statusEvents(commune)).toEqual([expect.objectContaining({ programme: 'movement-classification', before: expect.objectContaining({ status: 'unassessed' }), after: expect.objectContaining({ status: 'not-recognised', grade: 'weak', score: 12 }) })]);
    });

    // A decision was taken for the cycle: the unit is not overdue for it, as it is for a programme it has none under.
    await service.app.get(AssessmentsService).reportOverdue('2024-11-20');
    const notices = (await service.dataSource.query('SELECT programme FROM overdue_notices WHERE unit_id = $1 AND cycle = 2024', [commune])) as { programme: string }[];
    expect(notices.map((n) => n.programme)).toContain('safe-security-order');
    expect(notices.map((n) => n.programme)).not.toContain('movement-classification');

    // A result that reaches recognition is recognised or returned, not decided short.
    const clean = await verifiedAssessment(commune);
    await expectRefused(() => committee.post(`/assessments/${clean}/not-recognise`, decision), 422, /Every criterion is met: recognise the unit, or reject the assessment/);
  });
});

// Runs the lapse job to late 2027: last in this file, as it lapses every earlier recognition.
describe('a result decided after its cycle, by its kind deadline', () => {
  it("takes a commune's classification for cycle 2026 up to 30 Nov 2026 and keeps it until the next one is due", async () => {
    const commune = await unit('CLS', 'commune', 'D2');
    const village = await unit('RLS', 'residential-area', 'CLS');
    await awaitReplicated(service, [commune, village]);
    const sheet = Object.entries({ 'resolution-and-plan': 9, participation: 14, 'festival-day': 12, models: 15, 'security-situation': 20, coordination: 10 }).map(
      ([criterion, value]) => ({ criterion, value }),
    );
    const classified = await verifiedAssessment(commune, 'movement-classification', sheet, 2026);
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const classify = (id: string, decisionDate: string) => () => committee.post(`/assessments/${id}/recognise`, { decisionNumber: 'PL-2026', decisionDate });
    const graded = { programme: 'movement-classification', status: 'recognised', grade: 'good', since: '2026-11-25', validUntil: '2027-11-30' };

    // Decided by the end of 2026: no decision date below is still ahead.
    clock.date = '2026-12-31';
    try {
      // The cycle ended on 15 Nov 2026; a commune's decision is due by 30 Nov, not later.
      await expectRefused(classify(classified, '2026-12-01'), 422, /after the deadline for cycle 2026 of a commune \(2026-11-30\)/);
      expect((await classify(classified, '2026-11-25')()).status).toBe(200);
      expect((await admin.get(`/units/${commune}/statuses`)).body).toEqual([expect.objectContaining(graded)]);

      // A residential area's is due by 20 Nov; safe-security-order has no deadline past its cycle's end.
      const villageSheet = await verifiedAssessment(village, 'movement-classification', sheet, 2026);
      await expectRefused(classify(villageSheet, '2026-11-21'), 422, /deadline for cycle 2026 of a residential-area \(2026-11-20\)/);
      const safeCommune = [{ criterion: 'no-serious-crime', value: true }, { criterion: 'no-complex-incidents', value: true }, { criterion: 'safe-residential-share', value: 80 }];
      const safe = await verifiedAssessment(commune, 'safe-security-order', safeCommune, 2026);
      await expectRefused(classify(safe, '2026-11-16'), 422, /after the end of cycle 2026 \(2026-11-15\)/);
    } finally {
      clock.date = undefined;
    }

    // The grade stands until 30 Nov 2027, the deadline for cycle 2027, and lapses the day after.
    const assessments = service.app.get(AssessmentsService);
    await assessments.lapseDue('2027-11-30');
    expect((await admin.get(`/units/${commune}/statuses`)).body).toEqual([expect.objectContaining(graded)]);
    await assessments.lapseDue('2027-12-01');
    expect((await admin.get(`/units/${commune}/statuses`)).body).toEqual([
      expect.objectContaining({ programme: 'movement-classification', status: 'lapsed', since: '2027-12-01', source: 'lapse' }),
    ]);
    expect((await admin.get(`/assessments/${classified}`)).body.state).toBe('lapsed');
  });
});

describe('tree changes out of order', () => {
  it('derives a new unit whose children reached the replica before it did', async () => {
    // A merger forms district N and moves a drug-free commune under it. The registry's events
    // are keyed by unit, so the move may be applied before N's creation: here it is.
    const district = await unit('DN', 'district', 'P');
    const commune = await unit('CN', 'commune', 'DN');
    await awaitReplicated(service, [commune]);
    await recognise('CN');
    await eventually(async () => expect((await admin.get(`/units/${district}/statuses`)).body).toEqual([expect.objectContaining({ status: 'recognised', source: 'derived' })]));
    const snapshot = (await new ApiClient(registry.url, testToken('ca-nghe-an', ['viewer'])).get(`/units/${commune}`)).body as UnitSnapshot & { id: string };
    const formed = randomUUID();
    const topic = runTopic(runId, EVENT_TOPICS.units.name);
    const moved: UnitSnapshot = { ...snapshot, unitId: commune, parentId: formed, version: snapshot.version + 1, effectiveFrom: '2024-07-01' };
    await produceRaw(kafka, topic, [{ key: commune, value: JSON.stringify(testEvent('antq.units.unit-moved.v1', commune, { ...moved, fromParentId: district, toParentId: formed })) }]);
    await eventually(async () => expect((await admin.get(`/replica/units/${commune}`)).body).toMatchObject({ parentId: formed }));
    await derivationsDone();
    const created: UnitSnapshot = { unitId: formed, code: `${runId}-DN2`, name: 'Huyện Mới', kind: 'district', subtype: null, parentId: ids['P'], tags: [], status: 'active', effectiveFrom: '2024-07-01', version: 1 };
    await produceRaw(kafka, topic, [{ key: formed, value: JSON.stringify(testEvent('antq.units.unit-created.v1', formed, created)) }]);
    await eventually(async () => expect((await admin.get(`/units/${formed}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'drug-free', status: 'recognised', source: 'derived', since: '2024-07-01' })]));
  });
});

describe('key complex areas decided at once', () => {
  it('are designated once however many designations race, and carried over once however many runs', async () => {
    const area = await unit('KR', 'commune', 'D2');
    await awaitReplicated(service, [area]);
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    // Designated on the day of the decision, in 2030.
    clock.date = '2030-02-01';
    try {
      const responses = await Promise.all(
        [1, 2, 3].map((i) => committee.post('/key-areas/designations', { unitId: area, cycle: 2030, decisionNumber: `TD-KR-${i}`, decisionDate: '2030-02-01' })),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    } finally {
      clock.date = undefined;
    }
    // Two instances' daily jobs after the cycle ends: the area moves into the next cycle once.
    const assessments = service.app.get(AssessmentsService);
    await Promise.all([assessments.lapseDue('2031-01-02'), assessments.lapseDue('2031-01-02')]);
    const steps = ((await admin.get(`/key-areas/${area}`)).body.decisions as { step: string; cycle: number }[]).map((d) => [d.step, d.cycle]);
    expect(steps).toEqual([
      ['designated', 2030],
      ['carried-over', 2031],
    ]);
  });
});

describe('closures and new versions beside other changes', () => {
  it('designates an area only once a closure of its unit being applied has committed, and adds versions one at a time', async () => {
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    const area = await unit('KA9', 'commune', 'D2');
    await awaitReplicated(service, [area]);
    const { designated } = await whileHolding(
      service.dataSource,
      // What a closure's batch holds while it applies the closure to the replica.
      (held) => held.query('SELECT unit_id FROM replica_units WHERE unit_id = $1 FOR UPDATE', [area]),
      async () => {
        const designated = committee.post('/key-areas/designations', { unitId: area, cycle: 2024, decisionNumber: 'TD-KA9', decisionDate: '2024-02-01' });
        await eventually(async () => expect(await sessionsWaiting(service.dataSource)).toBe(1));
        return { designated };
      },
      'rollback',
    );
    expect((await designated)?.status).toBe(201);

    // Two new versions of one programme at once: each in turn, numbered one after the other.
    const [shipped] = (await admin.get('/programmes/model-unit/versions')).body as { version: number; definition: Record<string, unknown> }[];
    const added = await Promise.all([1, 2].map(() => admin.post('/programmes/model-unit/versions', { validFrom: '2027-01-01', definition: shipped.definition })));
    expect(added.map((r) => r.status)).toEqual([201, 201]);
    expect(added.map((r) => r.body.version as number).sort()).toEqual([shipped.version + 1, shipped.version + 2]);
  });

  it('ends a status at a closure recorded late and dated before it began, from the day it began', async () => {
    const commune = await unit('CBD', 'commune', 'D2');
    await awaitReplicated(service, [commune]);
    const recognised = await recognise('CBD', 'drug-free', DRUG_FREE_RESULTS, 2024, '2024-06-01');
    const committee = client('ubnd-district', ['recogniser'], [ids['P']]);
    expect((await committee.post(`/assessments/${recognised}/revoke`, { decisionNumber: 'TH-CBD', decisionDate: '2024-09-01' })).status).toBe(200);
    const registryApi = new ApiClient(registry.url, testToken('ca-nghe-an', ['registrar'], 'registrar', [ids['P']]));
    expect((await registryApi.post(`/units/${commune}/close`, { effectiveFrom: '2024-08-01' })).status).toBe(200);
    await eventually(async () => expect((await admin.get(`/units/${commune}/statuses`)).body).toEqual([expect.objectContaining({ programme: 'drug-free', status: 'unit-closed', since: '2024-09-01' })]));
    // No two statuses on one day: each row ends where the next begins.
    const rows = (await service.dataSource.query(
      `SELECT status, to_char(valid_from, 'YYYY-MM-DD') AS "from", to_char(valid_to, 'YYYY-MM-DD') AS "to" FROM unit_status_history WHERE unit_id = $1 AND programme = 'drug-free' ORDER BY sequence`,
      [commune],
    )) as { status: string; from: string; to: string | null }[];
    expect(rows).toEqual([
      { status: 'recognised', from: '2024-06-01', to: '2024-09-01' },
      { status: 'revoked', from: '2024-09-01', to: '2024-09-01' },
      { status: 'unit-closed', from: '2024-09-01', to: null },
    ]);
  });
});

it('sends events of every type it publishes, each accepted by its published JSON Schema', () => {
  const { checkedTypes, topicTypes, violations } = schemaCheck(recorder.messages, 'assessments');
  expect(violations).toEqual([]);
  // Every type the service publishes was sent during these tests, and checked.
  expect(checkedTypes).toEqual(topicTypes);
});
