import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isCalendarDate } from '@antq/contracts';
import { EARLIEST_CHANGE, LATEST_CHANGE } from '../tree/dto/unit.requests';
import { serviceEnv, stackSettings, type Environment } from '@antq/platform';

export const USAGE = `Usage:
  npm run import -- units <file.csv|file.json> [--effective-from YYYY-MM-DD] [--agency CODE]
  npm run import -- vn-admin <new_to_old.json> [--province OLD_ID[,OLD_ID]] [--tree-from 2024-01-01]
                   [--reorganise-on 2025-07-01] [--no-reorganise] [--agency CODE]
  both take [--publish-timeout SECONDS] (default 60)

units     imports units from CSV (header: code,name,kind,subtype,parent_code,tags,effective_from;
          code, name and kind required; tags separated by ;) or JSON (an array of objects with
          those fields).
vn-admin  builds the tree before the 2025 reorganisation (provinces > districts > communes,
          as the mapping file lists them, all effective --tree-from), then applies the
          1 July 2025 reorganisation.
Everything is imported in one transaction: if any row is rejected, nothing is imported and
every rejected row is listed with its line (CSV) or item (JSON: its place in the array,
from 1) and reason. The command then waits until the events are published (the registry
service's relay, or this command's own), giving up when none is published for
--publish-timeout seconds.
Exit status: 0 imported and published; 1 rows rejected or the import refused (nothing
imported); 2 a wrong command line or file (nothing imported); 3 imported, but publishing
stalled (the events wait in the outbox for the registry's relay).`;

export type ImportCommand =
  | { command: 'help' }
  | { command: 'units'; file: string; agency: string; effectiveFrom?: string; publishTimeout: number }
  | {
      command: 'vn-admin';
      file: string;
      agency: string;
      provinces?: string[];
      treeFrom: string;
      reorganiseOn: string;
      reorganise: boolean;
      publishTimeout: number;
    };

/** Bad command-line use: the message goes to the user with the usage, and the command exits with 2. */
export class UsageError extends Error {}

/** Reads and checks the command line; throws UsageError with a clear message when it is wrong. */
export function parseImportArgs(args: string[]): ImportCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'effective-from': { type: 'string' },
        agency: { type: 'string', default: 'antq-registry-import' },
        province: { type: 'string' },
        'tree-from': { type: 'string', default: '2024-01-01' },
        'reorganise-on': { type: 'string', default: '2025-07-01' },
        'no-reorganise': { type: 'boolean', default: false },
        'publish-timeout': { type: 'string', default: '60' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) return { command: 'help' };
  const [command, file, ...extra] = positionals;
  if (!command) throw new UsageError('name a command: units or vn-admin');
  if (command !== 'units' && command !== 'vn-admin') throw new UsageError(`unknown command ${command}: use units or vn-admin`);
  if (!file) throw new UsageError(`${command} needs the file to import`);
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const date = (option: string, value: string | undefined) => {
    if (value !== undefined && !isCalendarDate(value)) throw new UsageError(`--${option} must be a date that exists, as YYYY-MM-DD (got "${value}")`);
    if (value !== undefined && (value < EARLIEST_CHANGE || value > LATEST_CHANGE)) throw new UsageError(`--${option} must be a date from ${EARLIEST_CHANGE} to ${LATEST_CHANGE} (got "${value}")`);
    return value;
  };
  const publishTimeout = values['publish-timeout'];
  if (!/^[1-9]\d*$/.test(publishTimeout)) throw new UsageError(`--publish-timeout takes a whole number of seconds, at least 1 (got "${publishTimeout}")`);
  const common = { file, agency: values.agency, publishTimeout: Number(publishTimeout) };
  if (command === 'units') return { command, ...common, effectiveFrom: date('effective-from', values['effective-from']) };
  const treeFrom = date('tree-from', values['tree-from']) as string;
  const reorganiseOn = date('reorganise-on', values['reorganise-on']) as string;
  const reorganise = !values['no-reorganise'];
  if (reorganise && treeFrom >= reorganiseOn) throw new UsageError(`--tree-from (${treeFrom}) must come before --reorganise-on (${reorganiseOn})`);
  const provinces = values.province?.split(',').map((p) => p.trim());
  if (provinces?.some((p) => !p)) throw new UsageError('--province takes old province ids separated by commas (e.g. 51 or 51,52)');
  return { command, ...common, provinces, treeFrom, reorganiseOn, reorganise };
}

/**
 * The environment the command configures the registry from: the one `npm start` gives the
 * registry (POSTGRES_URL or UNITS_REGISTRY_DATABASE_URL, KAFKA_BROKERS or KAFKA_PORT), so that it
 * imports into the database the running registry reads; or DATABASE_URL, where set (and
 * UNITS_REGISTRY_DATABASE_URL is not), as the registry's own container has it. It serves no HTTP and so verifies no
 * tokens: when no token settings are given, a throw-away signing key, known to nobody, stands
 * in for them.
 */
export function importEnvironment(env: Environment): Environment {
  const tokens = env['JWT_SECRET'] || env['JWT_JWKS_URL'] ? env : { ...env, JWT_SECRET: randomBytes(32).toString('base64url') };
  const registry = serviceEnv('units-registry', stackSettings(tokens), tokens);
  // In a registry's container DATABASE_URL names the registry's database, as the service reads it.
  const database = env['UNITS_REGISTRY_DATABASE_URL'] ?? env['DATABASE_URL'];
  return database ? { ...registry, DATABASE_URL: database } : registry;
}
