import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { issueToken, type Role } from '@antq/auth';
import type { ServiceName } from '@antq/contracts';

/** The broker and server the tests use: the ones `npm run stack:up` started, unless overridden. */
export const TEST_BROKERS = process.env['KAFKA_BROKERS'] ?? `127.0.0.1:${process.env['KAFKA_PORT'] ?? '19092'}`;
/** TLS and SASL for an external test broker: the same variables the services read. */
export const TEST_KAFKA_SECURITY: Record<string, string | undefined> = Object.fromEntries(
  ['KAFKA_SSL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'].map((name) => [name, process.env[name]]),
);
export const TEST_POSTGRES_URL = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_JWT_SECRET = 'test-signing-key-0123456789abcdef0123456789';

/** A unique name per test run, so that runs share the broker and server without meeting. */
export function uniqueRunId(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** What every service, script or command of a test run is given: the test broker, the run's topics, the test signing key. */
export function testRunEnv(runId: string): Record<string, string | undefined> {
  return { KAFKA_BROKERS: TEST_BROKERS, ...TEST_KAFKA_SECURITY, KAFKA_TOPIC_PREFIX: `${runId}.`, JWT_SECRET: TEST_JWT_SECRET };
}

/** A port free on this machine now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export function testDatabaseUrl(runId: string, service: ServiceName | string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/antq_${runId}_${service.replace(/-/g, '_')}`;
  return url.toString();
}

export function testToken(agency = 'ca-nghe-an', roles: Role[] = ['admin'], sub = 'tester', jurisdiction?: string[]): string {
  return issueToken(
    { secret: TEST_JWT_SECRET, issuer: 'antq-platform', audience: 'antq-api' },
    { sub, agency, roles, ...(jurisdiction ? { jurisdiction } : {}) },
  );
}
