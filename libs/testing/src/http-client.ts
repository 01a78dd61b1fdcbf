/* eslint-disable @typescript-eslint/no-explicit-any -- tests assert on response shapes rather than type them */
import { Agent, request } from 'node:http';

/**
 * Connections kept alive across requests and clients. Idle sockets are dropped before a
 * service's 5 s keep-alive ends, so none is reused just as the server closes it.
 */
const agent = new Agent({ keepAlive: true, timeout: 4_000 });

/**
 * A small JSON client for a service under test, carrying a bearer token. It uses node:http
 * rather than `fetch`: benchmarks load services that share its event loop, and `fetch`
 * (WHATWG streams and headers) spent several times the CPU per request there.
 */
export class ApiClient {
  private readonly url: URL;

  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {
    this.url = new URL(baseUrl);
    if (this.url.protocol !== 'http:') throw new Error(`ApiClient speaks plain HTTP to services under test, not ${baseUrl}`);
  }

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  request<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: this.url.hostname,
          port: this.url.port,
          path: `${this.url.pathname.replace(/\/$/, '')}${path}`,
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
