import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
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
const dir = mkdtempSync(join(tmpdir(), 'antq-import-cli-'));
let registry: RunningService;
let api: ApiClient;

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

/** The command as an operator runs it beside `npm start`: the database named as the local stack names it. */
const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) => runImportCommand(registry, runId, args, env);

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  registry = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
  api = new ApiClient(registry.url, testToken());
});

afterAll(async () => {
  await dropTestDatabases([registry].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

describe('the import command', () => {
  it.each([
    ['a missing file', () => ['units', join(dir, 'nowhere.csv')], /^cannot import .*nowhere\.csv: no such file$/],
    ['an unclosed quote', () => ['units', file('quote.csv', 'code,name,kind\nNA,"Tỉnh Nghệ An,province\n')], /^cannot import .*quote\.csv: not valid CSV: Quote Not Closed: .* at line \d+$/],
    [
      'unknown columns',
      () => ['units', file('columns.csv', 'code,name,kind,tag,effective_date\nNA,Tỉnh Nghệ An,province,border,2024-01-01\n')],
      /^cannot import .*columns\.csv: unknown columns tag, effective_date in the header; the columns are code, name, kind, subtype, parent_code, tags, effective_from$/,
    ],
    ['a header alone', () => ['units', file('header.csv', 'code,name,kind,subtype,parent_code,tags,effective_from\n')], /^cannot import .*header\.csv: the file holds a header and no units$/],
    ['invalid JSON', () => ['units', file('invalid.json', '[{"code": "NA",')], /^cannot import .*invalid\.json: not valid JSON: /],
    ['JSON without a list', () => ['units', file('object.json', '{"code": "NA"}')], /^cannot import .*object\.json: the JSON file must hold an array of units/],
    ['another shape than the mapping file', () => ['vn-admin', file('units.json', '[]')], /^cannot import .*units\.json: the file must hold the provinces and wards of a vn-admin mapping file$/],
    ['a --province the mapping file does not hold', () => ['vn-admin', NGHE_AN_MAPPING, '--province', '99'], /^--province: 99 is no old province of .*vn-admin-nghe-an\.json \(it holds 51\)$/],
  ])('refuses %s in one line with exit 2, before it opens the database', async (_, args, message) => {
    // A database that does not exist: the file is refused before any connection is tried.
    const result = await runCli(args(), { UNITS_REGISTRY_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', KAFKA_BROKERS: '127.0.0.1:1' });
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.code).toBe(2);
  });

  it.each([
    [
      'JSON by their place in the array (items, not lines)',
      'rejected.json',
      // Pretty-printed, so that lines and places differ.
      JSON.stringify([{ code: 'RJ-P', name: 'Tỉnh Chín', kind: 'province' }, { code: 'RJ-X', name: 'Sao', kind: 'planet' }, { code: 'RJ-P', name: 'Tỉnh Chín', kind: 'province' }], null, 2),
      [/^ {2}item 2 \(RJ-X\): kind must be one of: /, /^ {2}item 3 \(RJ-P\): code RJ-P repeats item 1$/],
    ],
    [
      'CSV by their line',
      'rejected.csv',
      'code,name,kind\nRC-P,Tỉnh Mười,province\nRC-X,Sao,planet\nRC-P,Tỉnh Mười,province\n',
      [/^ {2}line 3 \(RC-X\): kind must be one of: /, /^ {2}line 4 \(RC-P\): code RC-P repeats line 2$/],
    ],
  ])('lists the rows it rejects in %s, with exit 1, importing nothing', async (_, name, text, expected) => {
    const result = await runCli(['units', file(name, text)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 rows rejected; nothing was imported:\n');
    const listed = result.stderr.split('\n').filter((line) => /^ {2}(line|item) /.test(line));
    expect(listed).toHaveLength(expected.length);
    listed.forEach((line, i) => expect(line).toMatch(expected[i]));
    const db = new Client({ connectionString: registry.databaseUrl });
    await db.connect();
    try {
      expect((await db.query("SELECT code FROM units WHERE code IN ('RJ-P', 'RJ-X', 'RC-P', 'RC-X')")).rows).toEqual([]);
    } finally {
      await db.end();
    }
  });

  it('limits the abolition of the district level to the provinces --province selects', async () => {
    const other = (await api.post('/units', { code: 'HT', name: 'Tỉnh Hà Tĩnh', kind: 'province', subtype: 'tinh', effectiveFrom: '2020-01-01' })).body as { id: string };
    const otherDistrict = (await api.post('/units', { code: 'HT-D', name: 'Huyện Kỳ Anh', kind: 'district', subtype: 'huyen', parentId: other.id, effectiveFrom: '2020-01-01' }))
      .body as { id: string };

    const result = await runCli(['vn-admin', NGHE_AN_MAPPING, '--province', '51']);
    expect(result.stderr).not.toMatch(/refused|failed|rejected/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.split('\n').find((line) => line.startsWith('{')) as string)).toMatchObject({ created: 433, reorganisation: { levelUnitsClosed: 20 } });

    // Nghệ An's districts close; Hà Tĩnh's, outside the selection, stay, and the level is not
    // recorded as abolished there: a district may still be created in it before the date.
    expect((await api.get(`/units/${otherDistrict.id}?asOf=2025-07-01`)).body).toMatchObject({ status: 'active', parentId: other.id });
    expect((await api.get('/units?kind=district&asOf=2025-07-01&limit=1')).body.total).toBe(1);
    const created = await api.post('/units', { code: 'HT-D2', name: 'Huyện Vũ Quang', kind: 'district', subtype: 'huyen', parentId: other.id, effectiveFrom: '2025-01-01' });
    expect(created.status).toBe(201);
    const nghiLoc = (await api.get('/units?q=nghi%20loc&kind=district&asOf=2025-06-30')).body.items[0] as { parentId: string };
    const refused = await api.post('/units', { code: 'NA-D2', name: 'Huyện Mới', kind: 'district', subtype: 'huyen', parentId: nghiLoc.parentId, effectiveFrom: '2025-01-01' });
    expect(refused.body.message).toMatch(/the district level was abolished within unit .* from 2025-07-01/);
  });

  it('gives up with exit 3 when its events stop being published, the import committed', async () => {
    // A registry database with no relay running, and a broker nobody can reach.
    const alone = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), uniqueRunId());
    await alone.stop();
    try {
      const units = file('units.csv', 'code,name,kind,subtype,parent_code,tags,effective_from\nQT,Tỉnh Quảng Trị,province,tinh,,,2024-01-01\n');
      const result = await runCli(['units', units, '--publish-timeout', '2'], { UNITS_REGISTRY_DATABASE_URL: alone.databaseUrl, KAFKA_BROKERS: '127.0.0.1:1', LOG_LEVEL: 'silent' });
      expect(result.stderr).toMatch(/^the import is committed, but no event was published for 2 s \(can a relay reach a broker\?\): \d+ unpublished events? waits? in the outbox for the registry's relay$/m);
      expect(result.code).toBe(3);
      const db = new Client({ connectionString: alone.databaseUrl });
      await db.connect();
      try {
        expect((await db.query('SELECT code FROM units')).rows).toEqual([{ code: 'QT' }]);
      } finally {
        await db.end();
      }
    } finally {
      await dropTestDatabases([alone]);
    }
  });
});
