import { DataSource } from 'typeorm';
import { MESSAGING_ENTITIES } from '@antq/messaging';
import { ensureDatabase, postgresOptions } from '@antq/persistence';
import { defaultDatabaseUrl, type Environment, type ServiceDefinition } from './platform.module';
import { loadServiceConfig } from './service-config';
import { SERVICE_PORTS } from './stack-settings';

/**
 * Creates the service's database when missing and runs its pending migrations. Services
 * never change their schema at start-up; this runs before them (stack:up, a container's
 * migrate step, the test harness).
 */
export async function migrateService(definition: ServiceDefinition, env: Environment): Promise<string[]> {
  const config = loadServiceConfig(definition.service, env, {
    PORT: String(SERVICE_PORTS[definition.service]),
    DATABASE_URL: defaultDatabaseUrl(definition.service),
  });
  await ensureDatabase(config.DATABASE_URL);
  const dataSource = new DataSource(
    postgresOptions({
      url: config.DATABASE_URL,
      poolSize: 2,
      applicationName: `antq-${definition.service}-migrate`,
      entities: [...MESSAGING_ENTITIES, ...(definition.entities as never[])],
      migrations: definition.migrations,
    }),
  );
  await dataSource.initialize();
  try {
    // Concurrent starters (several replicas of one service) must not run the same migration twice.
    await dataSource.query('SELECT pg_advisory_lock(7373)');
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.query('SELECT pg_advisory_unlock(7373)').catch(() => undefined);
    await dataSource.destroy();
  }
}
