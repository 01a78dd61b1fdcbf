import { loadServiceConfig } from '@antq/platform';
import { importEnvironment, parseImportArgs, UsageError } from './cli-options';

describe('the import command line', () => {
  it('reads the units command', () =>
    expect(parseImportArgs(['units', 'a.csv', '--effective-from', '2024-02-29'])).toEqual({ command: 'units', file: 'a.csv', agency: 'antq-registry-import', effectiveFrom: '2024-02-29' }));

  it('reads the vn-admin command with its defaults and options', () => {
    expect(parseImportArgs(['vn-admin', 'f.json'])).toEqual({ command: 'vn-admin', file: 'f.json', agency: 'antq-registry-import', treeFrom: '2024-01-01', reorganiseOn: '2025-07-01', reorganise: true });
    expect(parseImportArgs(['vn-admin', 'f.json', '--province', '51,52', '--tree-from', '2025-08-01', '--no-reorganise'])).toMatchObject({ provinces: ['51', '52'], treeFrom: '2025-08-01', reorganise: false });
  });

  it.each([
    [['units', 'a.csv', '--effective-from', '2024-13-01'], /--effective-from must be a date that exists, as YYYY-MM-DD \(got "2024-13-01"\)/],
    [['units', 'a.csv', '--effective-from', '2023-02-29'], /--effective-from must be a date that exists/],
    [['units', 'a.csv', '--effective-from', 'yesterday'], /--effective-from must be a date/],
    [['vn-admin', 'f.json', '--tree-from', '2024-1-1'], /--tree-from must be a date/],
    [['vn-admin', 'f.json', '--reorganise-on', '2025-06-31'], /--reorganise-on must be a date that exists/],
    [['vn-admin', 'f.json', '--tree-from', '2025-07-01'], /--tree-from \(2025-07-01\) must come before --reorganise-on \(2025-07-01\)/],
    [['vn-admin', 'f.json', '--province', '51,'], /--province takes old province ids/],
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
  const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x', PORT: '3101' };

  it('needs no token settings: the command serves no HTTP', () => {
    expect(() => loadServiceConfig('units-registry', base)).toThrow(/JWT_SECRET or JWT_JWKS_URL is required/);
    expect(() => loadServiceConfig('units-registry', importEnvironment(base))).not.toThrow();
  });

  it('keeps the token settings it is given', () => {
    const secret = { ...base, JWT_SECRET: 'x'.repeat(40) };
    expect(importEnvironment(secret)).toBe(secret);
    const jwks = { ...base, JWT_JWKS_URL: 'https://id.example/jwks' };
    expect(importEnvironment(jwks)).toBe(jwks);
  });
});
