import type { DynamicModule, INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { dropDatabase } from '@antq/persistence';
import { migrateService, startService, type Environment, type ServiceDefinition } from '@antq/platform';
import { eventually } from './eventually';
import { ApiClient } from './http-client';
import { testDatabaseUrl, testRunEnv, testToken } from './test-env';

export interface RunningService {
  definition: ServiceDefinition;
  app: INestApplication;
  url: string;
  databaseUrl: string;
  dataSource: DataSource;
  stop(): Promise<void>;
}

/**
 * Starts a real service in this process: its own fresh database (migrated), topics under
 * the run's prefix on the real broker, a random HTTP port.
 */
export async function startTestService(
  definition: ServiceDefinition,
  createModule: (env: Environment) => DynamicModule,
  runId: string,
  overrides: Environment = {},
): Promise<RunningService> {
  const databaseUrl = testDatabaseUrl(runId, definition.service);
  const env: Environment = {
    PORT: '0',
    DATABASE_URL: databaseUrl,
    ...testRunEnv(runId),
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
    CONSUMER_RETRY_BACKOFF_MS: '20',
    OUTBOX_POLL_INTERVAL_MS: '100',
    ...overrides,
  };
  await migrateService(definition, env);
  const app = await startService(createModule(env), { title: definition.service, description: 'test' });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  let stopped = false;
  return {
    definition,
    app,
    url,
    databaseUrl,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
}

export async function dropTestDatabases(services: RunningService[]): Promise<void> {
  for (const service of services) {
    await service.stop();
    await dropDatabase(service.databaseUrl);
  }
}

/**
 * Waits until a service's unit replica holds every one of the units. Units travel on
 * different partitions, so the last one created says nothing about the others.
 */
export async function awaitReplicated(service: RunningService, unitIds: string[]): Promise<void> {
  const api = new ApiClient(service.url, testToken('antq-tests', ['admin']));
  for (const id of unitIds) {
    await eventually(async () => {
      const { status } = await api.get(`/replica/units/${id}`);
      if (status !== 200) throw new Error(`${service.definition.service} has no replica of unit ${id} yet (${status})`);
    });
  }
}
