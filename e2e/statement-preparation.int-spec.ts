import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase, postgresOptions, preparingClient } from '@antq/persistence';
import { testDatabaseUrl, uniqueRunId } from '@antq/testing';

/** The preparing client (libs/persistence) against the real server: what the session has prepared, and a schema change under it. */
const url = testDatabaseUrl(uniqueRunId(), 'statements');
let pool: Pool;
let admin: Client;

/** The statements the pool's one connection has prepared (this query has no parameters, so it is never one of them). */
const preparedTexts = async () => ((await pool.query('SELECT statement FROM pg_prepared_statements ORDER BY statement')).rows as { statement: string }[]).map((r) => r.statement);

beforeAll(async () => {
  await ensureDatabase(url);
  admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query('CREATE TABLE readings (id int PRIMARY KEY, value int NOT NULL)');
  await admin.query('INSERT INTO readings VALUES (1, 10), (2, 20)');
  pool = new Pool({ connectionString: url, max: 1, Client: preparingClient({ threshold: 3 }) });
});

afterAll(async () => {
  await pool?.end();
  await admin?.end();
  await dropDatabase(url);
});

it('prepares a parameterised statement on its third run, and answers the same before and after', async () => {
  const text = 'SELECT value + $1::int AS n FROM readings WHERE id = $2';
  const answers: number[] = [];
  for (let run = 1; run <= 4; run++) {
    answers.push(((await pool.query(text, [run, 1])).rows[0] as { n: number }).n);
    expect(await preparedTexts()).toEqual(run < 3 ? [] : [text]);
  }
  expect(answers).toEqual([11, 12, 13, 14]);
});

it('never prepares a statement whose columns come from `*`, nor one without parameters', async () => {
  for (let run = 0; run < 5; run++) {
    expect((await pool.query('SELECT * FROM readings WHERE id = $1', [2])).rows).toEqual([{ id: 2, value: 20 }]);
    await pool.query('SELECT value FROM readings WHERE id = 2');
  }
  expect(await preparedTexts()).not.toContainEqual(expect.stringContaining('SELECT * FROM readings'));
  expect(await preparedTexts()).not.toContain('SELECT value FROM readings WHERE id = 2');
});

it('fails once when a migration changes the result of a prepared statement, then runs it unprepared', async () => {
  const text = 'SELECT value FROM readings WHERE id = $1';
  for (let run = 0; run < 3; run++) await pool.query(text, [1]);
  expect(await preparedTexts()).toContain(text);

  await admin.query('ALTER TABLE readings ALTER COLUMN value TYPE bigint');
  await expect(pool.query(text, [1])).rejects.toThrow('cached plan must not change result type');
  // bigint arrives as a string: the answer comes from the new column type.
  expect((await pool.query(text, [1])).rows).toEqual([{ value: '10' }]);
  expect((await pool.query(text, [2])).rows).toEqual([{ value: '20' }]);
});

it('is how the services connect: TypeORM with a threshold prepares, without one it does not', async () => {
  const connect = async (threshold: number) =>
    new DataSource(
      postgresOptions({ url, poolSize: 1, applicationName: 'antq-statements-test', entities: [], migrations: [], statementPreparation: { threshold } }),
    ).initialize();
  const text = 'SELECT id FROM readings WHERE value > $1 ORDER BY id';
  for (const threshold of [2, 0]) {
    const dataSource = await connect(threshold);
    try {
      for (let run = 0; run < 3; run++) expect(await dataSource.query(text, [15])).toEqual([{ id: 2 }]);
      const prepared = ((await dataSource.query('SELECT statement FROM pg_prepared_statements')) as { statement: string }[]).map((r) => r.statement);
      expect(prepared).toEqual(threshold ? [text] : []);
    } finally {
      await dataSource.destroy();
    }
  }
});

it('prepares no more statements on a connection than its capacity', async () => {
  const small = new Pool({ connectionString: url, max: 1, Client: preparingClient({ threshold: 1, capacity: 2 }) });
  try {
    const texts = [1, 2, 3].map((n) => `SELECT id * ${n} AS v FROM readings WHERE id = $1`);
    for (const text of texts) expect((await small.query(text, [1])).rows).toEqual([{ v: texts.indexOf(text) + 1 }]);
    const prepared = ((await small.query('SELECT statement FROM pg_prepared_statements ORDER BY statement')).rows as { statement: string }[]).map((r) => r.statement);
    expect(prepared).toEqual(texts.slice(0, 2));
  } finally {
    await small.end();
  }
});
