import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase, postgresOptions, preparingClient } from '@antq/persistence';
import { planNodes, testDatabaseUrl, uniqueRunId, type PlanNode } from '@antq/testing';

/** The preparing client (libs/persistence) against the real server: what the session has prepared, and a schema change under it. */
const url = testDatabaseUrl(uniqueRunId(), 'statements');
let pool: Pool;
let admin: Client;

/** The names under which the pool's one connection holds a statement. */
const namesOf = async (text: string): Promise<string[]> =>
  ((await pool.query('SELECT name FROM pg_prepared_statements WHERE statement = $1 ORDER BY name', [text])).rows as { name: string }[]).map((r) => r.name);

/**
 * Runs a statement until its next run prepares it anew; returns its name now. Prepared on its
 * third run (the pool's threshold), it is prepared anew on its 30th.
 */
async function dueForPreparingAnew(text: string): Promise<string> {
  for (let run = 1; run <= 29; run++) await pool.query(text, [run, 1]);
  const [name] = await namesOf(text);
  return name;
}

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

it('prepares a statement anew at ten times its runs, deallocating the one before, and answers the same', async () => {
  const text = 'SELECT (value * $1::int)::int AS n FROM readings WHERE id = $2';
  const names = () => namesOf(text);
  // Prepared on its third run (the pool's threshold), anew on its 30th and 300th.
  const seen: string[][] = [];
  for (let run = 1; run <= 300; run++) {
    expect((await pool.query(text, [run, 2])).rows).toEqual([{ n: 20 * run }]);
    if ([3, 29, 30, 299, 300].includes(run)) seen.push(await names());
  }
  const [first, beforeSecond, second, beforeThird, third] = seen;
  expect(first).toHaveLength(1);
  expect(beforeSecond).toEqual(first);
  expect(second).toEqual([`${first[0]}_g1`]);
  expect(beforeThird).toEqual(second);
  expect(third).toEqual([`${first[0]}_g2`]);
});

it('sends a deallocation and the query behind it one after the other, never queued on a busy connection', async () => {
  const text = 'SELECT (value * 5 + $1::int)::int AS n FROM readings WHERE id = $2';
  const first = await dueForPreparingAnew(text);
  // The 30th run prepares the statement anew; the old one is deallocated before the next query runs.
  expect((await pool.query(text, [30, 1])).rows).toEqual([{ n: 80 }]);
  const send = Client.prototype.query;
  const sent: { text: string; busy: number }[] = [];
  const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
    const connection = this as unknown as { _activeQuery: unknown; _queryQueue: unknown[] };
    const config = args[0] as string | { text: string };
    sent.push({ text: typeof config === 'string' ? config : config.text, busy: (connection._activeQuery ? 1 : 0) + connection._queryQueue.length });
    return (send as (...a: unknown[]) => unknown).apply(this, args) as never;
  });
  try {
    expect((await pool.query(text, [31, 2])).rows).toEqual([{ n: 131 }]);
  } finally {
    spy.mockRestore();
  }
  expect(sent).toEqual([
    { text: `DEALLOCATE "${first}"`, busy: 0 },
    { text, busy: 0 },
  ]);
});

it('prepared anew inside a failed transaction, answers right after the rollback and deallocates the old statement then', async () => {
  const text = 'SELECT (value - $1::int)::int AS n FROM readings WHERE id = $2';
  const first = await dueForPreparingAnew(text);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await expect(client.query('SELECT 1 / 0 AS n')).rejects.toThrow('division by zero');
    // The 30th run fails, as everything in the failed transaction does.
    await expect(client.query(text, [30, 1])).rejects.toThrow('current transaction is aborted');
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
  expect((await pool.query(text, [31, 1])).rows).toEqual([{ n: 10 - 31 }]);
  expect((await pool.query(text, [32, 2])).rows).toEqual([{ n: 20 - 32 }]);
  expect(await namesOf(text)).toEqual([`${first}_g1`]);
});

it('never deallocates inside a transaction, where a failing DEALLOCATE (behind a pooler that names statements its own way) would abort it', async () => {
  const text = 'SELECT (value * 3 + $1::int)::int AS n FROM readings WHERE id = $2';
  const first = await dueForPreparingAnew(text);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // As behind PgBouncer, the name the client knows is not the server's: deallocating it fails.
    await client.query(`DEALLOCATE "${first}"`);
    // The 30th run prepares the statement anew inside the transaction, which carries on.
    expect((await client.query(text, [30, 1])).rows).toEqual([{ n: 60 }]);
    expect((await client.query(text, [31, 2])).rows).toEqual([{ n: 91 }]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  // Idle again, the connection tries the deallocation; its failure harms nothing.
  expect((await pool.query(text, [32, 1])).rows).toEqual([{ n: 62 }]);
  expect(await namesOf(text)).toEqual([`${first}_g1`]);
});

it('so a generic plan made on a nearly empty table follows the table as it grows', async () => {
  // A status history's shape: a unit's rows by key, looked up for a batch of units.
  await admin.query('CREATE TABLE history (unit int, programme text, sequence int, status text NOT NULL, PRIMARY KEY (unit, programme, sequence))');
  await admin.query("INSERT INTO history SELECT n, 'drug-free', 1, 'recognised' FROM generate_series(1, 20) AS n");
  // Generic plans at once, as PostgreSQL settles on after a statement's first runs.
  const generic = new Pool({ connectionString: url, max: 1, options: '-c plan_cache_mode=force_generic_plan', Client: preparingClient({ threshold: 1 }) });
  try {
    const text = `SELECT h.unit FROM unnest($1::int[]) AS q(unit) JOIN history h ON h.unit = q.unit AND h.programme = 'drug-free' AND h.sequence = 1 ORDER BY h.unit`;
    /** Rows the kept plan reads from the history to answer for two units. */
    const rowsRead = async () => {
      const [{ name }] = (await generic.query('SELECT name FROM pg_prepared_statements WHERE statement = $1', [text])).rows as { name: string }[];
      const [{ 'QUERY PLAN': [root] }] = (await generic.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE "${name}"('{1,2}')`)).rows as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
      return planNodes(root.Plan)
        .filter((node) => node['Relation Name'] === 'history')
        .reduce((sum, node) => sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 0), 0);
    };
    expect((await generic.query(text, [[2, 1]])).rows).toEqual([{ unit: 1 }, { unit: 2 }]);
    expect(await rowsRead()).toBe(20);

    await admin.query("INSERT INTO history SELECT n, 'drug-free', 1, 'recognised' FROM generate_series(21, 50000) AS n");
    // The plan kept reads the whole history for two units.
    expect(await rowsRead()).toBe(50_000);
    // Its tenth run prepares it anew, planned on the history as it is now: two rows read.
    for (let run = 2; run <= 10; run++) expect((await generic.query(text, [[run, 40_000]])).rows).toEqual([{ unit: run }, { unit: 40_000 }]);
    expect(await rowsRead()).toBe(2);
  } finally {
    await generic.end();
  }
});
