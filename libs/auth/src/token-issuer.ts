import { sign } from 'jsonwebtoken';
import type { AuthOptions } from './auth.options';
import type { TokenClaims } from './token-claims';

/** Signs a platform token: the development command and the tests use it. */
export function issueToken(options: AuthOptions, claims: TokenClaims, expiresInSeconds = 12 * 3600): string {
  return sign({ ...claims }, options.secret, {
    algorithm: 'HS256',
    issuer: options.issuer,
    audience: options.audience,
    expiresIn: expiresInSeconds,
  });
}
