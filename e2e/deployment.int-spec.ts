import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { parse, parseAllDocuments } from 'yaml';
import { NotificationsConfig } from '@antq/app-notifications';
import { SERVICES, type ServiceName } from '@antq/contracts';
import { SERVICE_PORTS, ServiceConfig, serviceDatabaseName } from '@antq/platform';

/*
 * No container engine runs here, so docker-compose.yml and deploy/k8s are checked against
 * the code instead: every setting they give is one the service reads, each service gets its
 * own port, name and database, and the broker is the version the local stack runs.
 */

const ROOT = resolve(__dirname, '..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

/** The settings a class validates (its properties with class-validator decorators). */
function settingsOf(target: new () => object): string[] {
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(target, '', true, false).map((m) => m.propertyName))];
}

/** Every setting a service reads; SERVICE picks the service in the image's entrypoint. */
function known(service: ServiceName): Set<string> {
  return new Set(['SERVICE', ...settingsOf(ServiceConfig), ...(service === 'notifications' ? settingsOf(NotificationsConfig) : [])]);
}


describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, { image?: string; environment?: Record<string, string | number>; healthcheck?: object; depends_on?: Record<string, { condition: string }> }>;
  };

  it.each([...SERVICES])('runs %s with settings it reads, its own port and database, after its migrations', (service) => {
    for (const name of [service, `${service}-migrate`]) {
      const container = compose.services[name];
      expect(container).toBeDefined();
      const environment = container.environment ?? {};
      expect(Object.keys(environment).filter((key) => !known(service).has(key))).toEqual([]);
      expect(environment['SERVICE']).toBe(service);
      expect(String(environment['DATABASE_URL'])).toMatch(new RegExp(`/${serviceDatabaseName(service)}$`));
    }
    const container = compose.services[service];
    expect(Number(container.environment?.['PORT'])).toBe(SERVICE_PORTS[service]);
    expect(container.healthcheck).toBeDefined();
    expect(container.depends_on?.[`${service}-migrate`]).toEqual({ condition: 'service_completed_successfully' });
    expect(container.depends_on?.['topics']).toEqual({ condition: 'service_completed_successfully' });
  });

  it('publishes ports on the host\'s loopback address only: its broker listener has no authentication, its default key is public', () => {
    const published = Object.entries(compose.services).flatMap(([name, container]) => ((container as { ports?: string[] }).ports ?? []).map((port) => ({ name, port })));
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter(({ port }) => !port.startsWith('127.0.0.1:'))).toEqual([]);
  });

  it('runs the broker version the local stack fetches', () => {
    const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read('tools/kafka/pom.xml'))?.[1];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(compose.services['kafka'].image).toBe(`apache/kafka:${version}`);
    expect(compose.services['topics'].image).toBe(`apache/kafka:${version}`);
  });
});

describe('deploy/k8s', () => {
  type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } };
  type Container = { name: string; args?: string[]; env?: EnvVar[]; envFrom?: { configMapRef?: { name: string } }[] };
  const documents = (file: string) => parseAllDocuments(read(`deploy/k8s/${file}`)).map((d) => d.toJS() as { kind: string; metadata: { name: string }; data?: Record<string, string>; stringData?: Record<string, string>; spec?: { template?: { spec: { containers: Container[]; initContainers?: Container[] } } } });
  const configMap = documents('config.yaml').find((d) => d.kind === 'ConfigMap');
  const secret = documents('secret.yaml').find((d) => d.kind === 'Secret');

  it('shares only settings every service reads', () => {
    const everywhere = SERVICES.map(known).reduce((a, b) => new Set([...a].filter((key) => b.has(key))));
    expect(Object.keys(configMap?.data ?? {}).filter((key) => !everywhere.has(key))).toEqual([]);
  });

  it.each([...SERVICES])('deploys %s with settings it reads, its own port, and secrets that exist', (service) => {
    const deployment = documents(`${service}.yaml`).find((d) => d.kind === 'Deployment');
    const pod = deployment?.spec?.template?.spec;
    const containers = [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])];
    expect(containers.map((c) => c.args?.[0] ?? 'serve').sort()).toEqual(['migrate', 'serve']);
    for (const container of containers) {
      const env = container.env ?? [];
      expect(env.map((e) => e.name).filter((name) => !known(service).has(name))).toEqual([]);
      expect(env.find((e) => e.name === 'SERVICE')?.value).toBe(service);
      expect(Number(env.find((e) => e.name === 'PORT')?.value)).toBe(SERVICE_PORTS[service]);
      expect(container.envFrom?.map((e) => e.configMapRef?.name)).toContain(configMap?.metadata.name);
      // A required secret key must be in the secret; an optional one may be left out.
      const missing = env.flatMap((e) => {
        const ref = e.valueFrom?.secretKeyRef;
        return ref && !ref.optional && !(ref.name === secret?.metadata.name && ref.key in (secret?.stringData ?? {})) ? [ref.key] : [];
      });
      expect(missing).toEqual([]);
      const database = env.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key;
      expect(secret?.stringData?.[database as string]).toMatch(new RegExp(`/${serviceDatabaseName(service)}$`));
    }
  });
});

describe('README.md', () => {
  it('documents every setting the services read in its configuration tables, and no other', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const documented = new Set(
      section
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1])),
    );
    const settings = new Set([...settingsOf(ServiceConfig), ...settingsOf(NotificationsConfig)]);
    expect([...settings].filter((key) => !documented.has(key)).sort()).toEqual([]);
    expect([...documented].filter((key) => !settings.has(key)).sort()).toEqual([]);
  });
});
