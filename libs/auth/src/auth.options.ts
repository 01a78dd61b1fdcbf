export interface AuthOptions {
  /** HS256 signing key shared with the token issuer. */
  secret: string;
  issuer: string;
  audience: string;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
