import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { deleteRunTopics, dropTestDatabases, TEST_POSTGRES_URL, type RunningService } from '@antq/testing';
import { progress } from './report';
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

/**
 * Removes a run's consumer groups, then its topics, from the broker (best effort: a group
 * already gone is fine; what fails is reported and the benchmark still ends). The groups
 * go first: once their topics are gone the broker may already have dropped them.
 */
export async function removeRunFromBroker(kafka: Kafka, runId: string, benchmark: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    const mine = groups.map((g) => g.groupId).filter((id) => id.startsWith(`${runId}.`));
    if (mine.length) await admin.deleteGroups(mine);
  } catch (error) {
    const groups = (error as { groups?: { groupId: string; error?: { type?: string } }[] }).groups ?? [];
    const failed = groups.filter((g) => g.error && g.error.type !== 'GROUP_ID_NOT_FOUND');
    if (!groups.length || failed.length) {
      const detail = failed.map((g) => `${g.groupId}: ${g.error?.type ?? 'unknown'}`).join(', ');
      progress(benchmark, `clean-up of consumer groups failed: ${String(error)}${detail ? ` (${detail})` : ''}`);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  await deleteRunTopics(runId, kafka).catch((error: unknown) => progress(benchmark, `clean-up of topics failed: ${String(error)}`));
}
