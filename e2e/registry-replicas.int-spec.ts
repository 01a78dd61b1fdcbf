import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CampaignsModule, CAMPAIGNS } from '@antq/app-campaigns';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  startTestService,
  testKafka,
  testToken,
  NGHE_AN_MAPPING,
  runImportCommand,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';

const runId = uniqueRunId();
const kafka = testKafka();
let registry: RunningService;
let replicas: RunningService[];
let api: ApiClient;

const runCli = (args: string[]) => runImportCommand(registry, runId, args);

const VERSIONS = `SELECT unit_id, version, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to,
                          code, name, kind, subtype, parent_id, tags, status FROM %s ORDER BY unit_id, version`;

async function registryVersions(): Promise<unknown[]> {
  return registry.dataSource.query(VERSIONS.replace('%s', 'unit_versions v JOIN units u ON u.id = v.unit_id').replace('code, name, kind', 'u.code, v.name, u.kind'));
}

async function countAsOf(kind: string, date: string, parentId?: string): Promise<number> {
  const page = await api.get(`/units?kind=${kind}&asOf=${date}&limit=1${parentId ? `&parentId=${parentId}` : ''}`);
  return page.body.total as number;
}

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  registry = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
  replicas = await Promise.all([
    startTestService(ASSESSMENTS, (env) => AssessmentsModule.forRoot(env), runId),
    startTestService(CAMPAIGNS, (env) => CampaignsModule.forRoot(env), runId),
    startTestService(NOTIFICATIONS, (env) => NotificationsModule.forRoot(env), runId),
  ]);
  api = new ApiClient(registry.url, testToken());
});

afterAll(async () => {
  await dropTestDatabases([registry, ...(replicas ?? [])].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

describe('importing Nghệ An and its 2025 reorganisation', () => {
  it('rejects a file with bad rows, listing each, and imports nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'antq-import-'));
    const file = join(dir, 'units.csv');
    writeFileSync(
      file,
      [
        'code,name,kind,subtype,parent_code,tags,effective_from',
        'T-P,Tỉnh Thử,province,tinh,,,2024-01-01',
        'T-D,Huyện Thử,district,huyen,T-P,border;coastal,2024-01-01',
        'T-X1,Xã Một,planet,xa,T-D,,2024-01-01',
        'T-X2,Xã Hai,commune,xa,T-NOPE,,2024-01-01',
        'T-X3,Xã Ba,commune,xa,T-P,,2024-01-01',
      ].join('\n'),
    );
    // One run lists the rows wrong in themselves and the rows the tree's rules refuse.
    const result = await runCli(['units', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 4 (T-X1): kind must be one of');
    expect(result.stderr).toContain('line 5 (T-X2): parent T-NOPE is neither in the file nor registered');
    expect(result.stderr).toMatch(/line 6 \(T-X3\): A commune cannot be placed under a province on 2024-01-01/);
    expect(result.stderr).toContain('nothing was imported');
    expect(await registry.dataSource.query('SELECT count(*)::int AS n FROM units')).toEqual([{ n: 0 }]);
  });

  it('builds the old tree, applies the reorganisation, and every replica equals the registry', async () => {
    const result = await runCli(['vn-admin', NGHE_AN_MAPPING]);
    expect(result.stderr).not.toMatch(/refused|failed|rejected/);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.split('\n').find((line) => line.startsWith('{')) as string) as Record<string, unknown>;
    expect(summary).toMatchObject({
      created: 433,
      reorganisation: { provincesContinued: 1, communesCreated: 121, communesContinued: 9, levelUnitsClosed: 20 },
    });

    const province = (await api.get('/units?q=nghe%20an&kind=province')).body.items[0] as { id: string };
    expect(await countAsOf('district', '2024-12-31')).toBe(20);
    expect(await countAsOf('commune', '2024-12-31')).toBe(412);
    expect(await countAsOf('district', '2025-07-01')).toBe(0);
    expect(await countAsOf('commune', '2025-07-01')).toBe(130);
    expect(await countAsOf('commune', '2025-07-01', province.id)).toBe(130);

    // Lineage both ways: a new ward formed from old ones, and what an old commune became.
    const vinh = (await api.get('/units?q=truong%20vinh&asOf=2025-07-01')).body.items[0] as { id: string; name: string };
    expect(vinh.name).toBe('Phường Trường Vinh');
    const formedFrom = (await api.get(`/units/${vinh.id}/lineage`)).body.formedFrom as { predecessorId: string }[];
    expect(formedFrom.length).toBeGreaterThan(1);
    const old = (await api.get(`/units/${formedFrom[0].predecessorId}?asOf=2025-06-30`)).body as { kind: string; status: string };
    expect(old).toMatchObject({ kind: 'commune', status: 'active' });
    const became = (await api.get(`/units/${formedFrom[0].predecessorId}/lineage`)).body.became as { successorId: string }[];
    expect(became.map((e) => e.successorId)).toContain(vinh.id);

    const expectedVersions = await registryVersions();
    const expectedLineage = await registry.dataSource.query(
      `SELECT predecessor_id, successor_id, kind, to_char(effective_date, 'YYYY-MM-DD') AS effective_date FROM unit_lineage ORDER BY 1, 2`,
    );
    // 554 units created, 423 closed (403 merged communes, 20 districts), 9 communes moved, 1 renamed.
    expect(expectedVersions).toHaveLength(987);
    for (const replica of replicas) {
      await eventually(
        async () => expect(await replica.dataSource.query(VERSIONS.replace('%s', 'replica_unit_versions'))).toEqual(expectedVersions),
        60_000,
        500,
      );
      expect(
        await replica.dataSource.query(
          `SELECT predecessor_id, successor_id, kind, to_char(effective_date, 'YYYY-MM-DD') AS effective_date FROM replica_unit_lineage ORDER BY 1, 2`,
        ),
      ).toEqual(expectedLineage);
    }
  });
});
