import type { ServiceName } from '@antq/contracts';

/**
 * How a service is configured on one machine's stack (`npm start`, the stack scripts, the
 * import command): one definition, so that they cannot drift apart.
 */
export const SERVICE_PORTS: Record<ServiceName, number> = {
  'units-registry': 3101,
  assessments: 3102,
  campaigns: 3103,
  notifications: 3104,
};

/** A service's database on a server: `antq_units_registry`. */
export const serviceDatabaseName = (service: ServiceName): string => `antq_${service.replace(/-/g, '_')}`;

/** How a service's own settings are named in a shared environment: `UNITS_REGISTRY_PORT`. */
export const serviceSetting = (service: ServiceName, setting: 'PORT' | 'DATABASE_URL'): string => `${service.toUpperCase().replace(/-/g, '_')}_${setting}`;

/** Signing key used only when JWT_SECRET is not set: local development, never production. */
export const DEV_JWT_SECRET = 'antq-local-development-signing-key-change-me';

export interface StackSettings {
  /** When set, an external cluster is used and no local broker is started. */
  externalBrokers?: string;
  brokers: string;
  postgresUrl: string;
  topicPrefix: string;
}

export function stackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const port = env['KAFKA_PORT'] ?? '19092';
  return {
    externalBrokers: env['KAFKA_BROKERS'],
    brokers: env['KAFKA_BROKERS'] ?? `127.0.0.1:${port}`,
    postgresUrl: env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    topicPrefix: env['KAFKA_TOPIC_PREFIX'] ?? '',
  };
}

/** DATABASE_URL of a service: `<SERVICE>_DATABASE_URL` or a database per service on POSTGRES_URL. */
export function serviceDatabaseUrl(service: ServiceName, settings: StackSettings, env = process.env): string {
  const override = env[serviceSetting(service, 'DATABASE_URL')];
  if (override) return override;
  const url = new URL(settings.postgresUrl);
  url.pathname = `/${serviceDatabaseName(service)}`;
  return url.toString();
}

export function serviceEnv(service: ServiceName, settings: StackSettings, env = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    PORT: env[serviceSetting(service, 'PORT')] ?? String(SERVICE_PORTS[service]),
    DATABASE_URL: serviceDatabaseUrl(service, settings, env),
    KAFKA_BROKERS: settings.brokers,
    KAFKA_TOPIC_PREFIX: settings.topicPrefix,
    // With an identity provider's key set configured, no development secret is slipped in beside it.
    ...(env['JWT_SECRET'] || !env['JWT_JWKS_URL'] ? { JWT_SECRET: env['JWT_SECRET'] ?? DEV_JWT_SECRET } : {}),
  };
}

