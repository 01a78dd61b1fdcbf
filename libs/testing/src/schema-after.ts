import { DataSource } from 'typeorm';
import { dropDatabase, postgresOptions } from '@antq/persistence';
import { migrateService, type ServiceDefinition } from '@antq/platform';
import { TEST_BROKERS, TEST_JWT_SECRET, testDatabaseUrl, uniqueRunId } from './test-env';

/** A service's database as it stood after one of its migrations, to test the migrations that follow on rows of that time. */
export interface EarlierSchema {
  /** A connection to it, for writing rows as the older release did and reading them back. */
  db: DataSource;
  /** Applies the service's remaining migrations; the names of those applied. */
  migrateRest(): Promise<string[]>;
  /** Closes the connection and drops the database. */
  drop(): Promise<void>;
}

export async function schemaAfter(definition: ServiceDefinition, lastApplied: ServiceDefinition['migrations'][number]): Promise<EarlierSchema> {
  const databaseUrl = testDatabaseUrl(uniqueRunId(), definition.service);
  const env = { PORT: '0', DATABASE_URL: databaseUrl, KAFKA_BROKERS: TEST_BROKERS, JWT_SECRET: TEST_JWT_SECRET };
  const upTo = definition.migrations.indexOf(lastApplied) + 1;
  if (!upTo) throw new Error(`${lastApplied.name} is not a migration of ${definition.service}`);
  await migrateService({ ...definition, migrations: definition.migrations.slice(0, upTo) }, env);
  const db = new DataSource(postgresOptions({ url: databaseUrl, poolSize: 1, applicationName: `${definition.service}-migration-test`, entities: [], migrations: [] }));
  await db.initialize();
  return {
    db,
    migrateRest: () => migrateService(definition, env),
    drop: async () => {
      await db.destroy();
      await dropDatabase(databaseUrl);
    },
  };
}
