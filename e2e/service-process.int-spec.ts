import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase } from '@antq/persistence';
import {
  createRunTopics,
  deleteRunTopics,
  eventually,
  freePort,
  runScript,
  testDatabaseUrl,
  testKafka,
  testRunEnv,
  testToken,
  uniqueRunId,
} from '@antq/testing';

/*
 * A service as operators run it: the built binary in a process of its own, migrated by its
 * `migrate` command, logging JSON lines on stdout, stopped by SIGTERM.
 */

const MAIN = resolve(__dirname, '../dist/apps/notifications/src/main.js');
const REGISTRY_MAIN = resolve(__dirname, '../dist/apps/units-registry/src/main.js');
const runId = uniqueRunId();
const databaseUrl = testDatabaseUrl(runId, 'notifications');
const kafka = testKafka();
const groupId = `${runId}.notifications`;
let service: ChildProcess | undefined;
const lines: string[] = [];

/** The JSON log lines written so far. */
const logged = () => lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

/** The service's consumer group as the broker sees it. */
async function group(): Promise<{ state: string; members: unknown[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.describeGroups([groupId])).groups[0];
  } finally {
    await admin.disconnect();
  }
}

beforeAll(() => createRunTopics(runId, kafka));

afterAll(async () => {
  if (service?.exitCode === null) service.kill('SIGKILL');
  await dropDatabase(databaseUrl);
  await deleteRunTopics(runId, kafka);
});

it('migrates, logs JSON lines carrying the correlation id and never the token, and on SIGTERM leaves its consumer group', async () => {
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    ...testRunEnv(runId),
    LOG_LEVEL: 'info',
  };
  const migrated = await runScript(MAIN, ['migrate'], env);
  expect(migrated.code).toBe(0);
  expect(JSON.parse(migrated.stdout.trim())).toMatchObject({ service: 'notifications', msg: 'migrations applied' });

  const running = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  service = running;
  let pending = '';
  running.stdout?.on('data', (chunk: Buffer) => {
    const parts = (pending + chunk.toString()).split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200), 30_000);

  await eventually(async () => expect(await group()).toMatchObject({ state: 'Stable', members: [expect.anything()] }), 30_000);

  const token = testToken('ca-nghe-an', ['admin']);
  const correlationId = `log-check-${runId}`;
  const unknown = '00000000-0000-4000-8000-000000000000';
  const read = await fetch(`${url}/replica/units/${unknown}`, { headers: { authorization: `Bearer ${token}`, 'x-correlation-id': correlationId } });
  expect(read.status).toBe(404);
  expect(read.headers.get('x-correlation-id')).toBe(correlationId);
  // Without a correlation id of its own, a request gets a fresh one, echoed and logged.
  const refused = await fetch(`${url}/replica/units/${unknown}`, { headers: { authorization: 'Bearer not-a-token' } });
  expect(refused.status).toBe(401);
  const assigned = refused.headers.get('x-correlation-id');
  expect(assigned).toMatch(/^[0-9a-f-]{36}$/);

  await eventually(() => {
    const requests = logged().filter((line) => line['req']?.url === `/replica/units/${unknown}`);
    expect(requests).toEqual([
      expect.objectContaining({ service: 'notifications', correlationId, req: expect.objectContaining({ method: 'GET' }), res: { statusCode: 404 } }),
      expect.objectContaining({ service: 'notifications', correlationId: assigned, res: { statusCode: 401 } }),
    ]);
  });
  expect(lines.join('\n')).not.toContain(token);
  expect(lines.join('\n')).not.toContain('not-a-token');

  // The signal closes the application: the consumer leaves its group at once instead of
  // being dropped by the broker when its session times out 30 s later.
  running.kill('SIGTERM');
  await once(running, 'exit');
  expect(await group()).toMatchObject({ state: 'Empty', members: [] });
});

it('refuses to start against a database whose migrations have not run, naming the service, the database and the migrate command', async () => {
  const emptyUrl = testDatabaseUrl(runId, 'units-registry');
  const database = new URL(emptyUrl).pathname.slice(1);
  await ensureDatabase(emptyUrl);
  try {
    const env = { PORT: String(await freePort()), HOST: '127.0.0.1', DATABASE_URL: emptyUrl, ...testRunEnv(runId), LOG_LEVEL: 'info' };
    // Killed after 30 s should it start serving after all.
    const child = spawn(process.execPath, [REGISTRY_MAIN], { env: { ...process.env, ...env }, timeout: 30_000 });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^units-registry will not start: its database "${database}" has \\d+ pending migration\\(s\\) \\(`));
    expect(stderr).toContain('`node dist/apps/units-registry/src/main.js migrate`');
    // The message alone, no stack trace.
    expect(stderr).not.toMatch(/^\s+at /m);
    // The check only reads: the database is as empty as it was (no migrations table either).
    const client = new Client({ connectionString: emptyUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
      expect(rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  } finally {
    await dropDatabase(emptyUrl);
  }
});
