import { DataSource, MigrationExecutor } from 'typeorm';
import type { ServiceName } from '@antq/contracts';
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

/** A service started against a database some of whose migrations have not run. */
export class PendingMigrationsError extends Error {
  override readonly name = 'PendingMigrationsError';
}

/**
 * Refuses to serve from a database behind the code: the service would report ready and then
 * answer 500 ("relation does not exist") or fail its consumer batches.
 */
export async function refusePendingMigrations(dataSource: DataSource, service: ServiceName): Promise<void> {
  // Not DataSource.showMigrations(): it creates the migrations table when missing, and a
  // service never changes its schema; this is the same comparison, read-only.
  const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
  if (!pending.length) return;
  const names = pending.map((m) => m.name);
  const listed = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  throw new PendingMigrationsError(
    `${service} will not start: its database "${String(dataSource.driver.database)}" has ${names.length} pending migration(s) (${listed}). ` +
      `Run them first with the service's migrate command: \`node dist/apps/${service}/src/main.js migrate\` ` +
      `(the image's \`migrate\`; locally \`npm run stack:up\` runs it for every service).`,
  );
}
