import type { DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { preparingClient, type StatementPreparation } from './statement-preparation';

export interface PersistenceSettings {
  url: string;
  poolSize: number;
  applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Server-side prepared statements for the statements a connection runs often; none when absent or 0. */
  statementPreparation?: StatementPreparation;
}

/**
 * The one way a service connects to PostgreSQL: schema changes only through migrations,
 * which `npm run stack:up` (or the container's migrate step) runs before services start;
 * a service finding some still to run refuses to start (see refusePendingMigrations).
 */
export function postgresOptions(settings: PersistenceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    applicationName: settings.applicationName,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // Failed queries surface as errors where they are handled (request, consumer batch),
    // with the correlation id; a deadlock the consumer replays is not worth a line of its own.
    logging: ['warn', 'migration'],
    poolSize: settings.poolSize,
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: 5_000,
      ...(settings.statementPreparation?.threshold ? { Client: preparingClient(settings.statementPreparation) } : {}),
    },
  };
}
