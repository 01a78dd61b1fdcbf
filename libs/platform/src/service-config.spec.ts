import { ConfigError, KafkaSettings, kafkaConnection, loadConfig, loadServiceConfig } from './service-config';

const valid = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x', JWT_SECRET: 'x'.repeat(32), PORT: '3101' };

describe('loadServiceConfig', () => {
  it('converts and defaults values', () => {
    const config = loadServiceConfig('units-registry', { ...valid, OUTBOX_RELAY_ENABLED: 'false', CONSUMER_MAX_ATTEMPTS: '5' });
    expect(config).toMatchObject({
      PORT: 3101,
      OUTBOX_RELAY_ENABLED: false,
      CONSUMER_MAX_ATTEMPTS: 5,
      KAFKA_BROKERS: '127.0.0.1:19092',
      KAFKA_TOPIC_PREFIX: '',
    });
  });

  it('fails fast, listing every problem', () => {
    const attempt = () =>
      loadServiceConfig('assessments', { DATABASE_URL: 'mysql://x', JWT_SECRET: 'short', PORT: 'http', KAFKA_BROKERS: 'nohost' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/Invalid configuration for assessments/);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(attempt).toThrow(/JWT_SECRET must be at least 32 characters/);
    expect(attempt).toThrow(/KAFKA_BROKERS must be host:port/);
  });

  it('takes a metrics token of at least 16 characters, or none', () => {
    expect(loadServiceConfig('campaigns', valid).METRICS_TOKEN).toBeUndefined();
    expect(loadServiceConfig('campaigns', { ...valid, METRICS_TOKEN: 'm'.repeat(16) }).METRICS_TOKEN).toBe('m'.repeat(16));
    expect(() => loadServiceConfig('campaigns', { ...valid, METRICS_TOKEN: 'scrape' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
  });

  it('takes the origins allowed to call from a browser, and refuses what is not an origin', () => {
    expect(loadServiceConfig('campaigns', valid).CORS_ORIGINS).toEqual([]);
    expect(loadServiceConfig('campaigns', { ...valid, CORS_ORIGINS: 'https://Portal.antq.gov.vn, http://localhost:5173' }).CORS_ORIGINS).toEqual(['https://portal.antq.gov.vn', 'http://localhost:5173']);
    for (const wrong of ['*', 'portal.antq.gov.vn', 'https://portal.antq.gov.vn/app', 'ftp://files.antq.gov.vn']) {
      expect(() => loadServiceConfig('campaigns', { ...valid, CORS_ORIGINS: wrong })).toThrow(/CORS_ORIGINS must list origins such as/);
    }
  });

  it('requires a signing key or a key set', () => {
    expect(() => loadServiceConfig('campaigns', { DATABASE_URL: valid.DATABASE_URL, PORT: '3103' })).toThrow(/JWT_SECRET or JWT_JWKS_URL is required/);
  });

  it('takes an identity provider key set instead of a shared secret', () => {
    const config = loadServiceConfig('campaigns', { DATABASE_URL: valid.DATABASE_URL, PORT: '3103', JWT_JWKS_URL: 'https://id.example.gov.vn/.well-known/jwks.json', JWT_JWKS_ALGORITHMS: 'RS256, PS256' });
    expect(config.JWT_SECRET).toBeUndefined();
    expect(config.JWT_JWKS_ALGORITHMS).toEqual(['RS256', 'PS256']);
    expect(loadServiceConfig('campaigns', { ...valid, JWT_JWKS_URL: 'https://id.example.gov.vn/jwks' }).JWT_JWKS_ALGORITHMS).toEqual(['RS256', 'ES256']);
  });

  it('refuses a key set URL that is not http(s) and algorithms it does not know', () => {
    const attempt = () => loadServiceConfig('campaigns', { DATABASE_URL: valid.DATABASE_URL, PORT: '3103', JWT_JWKS_URL: 'file:///etc/keys', JWT_JWKS_ALGORITHMS: 'RS256,HS256' });
    expect(attempt).toThrow(/JWT_JWKS_URL must be an http\(s\) URL/);
    expect(attempt).toThrow(/JWT_JWKS_ALGORITHMS may hold RS256/);
  });

  it('takes SASL with all three settings or none', () => {
    const partial = () => loadServiceConfig('campaigns', { ...valid, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'antq' });
    expect(partial).toThrow(/KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM/);
    expect(() => loadServiceConfig('campaigns', { ...valid, KAFKA_SASL_USERNAME: 'antq', KAFKA_SASL_PASSWORD: 'secret' })).toThrow(
      /KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512 when/,
    );
    const settings = loadConfig(KafkaSettings, 'tests', { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'antq', KAFKA_SASL_PASSWORD: 'secret' });
    expect(kafkaConnection(settings, 'antq-tests')).toEqual({
      brokers: ['127.0.0.1:19092'],
      clientId: 'antq-tests',
      ssl: true,
      sasl: { mechanism: 'plain', username: 'antq', password: 'secret' },
    });
    expect(kafkaConnection(loadConfig(KafkaSettings, 'tests', {}), 'antq-tests')).not.toHaveProperty('sasl');
  });
});
