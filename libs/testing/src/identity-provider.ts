import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign, type Algorithm } from 'jsonwebtoken';
import type { Role } from '@antq/auth';

export interface ProviderToken {
  agency: string;
  roles: Role[];
  sub?: string;
  /** Which of the provider's keys signs; a key it does not publish forges. */
  kid?: string;
  algorithm?: Algorithm;
}

/**
 * An identity provider as services meet one: key pairs of its own, the public halves served
 * as a JSON Web Key Set over HTTP on 127.0.0.1, tokens signed with the private halves.
 * Counts how often its key set was fetched.
 */
export class TestIdentityProvider {
  readonly issuer = 'antq-platform';
  readonly audience = 'antq-api';
  private readonly privateKeys = new Map<string, KeyObject>();
  private readonly published = new Map<string, KeyObject>();
  fetches = 0;
  private server?: Server;
  private uri?: string;

  /** A new key pair under `kid`: RSA (RS256/PS256) or P-256 (ES256); published unless said otherwise. */
  addKey(kid: string, type: 'rsa' | 'ec' = 'rsa', publish = true): KeyObject {
    const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKeys.set(kid, pair.privateKey);
    if (publish) this.published.set(kid, pair.publicKey);
    return pair.publicKey;
  }

  /** Stops publishing `kid` (a key retired or compromised); tokens can still be signed with it. */
  withdrawKey(kid: string): void {
    this.published.delete(kid);
  }

  get jwksUri(): string {
    if (!this.uri) throw new Error('The identity provider is not started');
    return this.uri;
  }

  async start(): Promise<this> {
    this.server = createServer((_request, response) => {
      this.fetches++;
      const keys = [...this.published].map(([kid, key]) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig' }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.uri = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  token({ agency, roles, sub = 'idp-user', kid, algorithm }: ProviderToken): string {
    const keyId = kid ?? [...this.privateKeys.keys()][0];
    const key = this.privateKeys.get(keyId);
    if (!key) throw new Error(`The identity provider has no key ${keyId}`);
    return sign({ sub, agency, roles }, key, {
      algorithm: algorithm ?? (key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256'),
      keyid: keyId,
      issuer: this.issuer,
      audience: this.audience,
      expiresIn: 600,
    });
  }
}
