import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { decode, type Algorithm } from 'jsonwebtoken';
import { JwksClient, type SigningKey } from 'jwks-rsa';
import type { AuthOptions } from './auth.options';

/** The token names a key the issuer does not publish, or is not a JWT at all: the caller's fault (401). */
export class UnknownKeyError extends Error {
  override readonly name = 'UnknownKeyError';
}

/** The issuer's key set could not be fetched: not the caller's fault (503). */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
}

/**
 * The keys tokens are verified with: the shared HS256 secret, the issuer's published
 * public keys (JWKS, fetched by `kid`, cached and rate-limited), or both while moving from
 * one to the other. A token's `alg` picks the kind of key, and `algorithms` lists only the
 * configured kinds, so a token cannot choose HMAC with a public key as its secret.
 */
export class VerificationKeys {
  readonly algorithms: Algorithm[];
  private readonly secret?: KeyObject;
  private readonly jwks?: JwksClient;
  /** PEM parsed once per published key; jsonwebtoken would parse the string on every token. */
  private readonly publicKeys = new WeakMap<SigningKey, KeyObject>();

  constructor(options: AuthOptions) {
    if (!options.secret && !options.jwksUri) throw new Error('Token verification needs a secret or a JWKS URL');
    this.secret = options.secret ? createSecretKey(Buffer.from(options.secret)) : undefined;
    this.jwks = options.jwksUri
      ? new JwksClient({ jwksUri: options.jwksUri, cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 5_000 })
      : undefined;
    this.algorithms = [...(this.secret ? (['HS256'] as const) : []), ...(this.jwks ? (options.jwksAlgorithms ?? ['RS256', 'ES256']) : [])];
  }

  async keyFor(token: string): Promise<KeyObject> {
    const header = decode(token, { complete: true })?.header;
    if (!header) throw new UnknownKeyError('not a JSON Web Token');
    if (!this.algorithms.includes(header.alg as Algorithm)) {
      throw new UnknownKeyError(`algorithm ${header.alg} is not accepted (accepted: ${this.algorithms.join(', ')})`);
    }
    if (header.alg === 'HS256' && this.secret) return this.secret;
    return this.published(header.kid);
  }

  private async published(kid: string | undefined): Promise<KeyObject> {
    let key: SigningKey;
    try {
      key = await (this.jwks as JwksClient).getSigningKey(kid);
    } catch (error) {
      if ((error as Error).name === 'SigningKeyNotFoundError') throw new UnknownKeyError((error as Error).message);
      throw new KeySetUnavailableError(`the token issuer's keys are unavailable: ${(error as Error).message}`);
    }
    let publicKey = this.publicKeys.get(key);
    if (!publicKey) {
      publicKey = createPublicKey(key.getPublicKey());
      this.publicKeys.set(key, publicKey);
    }
    return publicKey;
  }
}
