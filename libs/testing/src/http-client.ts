/* eslint-disable @typescript-eslint/no-explicit-any -- tests assert on response shapes rather than type them */
import { Agent, request } from 'node:http';

/**
 * Connections kept alive across requests and clients. Idle sockets are dropped before a
 * service's 5 s keep-alive ends, so none is reused just as the server closes it.
 */
const agent = new Agent({ keepAlive: true, timeout: 4_000 });

/**
 * A small JSON client for a service under test, carrying a bearer token. It uses node:http
 * rather than `fetch`: benchmarks load services that share its event loop, and the CPU
 * `fetch` spent there showed (the assessments benchmark ran 78-89 recognitions/s through
 * `fetch`, 103-121 through node:http, in alternate runs).
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {
    if (new URL(baseUrl).protocol !== 'http:') throw new Error(`ApiClient speaks plain HTTP to services under test, not ${baseUrl}`);
  }

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  request<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    // Parsed as fetch parses it: spaces and Vietnamese letters in a query get percent-encoded.
    const target = new URL(`${this.baseUrl}${path}`);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method,
          headers: {
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            try {
              resolve({ status: response.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }

  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
}
