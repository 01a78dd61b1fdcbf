import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { sign } from 'jsonwebtoken';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { AuthModule, CurrentActor, type AuthOptions } from '@antq/auth';
import { EVENT_TOPICS, type Actor } from '@antq/contracts';
import { RequestContextModule } from '@antq/platform';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  runTopic,
  startTestService,
  testKafka,
  testToken,
  TestIdentityProvider,
  TopicRecorder,
  uniqueRunId,
} from '@antq/testing';

const ISSUER = 'antq-platform';
const AUDIENCE = 'antq-api';
const SECRET = 'shared-signing-key-0123456789abcdef0123';
const CLAIMS = { sub: 'alice', agency: 'ca-nghe-an', roles: ['admin'] };

@Controller()
class WhoAmIController {
  @Get('whoami')
  whoAmI(@CurrentActor() actor: Actor): Actor {
    return actor;
  }
}

async function startApp(options: Omit<AuthOptions, 'issuer' | 'audience'>): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      RequestContextModule,
      AuthModule.forRootAsync({ useFactory: () => ({ ...options, issuer: ISSUER, audience: AUDIENCE }) }),
    ],
    controllers: [WhoAmIController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

function hmacToken(secret: string, kid?: string): string {
  return sign(CLAIMS, secret, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE, expiresIn: 600, ...(kid ? { keyid: kid } : {}) });
}

async function call(url: string, bearer: string): Promise<{ status: number; body: { message?: string; agency?: string } }> {
  const response = await fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${bearer}` } });
  return { status: response.status, body: (await response.json()) as { message?: string; agency?: string } };
}

describe('bearer tokens verified with an identity provider key set (JWKS)', () => {
  const provider = new TestIdentityProvider();
  const rsaPublicKey = provider.addKey('rsa-2026', 'rsa');
  provider.addKey('ec-2026', 'ec');
  /** Another issuer's key under a kid the real one publishes. */
  const impostor = new TestIdentityProvider();
  impostor.addKey('rsa-2026', 'rsa');
  const claims = { agency: CLAIMS.agency, roles: ['admin' as const], sub: CLAIMS.sub };
  let jwksOnly: { app: INestApplication; url: string };
  let both: { app: INestApplication; url: string };

  beforeAll(async () => {
    await provider.start();
    jwksOnly = await startApp({ jwksUri: provider.jwksUri, jwksAlgorithms: ['RS256', 'ES256'] });
    both = await startApp({ jwksUri: provider.jwksUri, secret: SECRET });
  });

  afterAll(async () => {
    await jwksOnly?.app.close();
    await both?.app.close();
    await provider.stop();
  });

  it('accepts RS256 and ES256 tokens by their kid, fetching the key set once', async () => {
    const fetchesBefore = provider.fetches;
    for (let i = 0; i < 3; i++) {
      expect(await call(jwksOnly.url, provider.token({ ...claims, kid: 'rsa-2026' }))).toEqual({ status: 200, body: expect.objectContaining({ agency: 'ca-nghe-an', principal: 'alice' }) });
      expect((await call(jwksOnly.url, provider.token({ ...claims, kid: 'ec-2026' }))).status).toBe(200);
    }
    expect(provider.fetches - fetchesBefore).toBe(1);
  });

  it('refuses a token signed by a key the issuer does not hold, or naming a kid it does not publish', async () => {
    const forged = await call(jwksOnly.url, impostor.token({ ...claims, kid: 'rsa-2026' }));
    expect(forged).toEqual({ status: 401, body: expect.objectContaining({ message: 'Invalid token: invalid signature' }) });
    provider.addKey('withdrawn', 'rsa', false);
    const unknownKid = await call(jwksOnly.url, provider.token({ ...claims, kid: 'withdrawn' }));
    expect(unknownKid.status).toBe(401);
    expect(unknownKid.body.message).toMatch(/signing key that matches 'withdrawn'/);
  });

  it('finds a key the issuer published after the first fetch (rotation)', async () => {
    provider.addKey('rsa-2027', 'rsa');
    expect((await call(jwksOnly.url, provider.token({ ...claims, kid: 'rsa-2027' }))).status).toBe(200);
  });

  it('accepts no HS256 token where no secret is configured, nor an unsigned one', async () => {
    const hmac = await call(jwksOnly.url, hmacToken(SECRET));
    expect(hmac).toEqual({ status: 401, body: expect.objectContaining({ message: 'Invalid token: algorithm HS256 is not accepted (accepted: RS256, ES256)' }) });
    const unsigned = await call(jwksOnly.url, sign(CLAIMS, '', { algorithm: 'none', issuer: ISSUER, audience: AUDIENCE }));
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.message).toMatch(/algorithm none is not accepted/);
  });

  it('with both a secret and a key set, takes either, and a public key used as an HMAC secret forges nothing', async () => {
    expect((await call(both.url, hmacToken(SECRET))).status).toBe(200);
    expect((await call(both.url, provider.token({ ...claims, kid: 'rsa-2026' }))).status).toBe(200);
    const confused = await call(both.url, hmacToken(rsaPublicKey.export({ format: 'pem', type: 'spki' }) as string, 'rsa-2026'));
    expect(confused).toEqual({ status: 401, body: expect.objectContaining({ message: 'Invalid token: invalid signature' }) });
  });

  it('refuses tokens naming made-up keys with 401, fetching the key set at most ten times a minute, and keeps accepting the published keys', async () => {
    const fetchesBefore = provider.fetches;
    const madeUp = [...Array(25).keys()].map((i) => `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: `made-up-${i}` })).toString('base64url')}.e30.AA`);
    const answers = await Promise.all(madeUp.map((token) => call(jwksOnly.url, token)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([401]));
    expect(provider.fetches - fetchesBefore).toBeLessThanOrEqual(10);
    expect((await call(jwksOnly.url, provider.token({ ...claims, kid: 'rsa-2026' }))).status).toBe(200);
    expect((await call(jwksOnly.url, provider.token({ ...claims, kid: 'ec-2026' }))).status).toBe(200);
  });

  it('fetches the key set again once it is ten minutes old, answering from the old set meanwhile: a withdrawn key is then refused', async () => {
    const refreshing = await startApp({ jwksUri: provider.jwksUri });
    const realNow = Date.now.bind(Date);
    try {
      provider.addKey('withdrawn-later', 'rsa');
      const fetchesBefore = provider.fetches;
      const token = () => provider.token({ ...claims, kid: 'withdrawn-later' });
      expect((await call(refreshing.url, token())).status).toBe(200);
      provider.withdrawKey('withdrawn-later');
      // Within ten minutes the set in memory answers, and nothing is fetched.
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 9 * 60_000);
      expect((await call(refreshing.url, token())).status).toBe(200);
      expect(provider.fetches - fetchesBefore).toBe(1);
      // Past them, the old set still answers while the new one is fetched.
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 11 * 60_000);
      expect((await call(refreshing.url, token())).status).toBe(200);
      await eventually(() => expect(provider.fetches - fetchesBefore).toBe(2));
      await eventually(async () =>
        expect(await call(refreshing.url, token())).toEqual({ status: 401, body: expect.objectContaining({ message: "Invalid token: the issuer publishes no signing key that matches 'withdrawn-later'" }) }),
      );
      expect((await call(refreshing.url, provider.token({ ...claims, kid: 'rsa-2026' }))).status).toBe(200);
    } finally {
      jest.restoreAllMocks();
      await refreshing.app.close();
    }
  });

  it('answers 503, not 401, while the key set cannot be fetched', async () => {
    const gone = await new TestIdentityProvider().start();
    await gone.stop();
    const unreachable = await startApp({ jwksUri: gone.jwksUri });
    try {
      const response = await call(unreachable.url, provider.token({ ...claims, kid: 'rsa-2026' }));
      expect(response.status).toBe(503);
      expect(response.body.message).toMatch(/^the token issuer's keys are unavailable: /);
      // Past the ten fetches a minute too: the issuer is away, the token's key not unknown.
      const more = await Promise.all([...Array(15).keys()].map(() => call(unreachable.url, provider.token({ ...claims, kid: 'rsa-2026' }))));
      expect(new Set(more.map((r) => r.status))).toEqual(new Set([503]));
    } finally {
      await unreachable.app.close();
    }
  });
});

describe('the claims of a token', () => {
  let app: { app: INestApplication; url: string };
  beforeAll(async () => (app = await startApp({ secret: SECRET })));
  afterAll(() => app?.app.close());

  it('refuses a token without an expiry, which would never expire', async () => {
    const forever = sign(CLAIMS, SECRET, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE });
    expect(await call(app.url, forever)).toEqual({ status: 401, body: expect.objectContaining({ message: 'Invalid token: it has no expiry (exp)' }) });
  });

  it('allows the issuer\'s clock 30 s either way, and no more', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = (notBefore: number, expiry: number) => sign({ ...CLAIMS, nbf: notBefore, exp: expiry }, SECRET, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE });
    // Issued by a clock 10 s ahead of ours; expired 10 s ago by ours.
    expect((await call(app.url, token(now + 10, now + 600))).status).toBe(200);
    expect((await call(app.url, token(now - 600, now - 10))).status).toBe(200);
    expect(await call(app.url, token(now + 60, now + 600))).toEqual({ status: 401, body: expect.objectContaining({ message: expect.stringMatching(/not active/) }) });
    expect(await call(app.url, token(now - 600, now - 60))).toEqual({ status: 401, body: expect.objectContaining({ message: expect.stringMatching(/expired/) }) });
  });

  it('takes a jurisdiction of unit ids only, in lower case whatever case they came in', async () => {
    const named = sign({ ...CLAIMS, jurisdiction: ['ca-nghe-an'] }, SECRET, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 });
    expect(await call(app.url, named)).toEqual({ status: 401, body: expect.objectContaining({ message: 'Invalid token claims: jurisdiction must hold unit ids (UUIDs)' }) });
    const upper = sign({ ...CLAIMS, jurisdiction: ['7C9E6679-7425-40DE-944B-E07FC1F90AE7'] }, SECRET, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 });
    expect(await call(app.url, upper)).toEqual({ status: 200, body: expect.objectContaining({ jurisdiction: ['7c9e6679-7425-40de-944b-e07fc1f90ae7'] }) });
  });
});

describe('the request rate of each agency', () => {
  it("counts an agency's requests across routes, answers 429 with Retry-After over the limit, and leaves other agencies and untokened routes alone", async () => {
    const limited = await startApp({ secret: SECRET, rateLimitPerMinute: 3 });
    try {
      const police = hmacToken(SECRET);
      const committee = sign({ ...CLAIMS, agency: 'ubnd-nghe-an' }, SECRET, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 });
      const first = await fetch(`${limited.url}/whoami`, { headers: { authorization: `Bearer ${police}` } });
      expect(first.headers.get('x-ratelimit-limit')).toBe('3');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
      expect((await call(limited.url, police)).status).toBe(200);
      expect((await call(limited.url, police)).status).toBe(200);
      const over = await fetch(`${limited.url}/whoami`, { headers: { authorization: `Bearer ${police}` } });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await over.json()) as { message: string }).message).toMatch(/^Agency ca-nghe-an made more than 3 requests in a minute: retry in \d+ s$/);
      expect((await call(limited.url, committee)).status).toBe(200);
      // Without a valid token the request is refused for that, and counts against no one.
      expect((await call(limited.url, 'not-a-token')).status).toBe(401);
    } finally {
      await limited.app.close();
    }
  });

  it('is lifted by a limit of 0', async () => {
    const unlimited = await startApp({ secret: SECRET, rateLimitPerMinute: 0 });
    try {
      for (let i = 0; i < 5; i++) expect((await call(unlimited.url, hmacToken(SECRET))).status).toBe(200);
    } finally {
      await unlimited.app.close();
    }
  });
});

describe('a service configured with only an identity provider key set', () => {
  const runId = uniqueRunId();
  const kafka = testKafka();
  const provider = new TestIdentityProvider();
  provider.addKey('ca-nghe-an-2026', 'ec');
  let recorder: TopicRecorder;
  let registry: Awaited<ReturnType<typeof startTestService>>;

  beforeAll(async () => {
    await provider.start();
    await createRunTopics(runId, kafka);
    recorder = await new TopicRecorder(kafka, runTopic(runId, EVENT_TOPICS.units.name)).start();
    registry = await startTestService(UNITS_REGISTRY, UnitsRegistryModule.forRoot, runId, { JWT_SECRET: undefined, JWT_JWKS_URL: provider.jwksUri });
  });

  afterAll(async () => {
    await recorder?.stop();
    await dropTestDatabases(registry ? [registry] : []);
    await deleteRunTopics(runId, kafka);
    await provider.stop();
  });

  it("records the agency and principal of the provider's token with the change and its event, and refuses shared-secret tokens", async () => {
    const api = new ApiClient(registry.url, provider.token({ agency: 'ca-nghe-an', roles: ['admin'], sub: 'officer-17' }));
    const created = await api.post('/units', { code: 'IDP-NA', name: 'Tỉnh Nghệ An', kind: 'province', effectiveFrom: '2024-01-01' });
    expect(created.status).toBe(201);
    const unitId = (created.body as { id: string }).id;
    await eventually(async () => {
      const [event] = recorder.events('antq.units.unit-created.v1').filter((e) => e.subject === unitId);
      expect(event).toMatchObject({ agency: 'ca-nghe-an', principal: 'officer-17' });
    });
    const history = await api.get<{ agency: string; principal: string }[]>(`/units/${unitId}/history`);
    expect(history.body[0]).toMatchObject({ agency: 'ca-nghe-an', principal: 'officer-17' });

    const refused = await new ApiClient(registry.url, testToken('ca-nghe-an', ['admin'])).post('/units', { code: 'IDP-X', name: 'Tỉnh X', kind: 'province', effectiveFrom: '2024-01-01' });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body)).toMatch(/algorithm HS256 is not accepted/);
  });
});
