import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { ClsServiceManager } from 'nestjs-cls';
import { register } from 'prom-client';
import { LoggerModule } from 'nestjs-pino';
import type { EntitySchema, MixedList } from 'typeorm';
import { AuthModule } from '@antq/auth';
import type { ServiceName } from '@antq/contracts';
import { MESSAGING_ENTITIES, MessagingModule, type AntqClsStore, type MessagingOptions } from '@antq/messaging';
import { postgresOptions } from '@antq/persistence';
import { Clock, SystemClock, type PlatformOptions } from './clock';
import { PlatformExceptionFilter } from './platform-exception.filter';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { RequestContextModule } from './request-context.module';
import { kafkaConnection, loadServiceConfig, ServiceConfig } from './service-config';
import { SERVICE_PORTS, serviceDatabaseUrl, stackSettings } from './stack-settings';

export interface ServiceDefinition {
  service: ServiceName;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
}

export type Environment = Record<string, string | undefined>;

/** The database a service uses unless DATABASE_URL says otherwise: the local stack's, with no settings given. */
export function defaultDatabaseUrl(service: ServiceName): string {
  return serviceDatabaseUrl(service, stackSettings({}), {});
}

export function messagingOptions(service: ServiceName, config: ServiceConfig): MessagingOptions {
  return {
    service,
    ...kafkaConnection(config, `antq-${service}`),
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
    retryBackoffMs: config.CONSUMER_RETRY_BACKOFF_MS,
    sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
    partitionsConsumedConcurrently: config.CONSUMER_PARTITIONS_CONCURRENTLY,
    outbox: {
      relayEnabled: config.OUTBOX_RELAY_ENABLED,
      batchSize: config.OUTBOX_BATCH_SIZE,
      pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    },
    inbox: { retentionDays: config.INBOX_RETENTION_DAYS },
  };
}


/**
 * What every service has: validated configuration, JSON logs with the correlation id,
 * request context, PostgreSQL, Kafka messaging (outbox, relay, consumer), JWT
 * authentication, health, metrics, and domain errors mapped to HTTP.
 */
@Module({})
export class PlatformModule {
  static forRoot(definition: ServiceDefinition, env: Environment, options: PlatformOptions = {}): DynamicModule {
    const config = loadServiceConfig(definition.service, env, {
      PORT: String(SERVICE_PORTS[definition.service]),
      DATABASE_URL: defaultDatabaseUrl(definition.service),
    });
    return {
      module: PlatformModule,
      global: true,
      imports: [
        RequestContextModule,
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            base: { service: definition.service },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            mixin: () => {
              const cls = ClsServiceManager.getClsService<AntqClsStore>();
              return cls.isActive() ? { correlationId: cls.get('correlationId') } : {};
            },
            serializers: {
              req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          },
        }),
        TypeOrmModule.forRoot(
          postgresOptions({
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            statementPreparation: { threshold: config.DATABASE_PREPARE_THRESHOLD },
            applicationName: `antq-${definition.service}`,
            entities: [...MESSAGING_ENTITIES, ...(definition.entities as never[])],
            migrations: definition.migrations,
          }),
        ),
        MessagingModule.forRootAsync({ useFactory: () => messagingOptions(definition.service, config) }),
        AuthModule.forRootAsync({
          useFactory: () => ({
            secret: config.JWT_SECRET,
            jwksUri: config.JWT_JWKS_URL,
            jwksAlgorithms: config.JWT_JWKS_ALGORITHMS,
            issuer: config.JWT_ISSUER,
            audience: config.JWT_AUDIENCE,
            rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
          }),
        }),
        TerminusModule,
        PrometheusModule.register({
          controller: MetricsController,
          path: '/metrics',
          defaultLabels: { service: definition.service },
          // Process metrics exist once per process (tests run several services in one).
          defaultMetrics: { enabled: !register.getSingleMetric('process_cpu_user_seconds_total') },
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: ServiceConfig, useValue: config },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: APP_FILTER, useClass: PlatformExceptionFilter },
      ],
      exports: [ServiceConfig, Clock],
    };
  }
}
