import { sign } from 'jsonwebtoken';
import type { AuthOptions } from './auth.options';
import type { TokenClaims } from './token-claims';

/** Signs a platform token: the development command and the tests use it. */
export function issueToken(options: AuthOptions, claims: TokenClaims, expiresInSeconds = 12 * 3600): string {
  if (!options.secret) throw new Error('Issuing a token needs the HS256 secret (JWT_SECRET); JWKS tokens come from their identity provider');
  return sign({ ...claims }, options.secret, {
    algorithm: 'HS256',
    issuer: options.issuer,
    audience: options.audience,
    expiresIn: expiresInSeconds,
  });
}
