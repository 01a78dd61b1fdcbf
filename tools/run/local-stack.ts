import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { allTopics, SERVICES, type ServiceName } from '@antq/contracts';
import { ensureTopics } from '@antq/messaging';
import { kafkaFromEnv, serviceEnv, stackSettings, type StackSettings } from '@antq/platform';

const run = promisify(execFile);

/** The repository root, from dist/tools/run or tools/run. */
export const ROOT = resolve(__dirname, __dirname.includes(`${'dist'}`) ? '../../..' : '../..');
const KAFKA_SCRIPT = resolve(ROOT, 'tools/kafka/kafka.sh');

export function log(message: string): void {
  process.stdout.write(`[stack] ${message}\n`);
}

/** A connection URL as it may be printed: without its password. */
function shown(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** The server's `autovacuum` setting, read as the proof that it answers; undefined when it does not. */
async function postgresAutovacuum(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ autovacuum: string }>('SHOW autovacuum');
    return rows[0].autovacuum;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Uses the machine's PostgreSQL; starts the local cluster when it is installed but stopped.
 * Says so when the server neither vacuums nor analyses tables as they grow, which production needs.
 */
async function ensurePostgres(settings: StackSettings): Promise<void> {
  let autovacuum = await postgresAutovacuum(settings.postgresUrl);
  if (autovacuum === undefined) autovacuum = await startPostgres(settings);
  if (autovacuum === 'off') {
    log('note: this PostgreSQL server runs with autovacuum = off: the queue tables are not vacuumed nor the statistics kept up to date; keep it on in production');
  }
}

/** Starts the installed local cluster; its `autovacuum` setting once it answers. */
async function startPostgres(settings: StackSettings): Promise<string> {
  log('PostgreSQL is not answering; trying to start the local cluster');
  try {
    const { stdout } = await run('bash', ['-c', 'ls /etc/postgresql']);
    const version = stdout.trim().split('\n')[0];
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  } catch (error) {
    throw new Error(`PostgreSQL at ${shown(settings.postgresUrl)} is unreachable and could not be started: ${(error as Error).message}`);
  }
  for (let i = 0; i < 30; i++) {
    const autovacuum = await postgresAutovacuum(settings.postgresUrl);
    if (autovacuum !== undefined) return autovacuum;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`PostgreSQL at ${shown(settings.postgresUrl)} did not come up`);
}

export function kafkaScript(command: 'up' | 'down' | 'status', env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(KAFKA_SCRIPT, [command], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise(code ?? 1));
  });
}

function migrate(service: ServiceName, settings: StackSettings): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve(ROOT, `dist/apps/${service}/src/main.js`), 'migrate'], {
      env: serviceEnv(service, settings),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`migrations of ${service} failed (exit ${code})`));
      const applied = (JSON.parse(output.trim().split('\n').pop() ?? '{}') as { migrations?: string[] }).migrations ?? [];
      log(`${service}: database ready${applied.length ? `, applied ${applied.join(', ')}` : ', schema up to date'}`);
      resolvePromise();
    });
  });
}

/** Brings up the broker and the databases, runs every service's migrations and creates the topics. Idempotent. */
export async function stackUp(settings = stackSettings()): Promise<void> {
  if (settings.externalBrokers) log(`using Kafka at ${settings.externalBrokers}`);
  else if ((await kafkaScript('up')) !== 0) throw new Error('the local Kafka broker did not start');
  await ensurePostgres(settings);
  // The brokers the stack uses, with the TLS and SASL settings the services read.
  const { kafka } = kafkaFromEnv('the local stack', { ...process.env, KAFKA_BROKERS: settings.brokers }, 'antq-stack');
  const created = await ensureTopics(kafka, allTopics(), settings.topicPrefix);
  log(created.length ? `created topics ${created.join(', ')}` : 'topics present');
  for (const service of SERVICES) await migrate(service, settings);
}

export async function stackDown(settings = stackSettings()): Promise<void> {
  if (settings.externalBrokers) return log('external Kafka: nothing to stop');
  await kafkaScript('down');
}
