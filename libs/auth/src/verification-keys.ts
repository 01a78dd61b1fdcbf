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

/** How long a fetched key set is used before it is fetched again (known keys meanwhile answer at once). */
const KEY_SET_MAX_AGE_MS = 10 * 60_000;
/** Fetches of the key set a minute at most: tokens naming keys nobody published cannot make more. */
const FETCHES_PER_MINUTE = 10;

/**
 * The keys tokens are verified with: the shared HS256 secret, the issuer's published
 * public keys (its JWKS), or both while moving from one to the other. A token's `alg` picks
 * the kind of key, and `algorithms` lists only the configured kinds, so a token cannot
 * choose HMAC with a public key as its secret.
 *
 * The key set is fetched whole and kept: a known `kid` is answered from memory, a new one
 * (a rotation) fetches the set again. Fetches are limited per minute; past the limit a
 * `kid` the set lacks is refused (401), so tokens naming made-up keys can neither flood the
 * issuer nor lock out the keys it does publish.
 */
export class VerificationKeys {
  readonly algorithms: Algorithm[];
  private readonly secret?: KeyObject;
  private readonly jwks?: JwksClient;
  private keySet?: { keys: Map<string | undefined, KeyObject>; fetchedAt: number };
  private fetching?: Promise<NonNullable<VerificationKeys['keySet']>>;
  /** When the last fetches started, for the limit per minute. */
  private readonly fetchTimes: number[] = [];
  /** Why the last fetch failed, while it is the last: the issuer is away, not the key unknown. */
  private lastFailure?: string;

  constructor(options: AuthOptions) {
    if (!options.secret && !options.jwksUri) throw new Error('Token verification needs a secret or a JWKS URL');
    this.secret = options.secret ? createSecretKey(Buffer.from(options.secret)) : undefined;
    this.jwks = options.jwksUri ? new JwksClient({ jwksUri: options.jwksUri, timeout: 5_000 }) : undefined;
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
    const known = this.keySet?.keys.get(kid);
    if (known) {
      // An old set still answers for its keys while a new one is fetched.
      if (Date.now() - (this.keySet as { fetchedAt: number }).fetchedAt > KEY_SET_MAX_AGE_MS && this.mayFetch()) this.fetch().catch(() => undefined);
      return known;
    }
    if (!this.mayFetch() && !this.fetching) {
      // Past the limit, a kid the last set lacks is refused; while the issuer is away, no set says so.
      if (this.lastFailure !== undefined) throw new KeySetUnavailableError(`the token issuer's keys are unavailable: ${this.lastFailure}`);
      throw new UnknownKeyError(`the issuer publishes no signing key that matches '${kid}' (its key set was fetched ${FETCHES_PER_MINUTE} times in the last minute)`);
    }
    let keySet: NonNullable<VerificationKeys['keySet']>;
    try {
      keySet = await this.fetch();
    } catch (error) {
      throw new KeySetUnavailableError(`the token issuer's keys are unavailable: ${(error as Error).message}`);
    }
    const key = keySet.keys.get(kid);
    if (!key) throw new UnknownKeyError(`the issuer publishes no signing key that matches '${kid}'`);
    return key;
  }

  private mayFetch(): boolean {
    const minuteAgo = Date.now() - 60_000;
    while (this.fetchTimes.length && this.fetchTimes[0] < minuteAgo) this.fetchTimes.shift();
    return this.fetchTimes.length < FETCHES_PER_MINUTE;
  }

  /** Fetches the key set; callers arriving meanwhile share the fetch under way. */
  private fetch(): Promise<NonNullable<VerificationKeys['keySet']>> {
    this.fetching ??= (async () => {
      this.fetchTimes.push(Date.now());
      try {
        const published = await (this.jwks as JwksClient).getSigningKeys();
        const keys = new Map<string | undefined, KeyObject>(published.map((key: SigningKey) => [key.kid, createPublicKey(key.getPublicKey())]));
        // A token without a kid is verified with the only key, if there is only one.
        if (published.length === 1) keys.set(undefined, keys.get(published[0].kid) as KeyObject);
        this.keySet = { keys, fetchedAt: Date.now() };
        this.lastFailure = undefined;
        return this.keySet;
      } catch (error) {
        this.lastFailure = (error as Error).message;
        throw error;
      } finally {
        this.fetching = undefined;
      }
    })();
    return this.fetching;
  }
}
