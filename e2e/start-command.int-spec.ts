import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:net';
import { resolve } from 'node:path';
import { SERVICES, type ServiceName } from '@antq/contracts';
import { dropDatabase } from '@antq/persistence';
import { serviceSetting } from '@antq/platform';
import {
  ApiClient,
  deleteRunTopics,
  eventually,
  freePort,
  TEST_POSTGRES_URL,
  testDatabaseUrl,
  testKafka,
  testRunEnv,
  testToken,
  uniqueRunId,
} from '@antq/testing';

/*
 * `npm start` as a newcomer runs it: the built start command brings up the databases,
 * migrations and topics (on the test broker, as an external cluster), starts the four
 * services, prints their URLs, and stops them all on SIGTERM or when one fails to start.
 */

const START = resolve(__dirname, '../dist/tools/run/start.js');
const runId = uniqueRunId();
const kafka = testKafka();
let start: ChildProcess | undefined;

/** Runs the start command on this run's databases, topics and the given ports; collects what it prints. */
function runStart(ports: Record<ServiceName, number>): { child: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...testRunEnv(runId),
    POSTGRES_URL: TEST_POSTGRES_URL,
    LOG_LEVEL: 'warn',
  };
  for (const service of SERVICES) {
    env[serviceSetting(service, 'PORT')] = String(ports[service]);
    env[serviceSetting(service, 'DATABASE_URL')] = testDatabaseUrl(runId, service);
  }
  let printed = '';
  const child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  start = child;
  return { child, output: () => printed };
}

async function portsOf(): Promise<Record<ServiceName, number>> {
  const ports = {} as Record<ServiceName, number>;
  for (const service of SERVICES) ports[service] = await freePort();
  return ports;
}

/** Whether anything still answers on the port. */
const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/health/live`).then(
    () => true,
    () => false,
  );

afterAll(async () => {
  if (start?.exitCode === null) start.kill('SIGKILL');
  for (const service of SERVICES) await dropDatabase(testDatabaseUrl(runId, service));
  await deleteRunTopics(runId, kafka);
});

it('starts the four services, prints their URLs, replicates a unit created through the API, and stops them all on SIGTERM', async () => {
  const ports = await portsOf();
  const { child, output } = runStart(ports);
  await eventually(() => expect(output()).toContain('ANTQ Platform is running:'), 150_000);
  for (const service of SERVICES) expect(output()).toMatch(new RegExp(`${service}\\s+http://127\\.0\\.0\\.1:${ports[service]} `));

  const api = (service: ServiceName) => new ApiClient(`http://127.0.0.1:${ports[service]}`, testToken('ca-nghe-an', ['admin']));
  const created = await api('units-registry').post('/units', { code: `P${Date.now() % 100000}`, name: 'Tỉnh Thử Nghiệm', kind: 'province', effectiveFrom: '2020-01-01' });
  expect(created.status).toBe(201);
  for (const service of ['assessments', 'campaigns', 'notifications'] as const) {
    await eventually(async () => expect((await api(service).get(`/replica/units/${created.body.id}`)).body).toMatchObject({ name: 'Tỉnh Thử Nghiệm' }), 10_000);
  }

  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  expect(code).toBe(0);
  expect(output()).toContain('services stopped');
  for (const service of SERVICES) expect(await answers(ports[service])).toBe(false);
}, 200_000);

it('stops the services it started, and exits with 1, when one of them cannot start', async () => {
  const ports = await portsOf();
  // Another web server holds the notifications port (and answers there, not ready): that
  // service cannot listen, and exits while its readiness is awaited.
  const squatter: Server = createHttpServer((_, response) => response.writeHead(503).end()).listen(ports.notifications, '127.0.0.1');
  await once(squatter, 'listening');
  try {
    const { child, output } = runStart(ports);
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(output()).toMatch(/notifications exited/);
    expect(output()).not.toContain('ANTQ Platform is running:');
    // Left running, the others would hold their ports against the next start.
    for (const service of ['units-registry', 'assessments', 'campaigns'] as const) expect(await answers(ports[service])).toBe(false);
  } finally {
    squatter.close();
  }
}, 200_000);
