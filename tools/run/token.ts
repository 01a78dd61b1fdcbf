import { parseArgs } from 'node:util';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { issueToken, TokenClaims } from '@antq/auth';
import { DEV_JWT_SECRET } from '@antq/platform';

/**
 * `npm run token -- [--agency ca-nghe-an] [--roles admin[,registrar]] [--sub alice] [--name N] [--jurisdiction <unit-id>] [--hours 12]`
 * prints a bearer token signed with JWT_SECRET (or the development key `npm start` uses).
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      agency: { type: 'string', default: 'ca-nghe-an' },
      roles: { type: 'string', default: 'admin' },
      sub: { type: 'string', default: 'developer' },
      name: { type: 'string' },
      jurisdiction: { type: 'string' },
      hours: { type: 'string', default: '12' },
    },
  });
  const claims = plainToInstance(TokenClaims, {
    sub: values.sub,
    agency: values.agency,
    roles: values.roles.split(',').map((r) => r.trim()),
    ...(values.name ? { name: values.name } : {}),
    ...(values.jurisdiction ? { jurisdiction: values.jurisdiction.split(',').map((id) => id.trim()) } : {}),
  });
  const hours = Number(values.hours);
  const problems = validateSync(claims).flatMap((e) => Object.values(e.constraints ?? {}));
  if (!(hours > 0 && hours <= 24 * 365)) problems.push(`--hours must be a number of hours between 0 and 8760, not "${values.hours}"`);
  if (problems.length) throw new Error(problems.join('; '));
  // Services given a key set and no secret accept only the identity provider's tokens.
  if (process.env['JWT_JWKS_URL'] && !process.env['JWT_SECRET']) {
    throw new Error('JWT_JWKS_URL is set and JWT_SECRET is not: the services accept only tokens from that identity provider, so get one there');
  }
  const token = issueToken(
    {
      secret: process.env['JWT_SECRET'] ?? DEV_JWT_SECRET,
      issuer: process.env['JWT_ISSUER'] ?? 'antq-platform',
      audience: process.env['JWT_AUDIENCE'] ?? 'antq-api',
    },
    claims,
    Math.round(hours * 3600),
  );
  process.stdout.write(`${token}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`token: ${(error as Error).message}\n`);
  process.exit(1);
}
