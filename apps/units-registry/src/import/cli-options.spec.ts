import { loadServiceConfig } from '@antq/platform';
import { importEnvironment, parseImportArgs, UsageError } from './cli-options';

describe('the import command line', () => {
  it('reads the units command', () =>
    expect(parseImportArgs(['units', 'a.csv', '--effective-from', '2024-02-29'])).toEqual({
      command: 'units',
      file: 'a.csv',
      agency: 'antq-registry-import',
      effectiveFrom: '2024-02-29',
      publishTimeout: 60,
    }));

  it('reads the vn-admin command with its defaults and options', () => {
    expect(parseImportArgs(['vn-admin', 'f.json'])).toEqual({
      command: 'vn-admin',
      file: 'f.json',
      agency: 'antq-registry-import',
      treeFrom: '2024-01-01',
      reorganiseOn: '2025-07-01',
      reorganise: true,
      publishTimeout: 60,
    });
    expect(parseImportArgs(['vn-admin', 'f.json', '--province', '51,52', '--tree-from', '2025-08-01', '--no-reorganise'])).toMatchObject({ provinces: ['51', '52'], treeFrom: '2025-08-01', reorganise: false });
  });

  it('reads how long publishing may stall', () => {
    expect(parseImportArgs(['units', 'a.csv', '--publish-timeout', '5'])).toMatchObject({ publishTimeout: 5 });
    expect(parseImportArgs(['vn-admin', 'f.json', '--publish-timeout', '600'])).toMatchObject({ publishTimeout: 600 });
  });

  it.each([
    [['units', 'a.csv', '--effective-from', '2024-13-01'], /--effective-from must be a date that exists, as YYYY-MM-DD \(got "2024-13-01"\)/],
    [['vn-admin', 'a.json', '--tree-from', '1800-01-01'], /--tree-from must be a date from 1900-01-01 to 2100-12-31 \(got "1800-01-01"\)/],
    [['units', 'a.csv', '--effective-from', '2023-02-29'], /--effective-from must be a date that exists/],
    [['units', 'a.csv', '--effective-from', 'yesterday'], /--effective-from must be a date/],
    [['vn-admin', 'f.json', '--tree-from', '2024-1-1'], /--tree-from must be a date/],
    [['vn-admin', 'f.json', '--reorganise-on', '2025-06-31'], /--reorganise-on must be a date that exists/],
    [['vn-admin', 'f.json', '--tree-from', '2025-07-01'], /--tree-from \(2025-07-01\) must come before --reorganise-on \(2025-07-01\)/],
    [['vn-admin', 'f.json', '--province', '51,'], /--province takes old province ids/],
    [['units', 'a.csv', '--publish-timeout', '0'], /--publish-timeout takes a whole number of seconds, at least 1 \(got "0"\)/],
    [['units', 'a.csv', '--publish-timeout', '1.5'], /--publish-timeout takes a whole number of seconds/],
    [['units', 'a.csv', '--publish-timeout', 'soon'], /--publish-timeout takes a whole number of seconds/],
    [['units'], /units needs the file to import/],
    [['merge', 'a.csv'], /unknown command merge/],
    [['units', 'a.csv', '--effective', '2024-01-01'], /Unknown option '--effective'/],
  ])('refuses %j', (args, message) => {
    expect(() => parseImportArgs(args)).toThrow(UsageError);
    expect(() => parseImportArgs(args)).toThrow(message);
  });

  it('answers --help', () => expect(parseImportArgs(['--help'])).toEqual({ command: 'help' }));
});

describe('the import environment', () => {
  const base = { UNITS_REGISTRY_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' };

  it('needs no token settings: the command serves no HTTP', () => {
    expect(() => loadServiceConfig('units-registry', { ...base, DATABASE_URL: base.UNITS_REGISTRY_DATABASE_URL, PORT: '3101' })).toThrow(/JWT_SECRET or JWT_JWKS_URL is required/);
    expect(() => loadServiceConfig('units-registry', importEnvironment(base))).not.toThrow();
  });

  it('keeps the token settings it is given', () => {
    expect(importEnvironment({ ...base, JWT_SECRET: 'x'.repeat(40) })).toMatchObject({ JWT_SECRET: 'x'.repeat(40) });
    const jwks = importEnvironment({ ...base, JWT_JWKS_URL: 'https://id.example/jwks' });
    expect(jwks).toMatchObject({ JWT_JWKS_URL: 'https://id.example/jwks' });
    expect(jwks['JWT_SECRET']).toBeUndefined();
  });

  // So that it writes to the database the registry of `npm start` reads, and publishes where it does.
  it('reads the database and the broker from the settings npm start reads, or the registry container\'s DATABASE_URL', () => {
    expect(importEnvironment({ POSTGRES_URL: 'postgres://app:pw@db.example:5433/postgres', KAFKA_PORT: '29092' })).toMatchObject({
      DATABASE_URL: 'postgres://app:pw@db.example:5433/antq_units_registry',
      KAFKA_BROKERS: '127.0.0.1:29092',
    });
    expect(importEnvironment({ DATABASE_URL: 'postgres://db/registry', KAFKA_BROKERS: 'kafka:9092' })).toMatchObject({ DATABASE_URL: 'postgres://db/registry', KAFKA_BROKERS: 'kafka:9092' });
    expect(importEnvironment({ ...base, DATABASE_URL: 'postgres://db/registry' })).toMatchObject({ DATABASE_URL: base.UNITS_REGISTRY_DATABASE_URL });
    expect(importEnvironment({ ...base, KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092', KAFKA_TOPIC_PREFIX: 'staging.' })).toMatchObject({
      DATABASE_URL: base.UNITS_REGISTRY_DATABASE_URL,
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
      KAFKA_TOPIC_PREFIX: 'staging.',
    });
    expect(importEnvironment({})).toMatchObject({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/antq_units_registry', KAFKA_BROKERS: '127.0.0.1:19092' });
  });
});
