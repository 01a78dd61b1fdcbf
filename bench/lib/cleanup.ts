import { Client } from 'pg';
import { dropTestDatabases, TEST_POSTGRES_URL, type RunningService } from '@antq/testing';
import { sleep } from './timing';

/**
 * Stops services and drops their databases, like dropTestDatabases, but first lets their
 * connections finish closing: a pool's end() resolves before its sockets are gone, and
 * DROP DATABASE ... WITH (FORCE) would otherwise kill them mid-close (harmless, but each
 * prints "Postgres pool raised an error: terminating connection due to administrator command").
 */
export async function stopAndDrop(services: RunningService[], settleMs = 3_000): Promise<void> {
  for (const service of services) {
    await service.stop();
    const database = decodeURIComponent(new URL(service.databaseUrl).pathname.slice(1));
    const client = new Client({ connectionString: TEST_POSTGRES_URL, application_name: 'antq-bench-cleanup' });
    await client.connect();
    try {
      const deadline = Date.now() + settleMs;
      while (Date.now() < deadline) {
        const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [database]);
        if (!rows[0]?.n) break;
        await sleep(50);
      }
    } finally {
      await client.end();
    }
  }
  await dropTestDatabases(services);
}
