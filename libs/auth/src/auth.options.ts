/** Asymmetric algorithms a token issuer publishing a JWKS may sign with. */
export const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
export type JwksAlgorithm = (typeof JWKS_ALGORITHMS)[number];

export interface AuthOptions {
  /** HS256 key shared with the token issuer (development, or a single-issuer deployment). */
  secret?: string;
  /**
   * The identity provider's JSON Web Key Set: tokens it signs with a private key are verified
   * by their `kid`, so services hold no secret that could mint tokens.
   */
  jwksUri?: string;
  /** Algorithms accepted from the JWKS issuer. */
  jwksAlgorithms?: JwksAlgorithm[];
  issuer: string;
  audience: string;
  /** Requests one agency may make per minute to this instance; 0 lifts the limit. */
  rateLimitPerMinute?: number;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
