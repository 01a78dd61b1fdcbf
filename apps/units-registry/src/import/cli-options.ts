import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isCalendarDate } from '@antq/contracts';
import type { Environment } from '@antq/platform';

export const USAGE = `Usage:
  npm run import -- units <file.csv|file.json> [--effective-from YYYY-MM-DD] [--agency CODE]
  npm run import -- vn-admin <new_to_old.json> [--province OLD_ID[,OLD_ID]] [--tree-from 2024-01-01]
                   [--reorganise-on 2025-07-01] [--no-reorganise] [--agency CODE]

units     imports units from CSV (header: code,name,kind,subtype,parent_code,tags,effective_from;
          tags separated by ;) or JSON (an array of objects with those fields).
vn-admin  builds the tree before the 2025 reorganisation (provinces > districts > communes,
          as the mapping file lists them, all effective --tree-from), then applies the
          1 July 2025 reorganisation.
Everything is imported in one transaction: if any row is rejected, nothing is imported and
every rejected row is listed with its line and reason. The command then waits until the
events are published (the registry service's relay, or this command's own).`;

export type ImportCommand =
  | { command: 'help' }
  | { command: 'units'; file: string; agency: string; effectiveFrom?: string }
  | { command: 'vn-admin'; file: string; agency: string; provinces?: string[]; treeFrom: string; reorganiseOn: string; reorganise: boolean };

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
    return value;
  };
  if (command === 'units') return { command, file, agency: values.agency, effectiveFrom: date('effective-from', values['effective-from']) };
  const treeFrom = date('tree-from', values['tree-from']) as string;
  const reorganiseOn = date('reorganise-on', values['reorganise-on']) as string;
  const reorganise = !values['no-reorganise'];
  if (reorganise && treeFrom >= reorganiseOn) throw new UsageError(`--tree-from (${treeFrom}) must come before --reorganise-on (${reorganiseOn})`);
  const provinces = values.province?.split(',').map((p) => p.trim());
  if (provinces?.some((p) => !p)) throw new UsageError('--province takes old province ids separated by commas (e.g. 51 or 51,52)');
  return { command, file, agency: values.agency, provinces, treeFrom, reorganiseOn, reorganise };
}

/**
 * The environment the command configures the registry from. It serves no HTTP and so
 * verifies no tokens: when no token settings are given, a throw-away signing key, known
 * to nobody, stands in for them.
 */
export function importEnvironment(env: Environment): Environment {
  if (env['JWT_SECRET'] || env['JWT_JWKS_URL']) return env;
  return { ...env, JWT_SECRET: randomBytes(32).toString('base64url') };
}
