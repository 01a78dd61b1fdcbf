import { Client } from 'pg';
import { TEST_POSTGRES_URL } from '@antq/testing';

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'antq-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A PostgreSQL server setting, e.g. `autovacuum` ("on"/"off"). */
export function serverSetting(name: string, url = TEST_POSTGRES_URL): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name]);
    return rows[0]?.setting ?? 'unknown';
  });
}

/**
 * Refreshes the planner statistics of every table in the given databases: what autovacuum's
 * auto-analyze does on a server where it runs.
 */
export async function analyzeDatabases(urls: string[]): Promise<void> {
  for (const url of urls) await withClient(url, (client) => client.query('ANALYZE'));
}

/**
 * Reclaims dead rows and refreshes statistics in the given databases: what autovacuum does
 * between bursts on a server where it runs (every run of a benchmark rewrites the same rows).
 */
export async function vacuumDatabases(urls: string[]): Promise<void> {
  for (const url of urls) await withClient(url, (client) => client.query('VACUUM (ANALYZE)'));
}
