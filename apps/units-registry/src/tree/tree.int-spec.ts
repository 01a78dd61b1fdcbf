import { issueToken } from '@antq/auth';
import { EVENT_TOPICS, type CloudEvent } from '@antq/contracts';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  type RunningService,
  runTopic,
  sessionsWaiting,
  SettableClock,
  startTestService,
  testKafka,
  testToken,
  TopicRecorder,
  uniqueRunId,
  whileHolding,
  schemaCheck,
} from '@antq/testing';
import { ClsService } from 'nestjs-cls';
import { UnitsRegistryModule } from '../app.module';
import { describePosition, ImportRejectedError, parseCsv, validateRows } from '../import/unit-import-row';
import { UnitImporter } from '../import/unit-importer';
import { subtypeOf } from '../import/vn-admin';
import { TreeService } from './tree.service';
import { UNITS_REGISTRY } from '../service.definition';

const runId = uniqueRunId();
/** The registry's business date: the system's, unless a test sets it. */
const clock = new SettableClock();
const kafka = testKafka();
let service: RunningService;
let api: ApiClient;
let recorder: TopicRecorder;

async function createUnit(body: Record<string, unknown>): Promise<{ id: string }> {
  const response = await api.post('/units', body);
  expect(response.status).toBe(201);
  return response.body;
}

/**
 * What a change writes. Events are counted by the outbox's sequence, not its rows: the relay
 * deletes rows as it publishes them, and a sequence moves on even for a row rolled back.
 */
async function footprint() {
  const [row] = (await service.dataSource.query(
    `SELECT (SELECT count(*) FROM units)::int AS units, (SELECT count(*) FROM unit_versions)::int AS versions,
            (SELECT count(*) FROM structural_operations)::int AS operations, (SELECT count(*) FROM unit_lineage)::int AS lineage,
            COALESCE(pg_sequence_last_value('outbox_messages_id_seq'), 0)::int AS events`,
  )) as object[];
  return row;
}

async function expectRefused(call: () => Promise<{ status: number; body: { message: string | string[] } }>, status: number, message: RegExp) {
  const before = await footprint();
  const response = await call();
  expect(response.status).toBe(status);
  expect(JSON.stringify(response.body.message)).toMatch(message);
  expect(await footprint()).toEqual(before);
}

function eventsFor(subject: string): CloudEvent<Record<string, unknown>>[] {
  return recorder.messages
    .filter((m) => m.key?.toString() === subject)
    .map((m) => JSON.parse(m.value!.toString()) as CloudEvent<Record<string, unknown>>);
}

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  service = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env, { clock }), runId);
  // The tests build trees of their own from provinces down, which only an admin may create (see 'writes within the jurisdiction').
  api = new ApiClient(service.url, testToken('ca-nghe-an', ['admin'], 'admin-1'));
  recorder = await new TopicRecorder(kafka, runTopic(runId, EVENT_TOPICS.units.name)).start();
});

afterAll(async () => {
  await recorder?.stop();
  await dropTestDatabases([service].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

describe('the unit tree', () => {
  let province: { id: string };
  let district: { id: string };
  let otherDistrict: { id: string };
  let commune: { id: string };

  beforeAll(async () => {
    province = await createUnit({ code: 'NA', name: 'Tỉnh Nghệ An', kind: 'province', subtype: 'tinh', effectiveFrom: '2020-01-01' });
    district = await createUnit({ code: 'NA-TC', name: 'Huyện Thanh Chương', kind: 'district', subtype: 'huyen', parentId: province.id, effectiveFrom: '2020-01-01' });
    otherDistrict = await createUnit({ code: 'NA-CC', name: 'Huyện Con Cuông', kind: 'district', subtype: 'huyen', parentId: province.id, effectiveFrom: '2020-01-01', tags: ['border', 'ethnic-minority'] });
    commune = await createUnit({ code: 'NA-TC-X1', name: 'Xã Thanh Đồng', kind: 'commune', subtype: 'xa', parentId: district.id, effectiveFrom: '2020-01-01', tags: ['religious'] });
  });

  it('reads the tree as of any date, with children, subtree, ancestors and search', async () => {
    expect((await api.get(`/units/${commune.id}/ancestors?asOf=2024-06-01`)).body.map((u: { code: string }) => u.code)).toEqual(['NA-TC', 'NA']);
    expect((await api.get(`/units/${province.id}/children?asOf=2024-06-01`)).body.items.map((u: { code: string }) => u.code)).toEqual(['NA-CC', 'NA-TC']);
    const subtree = (await api.get(`/units/${province.id}/subtree?asOf=2024-06-01&depth=2`)).body.items as { code: string; depth: number }[];
    expect(subtree.map((u) => [u.code, u.depth])).toEqual([['NA-CC', 1], ['NA-TC', 1], ['NA-TC-X1', 2]]);
    expect((await api.get('/units?q=nghe%20an')).body.items.map((u: { name: string }) => u.name)).toEqual(['Tỉnh Nghệ An']);
    expect((await api.get('/units?q=THANH%20DONG')).body.items.map((u: { code: string }) => u.code)).toEqual(['NA-TC-X1']);
    expect((await api.get('/units?asOf=2019-12-31')).body.total).toBe(0);
    expect((await api.get(`/units/${province.id}?asOf=2019-12-31`)).status).toBe(404);
    const border = await api.get(`/units?tag=border&within=${province.id}`);
    expect(border.body.items.map((u: { code: string }) => u.code)).toEqual(['NA-CC']);
    const page = await api.get(`/units?within=${province.id}&limit=2&offset=1`);
    expect(page.body).toMatchObject({ total: 3, offset: 1, limit: 2 });
    expect(page.body.items).toHaveLength(2);
  });

  it('exports a search as CSV for a spreadsheet when asked for text/csv', async () => {
    const response = await fetch(`${service.url}/units?tag=border&within=${province.id}&asOf=2024-06-01`, {
      headers: { authorization: `Bearer ${testToken('ca-nghe-an', ['viewer'])}`, accept: 'text/csv' },
    });
    expect({ status: response.status, type: response.headers.get('content-type'), total: response.headers.get('x-total-count') }).toEqual({ status: 200, type: 'text/csv; charset=utf-8', total: '1' });
    const unit = (await api.get(`/units?tag=border&within=${province.id}&asOf=2024-06-01`)).body.items[0] as Record<string, unknown>;
    // Read as bytes: text() would drop the byte-order mark a spreadsheet needs.
    expect(Buffer.from(await response.arrayBuffer()).toString('utf8')).toBe(
      '\uFEFFcode,name,kind,subtype,status,tags,validFrom,validTo,version,id,parentId\r\n' +
        `NA-CC,${unit['name']},district,${unit['subtype']},active,${(unit['tags'] as string[]).join(';')},${unit['validFrom']},${unit['validTo'] ?? ''},${unit['version']},${unit['id']},${province.id}\r\n`,
    );
  });

  it('dates a change given without an effective date on the business date, and reads as of it by default', async () => {
    clock.date = '2021-05-05';
    try {
      const created = await createUnit({ code: 'NA-TC-X9', name: 'Xã Thanh Hà', kind: 'commune', subtype: 'xa', parentId: district.id });
      expect((await api.get(`/units/${created.id}`)).body).toMatchObject({ validFrom: '2021-05-05', status: 'active' });
      clock.date = '2021-05-04';
      expect((await api.get(`/units/${created.id}`)).status).toBe(404);
      clock.date = '2021-06-01';
      expect((await api.post(`/units/${created.id}/close`, {})).status).toBe(200);
      expect((await api.get(`/units/${created.id}?asOf=2021-05-20`)).body).toMatchObject({ validFrom: '2021-05-05', validTo: '2021-06-01', status: 'active' });
    } finally {
      clock.date = undefined;
    }
  });

  it('keeps every change as a dated version with its event', async () => {
    const renamed = await api.patch(`/units/${commune.id}`, { name: 'Xã Đồng Văn', effectiveFrom: '2022-03-01' });
    expect(renamed.status).toBe(200);
    const moved = await api.post(`/units/${commune.id}/move`, { parentId: otherDistrict.id, effectiveFrom: '2023-01-01' });
    expect(moved.status).toBe(200);

    expect((await api.get(`/units/${commune.id}?asOf=2021-01-01`)).body).toMatchObject({ name: 'Xã Thanh Đồng', parentId: district.id, validTo: '2022-03-01' });
    expect((await api.get(`/units/${commune.id}?asOf=2022-06-01`)).body).toMatchObject({ name: 'Xã Đồng Văn', parentId: district.id });
    expect((await api.get(`/units/${commune.id}`)).body).toMatchObject({ name: 'Xã Đồng Văn', parentId: otherDistrict.id, version: 3 });
    const history = (await api.get(`/units/${commune.id}/history`)).body as { change: string; validFrom: string; agency: string; principal: string }[];
    expect(history.map((v) => [v.change, v.validFrom])).toEqual([['created', '2020-01-01'], ['updated', '2022-03-01'], ['moved', '2023-01-01']]);
    expect(history[2]).toMatchObject({ agency: 'ca-nghe-an', principal: 'admin-1' });
    const historyThen = (await api.get(`/units/${commune.id}/history?asOf=2022-06-01`)).body as { change: string }[];
    expect(historyThen.map((v) => v.change)).toEqual(['created', 'updated']);

    const events = await eventually(() => {
      const found = eventsFor(commune.id);
      expect(found).toHaveLength(3);
      return found;
    });
    expect(events.map((e) => e.type)).toEqual(['antq.units.unit-created.v1', 'antq.units.unit-updated.v1', 'antq.units.unit-moved.v1']);
    expect(events[1].data).toMatchObject({ effectiveFrom: '2022-03-01', version: 2, changes: [{ field: 'name', from: 'Xã Thanh Đồng', to: 'Xã Đồng Văn' }] });
    expect(events[2].data).toMatchObject({ fromParentId: district.id, toParentId: otherDistrict.id, parentId: otherDistrict.id, version: 3 });
  });

  it('merges units into a new one, keeping lineage both ways', async () => {
    const a = await createUnit({ code: 'M-A', name: 'Xã A', kind: 'commune', parentId: district.id, effectiveFrom: '2020-01-01' });
    const b = await createUnit({ code: 'M-B', name: 'Xã B', kind: 'commune', parentId: district.id, effectiveFrom: '2020-01-01' });
    const area = await createUnit({ code: 'M-A-KDC', name: 'Xóm 1', kind: 'residential-area', parentId: a.id, effectiveFrom: '2020-01-01' });
    const merged = await api.post('/units/merge', { sourceIds: [a.id, b.id], target: { code: 'M-AB', name: 'Xã AB', subtype: 'xa' }, effectiveFrom: '2024-12-01' });
    expect(merged.status).toBe(201);
    expect(merged.body).toMatchObject({ code: 'M-AB', parentId: district.id, status: 'active', validFrom: '2024-12-01' });

    expect((await api.get(`/units/${a.id}?asOf=2024-11-30`)).body.status).toBe('active');
    expect((await api.get(`/units/${a.id}?asOf=2024-12-01`)).body.status).toBe('closed');
    expect((await api.get(`/units/${area.id}?asOf=2024-12-01`)).body.parentId).toBe(merged.body.id);
    const became = (await api.get(`/units/${a.id}/lineage`)).body;
    expect(became.became).toEqual([{ predecessorId: a.id, successorId: merged.body.id, kind: 'merge', effectiveDate: '2024-12-01' }]);
    const formedFrom = (await api.get(`/units/${merged.body.id}/lineage`)).body.formedFrom.map((e: { predecessorId: string }) => e.predecessorId);
    expect(formedFrom.sort()).toEqual([a.id, b.id].sort());
    // As of a date before the merge, neither side knows of it; from its effective date, both do.
    expect((await api.get(`/units/${a.id}/lineage?asOf=2024-11-30`)).body).toEqual({ asOf: '2024-11-30', formedFrom: [], became: [] });
    expect((await api.get(`/units/${merged.body.id}/lineage?asOf=2024-11-30`)).body).toEqual({ asOf: '2024-11-30', formedFrom: [], became: [] });
    expect((await api.get(`/units/${a.id}/lineage?asOf=2024-12-01`)).body.became).toEqual(became.became);
    expect((await api.get(`/units/${merged.body.id}/lineage?asOf=2024-12-01`)).body.formedFrom).toHaveLength(2);

    await eventually(() => {
      expect(eventsFor(merged.body.id).map((e) => e.type)).toEqual(['antq.units.unit-created.v1', 'antq.units.unit-merged.v1']);
      expect(eventsFor(a.id).map((e) => e.type)).toContain('antq.units.unit-closed.v1');
    });
    expect(eventsFor(a.id).find((e) => e.type === 'antq.units.unit-closed.v1')?.data).toMatchObject({ reason: 'merged', successorIds: [merged.body.id], status: 'closed' });
  });

  it('splits a unit into several and follows the lineage', async () => {
    const source = await createUnit({ code: 'S-X', name: 'Xã X', kind: 'commune', parentId: district.id, effectiveFrom: '2020-01-01' });
    const split = await api.post(`/units/${source.id}/split`, {
      successors: [{ code: 'S-X1', name: 'Xã X Bắc' }, { code: 'S-X2', name: 'Xã X Nam' }],
      effectiveFrom: '2024-12-01',
    });
    expect(split.status).toBe(201);
    expect(split.body.map((u: { parentId: string }) => u.parentId)).toEqual([district.id, district.id]);
    expect((await api.get(`/units/${source.id}`)).body.status).toBe('closed');
    const lineage = (await api.get(`/units/${source.id}/lineage`)).body.became;
    expect(lineage.map((e: { kind: string }) => e.kind)).toEqual(['split', 'split']);
    await eventually(() => expect(eventsFor(source.id).map((e) => e.type)).toEqual(['antq.units.unit-created.v1', 'antq.units.unit-closed.v1', 'antq.units.unit-split.v1']));
  });

  it('splits a district with communes into new districts, the communes moving to the one named for each, in one operation', async () => {
    const p = await createUnit({ code: 'SC-P', name: 'Tỉnh Mười Ba', kind: 'province', effectiveFrom: '2020-01-01' });
    const source = await createUnit({ code: 'SC-D', name: 'Huyện Chia', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
    const communes: { id: string }[] = [];
    for (const code of ['SC-C1', 'SC-C2', 'SC-C3']) communes.push(await createUnit({ code, name: `Xã ${code}`, kind: 'commune', parentId: source.id, effectiveFrom: '2020-01-01' }));
    const [c1, c2, c3] = communes;
    const split = await api.post(`/units/${source.id}/split`, {
      successors: [
        { code: 'SC-D1', name: 'Huyện Chia Bắc', childIds: [c1.id, c2.id] },
        { code: 'SC-D2', name: 'Huyện Chia Nam', childIds: [c3.id] },
      ],
      effectiveFrom: '2024-12-01',
    });
    expect(split.status).toBe(201);
    const [d1, d2] = split.body as { id: string }[];
    expect(split.body.map((u: { code: string; parentId: string }) => [u.code, u.parentId])).toEqual([['SC-D1', p.id], ['SC-D2', p.id]]);

    const parents = async (asOf: string) => Promise.all(communes.map(async (c) => (await api.get(`/units/${c.id}?asOf=${asOf}`)).body.parentId as string));
    expect(await parents('2024-11-30')).toEqual([source.id, source.id, source.id]);
    expect(await parents('2024-12-01')).toEqual([d1.id, d1.id, d2.id]);
    const children = async (id: string, asOf: string) => ((await api.get(`/units/${id}/children?asOf=${asOf}`)).body.items as { code: string }[]).map((u) => u.code);
    expect(await children(source.id, '2024-11-30')).toEqual(['SC-C1', 'SC-C2', 'SC-C3']);
    expect({ d1: await children(d1.id, '2024-12-01'), d2: await children(d2.id, '2024-12-01') }).toEqual({ d1: ['SC-C1', 'SC-C2'], d2: ['SC-C3'] });
    expect((await api.get(`/units/${source.id}?asOf=2024-12-01`)).body.status).toBe('closed');

    const edge = (successorId: string) => ({ predecessorId: source.id, successorId, kind: 'split', effectiveDate: '2024-12-01' });
    const bySuccessor = (a: { successorId: string }, b: { successorId: string }) => a.successorId.localeCompare(b.successorId);
    expect([...(await api.get(`/units/${source.id}/lineage?asOf=2024-12-01`)).body.became].sort(bySuccessor)).toEqual([edge(d1.id), edge(d2.id)].sort(bySuccessor));
    for (const d of [d1, d2]) {
      expect((await api.get(`/units/${d.id}/lineage?asOf=2024-12-01`)).body.formedFrom).toEqual([edge(d.id)]);
      expect((await api.get(`/units/${d.id}/lineage?asOf=2024-11-30`)).body).toEqual({ asOf: '2024-11-30', formedFrom: [], became: [] });
    }
    expect((await api.get(`/units/${source.id}/lineage?asOf=2024-11-30`)).body).toEqual({ asOf: '2024-11-30', formedFrom: [], became: [] });

    // The moves belong to the split's operation: one change, no tree in between.
    const last = async (id: string) => ((await api.get(`/units/${id}/history?asOf=2024-12-01`)).body as { change: string; validFrom: string; operationId: string }[]).at(-1);
    const operationId = (await last(d1.id))?.operationId;
    for (const c of communes) expect(await last(c.id)).toMatchObject({ change: 'moved', validFrom: '2024-12-01', operationId });
    expect(await last(source.id)).toMatchObject({ change: 'closed', operationId });

    await eventually(() => {
      expect(eventsFor(source.id).map((e) => e.type)).toEqual(['antq.units.unit-created.v1', 'antq.units.unit-closed.v1', 'antq.units.unit-split.v1']);
      for (const c of communes) expect(eventsFor(c.id).map((e) => e.type)).toEqual(['antq.units.unit-created.v1', 'antq.units.unit-moved.v1']);
      for (const d of [d1, d2]) expect(eventsFor(d.id).map((e) => e.type)).toEqual(['antq.units.unit-created.v1']);
    });
    expect([c1, c2, c3].map((c) => eventsFor(c.id)[1].data)).toEqual(
      [d1, d1, d2].map((d) => expect.objectContaining({ fromParentId: source.id, toParentId: d.id, parentId: d.id, effectiveFrom: '2024-12-01', version: 2 })),
    );
    expect(eventsFor(source.id)[1].data).toMatchObject({ reason: 'split', successorIds: [d1.id, d2.id], status: 'closed', effectiveFrom: '2024-12-01' });
    expect(eventsFor(source.id)[2].data).toMatchObject({ successorIds: [d1.id, d2.id], operationId });
  });

  it('splits a district into an existing one and a new one, each taking the communes named for it', async () => {
    const p = await createUnit({ code: 'SJ-P', name: 'Tỉnh Mười Bốn', kind: 'province', effectiveFrom: '2020-01-01' });
    const source = await createUnit({ code: 'SJ-D', name: 'Huyện Chia', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
    const existing = await createUnit({ code: 'SJ-E', name: 'Huyện Nhận', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
    await createUnit({ code: 'SJ-E1', name: 'Xã Có Sẵn', kind: 'commune', parentId: existing.id, effectiveFrom: '2020-01-01' });
    const [c1, c2] = [
      await createUnit({ code: 'SJ-C1', name: 'Xã Một', kind: 'commune', parentId: source.id, effectiveFrom: '2020-01-01' }),
      await createUnit({ code: 'SJ-C2', name: 'Xã Hai', kind: 'commune', parentId: source.id, effectiveFrom: '2020-01-01' }),
    ];
    const split = await api.post(`/units/${source.id}/split`, {
      successors: [{ unitId: existing.id, childIds: [c1.id] }, { code: 'SJ-N', name: 'Huyện Mới', childIds: [c2.id] }],
      effectiveFrom: '2024-12-01',
    });
    expect(split.status).toBe(201);
    const [, created] = split.body as { id: string }[];
    expect(split.body.map((u: { id: string; code: string }) => [u.id, u.code])).toEqual([[existing.id, 'SJ-E'], [created.id, 'SJ-N']]);
    const children = async (id: string, asOf: string) => ((await api.get(`/units/${id}/children?asOf=${asOf}`)).body.items as { code: string }[]).map((u) => u.code);
    expect(await children(existing.id, '2024-11-30')).toEqual(['SJ-E1']);
    expect(await children(existing.id, '2024-12-01')).toEqual(['SJ-C1', 'SJ-E1']);
    expect(await children(created.id, '2024-12-01')).toEqual(['SJ-C2']);
    expect((await api.get(`/units/${existing.id}/lineage?asOf=2024-12-01`)).body.formedFrom).toEqual([
      { predecessorId: source.id, successorId: existing.id, kind: 'split', effectiveDate: '2024-12-01' },
    ]);
    await eventually(() => expect(eventsFor(c1.id).map((e) => e.type)).toEqual(['antq.units.unit-created.v1', 'antq.units.unit-moved.v1']));
    expect(eventsFor(c1.id)[1].data).toMatchObject({ fromParentId: source.id, toParentId: existing.id, effectiveFrom: '2024-12-01' });
  });

  it('abolishes a level in one operation: children move up, the level closes', async () => {
    const p = await createUnit({ code: 'HT', name: 'Tỉnh Hà Tĩnh', kind: 'province', effectiveFrom: '2020-01-01' });
    const d1 = await createUnit({ code: 'HT-D1', name: 'Huyện 1', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
    const d2 = await createUnit({ code: 'HT-D2', name: 'Huyện 2', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
    const communes = [];
    for (const [i, d] of [d1, d1, d2].entries()) communes.push(await createUnit({ code: `HT-C${i}`, name: `Xã ${i}`, kind: 'commune', parentId: d.id, effectiveFrom: '2020-01-01' }));
    const result = await api.post('/units/abolish-level', { kind: 'district', withinId: p.id, effectiveFrom: '2025-07-01' });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ closed: 2, moved: 3 });
    const after = await api.get(`/units/${p.id}/children?asOf=2025-07-01`);
    expect(after.body.items.map((u: { code: string }) => u.code)).toEqual(['HT-C0', 'HT-C1', 'HT-C2']);
    const before = await api.get(`/units/${p.id}/subtree?asOf=2025-06-30&depth=2`);
    expect(before.body.items.filter((u: { depth: number }) => u.depth === 1).map((u: { code: string }) => u.code)).toEqual(['HT-D1', 'HT-D2']);
    // Untouched elsewhere: Nghệ An's districts still exist.
    expect((await api.get(`/units/${district.id}?asOf=2025-07-01`)).body.status).toBe('active');
    // A district created afterwards but dated before the abolition would outlive it there; elsewhere it may be.
    await expectRefused(
      () => api.post('/units', { code: 'HT-D3', name: 'Huyện 3', kind: 'district', parentId: p.id, effectiveFrom: '2025-03-01' }),
      422,
      new RegExp(`A district cannot be created on 2025-03-01 \\(HT-D3\\): the district level was abolished within unit ${p.id} from 2025-07-01`),
    );
    expect((await api.post('/units', { code: 'NA-D9', name: 'Huyện 9', kind: 'district', parentId: province.id, effectiveFrom: '2025-03-01' })).status).toBe(201);
  });

  it('abolishes a level whose units nest: children go to the nearest unit that stays, and each closed unit names it', async () => {
    const p = await createUnit({ code: 'NE-P', name: 'Tỉnh Mười', kind: 'province', effectiveFrom: '2020-01-01' });
    const a = await createUnit({ code: 'NE-A', name: 'Công an tỉnh', kind: 'agency', parentId: p.id, effectiveFrom: '2020-01-01' });
    const b = await createUnit({ code: 'NE-B', name: 'Phòng B', kind: 'agency', parentId: a.id, effectiveFrom: '2020-01-01' });
    const c = await createUnit({ code: 'NE-C', name: 'Đội C', kind: 'agency', parentId: b.id, effectiveFrom: '2020-01-01' });
    // The rules place only agencies under an agency; one more, for this test, shows where other kinds go.
    const [rule] = (await service.dataSource.query(`INSERT INTO placement_rules (child_kind, parent_kind) VALUES ('school', 'agency') RETURNING id`)) as { id: number }[];
    try {
      await createUnit({ code: 'NE-S1', name: 'Trường Một', kind: 'school', parentId: c.id, effectiveFrom: '2020-01-01' });
      await createUnit({ code: 'NE-S2', name: 'Trường Hai', kind: 'school', parentId: b.id, effectiveFrom: '2020-01-01' });
    } finally {
      await service.dataSource.query('DELETE FROM placement_rules WHERE id = $1', [rule.id]);
    }
    const result = await api.post('/units/abolish-level', { kind: 'agency', withinId: p.id, effectiveFrom: '2025-07-01' });
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: { closed: 3, moved: 2 } });
    const children = await api.get(`/units/${p.id}/children?asOf=2025-07-01`);
    expect(children.body.items.map((u: { code: string }) => u.code)).toEqual(['NE-S1', 'NE-S2']);
    for (const unit of [a, b, c]) expect((await api.get(`/units/${unit.id}?asOf=2025-07-01`)).body).toMatchObject({ status: 'closed' });
    await eventually(() => {
      for (const unit of [a, b, c]) {
        expect(eventsFor(unit.id).map((e) => e.type)).toEqual(['antq.units.unit-created.v1', 'antq.units.unit-closed.v1']);
        expect(eventsFor(unit.id)[1].data).toMatchObject({ reason: 'level-abolished', successorIds: [p.id] });
      }
    });
  });

  it('creates a unit only once a structural change in progress has committed', async () => {
    const { created } = await whileHolding(
      service.dataSource,
      // What an abolition of a level in progress holds.
      (held) => held.query('SELECT pg_advisory_xact_lock($1)', [0x616e747101]),
      async () => {
        const created = api.post('/units', { code: 'WAIT-1', name: 'Xã Chờ', kind: 'commune', parentId: district.id, effectiveFrom: '2024-01-01' });
        await eventually(async () => expect(await sessionsWaiting(service.dataSource, 'advisory lock')).toBe(1));
        return { created };
      },
    );
    expect((await created)?.status).toBe(201);
  });

  it('a reorganisation gives continuing units the subtype of their new name', async () => {
    const p = await createUnit({ code: 'RO-P', name: 'Tỉnh Sáu', kind: 'province', subtype: 'tinh', effectiveFrom: '2020-01-01' });
    const d = await createUnit({ code: 'RO-D', name: 'Huyện Sáu', kind: 'district', subtype: 'huyen', parentId: p.id, effectiveFrom: '2020-01-01' });
    const c1 = await createUnit({ code: 'RO-C1', name: 'Thị trấn Một', kind: 'commune', subtype: 'thi-tran', parentId: d.id, effectiveFrom: '2020-01-01' });
    const c2 = await createUnit({ code: 'RO-C2', name: 'Thị trấn Hai', kind: 'commune', subtype: 'thi-tran', parentId: d.id, effectiveFrom: '2020-01-01' });
    const commune = (code: string, name: string, from: string) => ({ code, name, subtype: subtypeOf(name, 'commune'), provinceCode: 'RO25-P', predecessorCodes: [from] });
    const plan = {
      effectiveFrom: '2025-07-01',
      provinces: [{ code: 'RO25-P', name: 'Thành phố Sáu', subtype: subtypeOf('Thành phố Sáu', 'province'), predecessorCodes: ['RO-P'] }],
      communes: [commune('RO25-C1', 'Xã Một', 'RO-C1'), commune('RO25-C2', 'Khu Hai', 'RO-C2')],
      // No unit of this kind: the districts of the other tests stay as they are.
      abolishKind: 'enterprise' as const,
    };
    const cls = service.app.get<ClsService>(ClsService);
    await cls.run(() => service.app.get(TreeService).reorganise(plan, { agency: 'ca-nghe-an', principal: 'admin-1', roles: ['admin'] }));
    expect((await api.get(`/units/${p.id}?asOf=2025-07-01`)).body).toMatchObject({ name: 'Thành phố Sáu', subtype: 'thanh-pho-truc-thuoc-trung-uong' });
    expect((await api.get(`/units/${c1.id}?asOf=2025-07-01`)).body).toMatchObject({ name: 'Xã Một', subtype: 'xa', parentId: p.id });
    // A new name with no known subtype leaves none, not the old one.
    expect((await api.get(`/units/${c2.id}?asOf=2025-07-01`)).body).toMatchObject({ name: 'Khu Hai', subtype: null });
  });

  it('only lineage effective on or before asOf: a later split of a merged unit shows from its date', async () => {
    const a = await createUnit({ code: 'LA-A', name: 'Xã A', kind: 'commune', parentId: district.id, effectiveFrom: '2020-01-01' });
    const b = await createUnit({ code: 'LA-B', name: 'Xã B', kind: 'commune', parentId: district.id, effectiveFrom: '2020-01-01' });
    const ab = (await api.post('/units/merge', { sourceIds: [a.id, b.id], target: { code: 'LA-AB', name: 'Xã AB' }, effectiveFrom: '2022-01-01' })).body as { id: string };
    const split = await api.post(`/units/${ab.id}/split`, { successors: [{ code: 'LA-AB1', name: 'Xã AB Bắc' }, { code: 'LA-AB2', name: 'Xã AB Nam' }], effectiveFrom: '2024-01-01' });
    expect(split.status).toBe(201);
    const became = async (asOf: string) =>
      ((await api.get(`/units/${a.id}/lineage?asOf=${asOf}`)).body.became as { kind: string; effectiveDate: string }[]).map((e) => [e.kind, e.effectiveDate]);
    expect(await became('2021-12-31')).toEqual([]);
    expect(await became('2023-12-31')).toEqual([['merge', '2022-01-01']]);
    expect((await became('2024-01-01')).sort()).toEqual([['merge', '2022-01-01'], ['split', '2024-01-01'], ['split', '2024-01-01']]);
    const successor = (split.body as { id: string }[])[0].id;
    expect((await api.get(`/units/${successor}/lineage?asOf=2023-12-31`)).body.formedFrom).toEqual([]);
    expect((await api.get(`/units/${successor}/lineage?asOf=2024-01-01`)).body.formedFrom).toHaveLength(3);
  });

  it('reads the placement rules in force on a date', async () => {
    const communeParents = async (asOf: string) =>
      ((await api.get(`/placement-rules?asOf=${asOf}`)).body as { childKind: string; parentKind: string }[]).filter((r) => r.childKind === 'commune').map((r) => r.parentKind);
    expect(await communeParents('2025-06-30')).toEqual(['district']);
    expect(await communeParents('2025-07-01')).toEqual(['province']);
  });

  describe('children and subtree, a page at a time', () => {
    let root: { id: string };
    beforeAll(async () => {
      root = await createUnit({ code: 'PG', name: 'Tỉnh Chín', kind: 'province', effectiveFrom: '2020-01-01' });
      const districts = [];
      for (const n of [3, 1, 2]) districts.push(await createUnit({ code: `PG-D${n}`, name: `Huyện ${n}`, kind: 'district', parentId: root.id, effectiveFrom: '2020-01-01' }));
      for (const [code, d] of [['PG-D3-C1', districts[0]], ['PG-D1-C2', districts[1]], ['PG-D1-C1', districts[1]]] as const)
        await createUnit({ code, name: `Xã ${code}`, kind: 'commune', parentId: d.id, effectiveFrom: '2020-01-01' });
    });

    it('children: limit, offset and the total, ordered by code', async () => {
      const first = await api.get(`/units/${root.id}/children?asOf=2024-06-01&limit=2`);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ total: 3, offset: 0, limit: 2, asOf: '2024-06-01' });
      expect(first.body.items.map((u: { code: string }) => u.code)).toEqual(['PG-D1', 'PG-D2']);
      const second = await api.get(`/units/${root.id}/children?asOf=2024-06-01&limit=2&offset=2`);
      expect(second.body).toMatchObject({ total: 3, offset: 2, limit: 2 });
      expect(second.body.items.map((u: { code: string }) => u.code)).toEqual(['PG-D3']);
      expect((await api.get(`/units/${root.id}/children?asOf=2024-06-01&offset=10`)).body).toMatchObject({ total: 3, offset: 10, limit: 100, items: [] });
    });

    it.each(['children', 'subtree', 'ancestors'])('%s of a unit on a date before it existed: 404, not an empty tree', async (read) => {
      const response = await api.get(`/units/${root.id}/${read}?asOf=2019-12-31`);
      expect(response.status).toBe(404);
      expect(response.body.message).toBe(`Unit ${root.id} did not exist on 2019-12-31`);
    });

    it('subtree: pages follow depth then code and together make the whole subtree', async () => {
      const whole = await api.get(`/units/${root.id}/subtree?asOf=2024-06-01&depth=2&limit=1000`);
      expect(whole.body).toMatchObject({ total: 6, offset: 0, limit: 1000, asOf: '2024-06-01' });
      const expected = [['PG-D1', 1], ['PG-D2', 1], ['PG-D3', 1], ['PG-D1-C1', 2], ['PG-D1-C2', 2], ['PG-D3-C1', 2]];
      expect(whole.body.items.map((u: { code: string; depth: number }) => [u.code, u.depth])).toEqual(expected);
      const pages = [];
      for (const offset of [0, 4]) {
        const page = await api.get(`/units/${root.id}/subtree?asOf=2024-06-01&depth=2&limit=4&offset=${offset}`);
        expect(page.body).toMatchObject({ total: 6, offset, limit: 4 });
        pages.push(...page.body.items.map((u: { code: string; depth: number }) => [u.code, u.depth]));
      }
      expect(pages).toEqual(expected);
      expect((await api.get(`/units/${root.id}/subtree?asOf=2024-06-01&limit=2`)).body).toMatchObject({ total: 3, items: [{ code: 'PG-D1', depth: 1 }, { code: 'PG-D2', depth: 1 }] });
    });

    it.each([
      ['children', 'limit=0', /limit must be a whole number from 1 to 1000/],
      ['children', 'limit=1001', /limit must be a whole number from 1 to 1000/],
      ['subtree', 'limit=ten', /limit must be a whole number from 1 to 1000/],
      ['subtree', 'limit=0x10', /limit must be a whole number from 1 to 1000/],
      ['subtree', 'offset=1e2', /offset must be a whole number from 0 to 1000000000/],
      ['subtree', 'offset=', /offset must be a whole number from 0 to 1000000000/],
      ['subtree', 'offset=-1', /offset must be a whole number from 0 to 1000000000/],
      ['subtree', 'depth=11', /depth must be a whole number from 1 to 10/],
    ])('/%s?%s is refused with 400', async (route, params, message) => {
      const response = await api.get(`/units/${root.id}/${route}?${params}`);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toMatch(message);
    });
  });

  it.each(['children', 'subtree', 'ancestors', 'history', 'lineage'])('/units/:id/%s refuses an asOf that is not a date', async (route) => {
    const response = await api.get(`/units/${province.id}/${route}?asOf=2023-02-29`);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(/asOf must be a date that exists on the calendar/);
  });

  it('/placement-rules refuses an asOf that is not a date', async () => {
    const response = await api.get('/placement-rules?asOf=2024-13-01');
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(/asOf must be a date that exists on the calendar/);
  });

  describe('under concurrent changes', () => {
    it('one of several creates with the same code wins; the others get 409', async () => {
      const responses = await Promise.all([1, 2, 3, 4].map((i) => api.post('/units', { code: 'RACE-1', name: `Tỉnh ${i}`, kind: 'province', effectiveFrom: '2020-01-01' })));
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      for (const r of responses.filter((x) => x.status === 409)) expect(r.body.message).toMatch(/already in use: RACE-1/);
    });

    it('changes of one unit made at once each apply, one after the other, on the version before', async () => {
      const unit = await createUnit({ code: 'RACE-2', name: 'Huyện Đua', kind: 'district', parentId: province.id, effectiveFrom: '2020-01-01' });
      const responses = await Promise.all([1, 2, 3].map((i) => api.patch(`/units/${unit.id}`, { name: `Huyện Đua ${i}`, effectiveFrom: `2024-0${i}-01` })));
      // Each is refused only for a real reason: a change dated before one that committed first.
      const refused = responses.filter((r) => r.status !== 200);
      for (const r of refused) expect({ status: r.status, message: r.body.message }).toEqual({ status: 422, message: expect.stringMatching(/already has a change effective/) });
      const history = (await api.get(`/units/${unit.id}/history?asOf=2030-01-01`)).body as unknown[];
      expect(history).toHaveLength(1 + responses.length - refused.length);
    });

    it('two moves that would together make a cycle: one is refused', async () => {
      for (const round of [1, 2, 3]) {
        const root = await createUnit({ code: `CY${round}`, name: 'Công an tỉnh', kind: 'agency', parentId: province.id, effectiveFrom: '2020-01-01' });
        const [x, y] = [await createUnit({ code: `CY${round}-X`, name: 'Phòng X', kind: 'agency', parentId: root.id, effectiveFrom: '2020-01-01' }), await createUnit({ code: `CY${round}-Y`, name: 'Phòng Y', kind: 'agency', parentId: root.id, effectiveFrom: '2020-01-01' })];
        const [x1, y1] = [await createUnit({ code: `CY${round}-X1`, name: 'Đội X1', kind: 'agency', parentId: x.id, effectiveFrom: '2020-01-01' }), await createUnit({ code: `CY${round}-Y1`, name: 'Đội Y1', kind: 'agency', parentId: y.id, effectiveFrom: '2020-01-01' })];
        const responses = await Promise.all([
          api.post(`/units/${x.id}/move`, { parentId: y1.id, effectiveFrom: '2024-01-01' }),
          api.post(`/units/${y.id}/move`, { parentId: x1.id, effectiveFrom: '2024-01-01' }),
        ]);
        expect(responses.map((r) => r.status).sort()).toEqual([200, 422]);
        expect(responses.find((r) => r.status === 422)?.body.message).toMatch(/would make it its own ancestor/);
      }
    });
  });

  it('takes a unit id in the path in capitals as the same unit, for reads and changes alike', async () => {
    const unit = await createUnit({ code: 'NA-TC-UP', name: 'Xã Thanh Sơn', kind: 'commune', parentId: district.id, effectiveFrom: '2020-01-01' });
    const shouted = unit.id.toUpperCase();
    expect((await api.get(`/units/${shouted}`)).body).toMatchObject({ id: unit.id });
    const renamed = await api.patch(`/units/${shouted}`, { name: 'Xã Thanh Sơn Mới', effectiveFrom: '2024-03-01' });
    expect({ status: renamed.status, id: renamed.body.id, name: renamed.body.name }).toEqual({ status: 200, id: unit.id, name: 'Xã Thanh Sơn Mới' });
  });

  it('closes a unit under which a later child stood for no day at all (moved away the day it was placed)', async () => {
    const p = await createUnit({ code: 'LC-Q', name: 'Tỉnh Năm', kind: 'province', effectiveFrom: '2020-01-01' });
    const q = await createUnit({ code: 'LC-R', name: 'Tỉnh Sáu', kind: 'province', effectiveFrom: '2020-01-01' });
    const agency = await createUnit({ code: 'LC-B', name: 'Công an tỉnh', kind: 'agency', parentId: p.id, effectiveFrom: '2026-01-01' });
    expect((await api.post(`/units/${agency.id}/move`, { parentId: q.id, effectiveFrom: '2026-01-01' })).status).toBe(200);
    const closed = await api.post(`/units/${p.id}/close`, { effectiveFrom: '2025-06-01' });
    expect({ status: closed.status, unit: closed.body.status }).toEqual({ status: 200, unit: 'closed' });
    expect((await api.get(`/units/${agency.id}?asOf=2026-06-01`)).body).toMatchObject({ status: 'active', parentId: q.id });
  });

  describe('refuses bad input with a clear message and changes nothing', () => {
    it('an invalid body', () => expectRefused(() => api.post('/units', { code: 'bad code', kind: 'planet' }), 400, /kind must be one of/));
    it('a kind placed where the rules forbid it', () =>
      expectRefused(() => api.post('/units', { code: 'BAD-1', name: 'Xã Lạc', kind: 'commune', parentId: province.id, effectiveFrom: '2024-01-01' }), 422, /A commune cannot be placed under a province on 2024-01-01.*under district/));
    it('a cycle', async () => {
      const agency = await createUnit({ code: 'CA-NA', name: 'Công an tỉnh', kind: 'agency', parentId: province.id, effectiveFrom: '2020-01-01' });
      const team = await createUnit({ code: 'CA-NA-PC04', name: 'Phòng PC04', kind: 'agency', parentId: agency.id, effectiveFrom: '2020-01-01' });
      await expectRefused(() => api.post(`/units/${agency.id}/move`, { parentId: team.id, effectiveFrom: '2024-01-01' }), 422, /would make it its own ancestor/);
    });
    it('an unknown parent', () =>
      expectRefused(() => api.post('/units', { code: 'BAD-2', name: 'Xã', kind: 'commune', parentId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', effectiveFrom: '2024-01-01' }), 422, /Parent unit 7c9e6679.* does not exist/));
    it('an unknown unit', () => expectRefused(() => api.post('/units/7c9e6679-7425-40de-944b-e07fc1f90ae7/close', {}), 404, /does not exist/));
    it('overlapping effective dates', () => expectRefused(() => api.patch(`/units/${commune.id}`, { name: 'Xã Cũ', effectiveFrom: '2021-01-01' }), 422, /already has a change effective 2023-01-01/));
    it('inverted effective dates (closing before creation)', () => expectRefused(() => api.post(`/units/${district.id}/close`, { effectiveFrom: '2019-01-01' }), 422, /already has a change effective 2020-01-01/));
    it('closing a unit under which a child is placed from a later date', async () => {
      const p = await createUnit({ code: 'LC-P', name: 'Tỉnh Bốn', kind: 'province', effectiveFrom: '2020-01-01' });
      const later = await createUnit({ code: 'LC-A', name: 'Công an tỉnh', kind: 'agency', parentId: p.id, effectiveFrom: '2026-01-01' });
      await expectRefused(() => api.post(`/units/${p.id}/close`, { effectiveFrom: '2025-06-01' }), 422, /LC-P cannot close on 2025-06-01: unit .*LC-A is placed under it from 2026-01-01/);
      expect((await api.get(`/units/${later.id}?asOf=2026-06-01`)).body).toMatchObject({ status: 'active', parentId: p.id });
    });
    it('a malformed date', () => expectRefused(() => api.post(`/units/${district.id}/close`, { effectiveFrom: '2024-13-01' }), 400, /effectiveFrom must be a date/));
    it('a date that does not exist', () => expectRefused(() => api.post(`/units/${district.id}/close`, { effectiveFrom: '2023-02-29' }), 400, /effectiveFrom must be a date that exists/));
    it('a duplicate code', () => expectRefused(() => api.post('/units', { code: 'NA', name: 'Tỉnh khác', kind: 'province' }), 409, /already in use: NA/));
    it('a merge across parents where the rules forbid it', async () => {
      const other = await createUnit({ code: 'QB', name: 'Tỉnh Quảng Bình', kind: 'province', effectiveFrom: '2020-01-01' });
      const d = await createUnit({ code: 'QB-D1', name: 'Huyện Minh Hóa', kind: 'district', parentId: other.id, effectiveFrom: '2020-01-01' });
      await expectRefused(
        () => api.post('/units/merge', { sourceIds: [district.id, d.id], target: { code: 'BAD-3', name: 'Huyện mới' }, effectiveFrom: '2024-06-01' }),
        422,
        /under different parents cannot be merged/,
      );
    });
    it('a merge into an existing unit under another parent where the rules forbid it', async () => {
      const [p1, p2] = [await createUnit({ code: 'MX-P1', name: 'Tỉnh Một', kind: 'province', effectiveFrom: '2020-01-01' }), await createUnit({ code: 'MX-P2', name: 'Tỉnh Hai', kind: 'province', effectiveFrom: '2020-01-01' })];
      const d1 = await createUnit({ code: 'MX-D1', name: 'Huyện Một', kind: 'district', parentId: p1.id, effectiveFrom: '2020-01-01' });
      const d2 = await createUnit({ code: 'MX-D2', name: 'Huyện Hai', kind: 'district', parentId: p2.id, effectiveFrom: '2020-01-01' });
      await expectRefused(
        () => api.post('/units/merge', { sourceIds: [d1.id], target: { unitId: d2.id }, effectiveFrom: '2024-06-01' }),
        422,
        /under different parents cannot be merged on 2024-06-01 \(MX-D1, MX-D2\)/,
      );
    });
    it('a merge into a new unit under another parent where the rules forbid it', async () => {
      const [p1, p2] = [await createUnit({ code: 'MN-P1', name: 'Tỉnh Năm', kind: 'province', effectiveFrom: '2020-01-01' }), await createUnit({ code: 'MN-P2', name: 'Tỉnh Sáu', kind: 'province', effectiveFrom: '2020-01-01' })];
      const sources = [await createUnit({ code: 'MN-D1', name: 'Huyện Một', kind: 'district', parentId: p1.id, effectiveFrom: '2020-01-01' }), await createUnit({ code: 'MN-D2', name: 'Huyện Hai', kind: 'district', parentId: p1.id, effectiveFrom: '2020-01-01' })];
      await expectRefused(
        () => api.post('/units/merge', { sourceIds: sources.map((u) => u.id), target: { code: 'MN-D3', name: 'Huyện Mới', parentId: p2.id }, effectiveFrom: '2024-06-01' }),
        422,
        /under different parents cannot be merged on 2024-06-01 \(MN-D1, MN-D2, MN-D3\)/,
      );
    });
    it('a split naming one successor twice', async () => {
      const p = await createUnit({ code: 'SR-P', name: 'Tỉnh Bảy', kind: 'province', effectiveFrom: '2020-01-01' });
      const [source, successor] = [await createUnit({ code: 'SR-D1', name: 'Huyện Một', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' }), await createUnit({ code: 'SR-D2', name: 'Huyện Hai', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' })];
      await expectRefused(
        () => api.post(`/units/${source.id}/split`, { successors: [{ unitId: successor.id }, { unitId: successor.id }], effectiveFrom: '2024-06-01' }),
        422,
        /names each successor once/,
      );
    });
    it('a change dated where it would fix the unit for good', async () => {
      await expectRefused(() => api.post(`/units/${district.id}/close`, { effectiveFrom: '9999-12-31' }), 400, /effectiveFrom must be a date from 1900-01-01 to 2100-12-31/);
      await expectRefused(() => api.post('/units', { code: 'OLD-1', name: 'Tỉnh Cũ', kind: 'province', effectiveFrom: '1899-12-31' }), 400, /effectiveFrom must be a date from 1900-01-01 to 2100-12-31/);
    });
    it('successors that are not objects', () =>
      expectRefused(() => api.post(`/units/${commune.id}/split`, { successors: ['a', 'b'], effectiveFrom: '2024-06-01' }), 400, /successors must hold objects: an existing unit \{ unitId \} or a new one/));
    it('a merge naming one source twice', () =>
      expectRefused(() => api.post('/units/merge', { sourceIds: [commune.id, commune.id], target: { unitId: district.id }, effectiveFrom: '2024-06-01' }), 422, /A merge names each source once/));
    it('a split giving two new units one code', () =>
      expectRefused(
        () => api.post(`/units/${commune.id}/split`, { successors: [{ code: 'DUP-X', name: 'Xã Một' }, { code: 'DUP-X', name: 'Xã Hai' }], effectiveFrom: '2024-06-01' }),
        422,
        /Each new unit needs a code of its own: DUP-X is given more than once/,
      ));
    it.each([
      ['a new unit', () => api.post('/units', { code: 'BLANK-1', name: '   ', kind: 'province', effectiveFrom: '2024-01-01' })],
      ['a rename', () => api.patch(`/units/${commune.id}`, { name: ' \t ', effectiveFrom: '2024-06-01' })],
      ['a merge target', () => api.post('/units/merge', { sourceIds: [commune.id], target: { code: 'BLANK-2', name: ' ' }, effectiveFrom: '2024-06-01' })],
    ])('a blank name for %s', (_, send) => expectRefused(send, 400, /name must not be blank/));
    it('a merge without a target', () =>
      expectRefused(() => api.post('/units/merge', { sourceIds: [commune.id], effectiveFrom: '2024-06-01' }), 400, /target must name an existing unit \(unitId\) or describe a new one/));
    it('a name cleared with null', () => expectRefused(() => api.patch(`/units/${commune.id}`, { name: null, effectiveFrom: '2024-06-01' }), 400, /name must be a string/));
    it('a NUL character in a name or a search', async () => {
      await expectRefused(() => api.post('/units', { code: 'NUL-1', name: 'Xã\u0000Lạc', kind: 'province', effectiveFrom: '2024-01-01' }), 400, /may not contain the NUL character/);
      expect((await api.get('/units?q=%00')).status).toBe(400);
    });
    it('a year 0, which the calendar does not have', () => expectRefused(() => api.post(`/units/${district.id}/close`, { effectiveFrom: '0000-01-01' }), 400, /effectiveFrom must be a date/));
    it('abolishing a level with a unit changed after the date', async () => {
      const p = await createUnit({ code: 'AL-P', name: 'Tỉnh Ba', kind: 'province', effectiveFrom: '2020-01-01' });
      await createUnit({ code: 'AL-D1', name: 'Huyện Một', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
      const d2 = await createUnit({ code: 'AL-D2', name: 'Huyện Hai', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
      expect((await api.patch(`/units/${d2.id}`, { name: 'Huyện Hai Mới', effectiveFrom: '2025-08-01' })).status).toBe(200);
      await expectRefused(
        () => api.post('/units/abolish-level', { kind: 'district', withinId: p.id, effectiveFrom: '2025-07-01' }),
        422,
        /changes recorded after 2025-07-01 \(AL-D2 on 2025-08-01\)/,
      );
    });
    describe('a split into an existing unit', () => {
      let p: { id: string };
      let d: { id: string };
      let source: { id: string };
      let successor: { id: string };
      beforeAll(async () => {
        p = await createUnit({ code: 'SE-P', name: 'Tỉnh Bốn', kind: 'province', effectiveFrom: '2020-01-01' });
        d = await createUnit({ code: 'SE-D', name: 'Huyện Bốn', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
        source = await createUnit({ code: 'SE-C1', name: 'Xã Một', kind: 'commune', parentId: d.id, effectiveFrom: '2020-01-01' });
        successor = await createUnit({ code: 'SE-C2', name: 'Xã Hai', kind: 'commune', parentId: d.id, effectiveFrom: '2022-01-01' });
        expect((await api.post(`/units/${successor.id}/close`, { effectiveFrom: '2024-01-01' })).status).toBe(200);
      });
      const splitOn = (effectiveFrom: string) => () =>
        api.post(`/units/${source.id}/split`, { successors: [{ unitId: successor.id }, { code: 'SE-C3', name: 'Xã Ba' }], effectiveFrom });
      it('that did not exist yet', () => expectRefused(splitOn('2021-06-01'), 422, /Successor unit SE-C2 did not exist on 2021-06-01/));
      it('that is closed', () => expectRefused(splitOn('2024-06-01'), 422, /Successor unit SE-C2 is closed on 2024-06-01/));
      it('that the placement rules no longer allow where it stands', async () => {
        const other = await createUnit({ code: 'SE-C4', name: 'Xã Bốn', kind: 'commune', parentId: d.id, effectiveFrom: '2020-01-01' });
        await expectRefused(
          () => api.post(`/units/${source.id}/split`, { successors: [{ unitId: other.id }, { code: 'SE-C3', name: 'Xã Ba', parentId: p.id }], effectiveFrom: '2025-08-01' }),
          422,
          /A commune cannot be placed under a district on 2025-08-01 \(unit SE-C4/,
        );
      });
    });
    describe('a split of a unit with children that does not give each active child to exactly one successor', () => {
      const c: Record<string, string> = {};
      const unknown = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
      beforeAll(async () => {
        const p = await createUnit({ code: 'SK-P', name: 'Tỉnh Mười Lăm', kind: 'province', effectiveFrom: '2020-01-01' });
        c['SK-D'] = (await createUnit({ code: 'SK-D', name: 'Huyện Chia', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' })).id;
        c['SK-O'] = (await createUnit({ code: 'SK-O', name: 'Huyện Khác', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' })).id;
        for (const code of ['SK-C1', 'SK-C2', 'SK-C3', 'SK-C4']) c[code] = (await createUnit({ code, name: `Xã ${code}`, kind: 'commune', parentId: c['SK-D'], effectiveFrom: '2020-01-01' })).id;
        c['SK-O1'] = (await createUnit({ code: 'SK-O1', name: 'Xã Bên', kind: 'commune', parentId: c['SK-O'], effectiveFrom: '2020-01-01' })).id;
        // A child once, no more on the split's date.
        expect((await api.post(`/units/${c['SK-C4']}/close`, { effectiveFrom: '2023-01-01' })).status).toBe(200);
      });
      /** Splits SK-D into two new districts, each given the units of these codes (or ids) as children. */
      const splitGiving = (first?: string[], second?: string[]) => () =>
        api.post(`/units/${c['SK-D']}/split`, {
          successors: [
            { code: 'SK-N1', name: 'Huyện Bắc', ...(first && { childIds: first.map((code) => c[code] ?? code) }) },
            { code: 'SK-N2', name: 'Huyện Nam', ...(second && { childIds: second.map((code) => c[code] ?? code) }) },
          ],
          effectiveFrom: '2024-06-01',
        });
      it('no child given to any successor', () =>
        expectRefused(splitGiving(), 422, /Unit SK-D has 3 active children on 2024-06-01 that no successor takes \(SK-C1, SK-C2, SK-C3\); name each in the childIds of one successor/));
      it('a child left out', () => expectRefused(splitGiving(['SK-C1'], ['SK-C3']), 422, /Unit SK-D has 1 active child on 2024-06-01 that no successor takes \(SK-C2\)/));
      it('a child given to two successors', () =>
        expectRefused(
          splitGiving(['SK-C1', 'SK-C2'], ['SK-C2', 'SK-C3']),
          422,
          new RegExp(`A split gives each child to one successor: ${c['SK-C2']} is in the childIds of successors\\[0\\] and successors\\[1\\]`),
        ));
      it.each([
        ['a child of another unit', 'SK-O1'],
        ['a unit that was a child but is closed on the date', 'SK-C4'],
        ['the source itself', 'SK-D'],
        ['a unit that does not exist', unknown],
      ])('naming %s', (_, named) =>
        expectRefused(splitGiving(['SK-C1', 'SK-C2', named], ['SK-C3']), 422, new RegExp(`childIds name units that are not active children of SK-D on 2024-06-01: ${c[named] ?? named}`)));
      it('a child named twice for one successor', () => expectRefused(splitGiving(['SK-C1', 'SK-C1', 'SK-C2'], ['SK-C3']), 400, /childIds must name each child once/));
      it('a child id that is not a UUID', () => expectRefused(splitGiving(['SK-C1', 'SK-C2'], ['SK-C3', 'SK-C5']), 400, /each child id must be a UUID/));
      it('childIds on a merge target, which takes every child of its sources', () =>
        expectRefused(() => api.post('/units/merge', { sourceIds: [c['SK-D'], c['SK-O']], target: { code: 'SK-M', name: 'Huyện Gộp', childIds: [] }, effectiveFrom: '2024-06-01' }), 400, /childIds should not exist/));
      it('a child the placement rules forbid under the successors\' kind', async () => {
        const p = await createUnit({ code: 'SK-Q', name: 'Tỉnh Mười Sáu', kind: 'province', effectiveFrom: '2020-01-01' });
        const agency = await createUnit({ code: 'SK-A', name: 'Công an tỉnh', kind: 'agency', parentId: p.id, effectiveFrom: '2020-01-01' });
        const team = await createUnit({ code: 'SK-A1', name: 'Phòng Một', kind: 'agency', parentId: agency.id, effectiveFrom: '2020-01-01' });
        // The rules place only agencies under an agency: a school placed under one while a rule
        // allowed it cannot follow it to a successor once the rule is gone.
        const [rule] = (await service.dataSource.query(`INSERT INTO placement_rules (child_kind, parent_kind) VALUES ('school', 'agency') RETURNING id`)) as { id: number }[];
        let school: { id: string };
        try {
          school = await createUnit({ code: 'SK-AS', name: 'Trường Công an', kind: 'school', parentId: agency.id, effectiveFrom: '2020-01-01' });
        } finally {
          await service.dataSource.query('DELETE FROM placement_rules WHERE id = $1', [rule.id]);
        }
        // The team's move, allowed, goes first: it is undone with the rest.
        await expectRefused(
          () => api.post(`/units/${agency.id}/split`, { successors: [{ code: 'SK-AN', name: 'Phòng Bắc', childIds: [team.id, school.id] }, { code: 'SK-AM', name: 'Phòng Nam' }], effectiveFrom: '2024-06-01' }),
          422,
          /A school cannot be placed under a agency on 2024-06-01 \(unit SK-AS; a school then sits under province or district or commune\)/,
        );
      });
    });
    describe('a move dated before an abolition of a level, into where it applied', () => {
      let p1: { id: string };
      let p2: { id: string };
      beforeAll(async () => {
        p1 = await createUnit({ code: 'AV-P1', name: 'Tỉnh Mười Một', kind: 'province', effectiveFrom: '2020-01-01' });
        p2 = await createUnit({ code: 'AV-P2', name: 'Tỉnh Mười Hai', kind: 'province', effectiveFrom: '2020-01-01' });
        await createUnit({ code: 'AV-P1-A', name: 'Công an tỉnh', kind: 'agency', parentId: p1.id, effectiveFrom: '2020-01-01' });
        expect((await api.post('/units/abolish-level', { kind: 'agency', withinId: p1.id, effectiveFrom: '2025-07-01' })).status).toBe(200);
      });
      it('a unit of that level', async () => {
        const agency = await createUnit({ code: 'AV-G', name: 'Công an tỉnh', kind: 'agency', parentId: p2.id, effectiveFrom: '2020-01-01' });
        await expectRefused(
          () => api.post(`/units/${agency.id}/move`, { parentId: p1.id, effectiveFrom: '2025-03-01' }),
          422,
          new RegExp(`A agency cannot be moved on 2025-03-01 \\(AV-G\\): the agency level was abolished within unit ${p1.id} from 2025-07-01, and the unit would outlive it`),
        );
        // After the abolition it may be.
        expect((await api.post(`/units/${agency.id}/move`, { parentId: p1.id, effectiveFrom: '2025-08-01' })).status).toBe(200);
      });
      it('a unit that carries one of that level along', async () => {
        const [d1, d2] = [
          await createUnit({ code: 'AV-D1', name: 'Huyện Một', kind: 'district', parentId: p1.id, effectiveFrom: '2020-01-01' }),
          await createUnit({ code: 'AV-D2', name: 'Huyện Hai', kind: 'district', parentId: p2.id, effectiveFrom: '2020-01-01' }),
        ];
        const [carrying, bare] = [
          await createUnit({ code: 'AV-C1', name: 'Xã Một', kind: 'commune', parentId: d2.id, effectiveFrom: '2020-01-01' }),
          await createUnit({ code: 'AV-C2', name: 'Xã Hai', kind: 'commune', parentId: d2.id, effectiveFrom: '2020-01-01' }),
        ];
        await createUnit({ code: 'AV-C1-CA', name: 'Công an xã', kind: 'agency', parentId: carrying.id, effectiveFrom: '2020-01-01' });
        await expectRefused(
          () => api.post(`/units/${carrying.id}/move`, { parentId: d1.id, effectiveFrom: '2025-03-01' }),
          422,
          /A commune cannot be moved on 2025-03-01 \(AV-C1\): the agency level was abolished within unit .* from 2025-07-01, and AV-C1-CA, a unit of that level it carries along, would outlive it/,
        );
        expect((await api.post(`/units/${bare.id}/move`, { parentId: d1.id, effectiveFrom: '2025-03-01' })).status).toBe(200);
      });
    });
    describe('a backdated change that later recorded changes would invalidate', () => {
      let p: { id: string };
      let closing: { id: string };
      let renamed: { id: string };
      beforeAll(async () => {
        p = await createUnit({ code: 'BD-P', name: 'Tỉnh Năm', kind: 'province', effectiveFrom: '2020-01-01' });
        closing = await createUnit({ code: 'BD-D1', name: 'Huyện Một', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
        renamed = await createUnit({ code: 'BD-D2', name: 'Huyện Hai', kind: 'district', parentId: p.id, effectiveFrom: '2020-01-01' });
        expect((await api.post(`/units/${closing.id}/close`, { effectiveFrom: '2025-07-01' })).status).toBe(200);
        expect((await api.patch(`/units/${renamed.id}`, { name: 'Huyện Hai Mới', effectiveFrom: '2025-08-01' })).status).toBe(200);
      });
      it('a unit created under a parent that closes later', () =>
        expectRefused(
          () => api.post('/units', { code: 'BD-S1', name: 'Trường Một', kind: 'school', parentId: closing.id, effectiveFrom: '2025-03-01' }),
          422,
          /BD-S1 cannot be placed under BD-D1 on 2025-03-01: the parent unit BD-D1 has a change recorded effective 2025-07-01 \(closed\)/,
        ));
      it('a unit moved under a parent that closes later', async () => {
        const school = await createUnit({ code: 'BD-S2', name: 'Trường Hai', kind: 'school', parentId: p.id, effectiveFrom: '2020-01-01' });
        await expectRefused(() => api.post(`/units/${school.id}/move`, { parentId: closing.id, effectiveFrom: '2025-03-01' }), 422, /would leave BD-S2 active under a closed unit/);
      });
      it('a unit created under a parent whose later version the placement rules no longer allow it under', () =>
        expectRefused(
          () => api.post('/units', { code: 'BD-C1', name: 'Xã Một', kind: 'commune', parentId: renamed.id, effectiveFrom: '2025-03-01' }),
          422,
          /effective 2025-08-01 \(updated\), from when the placement rules no longer allow a commune under a district/,
        ));
      it('a move that a later recorded move would turn into a cycle', async () => {
        const a = await createUnit({ code: 'BD-A', name: 'Phòng A', kind: 'agency', parentId: p.id, effectiveFrom: '2020-01-01' });
        const b = await createUnit({ code: 'BD-B', name: 'Phòng B', kind: 'agency', parentId: p.id, effectiveFrom: '2020-01-01' });
        expect((await api.post(`/units/${b.id}/move`, { parentId: a.id, effectiveFrom: '2024-06-01' })).status).toBe(200);
        await expectRefused(() => api.post(`/units/${a.id}/move`, { parentId: b.id, effectiveFrom: '2024-01-01' }), 422, /BD-A .* on 2024-01-01 would make it its own ancestor from 2024-06-01/);
      });
      it('but accepts a backdated child of a parent with no later change that breaks it', async () => {
        expect((await api.post('/units', { code: 'BD-S3', name: 'Trường Ba', kind: 'school', parentId: p.id, effectiveFrom: '2021-01-01' })).status).toBe(201);
      });
    });
    it('an import with rows of bad format and rows the rules reject: all listed in one run', async () => {
      const csv = [
        'code,name,kind,subtype,parent_code,tags,effective_from',
        'IM-P,Tỉnh Bảy,province,tinh,,,2024-01-01',
        'IM-D,Huyện Bảy,planet,huyen,IM-P,,2024-01-01',
        'IM-X1,Xã Một,commune,xa,IM-D,,2024-01-01',
        'IM-X2,Xã Hai,commune,xa,IM-NOPE,,2024-01-01',
        'IM-X3,Xã Ba,commune,xa,IM-P,,2024-01-01',
      ].join('\n');
      const { rows, rejections } = validateRows(parseCsv(csv));
      const before = await footprint();
      // As the import command acts.
      const actor = { agency: 'ca-nghe-an', principal: 'cli:operator', roles: ['admin'] };
      const error = (await service.app.get<ClsService>(ClsService).run(() => service.app.get(UnitImporter).import(rows, actor, '2024-01-01', undefined, rejections)).catch((e: unknown) => e)) as ImportRejectedError;
      expect(error).toBeInstanceOf(ImportRejectedError);
      expect(error.rejections.map((r) => [describePosition(r), r.code, r.reason])).toEqual([
        ['line 3', 'IM-D', expect.stringMatching(/kind must be one of/)],
        ['line 4', 'IM-X1', 'parent IM-D was rejected'],
        ['line 5', 'IM-X2', 'parent IM-NOPE is neither in the file nor registered'],
        ['line 6', 'IM-X3', expect.stringMatching(/A commune cannot be placed under a province on 2024-01-01/)],
      ]);
      expect(await footprint()).toEqual(before);
    });
    it('a subtype that does not fit the kind', () =>
      expectRefused(() => api.post('/units', { code: 'ST-1', name: 'Tỉnh Tám', kind: 'province', subtype: 'xa' }), 422, /Unit ST-1: subtype xa does not fit a province \(a province is tinh, thanh-pho-truc-thuoc-trung-uong\)/));
    it('an update to a subtype that does not fit the kind', () =>
      expectRefused(() => api.patch(`/units/${district.id}`, { subtype: 'phuong', effectiveFrom: '2024-06-01' }), 422, /Unit NA-TC: subtype phuong does not fit a district/));
    it('closing a unit that still has children', () => expectRefused(() => api.post(`/units/${otherDistrict.id}/close`, { effectiveFrom: '2024-06-01' }), 422, /active children/));
    it('a caller without a registry role', () =>
      expectRefused(() => api.withToken(testToken('ubnd-nghe-an', ['viewer'])).post('/units', { code: 'V1', name: 'Tỉnh', kind: 'province' }), 403, /needs one of the roles/));
    it('a caller without a token', () => expectRefused(() => new ApiClient(service.url).post('/units', { code: 'V2', name: 'Tỉnh', kind: 'province' }), 401, /bearer token/));
    it('a caller whose token is signed with another key', () => {
      const forged = issueToken({ secret: 'not-the-platform-signing-key-0123456789', issuer: 'antq-platform', audience: 'antq-api' }, { sub: 'x', agency: 'ca-nghe-an', roles: ['admin'] });
      return expectRefused(() => new ApiClient(service.url, forged).post('/units', { code: 'V3', name: 'Tỉnh', kind: 'province' }), 401, /invalid/i);
    });
  });
});

describe('writes within the jurisdiction', () => {
  // Two provinces, A and B; the registrar of A (agency ubnd-tinh-a) holds A alone.
  const u: Record<string, string> = {};
  let registrarOfA: ApiClient;
  const add = async (code: string, kind: string, parent?: string) => {
    u[code] = (await createUnit({ code, name: `Đơn vị ${code}`, kind, parentId: parent && u[parent], effectiveFrom: '2020-01-01' })).id;
  };
  const outside = (code: string, none = '') => new RegExp(`Unit ${u[code]} \\(${code}\\) is outside the jurisdiction of agency ubnd-tinh-a${none}`);
  const on = '2024-06-01';

  beforeAll(async () => {
    await add('JA', 'province');
    await add('JA-D1', 'district', 'JA');
    await add('JA-D2', 'district', 'JA');
    for (const code of ['JA-C1', 'JA-C2', 'JA-C3']) await add(code, 'commune', 'JA-D1');
    await add('JB', 'province');
    await add('JB-D1', 'district', 'JB');
    for (const code of ['JB-C1', 'JB-C2']) await add(code, 'commune', 'JB-D1');
    // A district of B that A takes over from 2024: its commune lies within A from then on only.
    await add('JB-D2', 'district', 'JB');
    await add('JB-D2-C', 'commune', 'JB-D2');
    expect((await api.post(`/units/${u['JB-D2']}/move`, { parentId: u['JA'], effectiveFrom: '2024-01-01' })).status).toBe(200);
    registrarOfA = api.withToken(testToken('ubnd-tinh-a', ['registrar'], 'registrar-a', [u['JA']]));
  });

  it.each([
    ['a unit created under a B unit', () => registrarOfA.post('/units', { code: 'JB-D9', name: 'Huyện Chín', kind: 'district', parentId: u['JB'], effectiveFrom: on }), 'JB'],
    ['a B unit renamed', () => registrarOfA.patch(`/units/${u['JB-C1']}`, { name: 'Xã Mới', effectiveFrom: on }), 'JB-C1'],
    ['an A unit moved under a B parent', () => registrarOfA.post(`/units/${u['JA-C1']}/move`, { parentId: u['JB-D1'], effectiveFrom: on }), 'JB-D1'],
    ['a B unit moved under an A parent', () => registrarOfA.post(`/units/${u['JB-C1']}/move`, { parentId: u['JA-D1'], effectiveFrom: on }), 'JB-C1'],
    ['a B unit closed', () => registrarOfA.post(`/units/${u['JB-C2']}/close`, { effectiveFrom: on }), 'JB-C2'],
    ['an A and a B unit merged', () => registrarOfA.post('/units/merge', { sourceIds: [u['JA-C1'], u['JB-C1']], target: { code: 'J-M1', name: 'Xã Gộp' }, effectiveFrom: on }), 'JB-C1'],
    ['A units merged into a B unit', () => registrarOfA.post('/units/merge', { sourceIds: [u['JA-C1'], u['JA-C2']], target: { unitId: u['JB-C2'] }, effectiveFrom: on }), 'JB-C2'],
    [
      'A units merged into a new unit under a B parent',
      () => registrarOfA.post('/units/merge', { sourceIds: [u['JA-C1'], u['JA-C2']], target: { code: 'J-M2', name: 'Xã Gộp', parentId: u['JB-D1'] }, effectiveFrom: on }),
      'JB-D1',
    ],
    ['a B unit split', () => registrarOfA.post(`/units/${u['JB-C1']}/split`, { successors: [{ code: 'J-S1', name: 'Xã Bắc' }, { code: 'J-S2', name: 'Xã Nam' }], effectiveFrom: on }), 'JB-C1'],
    ['an A unit split into a B unit', () => registrarOfA.post(`/units/${u['JA-C1']}/split`, { successors: [{ unitId: u['JB-C2'] }, { code: 'J-S3', name: 'Xã Nam' }], effectiveFrom: on }), 'JB-C2'],
    [
      'an A unit split into a new unit under a B parent',
      () => registrarOfA.post(`/units/${u['JA-C1']}/split`, { successors: [{ code: 'J-S4', name: 'Xã Bắc' }, { code: 'J-S5', name: 'Xã Nam', parentId: u['JB-D1'] }], effectiveFrom: on }),
      'JB-D1',
    ],
    [
      'an A district split, a commune of it going to a B district',
      () =>
        registrarOfA.post(`/units/${u['JA-D1']}/split`, {
          successors: [{ unitId: u['JB-D1'], childIds: [u['JA-C1']] }, { code: 'J-S6', name: 'Huyện Nam', childIds: [u['JA-C2'], u['JA-C3']] }],
          effectiveFrom: on,
        }),
      'JB-D1',
    ],
    ['a level abolished within B', () => registrarOfA.post('/units/abolish-level', { kind: 'district', withinId: u['JB'], effectiveFrom: '2025-07-01' }), 'JB'],
    ['a change dated before the unit came into A', () => registrarOfA.patch(`/units/${u['JB-D2-C']}`, { name: 'Xã Cũ', effectiveFrom: '2023-06-01' }), 'JB-D2-C'],
  ])('refuses %s with 403, naming the first unit outside A, and changes nothing', (_, send, code) => expectRefused(send, 403, outside(code)));

  it('refuses a province, and a level abolished everywhere, to any but an admin', async () => {
    await expectRefused(
      () => registrarOfA.post('/units', { code: 'JC', name: 'Tỉnh C', kind: 'province', effectiveFrom: on }),
      403,
      /Unit JC would have no parent \(a province\): only an admin may create one, not agency ubnd-tinh-a/,
    );
    await expectRefused(
      () => registrarOfA.post('/units/abolish-level', { kind: 'district', effectiveFrom: '2025-07-01' }),
      403,
      /Agency ubnd-tinh-a may not abolish a level everywhere: that needs the role admin; name withinId/,
    );
    expect((await api.post('/units', { code: 'JC', name: 'Tỉnh C', kind: 'province', effectiveFrom: on })).status).toBe(201);
  });

  it('refuses every write to a registrar whose token names no jurisdiction', async () => {
    const registrar = api.withToken(testToken('ubnd-tinh-a', ['registrar'], 'registrar-x'));
    const none = ' \\(its token names none\\)';
    await expectRefused(() => registrar.post('/units', { code: 'JA-C9', name: 'Xã Chín', kind: 'commune', parentId: u['JA-D1'], effectiveFrom: on }), 403, outside('JA-D1', none));
    await expectRefused(() => registrar.patch(`/units/${u['JA-C1']}`, { name: 'Xã Mới', effectiveFrom: on }), 403, outside('JA-C1', none));
    await expectRefused(() => registrar.post(`/units/${u['JA-C3']}/move`, { parentId: u['JA-D2'], effectiveFrom: on }), 403, outside('JA-C3', none));
    await expectRefused(() => registrar.post('/units/abolish-level', { kind: 'district', withinId: u['JA'], effectiveFrom: '2025-07-01' }), 403, outside('JA', none));
  });

  it('lets the registrar of A make each change within A, judged on its date', async () => {
    const created = await registrarOfA.post('/units', { code: 'JA-C4', name: 'Xã Bốn', kind: 'commune', parentId: u['JA-D1'], effectiveFrom: on });
    expect(created.status).toBe(201);
    expect((await registrarOfA.patch(`/units/${u['JA-C1']}`, { name: 'Xã Một Mới', effectiveFrom: on })).status).toBe(200);
    expect((await registrarOfA.post(`/units/${u['JA-C3']}/move`, { parentId: u['JA-D2'], effectiveFrom: on })).status).toBe(200);
    expect((await registrarOfA.post(`/units/${created.body.id}/close`, { effectiveFrom: '2024-07-01' })).status).toBe(200);
    const merged = await registrarOfA.post('/units/merge', { sourceIds: [u['JA-C1'], u['JA-C2']], target: { code: 'JA-C12', name: 'Xã Mười Hai' }, effectiveFrom: '2024-08-01' });
    expect(merged.status).toBe(201);
    const split = await registrarOfA.post(`/units/${merged.body.id}/split`, {
      successors: [{ code: 'JA-C12N', name: 'Xã Bắc' }, { code: 'JA-C12S', name: 'Xã Nam', parentId: u['JA-D2'] }],
      effectiveFrom: '2024-09-01',
    });
    expect(split.status).toBe(201);
    // Within A on this date: its district has been A's since 2024.
    expect((await registrarOfA.patch(`/units/${u['JB-D2-C']}`, { name: 'Xã Chuyển', effectiveFrom: on })).status).toBe(200);
    // The districts of A, the one taken over from B among them, close; their communes move up to A.
    const abolished = await registrarOfA.post('/units/abolish-level', { kind: 'district', withinId: u['JA'], effectiveFrom: '2025-07-01' });
    expect({ status: abolished.status, body: abolished.body }).toEqual({ status: 200, body: { closed: 3, moved: 4 } });
    const history = (await api.get(`/units/${u['JA-C3']}/history?asOf=2025-07-01`)).body as { change: string; agency: string; principal: string }[];
    expect(history.at(-1)).toMatchObject({ change: 'moved', agency: 'ubnd-tinh-a', principal: 'registrar-a' });
  });

  it('lets an admin write anywhere', async () => {
    expect((await api.patch(`/units/${u['JB-C1']}`, { name: 'Xã Một Bên B', effectiveFrom: on })).status).toBe(200);
    expect((await api.post(`/units/${u['JB-C2']}/move`, { parentId: u['JA'], effectiveFrom: '2025-08-01' })).status).toBe(200);
  });
});

it('sends events of every type it publishes, each accepted by its published JSON Schema', () => {
  const { checkedTypes, topicTypes, violations } = schemaCheck(recorder.messages, 'units');
  expect(violations).toEqual([]);
  // Every type the service publishes was sent during these tests, and checked.
  expect(checkedTypes).toEqual(topicTypes);
});
