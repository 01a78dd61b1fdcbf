import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CampaignsModule, CAMPAIGNS } from '@antq/app-campaigns';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BUSINESS_TIME_ZONE, CLOUD_EVENTS_CONTENT_TYPE, EVENT_TOPICS } from '@antq/contracts';
import {
  ApiClient,
  awaitReplicated,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  produceRaw,
  runScript,
  runTopic,
  startTestService,
  testKafka,
  TEST_JWT_SECRET,
  testToken,
  uniqueRunId,
  unitCreatedEvent,
  type RunningService,
} from '@antq/testing';

/** What every service shows the outside: its API document, health, metrics, headers, and no anonymous commands. */
const runId = uniqueRunId();
const kafka = testKafka();
let services: RunningService[];

/** A route of each service anyone with a token may read. */
const READS: Record<string, string> = {
  'units-registry': '/units',
  assessments: '/programmes',
  campaigns: '/campaigns',
  notifications: '/rules',
};

/** A command route of each service, as its OpenAPI document must list it. */
const COMMANDS: Record<string, string> = {
  'units-registry': '/units',
  assessments: '/assessments',
  campaigns: '/campaigns',
  notifications: '/rules',
};

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  services = [
    await startTestService(UNITS_REGISTRY, UnitsRegistryModule.forRoot, runId),
    await startTestService(ASSESSMENTS, AssessmentsModule.forRoot, runId),
    await startTestService(CAMPAIGNS, CampaignsModule.forRoot, runId),
    await startTestService(NOTIFICATIONS, NotificationsModule.forRoot, runId),
  ];
});

afterAll(async () => {
  await dropTestDatabases(services ?? []);
  await deleteRunTopics(runId, kafka);
});

describe.each(['units-registry', 'assessments', 'campaigns', 'notifications'])('the %s service', (name) => {
  const service = () => services.find((s) => s.definition.service === name) as RunningService;

  it('serves a valid OpenAPI document, every route but health behind a bearer token with its error answers described, and the page that renders it', async () => {
    const document = (await (await fetch(`${service().url}/docs-json`)).json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, { security?: object[]; responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe(name);
    expect(document.components.securitySchemes['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(document.paths)).toContain(COMMANDS[name]);

    // A valid OpenAPI document, as client generators read it: every reference resolves, every schema is well formed.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    // Every route but health is behind the bearer scheme, and says which errors it may answer, in the shape the filter gives them.
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })));
    expect(operations.filter(({ route, operation }) => !route.includes(' /health') && !operation.security?.length).map(({ route }) => route)).toEqual([]);
    const undescribed = operations.flatMap(({ route, operation }) => {
      // Health answers in its own shape (terminus documents it); every other route in the filter's.
      if (route.includes(' /health')) return [];
      const expected = route.startsWith('GET') ? ['401', '403', '429', '503'] : ['400', '401', '403', '409', '422', '429', '503'];
      return expected.filter((code) => operation.responses?.[code]?.content?.['application/json']?.schema?.$ref !== '#/components/schemas/Error').map((code) => `${route} ${code}`);
    });
    expect(undescribed).toEqual([]);

    const page = await fetch(`${service().url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui-init.js');
    // Its scripts come from the service itself, which the security policy allows, and nothing is upgraded to https.
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect((await fetch(`${service().url}/docs/swagger-ui-init.js`)).status).toBe(200);
  });

  it('answers liveness and readiness without a token, and refuses an anonymous command with 401', async () => {
    expect((await fetch(`${service().url}/health/live`)).status).toBe(200);
    const ready = (await (await fetch(`${service().url}/health/ready`)).json()) as { status: string; details: Record<string, { status: string }> };
    expect(ready).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, kafka: { status: 'up' }, consumer: { status: 'up' } } });
    const anonymous = await fetch(`${service().url}${COMMANDS[name]}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
  });

  it('answers a body it cannot read with a 4xx saying why: malformed, not an object, nested too deep, too large, not JSON', async () => {
    const post = async (body: string, contentType: string | null = 'application/json') => {
      const response = await fetch(`${service().url}${COMMANDS[name]}`, {
        method: 'POST',
        headers: { ...(contentType ? { 'content-type': contentType } : {}), authorization: `Bearer ${testToken('ca-nghe-an', ['admin'])}` },
        body: contentType ? body : Buffer.from(body),
      });
      return { status: response.status, message: ((await response.json()) as { message: string }).message };
    };
    expect(await post('null')).toEqual({ status: 400, message: 'The request body must be a JSON object, not null' });
    expect(await post(' 123')).toEqual({ status: 400, message: 'The request body must be a JSON object, not a number' });
    expect(await post('[{}]')).toEqual({ status: 400, message: 'The request body must be a JSON object, not a list' });
    expect(await post('{"__proto__":{"admin":true}}')).toEqual({ status: 400, message: 'property __proto__ should not exist' });
    // No body at all is an empty command: its fields are checked as in {}.
    const empty = await post('', null);
    expect(empty.status).toBe(400);
    expect(empty.message).toEqual((await post('{}')).message);
    // Unread, a body of another type would leave the command to run on its defaults.
    expect(await post('{"name":"x"}', 'text/plain')).toEqual({ status: 415, message: 'The request body must be JSON, sent with Content-Type: application/json, not text/plain' });
    expect(await post('{"name":"x"}', null)).toEqual({ status: 415, message: 'The request body must be JSON, sent with Content-Type: application/json (none was given)' });
    expect(await post('name=x', 'application/x-www-form-urlencoded')).toMatchObject({ status: 415 });
    expect(await post('{"name": ')).toEqual({ status: 400, message: 'Unexpected end of JSON input' });
    // Some thousand levels in a few kilobytes: validation would walk them into a stack overflow.
    expect(await post(`{"x":${'['.repeat(2000)}${']'.repeat(2000)}}`)).toEqual({ status: 400, message: 'The request body nests arrays and objects more than 64 levels deep' });
    expect(await post(`{"x":"${'a'.repeat(200_000)}"}`)).toEqual({ status: 413, message: 'request entity too large' });
  });

  it('sends security headers, the agency\'s request budget, and no framework banner', async () => {
    const response = await fetch(`${service().url}${READS[name]}`, { headers: { authorization: `Bearer ${testToken('ca-nghe-an', ['viewer'])}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('x-powered-by')).toBeNull();
    // The agency's request budget on this instance (RATE_LIMIT_PER_MINUTE's default).
    expect(response.headers.get('x-ratelimit-limit')).toBe('12000');
  });
});

it('issues with `npm run token` a development token the services take, and refuses a lifetime that is not one', async () => {
  const token = resolve(__dirname, '../dist/tools/run/token.js');
  const issued = await runScript(token, ['--agency', 'ca-nghi-loc', '--roles', 'viewer', '--hours', '0.5'], { JWT_SECRET: TEST_JWT_SECRET });
  expect(issued).toMatchObject({ code: 0, stderr: '' });
  const registry = services.find((s) => s.definition.service === 'units-registry')!;
  const read = await fetch(`${registry.url}/units`, { headers: { authorization: `Bearer ${issued.stdout.trim()}` } });
  expect(read.status).toBe(200);
  const [, payload] = issued.stdout.trim().split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { agency: string; roles: string[]; iat: number; exp: number };
  expect(claims).toMatchObject({ agency: 'ca-nghi-loc', roles: ['viewer'] });
  expect(claims.exp - claims.iat).toBe(1800);
  // A viewer's token opens reads only.
  const write = await fetch(`${registry.url}/units`, { method: 'POST', headers: { authorization: `Bearer ${issued.stdout.trim()}`, 'content-type': 'application/json' }, body: '{}' });
  expect(write.status).toBe(403);
  for (const hours of ['abc', '0', '-1']) {
    const refused = await runScript(token, [`--hours=${hours}`], { JWT_SECRET: TEST_JWT_SECRET });
    expect(refused).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining(`--hours must be a number of hours between 0 and 8760, not "${hours}"`) });
  }
});

it('runs the daily jobs just after midnight in Vietnam, when the business date turns, whatever the server time zone', () => {
  const nextRun = (service: string, job: string) => {
    const running = services.find((s) => s.definition.service === service) as RunningService;
    return running.app.get(SchedulerRegistry).getCronJob(job).nextDate().setZone(BUSINESS_TIME_ZONE).toFormat('HH:mm:ss');
  };
  expect({ assessments: nextRun('assessments', 'lapse-and-overdue'), campaigns: nextRun('campaigns', 'campaign-evaluation') }).toEqual({ assessments: '00:05:00', campaigns: '00:05:00' });
});

it('counts published events, what each consumer made of every record, its batch times and the outbox backlog', async () => {
  const [registry, ...replicas] = services;
  const created = await new ApiClient(registry.url, testToken('ca-nghe-an', ['admin'])).post<{ id: string }>('/units', {
    code: `${runId}-M`,
    name: 'Tỉnh Nghệ An',
    kind: 'province',
    effectiveFrom: '2024-01-01',
  });
  expect(created.status).toBe(201);
  for (const replica of replicas) await awaitReplicated(replica, [created.body.id]);
  // The same event delivered twice: the consumers apply it once and count the second as a duplicate.
  const twice = unitCreatedEvent({ unitId: created.body.id, code: `${runId}-M`, name: 'Tỉnh Nghệ An' });
  const record = { key: created.body.id, value: JSON.stringify(twice), headers: { 'content-type': CLOUD_EVENTS_CONTENT_TYPE, ce_id: twice.id, ce_type: twice.type } };
  await produceRaw(kafka, runTopic(runId, EVENT_TOPICS.units.name), [record, record]);

  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  await eventually(async () => {
    const metrics = await (await fetch(`${registry.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`antq_events_published_total\\{[^}]*topic="${topic.replace(/\./g, '\\.')}"[^}]*\\} [1-9]`));
    expect(metrics).toMatch(/antq_events_consumed_total\{[^}]*type="antq\.units\.unit-created\.v1",outcome="applied"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/antq_events_consumed_total\{[^}]*type="antq\.units\.unit-created\.v1",outcome="duplicate"[^}]*\} [1-9]/);
    expect(metrics).toMatch(new RegExp(`antq_consumer_batch_seconds_count\\{[^}]*topic="${topic.replace(/\./g, '\\.')}"[^}]*\\} [1-9]`));
    expect(metrics).toMatch(/antq_outbox_backlog\{[^}]*\} 0/);
    // Every consumer has applied everything on the units topic: a lag line per partition, all 0.
    for (const replica of replicas) {
      const lags = [...metrics.matchAll(new RegExp(`antq_consumer_lag\\{([^}]*)\\} (\\d+)`, 'g'))].filter(([, labels]) => labels.includes(`group="${runId}.${replica.definition.service}"`) && labels.includes(`topic="${topic}"`));
      expect(lags.map(([, , lag]) => Number(lag))).toEqual(new Array(EVENT_TOPICS.units.partitions).fill(0));
    }
    expect(metrics).toMatch(/antq_outbox_oldest_seconds\{[^}]*\} 0/);
  });
});

it('shows its metrics only to a scraper with the token, where METRICS_TOKEN is set', async () => {
  const token = 'scrape-me-if-you-can-42';
  const guarded = await startTestService(UNITS_REGISTRY, UnitsRegistryModule.forRoot, runId, { METRICS_TOKEN: token });
  try {
    for (const authorization of [undefined, 'Bearer wrong-token', token, `Bearer ${token}x`]) {
      const refused = await fetch(`${guarded.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect({ status: refused.status, challenge: refused.headers.get('www-authenticate'), body: await refused.json() }).toEqual({
        status: 401,
        challenge: 'Bearer realm="metrics"',
        body: expect.objectContaining({ message: 'GET /metrics needs the bearer token this service was given in METRICS_TOKEN' }),
      });
    }
    const scraped = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/antq_outbox_backlog\{[^}]*\} \d/);
    // Health stays open to the orchestrator's probes.
    expect((await fetch(`${guarded.url}/health/live`)).status).toBe(200);
  } finally {
    await guarded.stop();
  }
});

describe.each(['units-registry', 'assessments', 'campaigns', 'notifications'])('the API document of the %s service', (name) => {
  it('documents every field its validators take in a request body, required or not as they require it, dates as dates', async () => {
    const service = services.find((s) => s.definition.service === name) as RunningService;
    const document = (await (await fetch(`${service.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    const byName = new Map<string, new () => object>();
    for (const target of (getMetadataStorage() as unknown as { validationMetadatas: Map<new () => object, unknown> }).validationMetadatas.keys()) byName.set(target.name, target);
    const bodies = new Set<string>();
    const visit = (ref: string | undefined) => {
      const schemaName = ref?.replace('#/components/schemas/', '');
      if (!schemaName || bodies.has(schemaName)) return;
      bodies.add(schemaName);
      for (const nested of JSON.stringify(document.components.schemas[schemaName] ?? {}).matchAll(/"\$ref":"([^"]+)"/g)) visit(nested[1]);
    };
    for (const operations of Object.values(document.paths)) for (const operation of Object.values(operations)) visit(operation.requestBody?.content['application/json']?.schema.$ref);
    const undocumented: string[] = [];
    const misdocumented: string[] = [];
    let compared = 0;
    for (const schemaName of bodies) {
      const target = byName.get(schemaName);
      if (!target) continue;
      compared++;
      const rules = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
      const schema = document.components.schemas[schemaName];
      const documented = Object.keys(schema.properties ?? {});
      for (const property of new Set(rules.map((m) => m.propertyName))) {
        if (!documented.includes(property)) undocumented.push(`${schemaName}.${property}`);
        // A field the validators let one leave out (IsOptional, ValidateIf) is optional in the document, and the others required.
        const optional = rules.some((m) => m.propertyName === property && m.type === ValidationTypes.CONDITIONAL_VALIDATION);
        if (optional === (schema.required ?? []).includes(property)) misdocumented.push(`${schemaName}.${property} is ${optional ? 'optional' : 'required'}`);
        // A calendar date is documented as one (format date), as the event schemas say it.
        const calendarDate = rules.some((m) => m.propertyName === property && m.constraintCls && getMetadataStorage().getTargetValidatorConstraints(m.constraintCls)[0]?.name === 'isCalendarDate');
        if (calendarDate && (schema.properties?.[property] as { format?: string } | undefined)?.format !== 'date') misdocumented.push(`${schemaName}.${property} is a date`);
      }
    }
    expect(compared).toBeGreaterThan(0);
    expect(undocumented).toEqual([]);
    expect(misdocumented).toEqual([]);
  });
});

it('refuses with 400 a body sent to a command that reads none, on every service, before doing anything', async () => {
  const answers: { command: string; status: number; message: unknown }[] = [];
  for (const service of services) {
    const document = (await (await fetch(`${service.url}/docs-json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const admin = new ApiClient(service.url, testToken('ca-nghe-an', ['admin']));
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!['post', 'put', 'patch', 'delete'].includes(method) || operation.requestBody) continue;
        // Any id will do: the body is refused before the command looks for what it names.
        const response = await admin.request(method.toUpperCase() as 'POST', path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'), { severity: 'critical' });
        answers.push({ command: `${service.definition.service} ${method.toUpperCase()} ${path}`, status: response.status, message: response.body.message });
      }
    }
  }
  expect(answers.length).toBeGreaterThanOrEqual(10);
  expect(answers).toEqual(answers.map(({ command }) => ({ command, status: 400, message: expect.stringMatching(/^This command takes no body \(it was sent severity\)/) })));
  expect(answers.find((a) => a.command === 'notifications POST /feed/read-all')?.message).toBe(
    'This command takes no body (it was sent severity): the items to mark are chosen in the query (severity, for, ruleId)',
  );
});

it('lets the web pages of the origins in CORS_ORIGINS call the API, and no others', async () => {
  const portal = 'https://portal.antq.example';
  const open = await startTestService(UNITS_REGISTRY, UnitsRegistryModule.forRoot, runId, { CORS_ORIGINS: portal });
  try {
    const preflight = (origin: string, url = open.url) =>
      fetch(`${url}/units`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const allowed = await preflight(portal);
    expect({ status: allowed.status, origin: allowed.headers.get('access-control-allow-origin'), headers: allowed.headers.get('access-control-allow-headers') }).toEqual({
      status: 204,
      origin: portal,
      headers: 'authorization,content-type,x-correlation-id,idempotency-key',
    });
    const read = await fetch(`${open.url}/units?limit=1`, { headers: { origin: portal, authorization: `Bearer ${testToken('ca-nghe-an', ['viewer'])}` } });
    expect({ status: read.status, origin: read.headers.get('access-control-allow-origin'), exposed: read.headers.get('access-control-expose-headers') }).toEqual({
      status: 200,
      origin: portal,
      exposed: expect.stringContaining('x-correlation-id'),
    });
    // Another origin, and every service without the setting, give a browser nothing to go on.
    expect((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();
    const registry = services.find((s) => s.definition.service === 'units-registry') as RunningService;
    expect((await preflight(portal, registry.url)).headers.get('access-control-allow-origin')).toBeNull();
  } finally {
    await open.stop();
  }
});
