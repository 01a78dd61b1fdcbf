import { ConfigError, loadServiceConfig } from './service-config';

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

  it('requires a signing key', () => {
    expect(() => loadServiceConfig('campaigns', { DATABASE_URL: valid.DATABASE_URL })).toThrow(/JWT_SECRET/);
  });
});
