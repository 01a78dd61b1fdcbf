import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { JWKS_ALGORITHMS, type JwksAlgorithm } from '@antq/auth';
import type { ServiceName } from '@antq/contracts';
import type { Kafka } from 'kafkajs';
import { createKafka, type MessagingOptions } from '@antq/messaging';

/**
 * A boolean setting, for `@Transform`: reads the raw string, since implicit conversion
 * would turn "false" into true. Services' own settings classes use it too.
 */
export const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  if (typeof raw !== 'string') return raw;
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  return raw;
};

/** How to reach the Kafka cluster: the services and the operator commands read the same variables. */
export class KafkaSettings {
  /** Comma-separated host:port list. */
  @Matches(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS: string = '127.0.0.1:19092';

  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may hold letters, digits, dot, dash, underscore' })
  KAFKA_TOPIC_PREFIX: string = '';

  @IsOptional()
  @IsString()
  KAFKA_CLIENT_ID?: string;

  @Transform(toBoolean)
  @IsBoolean()
  KAFKA_SSL: boolean = false;

  // SASL takes all three settings or none: a partial set would silently connect without it.
  @ValidateIf((settings: KafkaSettings) => Boolean(settings.KAFKA_SASL_MECHANISM || settings.KAFKA_SASL_USERNAME || settings.KAFKA_SASL_PASSWORD))
  @IsIn(['plain', 'scram-sha-256', 'scram-sha-512'], {
    message: 'KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512 when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
  })
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';

  @ValidateIf((settings: KafkaSettings) => Boolean(settings.KAFKA_SASL_MECHANISM))
  @IsString()
  @IsNotEmpty({ message: 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM' })
  KAFKA_SASL_USERNAME?: string;

  @ValidateIf((settings: KafkaSettings) => Boolean(settings.KAFKA_SASL_MECHANISM))
  @IsString()
  @IsNotEmpty({ message: 'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM' })
  KAFKA_SASL_PASSWORD?: string;
}

/** The kafkajs connection the settings describe. */
export function kafkaConnection(config: KafkaSettings, clientId: string): Pick<MessagingOptions, 'brokers' | 'clientId' | 'ssl' | 'sasl'> {
  return {
    brokers: config.KAFKA_BROKERS.split(','),
    clientId: config.KAFKA_CLIENT_ID ?? clientId,
    ssl: config.KAFKA_SSL,
    ...(config.KAFKA_SASL_MECHANISM
      ? { sasl: { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME ?? '', password: config.KAFKA_SASL_PASSWORD ?? '' } }
      : {}),
  };
}

/**
 * A Kafka client for a command or tool that is not a service (the local stack, the tests,
 * the dead-letter command), from the same variables the services read, and those settings.
 */
export function kafkaFromEnv(label: string, env: Record<string, string | undefined>, clientId: string): { kafka: Kafka; settings: KafkaSettings } {
  const settings = loadConfig(KafkaSettings, label, env);
  return { kafka: createKafka(kafkaConnection(settings, clientId)), settings };
}

/**
 * Everything a service reads from its environment, validated once at start-up. Nothing
 * else reads `process.env`.
 */
export class ServiceConfig extends KafkaSettings {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT!: number;

  /** Interface the HTTP server binds; containers use 0.0.0.0. */
  @IsString()
  @IsNotEmpty()
  HOST: string = '127.0.0.1';

  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  /** Runs of a statement on a connection before it is prepared there (0: never; 0 behind a PgBouncer older than 1.21 in transaction mode). */
  @IsInt()
  @Min(0)
  @Max(1_000)
  DATABASE_PREPARE_THRESHOLD: number = 5;

  @IsInt()
  @Min(1)
  @Max(20)
  CONSUMER_MAX_ATTEMPTS: number = 3;

  @IsInt()
  @Min(0)
  @Max(60_000)
  CONSUMER_RETRY_BACKOFF_MS: number = 200;

  /** The broker's group.min/max.session.timeout.ms bound it (6 s to 30 min by default). */
  @IsInt()
  @Min(6_000)
  @Max(1_800_000)
  CONSUMER_SESSION_TIMEOUT_MS: number = 30_000;

  @IsInt()
  @Min(1)
  @Max(64)
  CONSUMER_PARTITIONS_CONCURRENTLY: number = 3;

  @Transform(toBoolean)
  @IsBoolean()
  OUTBOX_RELAY_ENABLED: boolean = true;

  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE: number = 500;

  @IsInt()
  @Min(10)
  @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS: number = 500;

  @IsInt()
  @Min(0)
  @Max(3650)
  INBOX_RETENTION_DAYS: number = 30;

  /** HS256 key shared with the token issuer; may be left out when JWT_JWKS_URL is set. */
  @ValidateIf((config: ServiceConfig) => config.JWT_SECRET !== undefined || !config.JWT_JWKS_URL)
  @IsString({ message: 'JWT_SECRET or JWT_JWKS_URL is required' })
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** The identity provider's JSON Web Key Set: its RS/PS/ES-signed tokens are verified with the published key of their `kid`. */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'JWT_JWKS_URL must be an http(s) URL' })
  JWT_JWKS_URL?: string;

  /** Comma-separated; the algorithms accepted from the JWKS issuer. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((a) => a.trim()).filter(Boolean) : value))
  @ArrayNotEmpty({ message: 'JWT_JWKS_ALGORITHMS must name at least one algorithm' })
  @IsIn(JWKS_ALGORITHMS, { each: true, message: `JWT_JWKS_ALGORITHMS may hold ${JWKS_ALGORITHMS.join(', ')}` })
  JWT_JWKS_ALGORITHMS: JwksAlgorithm[] = ['RS256', 'ES256'];

  @IsString()
  @IsNotEmpty()
  JWT_ISSUER: string = 'antq-platform';

  @IsString()
  @IsNotEmpty()
  JWT_AUDIENCE: string = 'antq-api';

  /** Requests one agency may make per minute to one instance (health, metrics and docs not counted); 0 lifts the limit. */
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  RATE_LIMIT_PER_MINUTE: number = 12_000;

  /**
   * Comma-separated origins (scheme, host and port) whose web pages may call the API from a
   * browser; none by default, so a page elsewhere cannot read the answers.
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((o) => o.trim().toLowerCase()).filter(Boolean) : value))
  @Matches(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/, { each: true, message: 'CORS_ORIGINS must list origins such as https://portal.example.gov.vn (scheme, host and port; no path)' })
  CORS_ORIGINS: string[] = [];

  /** When set, `GET /metrics` answers only a scraper sending it as a bearer token. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads an environment into a class-validator settings class and validates it. Throws a
 * ConfigError listing every problem, so that a misconfigured service stops at once and says why.
 */
export function loadConfig<T extends object>(settings: new () => T, label: string, env: Record<string, string | undefined>, defaults: Record<string, string> = {}): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(settings, { ...defaults, ...present }, { enableImplicitConversion: true });
  const problems = validateSync(config, { whitelist: false }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => `  - ${e.property}: ${m}`),
  );
  if (problems.length) {
    throw new ConfigError(`Invalid configuration for ${label}:\n${problems.join('\n')}`);
  }
  return config;
}

/** The settings every service has (see ServiceConfig). */
export function loadServiceConfig(
  service: ServiceName,
  env: Record<string, string | undefined>,
  defaults: Partial<Record<keyof ServiceConfig, string>> = {},
): ServiceConfig {
  return loadConfig(ServiceConfig, service, env, defaults as Record<string, string>);
}
